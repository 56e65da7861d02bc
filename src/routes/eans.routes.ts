/**
 * @module /api/v1/customers/:customer_id/eans: create one, create in bulk
 * (all or nothing), list, show, update, delete; and the operator's state
 * move (`POST /admin/v1/eans/:id/state`). Rules, SQL and rendering in
 * src/domain/eans/.
 */

import * as z from "zod";
import { KeysTaken } from "../domain/claims/claims.queries";
import { customerIdParam } from "../domain/customers/customers.schemas";
import type { Database } from "../domain/db/client";
import { isConstraintViolation } from "../domain/db/errors";
import { shardsOf } from "../domain/db/shards";
import { eanJson, toEanJson } from "../domain/eans/eans.json";
import {
  deleteEan,
  type EanChanges,
  findEan,
  findEanForOperator,
  insertEans,
  isOverEanCap,
  listEans,
  moveEanState,
  readEanWriteContext,
  updateEan,
} from "../domain/eans/eans.queries";
import { canMove, checkEanConflicts, eanKeysOf, mergeEanErrors } from "../domain/eans/eans.rules";
import { bulkEansBody, createEanBody, type EanInput, moveEanStateBody, updateEanBody } from "../domain/eans/eans.schemas";
import { ApiError, errorsJson, fieldError } from "../domain/errors";
import { holds } from "../domain/idempotency/idempotency.subjects";
import { MAX_BULK_EANS, MAX_EANS_PER_CUSTOMER } from "../domain/limits";
import * as f from "../domain/validation/fields";
import type { AppEnv } from "../env";
import { parseId } from "../lib/ids";
import * as examples from "../openapi/examples";
import { defineRoute } from "../routing/route";
import { sentKeys } from "../routing/sent-keys";
import type { ExplainRefusal } from "../routing/validator";

/**
 * Stores `items` for the customer in one atomic batch: 404 when the customer
 * is not the organisation's. When a constraint refuses the batch (a number
 * taken, here or by a concurrent request; an unknown supplier), nothing is
 * stored and the rules run over every item to say why (422).
 */
async function createEans(db: Database, directory: Database, organisationId: number, customerId: number, items: EanInput[], bulk: boolean) {
  try {
    const stored = await insertEans(db, directory, organisationId, customerId, items);
    if (stored.length === 0) throw ApiError.notFound();
    return stored;
  } catch (error) {
    if (isOverEanCap(error)) throw ApiError.validation([fieldError(bulk ? "eans" : "ean", "too_many_eans", MAX_EANS_PER_CUSTOMER)]);
    // A number claimed by another organisation (the directory), or refused by the shard's own constraints.
    if (!(error instanceof KeysTaken) && !isConstraintViolation(error)) throw error;
    const context = await readEanWriteContext(db, directory, organisationId, customerId, items);
    if (!context.customerExists) throw ApiError.notFound();
    const conflicts = checkEanConflicts(customerId, items, context, bulk);
    if (conflicts.length === 0) throw error;
    throw ApiError.validation(conflicts);
  }
}

/**
 * A body refused for its shape still gets the database rules (numbers taken,
 * suppliers unknown) on every item's fields that are valid themselves, in the
 * same one round trip, so a bulk reports every item's errors at once. For a
 * customer that is not the organisation's, only the shape errors (as for any
 * id: they reveal nothing).
 */
function explainEanRefusal(bulk: boolean): ExplainRefusal<AppEnv> {
  return async function explainEanRefusal(errors, body, c) {
    const customerId = parseId(c.req.param("customer_id"));
    const envelope = (body ?? {}) as { ean?: unknown; eans?: unknown };
    const rawItems = bulk ? envelope.eans : [envelope.ean];
    // An `eans` that is not an array of 1 to 100 items has a single error of its own.
    if (customerId === null || !Array.isArray(rawItems) || errors.some((error) => error.index === undefined && error.path === "eans")) {
      return errors;
    }
    const items = rawItems.map((item) => eanKeysOf(bulk ? (item as { ean?: unknown } | null)?.ean : item));
    if (items.every((item) => item.number === null && item.supplier_id === null)) return errors;
    const context = await readEanWriteContext(c.get("database")(), c.get("directory")(), c.get("organisationId"), customerId, items);
    if (!context.customerExists) return errors;
    return mergeEanErrors(errors, checkEanConflicts(customerId, items, context, bulk));
  };
}

export const createEan = defineRoute("post", "/api/v1/customers/:customer_id/eans", {
  operationId: "createEan",
  tag: "EANs",
  summary: "Add an EAN connection point to a customer",
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.customerOfEan,
  params: customerIdParam,
  body: { schema: createEanBody, example: { ean: examples.eanFields }, explainRefusal: explainEanRefusal(false) },
  responses: { 201: { schema: eanJson, example: examples.ean }, 422: { schema: errorsJson, example: examples.eanTakenErrors } },
  handler: async (c) => {
    const customerId = c.req.valid("param").customer_id;
    const { ean } = c.req.valid("json");
    const [stored] = await createEans(c.get("database")(), c.get("directory")(), c.get("organisationId"), customerId, [ean], false);
    return c.json(toEanJson(stored!), 201);
  },
});

export const createEansInBulk = defineRoute("post", "/api/v1/customers/:customer_id/eans/bulk", {
  operationId: "createEansInBulk",
  tag: "EANs",
  summary: `Add 1 to ${MAX_BULK_EANS} EANs at once, all or nothing`,
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.customerOfEan,
  params: customerIdParam,
  body: { schema: bulkEansBody, example: { eans: [{ ean: examples.eanFields }] }, explainRefusal: explainEanRefusal(true) },
  responses: {
    201: { schema: z.array(eanJson), example: [examples.ean], description: "The created EANs, in request order." },
    422: { schema: errorsJson, example: examples.bulkErrors },
  },
  handler: async (c) => {
    const customerId = c.req.valid("param").customer_id;
    const items = c.req.valid("json").eans.map((item) => item.ean);
    const stored = await createEans(c.get("database")(), c.get("directory")(), c.get("organisationId"), customerId, items, true);
    return c.json(stored.map(toEanJson), 201);
  },
});

export const listEansRoute = defineRoute("get", "/api/v1/customers/:customer_id/eans", {
  operationId: "listEans",
  tag: "EANs",
  summary: "A customer's EANs, by id",
  auth: "organisation",
  scope: "tenant",
  params: customerIdParam,
  responses: { 200: { schema: z.array(eanJson), example: [examples.ean] } },
  handler: async (c) => {
    const rows = await listEans(c.get("database")(), c.get("organisationId"), c.req.valid("param").customer_id);
    if (!rows) throw ApiError.notFound();
    return c.json(rows.map(toEanJson), 200);
  },
});

/** A customer's EAN: the customer and the EAN id. */
const eanParams = customerIdParam.extend({ id: f.pathId("EAN id") });

export const getEan = defineRoute("get", "/api/v1/customers/:customer_id/eans/:id", {
  operationId: "getEan",
  tag: "EANs",
  summary: "One EAN of a customer",
  auth: "organisation",
  scope: "tenant",
  params: eanParams,
  responses: { 200: { schema: eanJson, example: examples.ean } },
  handler: async (c) => {
    const row = await findEan(c.get("database")(), c.get("organisationId"), c.req.valid("param").customer_id, c.req.valid("param").id);
    if (!row) throw ApiError.notFound();
    return c.json(toEanJson(row), 200);
  },
});

export const updateEanRoute = defineRoute("patch", "/api/v1/customers/:customer_id/eans/:id", {
  operationId: "updateEan",
  tag: "EANs",
  summary: "Update an EAN: any subset of its fields",
  description: "An absent field is left as it is; `null` clears an optional field. `consumptions`, when sent, replaces the whole list. `number` cannot change.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.customerOfEan,
  params: eanParams,
  body: { schema: updateEanBody, example: { ean: { tariff_group: "dual", supplier_id: null } } },
  responses: { 200: { schema: eanJson, example: examples.ean } },
  handler: async (c) => {
    const customerId = c.req.valid("param").customer_id;
    const eanId = c.req.valid("param").id;
    const sent = sentKeys(((await c.req.json()) as { ean?: unknown }).ean);
    const patch = c.req.valid("json").ean;
    const changes = Object.fromEntries(Object.entries(patch).filter(([field]) => sent.has(field))) as EanChanges;
    const db = c.get("database")();
    try {
      const { row, storedNumber } = await updateEan(db, c.get("organisationId"), customerId, eanId, changes);
      if (row) return c.json(toEanJson(row), 200);
      if (storedNumber !== null && changes.number !== undefined && storedNumber !== changes.number) {
        throw ApiError.validation([fieldError("ean.number", "cannot_be_changed")]);
      }
      throw ApiError.notFound();
    } catch (error) {
      if (!isConstraintViolation(error)) throw error;
      // The only constraint an update can meet: a supplier that does not exist.
      throw ApiError.validation([fieldError("ean.supplier_id", "must_exist")]);
    }
  },
});

export const deleteEanRoute = defineRoute("delete", "/api/v1/customers/:customer_id/eans/:id", {
  operationId: "deleteEan",
  tag: "EANs",
  summary: "Remove an EAN (its number can be registered again at once)",
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: eanParams,
  responses: { 204: { description: "Removed." } },
  handler: async (c) => {
    const customerId = c.req.valid("param").customer_id;
    const deleted = await deleteEan(c.get("database")(), c.get("directory")(), c.get("organisationId"), customerId, c.req.valid("param").id);
    if (!deleted) throw ApiError.notFound();
    return c.body(null, 204);
  },
});

export const moveEanStateRoute = defineRoute("post", "/admin/v1/eans/:id/state", {
  operationId: "moveEanState",
  tag: "Operator",
  summary: "Move an EAN along its switching lifecycle",
  description:
    "ready → offered | cancelled; offered → switch_requested | cancelled; switch_requested → switched | rejected | " +
    "cancelled; switched, rejected and cancelled are final. A compare-and-set on the current state: of two " +
    "concurrent moves from the same state one wins, the other gets cannot_transition. Writes ean.state_changed.",
  auth: "operator",
  scope: "global",
  answerHolds: holds.customerOfEan,
  params: z.object({ id: f.pathId("EAN id") }),
  body: { schema: moveEanStateBody, example: { state: "offered" } },
  responses: { 200: { schema: eanJson, example: examples.ean } },
  handler: async (c) => {
    const eanId = c.req.valid("param").id;
    const { state: to } = c.req.valid("json");
    // The EAN's shard is the one that has its id (ids are unique across shards): every shard is asked at once.
    const shards = shardsOf(c.env).map((_, shard) => c.get("shardDatabase")(shard));
    const found = await Promise.all(shards.map((shard) => findEanForOperator(shard, eanId)));
    const index = found.findIndex((row) => row !== null);
    const ean = found[index];
    if (!ean) throw ApiError.notFound();
    const db = shards[index]!;
    // Then moved only if its state is still the one read.
    const refuse = (from: string) => ApiError.validation([fieldError("state", "cannot_transition", `${from} to ${to}`)]);
    if (!canMove(ean.state, to)) throw refuse(ean.state);
    const { row, current } = await moveEanState(db, eanId, ean.state, to);
    if (!row) throw current === null ? ApiError.notFound() : refuse(current);
    return c.json(toEanJson(row), 200);
  },
});
