/**
 * @module `GET /api/mind/customer/byCustomerId/:customerId`: a customer and
 * its contracts (one per EAN) in the peer platform's shape, for
 * customer-service platforms that read it directly. Same tokens as /api/v1.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { parseId } from "../../lib/ids";
import { requireOrganisation } from "../../middleware/auth";
import { toPeerCustomerJson } from "./peer.json";
import { findCustomerWithEans } from "./peer.queries";

export const peerRouter = new Hono<AppEnv>().get("/customer/byCustomerId/:customerId", requireOrganisation(), async (c) => {
  const found = await findCustomerWithEans(c.var.database(), c.var.organisationId, parseId(c.req.param("customerId")));
  if (!found) throw ApiError.notFound();
  return c.json(toPeerCustomerJson(found.customer, found.organisation, found.eans), 200);
});
