/**
 * @module /api/v1/customers/:customer_id/eans: create one, create in bulk
 * (all or nothing), list. Rules in eans.schemas.ts and eans.rules.ts, SQL in
 * eans.queries.ts, rendering in eans.json.ts.
 */
import { Hono } from "hono";
import type { Database } from "../../db/client";
import { isConstraintViolation } from "../../db/errors";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { idempotency } from "../../idempotency/idempotency.middleware";
import { parseId } from "../../lib/ids";
import { requireOrganisation } from "../../middleware/auth";
import { jsonBody } from "../../middleware/json-body";
import { validate } from "../../validation/validator";
import { toEanJson } from "./eans.json";
import { insertEans, listEans, readEanWriteContext } from "./eans.queries";
import { checkEanConflicts } from "./eans.rules";
import { bulkEansBody, createEanBody, type EanInput } from "./eans.schemas";

/**
 * Stores `items` for the customer in one atomic batch: 404 when the customer
 * is not the organisation's. When a constraint refuses the batch (a number
 * taken, here or by a concurrent request; an unknown supplier), nothing is
 * stored and the rules run over every item to say why (422).
 */
async function createEans(db: Database, organisationId: number, customerId: number, items: EanInput[], bulk: boolean) {
  try {
    const stored = await insertEans(db, organisationId, customerId, items);
    if (stored.length === 0) throw ApiError.notFound();
    return stored;
  } catch (error) {
    if (!isConstraintViolation(error)) throw error;
    const context = await readEanWriteContext(db, organisationId, customerId, items);
    if (!context.customerExists) throw ApiError.notFound();
    const conflicts = checkEanConflicts(customerId, items, context, bulk);
    if (conflicts.length === 0) throw error;
    throw ApiError.validation(conflicts);
  }
}

export const eansRouter = new Hono<AppEnv>()
  .post("/:customer_id/eans", requireOrganisation(), jsonBody(), idempotency(), validate("json", createEanBody), async (c) => {
    const customerId = parseId(c.req.param("customer_id"));
    const { ean } = c.req.valid("json");
    const [stored] = await createEans(c.var.db, c.var.organisationId, customerId, [ean], false);
    return c.json(toEanJson(stored!), 201);
  })
  .post("/:customer_id/eans/bulk", requireOrganisation(), jsonBody(), idempotency(), validate("json", bulkEansBody), async (c) => {
    const customerId = parseId(c.req.param("customer_id"));
    const items = c.req.valid("json").eans.map((item) => item.ean);
    const stored = await createEans(c.var.db, c.var.organisationId, customerId, items, true);
    return c.json(stored.map(toEanJson), 201);
  })
  .get("/:customer_id/eans", requireOrganisation(), async (c) => {
    const rows = await listEans(c.var.db, c.var.organisationId, parseId(c.req.param("customer_id")));
    if (!rows) throw ApiError.notFound();
    return c.json(rows.map(toEanJson), 200);
  });
