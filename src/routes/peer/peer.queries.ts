/** @module The peer view's SQL: the customer, its organisation and its EANs in one round trip (3 + n rows read). */
import type { Database } from "../../db/client";
import { selectCustomer, selectOrganisation } from "../customers/customers.queries";
import { selectCustomerEans } from "../eans/eans.queries";

export async function findCustomerWithEans(db: Database, organisationId: number, customerId: number) {
  const [[customer], [organisation], eans] = await db.batch([
    selectCustomer(db, organisationId, customerId),
    selectOrganisation(db, organisationId),
    selectCustomerEans(db, customerId),
  ]);
  return customer && organisation ? { customer, organisation, eans } : null;
}
