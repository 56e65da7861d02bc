/**
 * @module The EAN rules that need the database: numbers unique in the whole
 * system, suppliers that exist. The database enforces them (unique index,
 * foreign key); when it refuses a write, these say why, over every item, so
 * a bulk reports every item's errors at once.
 */
import { type FieldError, fieldError } from "../../errors";
import type { EanWriteContext } from "./eans.queries";
import type { EanInput } from "./eans.schemas";

/**
 * Errors per item, in field order (`number` before `supplier_id`). `bulk`
 * adds each item's `index`. A number repeated within the request is taken on
 * its later items.
 */
export function checkEanConflicts(
  customerId: number,
  items: readonly EanInput[],
  context: EanWriteContext,
  bulk: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const index = bulk ? i : undefined;
    const holder = context.takenNumbers.get(item.number);
    if (holder === customerId) errors.push(fieldError("ean.number", "has_already_been_added_to_customer", undefined, index));
    if (holder !== undefined || seen.has(item.number)) {
      errors.push(fieldError("ean.number", "has_already_been_taken", undefined, index));
    }
    seen.add(item.number);
    if (item.supplier_id !== null && !context.existingSupplierIds.has(item.supplier_id)) {
      errors.push(fieldError("ean.supplier_id", "must_exist", undefined, index));
    }
  });
  return errors;
}
