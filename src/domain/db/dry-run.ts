/**
 * @module Dry runs (`?dry_run=true`): the request runs as usual, every rule
 * included, but D1 keeps nothing — under any interleaving with other
 * requests, because no statement that writes is ever executed outside a
 * batch that is rolled back.
 *
 * A batch that writes is sent once, wrapped: first a mark of the
 * connection's `total_changes()` (`dry_run_marks`), then the batch's own
 * statements, then an insert into `dry_run_sentinel` that always fails, so
 * D1 rolls the whole batch back after every constraint has run (a taken
 * e-mail or number, an unknown supplier, the EAN cap fail first, as they
 * would for real). The sentinel fails on `changed` when any write of the
 * batch changed a row — the request would have succeeded: `DryRunPassed` —
 * and on `unchanged` when none did (another organisation's customer, a
 * number that differs, the webhook cap). Then the handler still needs the
 * batch's reads to choose its 404 or 422: only the batch's SELECTs are sent
 * again, and each write is answered as one that changed nothing.
 */
import type { D1Handle } from "./client";

/** Thrown when a dry run's writes would have succeeded: the answer is 200 `{"valid":true}`. */
export class DryRunPassed extends Error {
  override readonly name = "DryRunPassed";
}

/** Only these statements are ever sent outside the rolled-back batch: anything else counts as a write. */
const READ_ONLY = /^\s*select\b/i;

const MARK = "insert into dry_run_marks (total_changes) values (total_changes())";
/** The mark itself is one change: more than that means the batch's writes changed rows. */
const SENTINEL = `insert into dry_run_sentinel (changed, unchanged)
  select case when total_changes() > m.total_changes + 1 then null else 1 end,
         case when total_changes() > m.total_changes + 1 then 1 else null end
  from dry_run_marks m`;

function failedOn(error: unknown, column: string): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message.includes(`dry_run_sentinel.${column}`)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What a write that changed nothing answers, in place of running it. */
function unchangedResult<T>(): D1Result<T> {
  return {
    success: true,
    results: [],
    meta: { duration: 0, size_after: 0, rows_read: 0, rows_written: 0, last_row_id: 0, changed_db: false, changes: 0 },
  } as D1Result<T>;
}

/**
 * The batch's reads, sent alone; its writes answered as unchanged. The
 * statements that may run are chosen by their text, never by a mark set
 * elsewhere: a statement not known to be a SELECT is not sent.
 */
async function readsOnly<T>(d1: D1Handle, statements: D1PreparedStatement[], texts: WeakMap<D1PreparedStatement, string>): Promise<D1Result<T>[]> {
  const reads = statements.filter((statement) => READ_ONLY.test(texts.get(statement) ?? ""));
  const results = reads.length > 0 ? await d1.batch<T>(reads) : [];
  let next = 0;
  return statements.map((statement) => (reads.includes(statement) ? results[next++]! : unchangedResult<T>()));
}

/** `d1` for a dry run: batches that write are rolled back (see the module's note). */
export function dryRunD1(d1: D1Handle): D1Handle {
  const texts = new WeakMap<D1PreparedStatement, string>();
  // A prepared statement's bind() makes a new statement: each keeps the text it was prepared from.
  const remember = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    texts.set(statement, query);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => remember(bind(...values), query);
    return statement;
  };
  return {
    prepare: (query) => remember(d1.prepare(query), query),
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      if (statements.every((statement) => READ_ONLY.test(texts.get(statement) ?? ""))) return d1.batch<T>(statements);
      try {
        await d1.batch<T>([d1.prepare(MARK), ...statements, d1.prepare(SENTINEL)]);
      } catch (error) {
        if (failedOn(error, "changed")) throw new DryRunPassed();
        if (failedOn(error, "unchanged")) return readsOnly<T>(d1, statements, texts);
        throw error;
      }
      throw new Error("the dry-run sentinel did not fail");
    },
  };
}
