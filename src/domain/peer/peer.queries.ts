/** @module The peer view's SQL: the customer, its organisation and its EANs in one round trip (2 + n rows read; 2 for another organisation's id). */

import { customerById } from "../customers/customers.queries";
import type { Database } from "../db/client";

import { customerEans } from "../eans/eans.queries";

export async function findCustomerWithEans(db: Database, organisationId: number, customerId: number) {
  const [[found], eans] = await db.run([customerById.bind({ organisationId, customerId }), customerEans.bind({ organisationId, customerId })]);
  return found ? { ...found, eans } : null;
}
