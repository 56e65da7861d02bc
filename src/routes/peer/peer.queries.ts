/** @module The peer view's SQL: the customer, its organisation and its EANs in one round trip (3 + n rows read). */
import type { Database } from "../../db/client";
import { runBatch } from "../../db/compiled";
import { customerById, organisationWithCount } from "../customers/customers.queries";
import { customerEans } from "../eans/eans.queries";

export async function findCustomerWithEans(db: Database, organisationId: number, customerId: number) {
  const [[customer], [organisation], eans] = await runBatch(db, [
    customerById.bind(db, { organisationId, customerId }),
    organisationWithCount.bind(db, { organisationId }),
    customerEans.bind(db, { customerId }),
  ]);
  return customer && organisation ? { customer, organisation, eans } : null;
}
