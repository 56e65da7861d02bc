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
/** Only these statements are ever sent outside the rolled-back batch. */
const READ_ONLY = /^\s*select\b/i;

/** Thrown when a dry run's writes would have succeeded: the answer is 200 `{"valid":true}`. */
export class DryRunPassed extends Error {
  override readonly name = "DryRunPassed";
}

/** What a dry run sends: SQL and parameters (the runner's `Statement`s are these and more). */
interface Sendable {
  sql: string;
  params: readonly unknown[];
  writes: boolean;
}

const MARK: Sendable = { sql: "insert into dry_run_marks (total_changes) values (total_changes())", params: [], writes: true };
/** The mark itself is one change: more than that means the batch's writes changed rows. */
const SENTINEL: Sendable = {
  sql: `insert into dry_run_sentinel (changed, unchanged)
  select case when total_changes() > m.total_changes + 1 then null else 1 end,
         case when total_changes() > m.total_changes + 1 then 1 else null end
  from dry_run_marks m`,
  params: [],
  writes: true,
};

function failedOn(error: unknown, column: string): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message.includes(`dry_run_sentinel.${column}`)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** What a write that changed nothing answers, in place of running it. */
function unchangedResult(): D1Result {
  return {
    success: true,
    results: [],
    meta: { duration: 0, size_after: 0, rows_read: 0, rows_written: 0, last_row_id: 0, changed_db: false, changes: 0 },
  } as D1Result;
}

/**
 * A batch that writes, run dry (see the module's note): `send` is the
 * runner's one round trip. Throws `DryRunPassed` when the writes would have
 * changed rows; otherwise answers the batch's results with only its reads
 * run again (a statement runs again only when its SQL is a SELECT: the
 * `writes` flag of a statement is not trusted alone).
 */
export async function dryRunBatch<S extends Sendable>(
  statements: readonly S[],
  send: (batch: readonly Sendable[]) => Promise<D1Result[]>,
): Promise<D1Result[]> {
  try {
    await send([MARK, ...statements, SENTINEL]);
  } catch (error) {
    if (failedOn(error, "changed")) throw new DryRunPassed();
    if (!failedOn(error, "unchanged")) throw error;
    const reads = statements.filter((statement) => !statement.writes && READ_ONLY.test(statement.sql));
    const results = reads.length > 0 ? await send(reads) : [];
    let next = 0;
    return statements.map((statement) => (reads.includes(statement) ? results[next++]! : unchangedResult()));
  }
  throw new Error("the dry-run sentinel did not fail");
}
