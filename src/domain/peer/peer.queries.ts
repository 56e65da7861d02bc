/** @module The peer view's SQL: the customer, its organisation and its EANs in one round trip (2 + n rows read; 2 for another organisation's id). */

import { customerById } from "../customers/customers.queries";
import type { Database } from "../db/client";
import { runBatch } from "../db/compiled";
import { customerEans } from "../eans/eans.queries";

export async function findCustomerWithEans(db: Database, organisationId: number, customerId: number) {
  const [[found], eans] = await runBatch(db, [customerById.bind(db, { organisationId, customerId }), customerEans.bind(db, { organisationId, customerId })]);
  return found ? { ...found, eans } : null;
}
