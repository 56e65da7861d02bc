/**
 * @module Suppliers: `GET /api/v1/suppliers` for clients (they need supplier
 * ids before they add EANs); create and list under the operator API.
 */
import type { Context } from "hono";
import * as z from "zod";
import { isUniqueViolation } from "../domain/db/errors";
import { shardsOf } from "../domain/db/shards";
import { ApiError, fieldError } from "../domain/errors";
import { insertSupplier, listSuppliers } from "../domain/suppliers/suppliers.queries";
import { createSupplierBody, supplierJson } from "../domain/suppliers/suppliers.schemas";
import type { AppEnv } from "../env";
import { defineRoute } from "../routing/route";

/** Clients and the operator see the same list. */
const supplierList = {
  responses: { 200: { schema: z.array(supplierJson) } },
  handler: async (c: Context<AppEnv>) => c.json(await listSuppliers(c.get("database")()), 200),
};

export const listSuppliersForClients = defineRoute("get", "/api/v1/suppliers", {
  operationId: "listSuppliers",
  tag: "Suppliers",
  summary: "Suppliers, by id (their ids go into EANs' supplier_id)",
  auth: "organisation",
  scope: "global",
  ...supplierList,
});

export const createSupplier = defineRoute("post", "/admin/v1/suppliers", {
  operationId: "createSupplier",
  tag: "Operator",
  summary: "Create a supplier",
  auth: "operator",
  scope: "global",
  // A supplier is public reference data: nothing of anyone's.
  answerHolds: "nothing",
  body: { schema: createSupplierBody, example: { name: "Engie Electrabel" } },
  responses: { 201: { schema: supplierJson } },
  handler: async (c) => {
    try {
      const shards = shardsOf(c.env).map((_, shard) => c.get("shardDatabase")(shard));
      return c.json(await insertSupplier(c.get("database")(), shards, c.req.valid("json").name), 201);
    } catch (error) {
      // Names are unique case-insensitively, by an index: a race cannot create a twin.
      if (isUniqueViolation(error, "suppliers_name_unique")) throw ApiError.validation([fieldError("name", "has_already_been_taken")]);
      throw error;
    }
  },
});

export const listSuppliersForOperator = defineRoute("get", "/admin/v1/suppliers", {
  operationId: "listSuppliersForOperator",
  tag: "Operator",
  summary: "Suppliers, by id",
  auth: "operator",
  scope: "global",
  ...supplierList,
});
