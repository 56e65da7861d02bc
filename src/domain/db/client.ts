/**
 * @module The one seam to D1. Every statement the Worker sends — requests',
 * queue consumers', the scheduled jobs' — goes through `Database.run`: one
 * batch, one round trip. The runner alone
 * - meters each batch (round trips, statements, rows read and written, D1's
 *   time) into the request's `D1Cost`, for the request log and the tests;
 * - runs a dry run (`?dry_run=true`) so that nothing is written
 *   (src/domain/db/dry-run.ts), deciding from each statement's `writes`;
 * - starts an organisation's write batches with the write guard, which
 *   fails them while the organisation moves between shards;
 * - appends, once per batch, the webhook probe a statement asks for (an
 *   event insert: does its organisation have endpoints?) and records the
 *   organisations to notify (`organisationsToNotify`);
 * - sends to the database it was given (a request's D1 session, or the
 *   binding), so a later change can point a request at another database
 *   without touching a query.
 * A `Database` is made per request by the D1 session middleware: it is the
 * request's write context (its cost, its dry run, what to notify), handed to
 * every query. Queries are written with Drizzle's builders (`db.select(…)`,
 * compiled once per isolate where hot: src/domain/db/compiled.ts), or as
 * `Statement`s where Drizzle cannot express them.
 */
import { drizzle } from "drizzle-orm/d1";
import { dryRunBatch } from "./dry-run";

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

/** One statement: its SQL and parameters, whether it writes, and how its rows are read. */
export interface Statement<Row = unknown> {
  sql: string;
  params: readonly unknown[];
  writes: boolean;
  rows(result: D1Result): Row[];
  /** A read to append once to this statement's batch: one row naming an organisation that has webhook endpoints, or none. */
  probe?: Statement<{ organisation_id: number }>;
}

/** What D1 is reached through: the binding, or a request's session. */
export type D1Target = Pick<D1Database, "prepare" | "batch">;

/** Drizzle used only to build and compile statements: nothing is ever sent through its client. */
const compiler = drizzle({ prepare: () => ({}) } as unknown as D1Database);

interface DrizzleQuery {
  _prepare(): { getQuery(): { sql: string; params: unknown[] }; mapResult(result: unknown, isFromBatch?: boolean): unknown };
}

/** Anything a batch takes: a `Statement`, or a Drizzle query (its rows as awaiting it would give them). */
export type Runnable = Statement<any> | PromiseLike<unknown>;

type ResultOf<T> = T extends Statement<infer Row> ? Row[] : T extends PromiseLike<infer Result> ? Result : never;
export type ResultsOf<T extends readonly Runnable[]> = { -readonly [I in keyof T]: ResultOf<T[I]> };

const READS = /^\s*select\b/i;

/** A Drizzle query as a `Statement`: it writes unless its SQL is a SELECT. */
export function statementOf(query: PromiseLike<unknown>): Statement {
  const prepared = (query as unknown as DrizzleQuery)._prepare();
  const { sql, params } = prepared.getQuery();
  return { sql, params, writes: !READS.test(sql), rows: (result) => prepared.mapResult(result, true) as unknown[] };
}

/** A Drizzle query whose rows are read by `rows` (e.g. the snake_case rows of a RETURNING). */
export function mapped<Row>(query: PromiseLike<unknown>, rows: (result: D1Result) => Row[]): Statement<Row> {
  return { ...statementOf(query), rows };
}

/** SQL Drizzle's builders cannot express, with its parameters. */
export function rawStatement(
  sql: string,
  params: readonly unknown[],
  options: { writes: boolean; probe?: Statement<{ organisation_id: number }> },
): Statement<never> {
  return { sql, params, writes: options.writes, rows: () => [], probe: options.probe };
}

const isStatement = (item: Runnable): item is Statement => typeof (item as Statement).sql === "string";

export class Database {
  /** Organisations whose events this database's batches wrote and that have webhook endpoints. */
  readonly organisationsToNotify = new Set<number>();

  constructor(
    private readonly target: () => D1Target,
    readonly cost: D1Cost = emptyCost(),
    readonly dryRun = false,
    /** The shard it sends to (undefined: the directory), for what its batches ask to notify. */
    readonly shard?: number,
    /** The organisation whose request this is: its write batches start with the write guard (moves). */
    readonly writer?: number,
  ) {}

  // Drizzle's builders, to write queries with (nothing is sent through them).
  readonly select = compiler.select.bind(compiler);
  readonly selectDistinct = compiler.selectDistinct.bind(compiler);
  readonly insert = compiler.insert.bind(compiler);
  readonly update = compiler.update.bind(compiler);
  readonly delete = compiler.delete.bind(compiler);

  /** Runs `items` in one batch (atomic: one round trip), each result as its kind reads it. */
  async run<const T extends readonly Runnable[]>(items: T): Promise<ResultsOf<T>> {
    const statements = items.map((item) => (isStatement(item) ? item : statementOf(item as PromiseLike<unknown>)));
    const guard = this.writer !== undefined && statements.some((statement) => statement.writes) ? [writeGuardStatement(this.writer)] : [];
    if (this.dryRun && guard.length > 0) {
      // A dry run answers what the write would: refused too while the organisation moves.
      const results = await dryRunBatch([...guard, ...statements], (batch) => this.send(batch));
      return statements.map((statement, i) => statement.rows(results[i + 1]!)) as ResultsOf<T>;
    }
    if (this.dryRun && statements.some((statement) => statement.writes)) {
      const results = await dryRunBatch(statements, (batch) => this.send(batch));
      return statements.map((statement, i) => statement.rows(results[i]!)) as ResultsOf<T>;
    }
    const probe = statements.find((statement) => statement.probe)?.probe;
    const results = await this.send([...guard, ...statements, ...(probe ? [probe] : [])]);
    results.splice(0, guard.length);
    if (probe) {
      const [row] = probe.rows(results.pop()!);
      if (row) this.organisationsToNotify.add(row.organisation_id);
    }
    return statements.map((statement, i) => statement.rows(results[i]!)) as ResultsOf<T>;
  }

  /** One round trip, metered. */
  private async send(statements: ReadonlyArray<Pick<Statement, "sql" | "params">>): Promise<D1Result[]> {
    const target = this.target();
    this.cost.roundTrips += 1;
    this.cost.statements += statements.length;
    const results = await target.batch(statements.map((statement) => target.prepare(statement.sql).bind(...statement.params)));
    for (const { meta } of results) {
      this.cost.rowsRead += meta.rows_read ?? 0;
      this.cost.rowsWritten += meta.rows_written ?? 0;
      this.cost.durationMs += meta.duration ?? 0;
    }
    return results;
  }
}

/**
 * Fails the batch (NOT NULL on write_guard.open) when the organisation is
 * moving or has moved to another shard; inserts nothing otherwise.
 */
export const WRITE_GUARD_SQL = "insert into write_guard (open) select null from organisations where id = ? and moving <> 0";

function writeGuardStatement(organisationId: number): Statement<never> {
  return rawStatement(WRITE_GUARD_SQL, [organisationId], { writes: true });
}

/** A database outside a request (queue consumers, scheduled jobs, tests): the binding, its own meter, no dry run. */
export function createDatabase(d1: D1Target, cost: D1Cost = emptyCost(), shard?: number): Database {
  return new Database(() => d1, cost, false, shard);
}

/** A Drizzle write whose rows are not read. */
export function writeOnly(query: PromiseLike<unknown>): Statement<never> {
  return mapped(query, () => []);
}
