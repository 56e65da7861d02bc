/**
 * @module The EAN rules that need the database: numbers unique in the whole
 * system, suppliers that exist. The database enforces them (unique index,
 * foreign key); when it refuses a write, these say why, over every item, so
 * a bulk reports every item's errors at once.
 */

import type { EanState } from "../db/schema";
import { type FieldError, fieldError } from "../errors";
import type { EanWriteContext } from "./eans.queries";
import { eanSchema } from "./eans.schemas";

/**
 * What the database rules look at: an item's number and supplier, each
 * `null` when not given or itself invalid (its shape error is reported
 * already), so they run on items whose other fields are wrong too.
 */
export type EanKeys = { number: string | null; supplier_id: number | null };

/**
 * Errors per item, in field order (`number` before `supplier_id`). `bulk`
 * adds each item's `index`. A number repeated within the request is taken on
 * its later items.
 */
export function checkEanConflicts(customerId: number, items: readonly EanKeys[], context: EanWriteContext, bulk: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const index = bulk ? i : undefined;
    if (item.number !== null) {
      const holder = context.takenNumbers.get(item.number);
      if (holder === customerId) errors.push(fieldError("ean.number", "has_already_been_added_to_customer", undefined, index));
      if (holder !== undefined || seen.has(item.number)) {
        errors.push(fieldError("ean.number", "has_already_been_taken", undefined, index));
      }
      seen.add(item.number);
    }
    if (item.supplier_id !== null && !context.existingSupplierIds.has(item.supplier_id)) {
      errors.push(fieldError("ean.supplier_id", "must_exist", undefined, index));
    }
  });
  return errors;
}

const { number: numberRule, supplier_id: supplierRule } = eanSchema.shape;

/** The keys of a raw item (`{"ean": {…}}`'s inner object) that pass their own rules. */
export function eanKeysOf(raw: unknown): EanKeys {
  const fields = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const number = numberRule.safeParse(fields.number);
  const supplier = supplierRule.safeParse(fields.supplier_id);
  return { number: number.success ? number.data : null, supplier_id: supplier.success ? supplier.data : null };
}

/** Position of an item's field in the contract's EAN table (`ean.consumptions.0.name` → consumptions'); -1 for the rest. */
const FIELD_RANK = new Map(Object.keys(eanSchema.shape).map((field, rank) => [field, rank]));
function fieldRank(error: FieldError): number {
  const [envelope, field] = error.path.split(".");
  return envelope === "ean" && field !== undefined ? (FIELD_RANK.get(field) ?? -1) : -1;
}

/** Shape and database errors together: by item, then in the table's field order (stable, so each rule's own order holds). */
export function mergeEanErrors(shapeErrors: FieldError[], databaseErrors: FieldError[]): FieldError[] {
  return [...shapeErrors, ...databaseErrors]
    .map((error, arrival) => ({ error, arrival }))
    .sort((a, b) => (a.error.index ?? -1) - (b.error.index ?? -1) || fieldRank(a.error) - fieldRank(b.error) || a.arrival - b.arrival)
    .map(({ error }) => error);
}

/** The moves the switching lifecycle allows; `switched`, `rejected` and `cancelled` are final. */
export const EAN_STATE_MOVES: Readonly<Record<EanState, readonly EanState[]>> = {
  ready: ["offered", "cancelled"],
  offered: ["switch_requested", "cancelled"],
  switch_requested: ["switched", "rejected", "cancelled"],
  switched: [],
  rejected: [],
  cancelled: [],
};

export function canMove(from: EanState, to: EanState): boolean {
  return EAN_STATE_MOVES[from].includes(to);
}
