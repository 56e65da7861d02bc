/**
 * @module Moving an organisation from one shard to another, in steps of at
 * most MOVE_ROWS_PER_STEP rows (one queue message each: src/moves). While it
 * moves, its writes fail on the write guard (503, Retry-After) and its reads
 * keep using the old shard, unchanged. Its rows are copied with their ids, in
 * an order the foreign keys accept; then the directory names the new shard,
 * the old copy becomes read-only-for-ever (`moving` = 2) and is removed in
 * steps once no cached route can reach it.
 *
 * Phases, each a cursor over one table of the organisation: the organisation
 * row; customers with their EANs (customers in id order, as many as keep the
 * step's EANs within bound by their `eans_count`); the erasure tree; events;
 * webhook endpoints; their delivery log, endpoint by endpoint; idempotency
 * keys. A step re-run after a crash finds its rows already copied: it checks
 * they are the same rows and goes on.
 */
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import { SQLiteSyncDialect, type SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Database, mapped, rawStatement } from "../db/client";
import { customerErasures, customers, eans, events, idempotencyKeys, organisations, webhookDeliveries, webhookEndpoints } from "../db/schema";
import { D1_MAX_BOUND_PARAMETERS, MOVE_ROWS_PER_STEP } from "../limits";

/** Where a move stands: the phase (the table), and the last key done in it. */
export interface MoveCursor {
  phase: number;
  after: number;
  /** The delivery-log phase's current endpoint. */
  endpoint?: number;
}

/** The highest ids copied, so the new shard's sequences continue after them (feeds and lists keep their order). */
export type MovedMaxIds = Partial<Record<"customers" | "eans" | "events" | "webhook_endpoints", number>>;

/** A copied row that another organisation's row already holds on the new shard: the move stops, the old shard stays in charge. */
export class MoveConflict extends Error {
  constructor(readonly table: string) {
    super(`move conflict in ${table}`);
  }
}

/** Marks the organisation as moving on its shard (writes refused from now on); false when it already is, or is not there. */
export async function beginMove(source: Database, organisationId: number): Promise<boolean> {
  const [rows] = await source.run([
    source
      .update(organisations)
      .set({ moving: 1 })
      .where(and(eq(organisations.id, organisationId), eq(organisations.moving, 0)))
      .returning({ id: organisations.id }),
  ]);
  return rows.length > 0;
}

/** Inserts `rows` into `table` on the target (as many per statement as D1's parameters allow), all in one batch. */
function insertsOf(target: Database, table: SQLiteTable, rows: Array<Record<string, unknown>>) {
  if (rows.length === 0) return [];
  const perStatement = Math.max(1, Math.floor(D1_MAX_BOUND_PARAMETERS / Object.keys(rows[0]!).length));
  const statements = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    statements.push(
      target
        .insert(table)
        .values(rows.slice(i, i + perStatement) as never)
        .onConflictDoNothing(),
    );
  }
  return statements;
}

/** A row as D1 returns it: column names, the values as stored (JSON columns stay their text, byte for byte). */
type StoredRow = Record<string, unknown> & { id: number };

/** A select whose rows are read as stored, not mapped: what is copied is exactly what was written. */
const stored = (query: PromiseLike<unknown>) => mapped(query, (result) => result.results as StoredRow[]);

/**
 * Copies rows that keep their id into `table`; a row already there must be
 * this very row (a step run twice), or it is another organisation's: MoveConflict.
 */
async function copyStoredRows(target: Database, table: string, rows: StoredRow[]) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const [existing] = await target.run([
    {
      ...rawStatement(
        `select * from ${table} where id in (${rows.map(() => "?").join(", ")})`,
        rows.map((row) => row.id),
        { writes: false },
      ),
      rows: (result: D1Result) => result.results as StoredRow[],
    },
  ]);
  // Compared column by column, whatever order each side lists them in.
  const canonical = (row: StoredRow) =>
    JSON.stringify(
      Object.keys(row)
        .sort()
        .map((column) => [column, row[column]]),
    );
  const byId = new Map(existing.map((row) => [row.id, canonical(row)]));
  for (const row of rows) {
    const there = byId.get(row.id);
    if (there !== undefined && there !== canonical(row)) throw new MoveConflict(table);
  }
  const fresh = rows.filter((row) => !byId.has(row.id));
  const perStatement = Math.floor(D1_MAX_BOUND_PARAMETERS / columns.length);
  const statements = [];
  for (let i = 0; i < fresh.length; i += perStatement) {
    const chunk = fresh.slice(i, i + perStatement);
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    statements.push(
      rawStatement(
        `insert into ${table} (${columns.join(", ")}) values ${chunk.map(() => tuple).join(", ")}`,
        chunk.flatMap((row) => columns.map((column) => row[column])),
        { writes: true },
      ),
    );
  }
  if (statements.length > 0) await target.run(statements as [never]);
}

const PHASES = ["organisation", "customers", "erasures", "events", "webhook_endpoints", "webhook_deliveries", "idempotency_keys"] as const;

/**
 * Copies the next chunk of the organisation from `source` to `target`; the
 * cursor after it, or null when everything is copied. `maxIds` gathers the
 * highest ids copied.
 */
export async function copyStep(
  source: Database,
  target: Database,
  organisationId: number,
  cursor: MoveCursor,
  maxIds: MovedMaxIds,
): Promise<MoveCursor | null> {
  const phase = PHASES[cursor.phase];
  const next = (after: number, full: boolean): MoveCursor => (full ? { phase: cursor.phase, after } : { phase: cursor.phase + 1, after: 0 });
  const raise = (key: keyof MovedMaxIds, ids: number[]) => {
    if (ids.length > 0) maxIds[key] = Math.max(maxIds[key] ?? 0, ...ids);
  };
  switch (phase) {
    case undefined:
      return null;
    case "organisation": {
      const [[row]] = await source.run([stored(source.select().from(organisations).where(eq(organisations.id, organisationId)))]);
      if (!row) throw new Error(`organisation ${organisationId} is not on its shard`);
      // Its copy stays guarded until the directory names the new shard.
      await copyStoredRows(target, "organisations", [row]);
      return next(0, false);
    }
    case "customers": {
      const [candidates] = await source.run([
        source
          .select({ id: customers.id, eansCount: customers.eansCount })
          .from(customers)
          .where(and(eq(customers.organisationId, organisationId), gt(customers.id, cursor.after)))
          .orderBy(asc(customers.id))
          .limit(MOVE_ROWS_PER_STEP),
      ]);
      // As many customers as keep the step's EANs within bound (at least one: a customer holds at most 500).
      const chunk: number[] = [];
      let eanRows = 0;
      for (const candidate of candidates) {
        if (chunk.length > 0 && eanRows + candidate.eansCount > MOVE_ROWS_PER_STEP) break;
        chunk.push(candidate.id);
        eanRows += candidate.eansCount;
      }
      if (chunk.length === 0) return next(0, false);
      const [customerRows, eanRowsRead] = await source.run([
        stored(source.select().from(customers).where(inArray(customers.id, chunk)).orderBy(asc(customers.id))),
        stored(source.select().from(eans).where(inArray(eans.customerId, chunk)).orderBy(asc(eans.id))),
      ]);
      await copyStoredRows(target, "customers", customerRows);
      await copyStoredRows(target, "eans", eanRowsRead);
      raise("customers", chunk);
      raise(
        "eans",
        eanRowsRead.map((row) => row.id),
      );
      return next(chunk.at(-1)!, candidates.length === MOVE_ROWS_PER_STEP || chunk.length < candidates.length);
    }
    case "erasures": {
      const [rows] = await source.run([
        source
          .select()
          .from(customerErasures)
          .where(and(eq(customerErasures.organisationId, organisationId), gt(customerErasures.node, cursor.after)))
          .orderBy(asc(customerErasures.node))
          .limit(MOVE_ROWS_PER_STEP),
      ]);
      const statements = insertsOf(target, customerErasures, rows);
      // A node copied twice (a step run again) keeps its count: erasures are refused while the organisation moves.
      if (statements.length > 0) await target.run(statements as [never]);
      return next(rows.at(-1)?.node ?? 0, rows.length === MOVE_ROWS_PER_STEP);
    }
    case "events": {
      const [rows] = await source.run([
        stored(
          source
            .select()
            .from(events)
            .where(and(eq(events.organisationId, organisationId), gt(events.id, cursor.after)))
            .orderBy(asc(events.id))
            .limit(MOVE_ROWS_PER_STEP),
        ),
      ]);
      await copyStoredRows(target, "events", rows);
      raise(
        "events",
        rows.map((row) => row.id),
      );
      return next(rows.at(-1)?.id ?? 0, rows.length === MOVE_ROWS_PER_STEP);
    }
    case "webhook_endpoints": {
      // At most MAX_WEBHOOK_ENDPOINTS: one step.
      const [rows] = await source.run([stored(source.select().from(webhookEndpoints).where(eq(webhookEndpoints.organisationId, organisationId)))]);
      await copyStoredRows(target, "webhook_endpoints", rows);
      raise(
        "webhook_endpoints",
        rows.map((row) => row.id),
      );
      return next(0, false);
    }
    case "webhook_deliveries": {
      // Endpoint by endpoint (the index is (endpoint, id)); the log's ids are the shard's own (never shown): the target gives new ones, in order.
      const endpoint = cursor.endpoint ?? 0;
      const [[current]] = await source.run([
        source
          .select({ id: webhookEndpoints.id })
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.organisationId, organisationId), sql`${webhookEndpoints.id} >= ${endpoint}`))
          .orderBy(asc(webhookEndpoints.id))
          .limit(1),
      ]);
      if (!current) return next(0, false);
      const [rows] = await source.run([
        source
          .select()
          .from(webhookDeliveries)
          .where(and(eq(webhookDeliveries.endpointId, current.id), gt(webhookDeliveries.id, current.id === endpoint ? cursor.after : 0)))
          .orderBy(asc(webhookDeliveries.id))
          .limit(MOVE_ROWS_PER_STEP),
      ]);
      if (rows.length > 0) {
        // Copied once: a step run again skips the rows whose source id it already passed (the cursor moves with the batch).
        const statements = insertsOf(
          target,
          webhookDeliveries,
          rows.map(({ id: _, ...row }) => row),
        );
        await target.run(statements as [never]);
      }
      if (rows.length === MOVE_ROWS_PER_STEP) return { phase: cursor.phase, after: rows.at(-1)!.id, endpoint: current.id };
      return { phase: cursor.phase, after: 0, endpoint: current.id + 1 };
    }
    case "idempotency_keys": {
      const [rows] = await source.run([
        stored(
          source
            .select()
            .from(idempotencyKeys)
            .where(and(eq(idempotencyKeys.scope, `organisation:${organisationId}`), gt(idempotencyKeys.id, cursor.after)))
            .orderBy(asc(idempotencyKeys.id))
            .limit(MOVE_ROWS_PER_STEP),
        ),
      ]);
      await copyStoredRows(target, "idempotency_keys", rows);
      return next(rows.at(-1)?.id ?? 0, rows.length === MOVE_ROWS_PER_STEP);
    }
    default:
      return null;
  }
}

const SEQUENCE_OF: Record<keyof MovedMaxIds, string> = {
  customers: "customers",
  eans: "eans",
  events: "events",
  webhook_endpoints: "webhook_endpoints",
};

/**
 * The copy is complete: the new shard's sequences continue after the ids it
 * received, and its copy of the organisation is open for writes (the
 * directory is flipped by the caller, then the old copy is closed for good).
 */
export async function openOnTarget(target: Database, organisationId: number, maxIds: MovedMaxIds) {
  const raises = Object.entries(maxIds).map(([key, max]) =>
    rawStatement("update sqlite_sequence set seq = ? where name = ? and seq < ?", [max, SEQUENCE_OF[key as keyof MovedMaxIds], max], { writes: true }),
  );
  await target.run([...raises, target.update(organisations).set({ moving: 0 }).where(eq(organisations.id, organisationId))]);
}

/** The old copy: guarded for good (`moving` = 2) until it is removed; or, when the move was given up, open again (0). */
export async function setMoving(db: Database, organisationId: number, moving: 0 | 2) {
  await db.run([db.update(organisations).set({ moving }).where(eq(organisations.id, organisationId))]);
}

const dialect = new SQLiteSyncDialect();

/**
 * Removes the next chunk (at most MOVE_ROWS_PER_STEP rows of one table) of
 * the organisation's rows from a shard that no longer serves it, children
 * first and its own row last; false when nothing was left.
 */
export async function removeStep(db: Database, organisationId: number): Promise<boolean> {
  const limit = MOVE_ROWS_PER_STEP;
  const org = organisationId;
  const chunks = [
    sql`delete from webhook_deliveries where rowid in (select d.rowid from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id where w.organisation_id = ${org} limit ${limit})`,
    sql`delete from webhook_endpoints where rowid in (select rowid from webhook_endpoints where organisation_id = ${org} limit ${limit})`,
    sql`delete from idempotency_keys where rowid in (select rowid from idempotency_keys where scope = ${`organisation:${org}`} limit ${limit})`,
    sql`delete from events where rowid in (select rowid from events where organisation_id = ${org} limit ${limit})`,
    sql`delete from customer_erasures where rowid in (select rowid from customer_erasures where organisation_id = ${org} limit ${limit})`,
    sql`delete from eans where rowid in (select e.rowid from eans e where e.customer_id in (select id from customers where organisation_id = ${org} order by id limit ${limit}) limit ${limit})`,
    sql`delete from customers where id in (select c.id from customers c where c.organisation_id = ${org} and not exists (select 1 from eans e where e.customer_id = c.id) order by c.id limit ${limit})`,
    sql`delete from organisations where id = ${org} and not exists (select 1 from customers where organisation_id = ${org})`,
  ];
  for (const chunk of chunks) {
    const { sql: text, params } = dialect.sqlToQuery(chunk);
    const [[changed]] = await db.run([{ ...rawStatement(text, params, { writes: true }), rows: (result: D1Result) => [result.meta.changes] }]);
    if ((changed ?? 0) > 0) return true;
  }
  return false;
}
