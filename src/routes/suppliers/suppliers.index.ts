/**
 * @module Suppliers: `GET /api/v1/suppliers` for clients (they need supplier
 * ids before they add EANs); create and list under the operator API.
 */
import { Hono } from "hono";
import { isUniqueViolation } from "../../db/errors";
import type { AppEnv } from "../../env";
import { ApiError, fieldError } from "../../errors";
import { idempotency } from "../../idempotency/idempotency.middleware";
import { requireOrganisation } from "../../middleware/auth";
import { jsonBody } from "../../middleware/json-body";
import { validate } from "../../validation/validator";
import { insertSupplier, listSuppliers } from "./suppliers.queries";
import { createSupplierBody } from "./suppliers.schemas";

export const suppliersRouter = new Hono<AppEnv>().get("/", requireOrganisation(), async (c) =>
  c.json(await listSuppliers(c.var.database()), 200),
);

/** Mounted under /admin/v1/suppliers, behind `requireAdmin`. */
export const adminSuppliersRouter = new Hono<AppEnv>()
  .post("/", jsonBody(), idempotency(), validate("json", createSupplierBody), async (c) => {
    try {
      return c.json(await insertSupplier(c.var.database(), c.req.valid("json").name), 201);
    } catch (error) {
      // Names are unique case-insensitively, by an index: a race cannot create a twin.
      if (isUniqueViolation(error, "suppliers_name_unique")) throw ApiError.validation([fieldError("name", "has_already_been_taken")]);
      throw error;
    }
  })
  .get("/", async (c) => c.json(await listSuppliers(c.var.database()), 200));
