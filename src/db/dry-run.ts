/**
 * @module Dry runs (`?dry_run=true`): the request runs as usual, every rule
 * included, but D1 keeps nothing. Each batch that writes gets one more
 * statement, an insert into `dry_run_sentinel` that always fails, so D1 rolls
 * the whole batch back after the real statements have met every constraint
 * (a taken e-mail or number, an unknown supplier, the EAN cap fail first, as
 * they would for real). The sentinel fails on `changed` when the batch's last
 * write changed rows — the request would have succeeded: `DryRunPassed` — and
 * on `unchanged` when it changed none (another organisation's customer, a
 * number that differs): then the batch, which changes nothing, runs again
 * without it so the handler answers its 404 or 422 as usual.
 */
import type { D1Handle } from "./client";

/** Thrown when a dry run's writes would have succeeded: the answer is 200 `{"valid":true}`. */
export class DryRunPassed extends Error {
  override readonly name = "DryRunPassed";
}

const WRITE = /^\s*(insert|update|delete)\b/i;
const SENTINEL =
  "insert into dry_run_sentinel (changed, unchanged) values (case when changes() > 0 then null else 1 end, case when changes() > 0 then 1 else null end)";

function failedOn(error: unknown, column: string): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error && current.message.includes(`dry_run_sentinel.${column}`)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** `d1` for a dry run: batches that write are rolled back (see the module's note). */
export function dryRunD1(d1: D1Handle): D1Handle {
  const writes = new WeakSet<D1PreparedStatement>();
  // A prepared statement's bind() makes a new statement: each keeps the mark of its text.
  const mark = (statement: D1PreparedStatement, query: string): D1PreparedStatement => {
    if (!WRITE.test(query)) return statement;
    writes.add(statement);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => mark(bind(...values), query);
    return statement;
  };
  return {
    prepare: (query) => mark(d1.prepare(query), query),
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      if (!statements.some((statement) => writes.has(statement))) return d1.batch<T>(statements);
      try {
        await d1.batch<T>([...statements, d1.prepare(SENTINEL)]);
      } catch (error) {
        if (failedOn(error, "changed")) throw new DryRunPassed();
        if (failedOn(error, "unchanged")) return d1.batch<T>(statements);
        throw error;
      }
      throw new Error("the dry-run sentinel did not fail");
    },
  };
}
