/**
 * @module Drizzle over D1, metered: every statement's `meta` (rows read and
 * written, duration) is added up per request, for the request log and for
 * tests that hold the API to its cost budget.
 *
 * Requests use `db.batch([...])` for everything (one round trip for the reads,
 * one atomic batch for the writes); batches are what the meter sees.
 */
import { drizzle } from "drizzle-orm/d1";

export interface D1Cost {
  /** Round trips to D1 (one per batch). */
  roundTrips: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** Time D1 reports spending on the statements, in ms. */
  durationMs: number;
}

export function emptyCost(): D1Cost {
  return { roundTrips: 0, statements: 0, rowsRead: 0, rowsWritten: 0, durationMs: 0 };
}

export type D1Handle = Pick<D1Database, "prepare" | "batch">;

/** A D1 handle that adds each batch's meta to `cost`. */
export function meterD1(d1: D1Handle, cost: D1Cost): D1Database {
  const metered: D1Handle = {
    prepare: (query) => d1.prepare(query),
    batch: async <T = unknown>(statements: D1PreparedStatement[]) => {
      cost.roundTrips += 1;
      cost.statements += statements.length;
      const results = await d1.batch<T>(statements);
      for (const { meta } of results) {
        cost.rowsRead += meta.rows_read ?? 0;
        cost.rowsWritten += meta.rows_written ?? 0;
        cost.durationMs += meta.duration ?? 0;
      }
      return results;
    },
  };
  return metered as D1Database;
}

/**
 * Per request (the handle is the request's D1 session). No `schema` option:
 * relational queries are not used, and Drizzle would rebuild their config
 * from the schema on every call.
 */
export function createDatabase(d1: D1Handle, cost: D1Cost) {
  return drizzle(meterD1(d1, cost));
}

export type Database = ReturnType<typeof createDatabase>;
