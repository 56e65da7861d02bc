/**
 * @module `GET /api/mind/customer/byCustomerId/:customer_id`: a customer and
 * its contracts (one per EAN) in the peer platform's shape, for
 * customer-service platforms that read it directly. Same tokens as /api/v1.
 */
import { customerIdParam } from "../domain/customers/customers.schemas";
import { ApiError } from "../domain/errors";
import { peerCustomerJson, toPeerCustomerJson } from "../domain/peer/peer.json";
import { findCustomerWithEans } from "../domain/peer/peer.queries";
import { defineRoute } from "../routing/route";

export const getPeerCustomer = defineRoute("get", "/api/mind/customer/byCustomerId/:customer_id", {
  operationId: "getPeerCustomer",
  tag: "Peer view",
  summary: "A customer and associated contracts (one per EAN), in the peer platform's shape",
  auth: "organisation",
  scope: "tenant",
  params: customerIdParam,
  responses: { 200: { schema: peerCustomerJson } },
  handler: async (c) => {
    const found = await findCustomerWithEans(c.get("database")(), c.get("organisationId"), c.req.valid("param").customer_id);
    if (!found) throw ApiError.notFound();
    return c.json(toPeerCustomerJson(found.customer, found.organisation, found.eans), 200);
  },
});
