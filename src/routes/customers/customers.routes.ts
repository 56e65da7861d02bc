/**
 * @module /api/v1/customers: create, list, show. Rules in customers.schemas.ts,
 * SQL in customers.queries.ts, rendering in customers.json.ts.
 */
import { isUniqueViolation } from "../../db/errors";
import { ApiError, errorsJson, fieldError } from "../../errors";
import { pathId } from "../../routing/path-id";
import * as examples from "../../openapi/examples";
import { defineRoute } from "../../routing/route";
import { customerJson, customerPageJson, toCustomerJson, toCustomerPageJson } from "./customers.json";
import { findCustomer, insertCustomer, listCustomers } from "./customers.queries";
import { createCustomerBody, listCustomersQuery } from "./customers.schemas";

export const createCustomer = defineRoute("post", "/api/v1/customers", {
  operationId: "createCustomer", tag: "Customers",
  summary: "Create a customer of the current organisation",
  description: "The e-mail is unique in the whole system (case-insensitively). Phones are normalised to E.164, Belgium the default country.",
  auth: "organisation",
  body: { schema: createCustomerBody, example: examples.customerCreateRequest },
  responses: { 201: { schema: customerJson, example: examples.customer }, 422: { schema: errorsJson, example: examples.customerValidationErrors } },
  handler: async (c) => {
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
  },
});

export const listCustomersRoute = defineRoute("get", "/api/v1/customers", {
  operationId: "listCustomers", tag: "Customers",
  summary: "The current organisation's customers, by id (Kaminari pages)",
  auth: "organisation",
  query: {
    schema: listCustomersQuery,
    parameters: [
      { name: "page", description: "Page number; leading digits are read; absent, non-numeric or < 1 → 1.", example: "1" },
      { name: "per", description: "Records per page: 1 to 25; anything else → 25.", example: "25" },
    ],
  },
  responses: { 200: { schema: customerPageJson, example: examples.customerPage } },
  handler: async (c) => {
    const { page, per } = c.req.valid("query");
    const { organisation, records, total } = await listCustomers(c.var.database(), c.var.organisationId, page, per);
    const json = records.map((customer) => toCustomerJson(customer, organisation));
    return c.json(toCustomerPageJson(page, per, total, json), 200);
  },
});

export const getCustomer = defineRoute("get", "/api/v1/customers/:id", {
  operationId: "getCustomer", tag: "Customers",
  summary: "A customer of the current organisation",
  auth: "organisation",
  params: [{ name: "id", description: "Customer id" }],
  responses: { 200: { schema: customerJson, example: examples.customer } },
  handler: async (c) => {
    const found = await findCustomer(c.var.database(), c.var.organisationId, pathId(c.req.param("id")));
    if (!found) throw ApiError.notFound();
    return c.json(toCustomerJson(found.customer, found.organisation), 200);
  },
});

export const customerRoutes = [createCustomer, listCustomersRoute, getCustomer] as const;
