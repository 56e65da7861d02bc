/**
 * @module /api/v1/customers: create, list (pages, or by `external_id`), show,
 * update, erase (GDPR Art. 17) and export (Art. 15 and 20). Rules, SQL and
 * rendering in src/domain/customers/.
 */

import { KeysTaken } from "../domain/claims/claims.queries";
import {
  customerExportJson,
  customerJson,
  customerPageJson,
  toCustomerExportJson,
  toCustomerJson,
  toCustomerPageJson,
} from "../domain/customers/customers.json";
import {
  type CustomerChanges,
  eraseCustomer,
  findCustomer,
  findCustomerByExternalId,
  insertCustomer,
  isOverCustomerCap,
  listCustomers,
  updateCustomer,
} from "../domain/customers/customers.queries";
import { createCustomerBody, customerIdParam, listCustomersQuery, updateCustomerBody } from "../domain/customers/customers.schemas";
import { isUniqueViolation } from "../domain/db/errors";
import { ApiError, errorsJson, fieldError } from "../domain/errors";
import { holds } from "../domain/idempotency/idempotency.subjects";
import { MAX_CUSTOMER_SEQ, MAX_PER_PAGE, MAX_STRING_LENGTH } from "../domain/limits";
import { findCustomerWithEans } from "../domain/peer/peer.queries";
import { nowIso } from "../lib/time";
import * as examples from "../openapi/examples";
import { defineRoute } from "../routing/route";
import { sentKeys } from "../routing/sent-keys";

export const createCustomer = defineRoute("post", "/api/v1/customers", {
  operationId: "createCustomer",
  tag: "Customers",
  summary: "Create a customer of the current organisation",
  description: "The e-mail is unique in the whole system (case-insensitively). Phones are normalised to E.164, Belgium the default country.",
  auth: "organisation",
  scope: "global",
  answerHolds: holds.customer,
  body: { schema: createCustomerBody, example: examples.customerCreateRequest },
  responses: { 201: { schema: customerJson, example: examples.customer }, 422: { schema: errorsJson, example: examples.customerValidationErrors } },
  handler: async (c) => {
    const { customer: input } = c.req.valid("json");
    const clientIp = c.req.header("CF-Connecting-IP") ?? null;
    try {
      const { customer, organisation } = await insertCustomer(c.get("database")(), c.get("directory")(), c.get("organisationId"), input, clientIp);
      return c.json(toCustomerJson(customer, organisation), 201);
    } catch (error) {
      throw takenError(error) ?? error;
    }
  },
});

export const listCustomersRoute = defineRoute("get", "/api/v1/customers", {
  operationId: "listCustomers",
  tag: "Customers",
  summary: "The current organisation's customers, by id (Kaminari pages)",
  auth: "organisation",
  scope: "global",
  query: {
    schema: listCustomersQuery,
    parameters: [
      {
        name: "page",
        description: "Page number from 1. Read as Kaminari does, never refused: leading digits are read (`2abc` → 2); absent, non-numeric or < 1 → 1.",
        example: "1",
        schema: { type: "integer", minimum: 1 },
        lenient: true,
      },
      {
        name: "per",
        description: `Records per page, 1 to ${MAX_PER_PAGE}. Read as Kaminari does, never refused: anything else → ${MAX_PER_PAGE}.`,
        example: String(MAX_PER_PAGE),
        schema: { type: "integer", minimum: 1, maximum: MAX_PER_PAGE },
        lenient: true,
      },
      {
        name: "external_id",
        description: "The partner's own id: the page holds that customer, or none.",
        example: "crm-4711",
        schema: { type: "string", minLength: 1, maxLength: MAX_STRING_LENGTH },
      },
    ],
  },
  responses: { 200: { schema: customerPageJson, example: examples.customerPage } },
  handler: async (c) => {
    const { page, per, external_id: externalId } = c.req.valid("query");
    if (externalId !== null) {
      // One indexed read: the page holds that customer, or nothing.
      const found = await findCustomerByExternalId(c.get("database")(), c.get("organisationId"), externalId);
      const records = found && page === 1 ? [toCustomerJson(found.customer, found.organisation)] : [];
      return c.json(toCustomerPageJson(page, per, found ? 1 : 0, records), 200);
    }
    const { organisation, records, total } = await listCustomers(c.get("database")(), c.get("organisationId"), page, per);
    const json = records.map((customer) => toCustomerJson(customer, organisation));
    return c.json(toCustomerPageJson(page, per, total, json), 200);
  },
});

export const getCustomer = defineRoute("get", "/api/v1/customers/:customer_id", {
  operationId: "getCustomer",
  tag: "Customers",
  summary: "A customer of the current organisation",
  auth: "organisation",
  scope: "tenant",
  params: customerIdParam,
  responses: { 200: { schema: customerJson, example: examples.customer } },
  handler: async (c) => {
    const found = await findCustomer(c.get("database")(), c.get("organisationId"), c.req.valid("param").customer_id);
    if (!found) throw ApiError.notFound();
    return c.json(toCustomerJson(found.customer, found.organisation), 200);
  },
});

/** A taken e-mail (any organisation's) or external id (this organisation's) refused the write. */
function takenError(error: unknown): ApiError | null {
  if (isOverCustomerCap(error)) return ApiError.validation([fieldError("customer", "too_many_customers", MAX_CUSTOMER_SEQ)]);
  // Claimed by another organisation (the directory), or by another customer of this shard (its unique index).
  if (error instanceof KeysTaken || isUniqueViolation(error, "customers_email_unique"))
    return ApiError.validation([fieldError("customer.email", "confirmed_email_has_already_been_taken")]);
  if (isUniqueViolation(error, "customers.external_id")) return ApiError.validation([fieldError("customer.external_id", "has_already_been_taken")]);
  return null;
}

export const updateCustomerRoute = defineRoute("patch", "/api/v1/customers/:customer_id", {
  operationId: "updateCustomer",
  tag: "Customers",
  summary: "Update a customer: its e-mail, external id and any profile field",
  description: "An absent field is left as it is; `null` clears `building_addon` and `external_id`. Consents and `registered_from_ip` cannot be updated.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.customer,
  params: customerIdParam,
  body: { schema: updateCustomerBody, example: { customer: { profile: { phone: "056 98 01 45", city: "Gent" } } } },
  responses: { 200: { schema: customerJson, example: examples.customer } },
  handler: async (c) => {
    const customerId = c.req.valid("param").customer_id;
    const sent = ((await c.req.json()) as { customer?: { profile?: unknown } }).customer;
    const sentCustomer = sentKeys(sent);
    const sentProfile = sentKeys(sent?.profile);
    const { profile, ...customer } = c.req.valid("json").customer;
    const changes: CustomerChanges = {
      ...Object.fromEntries(Object.entries(customer).filter(([field]) => sentCustomer.has(field))),
      ...Object.fromEntries(Object.entries(profile ?? {}).filter(([field]) => sentProfile.has(field))),
    };
    try {
      const found = await updateCustomer(c.get("database")(), c.get("directory")(), c.get("organisationId"), customerId, changes);
      if (!found) throw ApiError.notFound();
      return c.json(toCustomerJson(found.customer, found.organisation), 200);
    } catch (error) {
      throw takenError(error) ?? error;
    }
  },
});

export const eraseCustomerRoute = defineRoute("delete", "/api/v1/customers/:customer_id", {
  operationId: "eraseCustomer",
  tag: "Customers",
  summary: "Erase a customer (GDPR Art. 17): its profile, EANs and consents, at once",
  description:
    "Afterwards the customer is 404 everywhere, its e-mail and EAN numbers can be registered again, and a retry of " +
    "a request that wrote it (same Idempotency-Key) answers 404. Ids and timestamps of other records are kept.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: customerIdParam,
  responses: { 204: { description: "Erased." } },
  handler: async (c) => {
    const erased = await eraseCustomer(c.get("database")(), c.get("directory")(), c.get("organisationId"), c.req.valid("param").customer_id);
    if (!erased) throw ApiError.notFound();
    return c.body(null, 204);
  },
});

export const exportCustomer = defineRoute("get", "/api/v1/customers/:customer_id/export", {
  operationId: "exportCustomer",
  tag: "Customers",
  summary: "Everything held about a customer (GDPR Art. 15 and 20), as a JSON download",
  auth: "organisation",
  scope: "tenant",
  params: customerIdParam,
  responses: { 200: { schema: customerExportJson, description: 'With `Content-Disposition: attachment; filename="enbro-customer-<id>.json"`.' } },
  handler: async (c) => {
    const found = await findCustomerWithEans(c.get("database")(), c.get("organisationId"), c.req.valid("param").customer_id);
    if (!found) throw ApiError.notFound();
    c.header("Content-Disposition", `attachment; filename="enbro-customer-${found.customer.id}.json"`);
    return c.json(toCustomerExportJson(found.customer, found.organisation, found.eans, nowIso()), 200);
  },
});
