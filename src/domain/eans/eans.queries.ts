/**
 * @module EANs' SQL.
 *
 * Cost: create/bulk = 1 atomic batch of multi-row inserts, chunked to D1's
 * 100 bound parameters (a bulk of 100 is one batch, one round trip); only
 * when a constraint refuses it does a second round trip read why. List = 1
 * batch, 1 + n rows read (supplier names are copied onto the EAN at insert).
 */
import { and, asc, eq, getTableColumns, inArray, type SQLWrapper, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import { heldElsewhere, releaseClaims, withClaims } from "../claims/claims.queries";
import type { Database, Statement } from "../db/client";
import { mapped, rawStatement, writeOnly } from "../db/client";
import { compileQuery } from "../db/compiled";
import { isNotNullViolation } from "../db/errors";
import { eanDeletedEvent, eanStateChangedEvent, eansCreatedEvents, eanUpdatedEvent } from "../db/events";
import { partialUpdateSet } from "../db/partial-update";
import { customers, type EanRow, type EanState, eans, suppliers } from "../db/schema";
import { D1_MAX_BOUND_PARAMETERS, MAX_EANS_PER_CUSTOMER } from "../limits";
import { OWNED_CUSTOMER_SQL, ownedCustomer, ownedCustomerId } from "../ownership";
import type { EanKeys } from "./eans.rules";
import type { EanInput } from "./eans.schemas";

export interface EanWriteContext {
  customerExists: boolean;
  /** EAN numbers of the request already stored, with the customer holding them. */
  takenNumbers: Map<string, number>;
  /** The supplier ids of the request that name a supplier. */
  existingSupplierIds: Set<number>;
}

/** A holder in `takenNumbers` that is no customer of this shard: the number is claimed by another organisation. */
const ANOTHER_ORGANISATION = 0;

/**
 * Everything the EAN rules need to say why a write was refused: one round
 * trip to the shard, and beside it one to the directory for the numbers
 * another organisation holds.
 */
export async function readEanWriteContext(
  db: Database,
  directory: Database,
  organisationId: number,
  customerId: number,
  items: readonly EanKeys[],
): Promise<EanWriteContext> {
  const numbers = [...new Set(items.flatMap((item) => (item.number === null ? [] : [item.number])))];
  const supplierIds = [...new Set(items.flatMap((item) => (item.supplier_id === null ? [] : [item.supplier_id])))];
  const [[owner, taken, named], elsewhere] = await Promise.all([
    db.run([
      db.select({ id: customers.id }).from(customers).where(ownedCustomer(organisationId, customerId)),
      db.select({ number: eans.number, customerId: eans.customerId }).from(eans).where(inArray(eans.number, numbers)),
      db.select({ id: suppliers.id }).from(suppliers).where(inArray(suppliers.id, supplierIds)),
    ]),
    heldElsewhere(directory, "ean_number", organisationId, numbers),
  ]);
  return {
    customerExists: owner.length > 0,
    takenNumbers: new Map([
      ...elsewhere.map((number) => [number, ANOTHER_ORGANISATION] as const),
      ...taken.map((row) => [row.number, row.customerId] as const),
    ]),
    existingSupplierIds: new Set(named.map((row) => row.id)),
  };
}

/** The request's values of an EAN, in the order of the VALUES rows below. */
const VALUE_COLUMNS = [
  "supplier_id",
  "number",
  "product",
  "reason",
  "building",
  "building_addon",
  "street",
  "city",
  "postal_code",
  "consumptions",
  "solar_panels",
  "inverter_max_power",
  "contract_end_date",
  "respect_contract_end_date",
  "fixed_fee",
  "tariff_group",
  "recording_period",
  "wkk",
  "gsc",
] as const;

function valuesOf(item: EanInput): unknown[] {
  return VALUE_COLUMNS.map((column) => {
    const value = item[column];
    if (column === "consumptions") return value === null ? null : JSON.stringify(value);
    return typeof value === "boolean" ? Number(value) : value;
  });
}

/** Bound parameters per VALUES row (an ordinal, then the values) and per statement (customer, organisation, now ×3). */
const PARAMS_PER_ROW = 1 + VALUE_COLUMNS.length;
const PARAMS_PER_STATEMENT = 5;
export const EAN_ROWS_PER_STATEMENT = Math.floor((D1_MAX_BOUND_PARAMETERS - PARAMS_PER_STATEMENT) / PARAMS_PER_ROW);

/**
 * One multi-row insert of `rows` EANs: the rows come from a VALUES list
 * (ordinal, then VALUE_COLUMNS) joined to the customer *of this organisation*
 * (so another organisation's customer gets no row: `ownedCustomer`), with the supplier's name
 * looked up in the same statement. A supplier that does not exist fails the
 * foreign key; a number already stored fails the unique index. The text
 * depends only on the row count, so it is built once per count.
 * Parameters, in text order: now ×3, the rows' values, the ownership condition's.
 */
const insertSqlByRowCount = new Map<number, string>();
function insertSql(rows: number): string {
  let text = insertSqlByRowCount.get(rows);
  if (!text) {
    const value = (column: (typeof VALUE_COLUMNS)[number]) => `v.column${VALUE_COLUMNS.indexOf(column) + 2}`;
    const row = `(${Array(PARAMS_PER_ROW).fill("?").join(", ")})`;
    text = `insert into eans (customer_id, supplier_id, supplier_name, ${VALUE_COLUMNS.slice(1).join(", ")}, state, created_at, confirmed_at, updated_at)
      select customers.id, ${value("supplier_id")}, (select s.name from suppliers s where s.id = ${value("supplier_id")}),
        ${VALUE_COLUMNS.slice(1).map(value).join(", ")}, 'ready', ?, ?, ?
      from (values ${Array(rows).fill(row).join(", ")}) v
      join customers on ${OWNED_CUSTOMER_SQL.text}
      order by v.column1
      returning *`;
    insertSqlByRowCount.set(rows, text);
  }
  return text;
}

const EAN_TABLE_COLUMNS = Object.entries(getTableColumns(eans));

/** A row as D1 returns it (snake_case, 0/1 booleans) → the Drizzle row. */
function toEanRow(raw: Record<string, unknown>): EanRow {
  const row: Record<string, unknown> = {};
  for (const [key, column] of EAN_TABLE_COLUMNS) {
    const value = raw[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as EanRow;
}

/**
 * `added` more EANs on the customer's counter; past the cap the counter
 * becomes NULL, which its NOT NULL constraint refuses, failing the batch.
 */
const countNewEans = compileQuery(["organisationId", "customerId", "added"], (db, $) =>
  db
    .update(customers)
    .set({
      eansCount: sql`case when ${customers.eansCount} + ${$.added} <= ${MAX_EANS_PER_CUSTOMER} then ${customers.eansCount} + ${$.added} end`,
    })
    .where(ownedCustomer($.organisationId, $.customerId))
    .returning({ eansCount: customers.eansCount }),
);

/** The refusal of a batch that would put the customer past MAX_EANS_PER_CUSTOMER. */
export function isOverEanCap(error: unknown): boolean {
  return isNotNullViolation(error, "customers.eans_count");
}

/**
 * Inserts the EANs for the organisation's customer in one atomic batch (one
 * round trip: no read before it) with the customer's EAN counter, and
 * returns the stored rows in request order — none when the customer is not
 * the organisation's. A number taken or a supplier unknown fails the whole
 * batch with a constraint violation, the cap with isOverEanCap; the caller
 * then reads why (readEanWriteContext).
 */
export async function insertEans(db: Database, directory: Database, organisationId: number, customerId: number, items: readonly EanInput[]): Promise<EanRow[]> {
  const numbers = items.map((item) => item.number);
  return withClaims(
    directory,
    "ean_number",
    organisationId,
    numbers,
    db.dryRun,
    () => insertEansOnShard(db, organisationId, customerId, items),
    (rows) => rows.length > 0,
  );
}

async function insertEansOnShard(db: Database, organisationId: number, customerId: number, items: readonly EanInput[]): Promise<EanRow[]> {
  const now = nowIso();
  // Drizzle's query builder has no INSERT … SELECT FROM (VALUES …): each chunk is a Statement of its own SQL.
  const inserts: Statement<EanRow>[] = [];
  for (let i = 0; i < items.length; i += EAN_ROWS_PER_STATEMENT) {
    const chunk = items.slice(i, i + EAN_ROWS_PER_STATEMENT);
    const values = chunk.flatMap((item, j) => [i + j, ...valuesOf(item)]);
    inserts.push({
      sql: insertSql(chunk.length),
      params: [now, now, now, ...values, ...OWNED_CUSTOMER_SQL.params(organisationId, customerId)],
      writes: true,
      rows: (result) => (result.results as Record<string, unknown>[]).map(toEanRow),
    });
  }
  const created = eansCreatedEvents(
    organisationId,
    customerId,
    items.map((item) => item.number),
    now,
  );
  const results = await db.run([countNewEans.bind({ organisationId, customerId, added: items.length }), ...inserts, ...created]);
  // Ids follow insertion order, which follows the request's (the VALUES ordinal).
  return (results.slice(1, 1 + inserts.length) as EanRow[][]).flat().sort((a, b) => a.id - b.id);
}

/** A customer's EANs, oldest first; none when the customer is not the organisation's (1 + n rows read). */
export const customerEans = compileQuery(["organisationId", "customerId"], (db, $) =>
  db
    .select()
    .from(eans)
    .where(eq(eans.customerId, ownedCustomerId($.organisationId, $.customerId)))
    .orderBy(asc(eans.id)),
);

/** The customer's id when it is the organisation's. */
const customerOwner = compileQuery(["organisationId", "customerId"], (db, $) =>
  db.select({ id: customers.id }).from(customers).where(ownedCustomer($.organisationId, $.customerId)),
);

/** The customer's EANs by id, or null when the customer is not the organisation's. 2 + n rows read; 2 for another organisation's id. */
export async function listEans(db: Database, organisationId: number, customerId: number) {
  const [owner, rows] = await db.run([customerOwner.bind({ organisationId, customerId }), customerEans.bind({ organisationId, customerId })]);
  return owner.length > 0 ? rows : null;
}

/** "EAN `eanId` of customer `customerId`, of organisation `organisationId`": the organisation is in the statement. */
function ownedEan(organisationId: number | SQLWrapper, customerId: number | SQLWrapper, eanId: number | SQLWrapper) {
  // The owner first: without it the EAN id is NULL and no EAN row is probed, so another organisation's
  // ids cost what unknown ids cost (a customer probe, nothing more).
  const owner = ownedCustomerId(organisationId, customerId);
  return and(eq(eans.id, sql`(case when ${owner} is not null then ${eanId} end)`), eq(eans.customerId, owner));
}

/** One EAN of the organisation's customer; 2 rows read (1 for another organisation's or customer's id). */
const eanById = compileQuery(["organisationId", "customerId", "eanId"], (db, $) =>
  db
    .select()
    .from(eans)
    .where(ownedEan($.organisationId, $.customerId, $.eanId)),
);

export async function findEan(db: Database, organisationId: number, customerId: number, eanId: number): Promise<EanRow | null> {
  const [[row]] = await db.run([eanById.bind({ organisationId, customerId, eanId })]);
  return row ?? null;
}

/** The column (Drizzle's property) an update sets for each request field (`number` cannot change; `supplier_id` also sets the name). */
const UPDATABLE = {
  product: "product",
  reason: "reason",
  supplier_id: "supplierId",
  street: "street",
  building: "building",
  building_addon: "buildingAddon",
  postal_code: "postalCode",
  city: "city",
  consumptions: "consumptions",
  fixed_fee: "fixedFee",
  wkk: "wkk",
  gsc: "gsc",
  solar_panels: "solarPanels",
  inverter_max_power: "inverterMaxPower",
  recording_period: "recordingPeriod",
  contract_end_date: "contractEndDate",
  respect_contract_end_date: "respectContractEndDate",
  tariff_group: "tariffGroup",
} as const satisfies Partial<Record<keyof EanInput, keyof EanRow>>;

const UPDATABLE_COLUMNS = Object.fromEntries(Object.entries(UPDATABLE).map(([field, property]) => [field, eans[property]]));

export type EanChanges = { [K in keyof typeof UPDATABLE]?: EanInput[K] } & { number?: string };

/**
 * Applies `changes` to the organisation's customer's EAN in one batch: the
 * update (only when the stored number is the one sent, if one was sent;
 * `updated_at` moves only when a value changes) and a read of the stored
 * number. `row` is the EAN after the update, null when nothing was updated;
 * `storedNumber` null when there is no such EAN. An unknown supplier fails
 * the batch (foreign key).
 */
export async function updateEan(db: Database, organisationId: number, customerId: number, eanId: number, changes: EanChanges) {
  const now = nowIso();
  const partial = partialUpdateSet(UPDATABLE_COLUMNS, UPDATABLE, changes, sql`coalesce(${eans.updatedAt}, ${eans.createdAt})`, now);
  const target = and(ownedEan(organisationId, customerId, eanId), changes.number === undefined ? undefined : eq(eans.number, changes.number));
  const stored = db
    .select({ number: eans.number })
    .from(eans)
    .where(ownedEan(organisationId, customerId, eanId));
  if (!partial) {
    const [rows, [found]] = await db.run([db.select().from(eans).where(target), stored]);
    return { row: rows[0] ?? null, storedNumber: found?.number ?? null };
  }
  const { set, changed } = partial;
  if ("supplier_id" in changes) set.supplierName = sql`(select ${suppliers.name} from ${suppliers} where ${suppliers.id} = ${changes.supplier_id ?? null})`;
  const event = eanUpdatedEvent(db, organisationId, eanId, now, target, changed);
  const [, rows, , [found]] = await db.run([
    event.before,
    mapped(db.update(eans).set(set).where(target).returning(), (result) => (result.results as Record<string, unknown>[]).map(toEanRow)),
    event.after,
    mapped(stored, (result) => result.results as Array<{ number: string }>),
  ]);
  return { row: rows[0] ?? null, storedNumber: found?.number ?? null };
}

/** Deletes the organisation's customer's EAN, and counts it off the customer, in one batch; false when there is no such EAN. */
/** Deletes the EAN with its event, then releases its number's claim in the directory. */
export async function deleteEan(db: Database, directory: Database, organisationId: number, customerId: number, eanId: number): Promise<boolean> {
  const [, deleted] = await db.run([
    writeOnly(
      db
        .update(customers)
        .set({ eansCount: sql`${customers.eansCount} - 1` })
        .where(
          and(
            ownedCustomer(organisationId, customerId),
            sql`exists (select 1 from ${eans} where ${eans.id} = ${eanId} and ${eans.customerId} = ${customers.id})`,
          ),
        ),
    ),
    mapped(
      db
        .delete(eans)
        .where(ownedEan(organisationId, customerId, eanId))
        .returning({ number: eans.number }),
      (result) => result.results as Array<{ number: string }>,
    ),
    eanDeletedEvent(organisationId, customerId, eanId, nowIso()),
  ]);
  if (deleted.length === 0) return false;
  await releaseClaims(
    directory,
    "ean_number",
    organisationId,
    deleted.map((row) => row.number),
  );
  return true;
}

/** Any organisation's EAN (the operator's view): its row, or null. */
const eanByIdForOperator = compileQuery(["eanId"], (db, $) => db.select().from(eans).where(eq(eans.id, $.eanId)));

export async function findEanForOperator(db: Database, eanId: number): Promise<EanRow | null> {
  const [[row]] = await db.run([eanByIdForOperator.bind({ eanId })]);
  return row ?? null;
}

/**
 * Moves the EAN from `from` to `to` as a compare-and-set on its state, with
 * its `ean.state_changed` event, in one batch; `row` is null when the state
 * was no longer `from` (a concurrent move won), `current` the state then.
 */
export async function moveEanState(db: Database, eanId: number, from: EanState, to: EanState) {
  const now = nowIso();
  const [, rows, , [current]] = await db.run([
    // The operator's write has no organisation in its request: the EAN's is guarded here (moves).
    rawStatement(
      "insert into write_guard (open) select null from eans e join customers c on c.id = e.customer_id join organisations o on o.id = c.organisation_id where e.id = ? and o.moving <> 0",
      [eanId],
      { writes: true },
    ),
    mapped(
      db
        .update(eans)
        .set({ state: to, updatedAt: now })
        .where(and(eq(eans.id, eanId), eq(eans.state, from)))
        .returning(),
      (result) => (result.results as Record<string, unknown>[]).map(toEanRow),
    ),
    eanStateChangedEvent(eanId, from, to, now),
    eanByIdForOperator.bind({ eanId }),
  ]);
  return { row: rows[0] ?? null, current: current?.state ?? null };
}
