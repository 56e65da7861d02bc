/**
 * @module /api/v1/customers: create, list, show. Rules in customers.schemas.ts,
 * SQL in customers.queries.ts, rendering in customers.json.ts.
 */
import { Hono } from "hono";
import { isUniqueViolation } from "../../db/errors";
import type { AppEnv } from "../../env";
import { ApiError, fieldError } from "../../errors";
import { idempotency } from "../../idempotency/idempotency.middleware";
import { parseId } from "../../lib/ids";
import { requireOrganisation } from "../../middleware/auth";
import { jsonBody } from "../../middleware/json-body";
import { validate } from "../../validation/validator";
import { toCustomerJson, toCustomerPageJson } from "./customers.json";
import { findCustomer, insertCustomer, listCustomers } from "./customers.queries";
import { createCustomerBody, listCustomersQuery } from "./customers.schemas";

export const customersRouter = new Hono<AppEnv>()
  .post("/", requireOrganisation(), jsonBody(), idempotency(), validate("json", createCustomerBody), async (c) => {
    const { customer: input } = c.req.valid("json");
    const clientIp = c.req.header("CF-Connecting-IP") ?? null;
    try {
      const { customer, organisation } = await insertCustomer(c.var.database(), c.var.organisationId, input, clientIp);
      return c.json(toCustomerJson(customer, organisation), 201);
    } catch (error) {
      if (isUniqueViolation(error, "customers_email_unique")) {
        throw ApiError.validation([fieldError("customer.email", "confirmed_email_has_already_been_taken")]);
      }
      throw error;
    }
  })
  .get("/", requireOrganisation(), validate("query", listCustomersQuery), async (c) => {
    const { page, per } = c.req.valid("query");
    const { organisation, records, total } = await listCustomers(c.var.database(), c.var.organisationId, page, per);
    const json = records.map((customer) => toCustomerJson(customer, organisation));
    return c.json(toCustomerPageJson(page, per, total, json), 200);
  })
  .get("/:id", requireOrganisation(), async (c) => {
    const found = await findCustomer(c.var.database(), c.var.organisationId, parseId(c.req.param("id")));
    if (!found) throw ApiError.notFound();
    return c.json(toCustomerJson(found.customer, found.organisation), 200);
  });
