/**
 * @module EANs' SQL.
 *
 * Cost: create/bulk = 1 read batch (customer, suppliers named, EAN numbers
 * already stored) + 1 write batch of multi-row inserts chunked to D1's 100
 * bound parameters (a bulk of 100 is one atomic batch); list = 1 batch,
 * 1 + n rows read (supplier names are copied onto the EAN at insert).
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "../../db/client";
import { customers, eans, suppliers } from "../../db/schema";
import { nowIso } from "../../lib/time";
import type { EanInput } from "./eans.schemas";

/** D1 rejects statements with more bound parameters than this. */
export const D1_MAX_BOUND_PARAMETERS = 100;

export interface EanWriteContext {
  customerExists: boolean;
  /** EAN numbers of the request already stored, with the customer holding them. */
  takenNumbers: Map<string, number>;
  /** Names of the suppliers the request names that exist. */
  supplierNames: Map<number, string>;
}

/** Everything the EAN rules need, in one round trip. */
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
    db.select({ id: suppliers.id, name: suppliers.name }).from(suppliers).where(inArray(suppliers.id, supplierIds)),
  ]);
  return {
    customerExists: owner.length > 0,
    takenNumbers: new Map(taken.map((row) => [row.number, row.customerId])),
    supplierNames: new Map(named.map((row) => [row.id, row.name])),
  };
}

function toEanRow(customerId: number, item: EanInput, supplierNames: Map<number, string>, now: string) {
  return {
    customerId,
    supplierId: item.supplier_id,
    supplierName: item.supplier_id === null ? null : (supplierNames.get(item.supplier_id) ?? null),
    number: item.number,
    product: item.product,
    reason: item.reason,
    building: item.building,
    buildingAddon: item.building_addon,
    street: item.street,
    city: item.city,
    state: "ready",
    postalCode: item.postal_code,
    consumptions: item.consumptions === null ? null : JSON.stringify(item.consumptions),
    solarPanels: item.solar_panels,
    inverterMaxPower: item.inverter_max_power,
    contractEndDate: item.contract_end_date,
    respectContractEndDate: item.respect_contract_end_date,
    fixedFee: item.fixed_fee,
    tariffGroup: item.tariff_group,
    recordingPeriod: item.recording_period,
    wkk: item.wkk,
    gsc: item.gsc,
    createdAt: now,
    confirmedAt: now,
  };
}

/**
 * Inserts the EANs in request order in one atomic batch; returns the stored
 * rows in that order. A number taken meanwhile fails the whole batch with a
 * UNIQUE violation on `eans_number_unique`.
 */
export async function insertEans(
  db: Database,
  customerId: number,
  items: readonly EanInput[],
  supplierNames: Map<number, string>,
) {
  const now = nowIso();
  const rows = items.map((item) => toEanRow(customerId, item, supplierNames, now));
  const rowsPerStatement = Math.floor(D1_MAX_BOUND_PARAMETERS / Object.keys(rows[0]!).length);
  const statements = [];
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    statements.push(db.insert(eans).values(rows.slice(i, i + rowsPerStatement)).returning());
  }
  const results = await db.batch(statements as [(typeof statements)[number], ...typeof statements]);
  return results.flat();
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
