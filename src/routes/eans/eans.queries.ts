/**
 * @module EANs' SQL.
 *
 * Cost: create/bulk = 1 atomic batch of multi-row inserts, chunked to D1's
 * 100 bound parameters (a bulk of 100 is one batch, one round trip); only
 * when a constraint refuses it does a second round trip read why. List = 1
 * batch, 1 + n rows read (supplier names are copied onto the EAN at insert).
 */
import { and, asc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { Database } from "../../db/client";
import { customers, type EanRow, eans, suppliers } from "../../db/schema";
import { nowIso } from "../../lib/time";
import type { EanInput } from "./eans.schemas";

/** D1 rejects statements with more bound parameters than this. */
export const D1_MAX_BOUND_PARAMETERS = 100;

export interface EanWriteContext {
  customerExists: boolean;
  /** EAN numbers of the request already stored, with the customer holding them. */
  takenNumbers: Map<string, number>;
  /** The supplier ids of the request that name a supplier. */
  existingSupplierIds: Set<number>;
}

/** Everything the EAN rules need to say why a write was refused, in one round trip. */
export async function readEanWriteContext(
  db: Database,
  organisationId: number,
  customerId: number,
  items: readonly EanInput[],
): Promise<EanWriteContext> {
  const numbers = [...new Set(items.map((item) => item.number))];
  const supplierIds = [...new Set(items.flatMap((item) => (item.supplier_id === null ? [] : [item.supplier_id])))];
  const [owner, taken, named] = await db.batch([
    db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.id, customerId), eq(customers.organisationId, organisationId))),
    db.select({ number: eans.number, customerId: eans.customerId }).from(eans).where(inArray(eans.number, numbers)),
    db.select({ id: suppliers.id }).from(suppliers).where(inArray(suppliers.id, supplierIds)),
  ]);
  return {
    customerExists: owner.length > 0,
    takenNumbers: new Map(taken.map((row) => [row.number, row.customerId])),
    existingSupplierIds: new Set(named.map((row) => row.id)),
  };
}

/** The request's values of an EAN, in the order of the VALUES rows below. */
const VALUE_COLUMNS = [
  "supplier_id", "number", "product", "reason", "building", "building_addon", "street", "city", "postal_code",
  "consumptions", "solar_panels", "inverter_max_power", "contract_end_date", "respect_contract_end_date",
  "fixed_fee", "tariff_group", "recording_period", "wkk", "gsc",
] as const;

function valuesOf(item: EanInput): unknown[] {
  return VALUE_COLUMNS.map((column) => {
    const value = item[column];
    if (column === "consumptions") return value === null ? null : JSON.stringify(value);
    return typeof value === "boolean" ? Number(value) : value;
  });
}

/** Bound parameters per VALUES row (an ordinal, then the values) and per statement (customer, organisation, now ×2). */
const PARAMS_PER_ROW = 1 + VALUE_COLUMNS.length;
const PARAMS_PER_STATEMENT = 4;
export const EAN_ROWS_PER_STATEMENT = Math.floor((D1_MAX_BOUND_PARAMETERS - PARAMS_PER_STATEMENT) / PARAMS_PER_ROW);

const valueColumn = (column: (typeof VALUE_COLUMNS)[number]) => sql.raw(`v.column${VALUE_COLUMNS.indexOf(column) + 2}`);

/**
 * One multi-row insert: the rows come from a VALUES list joined to the
 * customer *of this organisation* (so another organisation's customer gets no
 * row), with the supplier's name looked up in the same statement. A supplier
 * that does not exist fails the foreign key; a number already stored fails
 * the unique index.
 */
function insertChunk(organisationId: number, customerId: number, items: readonly EanInput[], offset: number, now: string) {
  const rows = sql.join(
    items.map((item, i) => sql`(${sql.join([offset + i, ...valuesOf(item)].map((v) => sql`${v}`), sql`, `)})`),
    sql`, `,
  );
  return sql`
    insert into ${eans} (customer_id, supplier_id, supplier_name, number, product, reason, building, building_addon, street, city,
      postal_code, consumptions, solar_panels, inverter_max_power, contract_end_date, respect_contract_end_date, fixed_fee,
      tariff_group, recording_period, wkk, gsc, state, created_at, confirmed_at)
    select c.id, ${valueColumn("supplier_id")}, (select s.name from ${suppliers} s where s.id = ${valueColumn("supplier_id")}),
      ${sql.join(VALUE_COLUMNS.slice(1).map(valueColumn), sql`, `)}, 'ready', ${now}, ${now}
    from (values ${rows}) v
    join ${customers} c on c.id = ${customerId} and c.organisation_id = ${organisationId}
    order by v.column1
    returning *`;
}

const dialect = new SQLiteAsyncDialect();

/** A row as D1 returns it (snake_case, 0/1 booleans) → the Drizzle row. */
function toEanRow(raw: Record<string, unknown>): EanRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(eans))) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as EanRow;
}

/**
 * Inserts the EANs for the organisation's customer in one atomic batch (one
 * round trip: no read before it) and returns the stored rows in request
 * order — none when the customer is not the organisation's. A number taken
 * or a supplier unknown fails the whole batch with a constraint violation;
 * the caller then reads why (readEanWriteContext).
 */
export async function insertEans(db: Database, organisationId: number, customerId: number, items: readonly EanInput[]): Promise<EanRow[]> {
  const now = nowIso();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < items.length; i += EAN_ROWS_PER_STATEMENT) {
    const query = dialect.sqlToQuery(insertChunk(organisationId, customerId, items.slice(i, i + EAN_ROWS_PER_STATEMENT), i, now));
    statements.push(db.$client.prepare(query.sql).bind(...query.params));
  }
  // Straight to the (metered) D1 handle: Drizzle's batch cannot carry raw SQL with parameters.
  const results = await db.$client.batch<Record<string, unknown>>(statements);
  // Ids follow insertion order, which follows the request's (the VALUES ordinal).
  return results.flatMap((result) => result.results.map(toEanRow)).sort((a, b) => a.id - b.id);
}

/** A customer's EANs, oldest first. Callers scope the customer to the organisation in the same batch. */
export function selectCustomerEans(db: Database, customerId: number) {
  return db.select().from(eans).where(eq(eans.customerId, customerId)).orderBy(asc(eans.id));
}

/** The customer's EANs by id, or null when the customer is not the organisation's. */
export async function listEans(db: Database, organisationId: number, customerId: number) {
  const [owner, rows] = await db.batch([
    db
      .select({ id: customers.id })
      .from(customers)
      .where(and(eq(customers.id, customerId), eq(customers.organisationId, organisationId))),
    selectCustomerEans(db, customerId),
  ]);
  return owner.length > 0 ? rows : null;
}
