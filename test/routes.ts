/**
 * @module The route records (src/routes/index.ts: one ordered list) as
 * the test matrix calls them: each record's `CALLS` entry says how to call it
 * successfully (its ids, its body, its success status). A record without an
 * entry fails the matrix by name (see test/api/route-records.test.ts).
 */
import { ALL_ROUTES } from "../src/routes";
import { fillPath } from "../src/routing/path-pattern";
import type { AnyRouteRecord } from "../src/routing/route";
import {
  call,
  createCustomer,
  createOrganisation,
  createSupplier,
  customerBody,
  eanFields,
  shardOf,
  type TestOrganisation,
  webhookEndpointBody,
} from "./helpers";

export interface Fixture {
  owner: TestOrganisation;
  stranger: TestOrganisation;
  /** An organisation with no data, on shard 0: the one the matrix moves (to shard 1). */
  idle: TestOrganisation;
  customerId: number;
  supplierId: number;
  tokenId: number;
  /** An EAN of the owner's customer. */
  eanId: number;
  /** An event of the owner's. */
  eventId: number;
  /** A webhook endpoint of the owner's (asking for `customer.deleted` only). */
  webhookEndpointId: number;
  /** A second key of the owner's, with the `read` scope. */
  readKey: { id: number; token: string };
  /** A delivery attempt logged for the owner's webhook endpoint (of its event). */
  deliveryId: number;
}

export interface RouteCase {
  record: AnyRouteRecord;
  method: string;
  /** The path with the owner's ids filled in. */
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  auth: "organisation" | "admin" | "none";
  /** Addresses a record of the owner by id: another organisation must get 404. */
  ownedId: boolean;
  /** Status of a successful call by the right caller. */
  ok: number;
}

export async function createFixture(): Promise<Fixture> {
  const owner = await createOrganisation();
  const stranger = await createOrganisation();
  const idle = await createOrganisation(undefined, undefined, 0);
  const customer = await createCustomer(owner);
  const supplier = await createSupplier();
  const ean = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: owner.token, body: { ean: eanFields() } });
  if (ean.status !== 201) throw new Error(`fixture EAN not created: ${ean.status}`);
  const eanId = (await ean.json<{ id: number }>()).id;
  const events = await call("GET", "/api/v1/events", { token: owner.token });
  const eventId = (await events.json<{ data: Array<{ id: number }> }>()).data[0]!.id;
  const endpoint = await call("POST", "/api/v1/webhook_endpoints", { token: owner.token, body: webhookEndpointBody(["customer.deleted"]) });
  if (endpoint.status !== 201) throw new Error(`fixture webhook endpoint not created: ${endpoint.status}`);
  const webhookEndpointId = (await endpoint.json<{ id: number }>()).id;
  const key = await call("POST", "/api/v1/tokens", { token: owner.token, body: { token: { name: "Read only", scope: "read" } } });
  if (key.status !== 201) throw new Error(`fixture read key not created: ${key.status}`);
  const readKey = await key.json<{ id: number; token: string }>();
  // A delivery attempt as the delivery consumer logs it (its fetch would need a receiver: test/node/webhooks.test.ts has one).
  const logged = await (await shardOf(owner.id))
    .prepare("insert into webhook_deliveries (endpoint_id, event_id, attempt, status, succeeded, at) values (?, ?, 1, 500, 0, ?) returning id")
    .bind(webhookEndpointId, eventId, new Date().toISOString())
    .first<{ id: number }>();
  return {
    owner,
    stranger,
    idle,
    customerId: customer.id,
    supplierId: supplier.id,
    tokenId: owner.tokenId,
    eanId,
    eventId,
    webhookEndpointId,
    readKey,
    deliveryId: logged!.id,
  };
}

interface Call {
  /** The value of each path parameter. */
  ids?: (f: Fixture) => Record<string, number>;
  body?: (f: Fixture) => unknown;
  ok: number;
}

const customer = (f: Fixture) => ({ customer_id: f.customerId, customerId: f.customerId, id: f.customerId });
const ean = (f: Fixture) => ({ customer_id: f.customerId, id: f.eanId });

/** How to call each record (by operationId) successfully. */
export const CALLS: Record<string, Call> = {
  ping: { ok: 200 },
  openapi: { ok: 200 },
  getMe: { ok: 200 },
  listSuppliers: { ok: 200 },
  createCustomer: { body: () => customerBody(), ok: 201 },
  listCustomers: { ok: 200 },
  getCustomer: { ids: customer, ok: 200 },
  updateCustomer: { ids: customer, body: () => ({ customer: { profile: { city: "Gent" } } }), ok: 200 },
  eraseCustomer: { ids: customer, ok: 204 },
  exportCustomer: { ids: customer, ok: 200 },
  createEan: { ids: customer, body: (f) => ({ ean: eanFields({ supplier_id: f.supplierId }) }), ok: 201 },
  createEansInBulk: { ids: customer, body: () => ({ eans: [{ ean: eanFields() }, { ean: eanFields() }] }), ok: 201 },
  listEans: { ids: customer, ok: 200 },
  getPeerCustomer: { ids: customer, ok: 200 },
  getEan: { ids: ean, ok: 200 },
  updateEan: { ids: ean, body: (f) => ({ ean: { city: "Gent", supplier_id: f.supplierId } }), ok: 200 },
  deleteEan: { ids: ean, ok: 204 },
  moveEanState: { ids: (f) => ({ id: f.eanId }), body: () => ({ state: "offered" }), ok: 200 },
  listEvents: { ok: 200 },
  getEvent: { ids: (f) => ({ id: f.eventId }), ok: 200 },
  createWebhookEndpoint: { body: () => webhookEndpointBody(["*"]), ok: 201 },
  listWebhookEndpoints: { ok: 200 },
  updateWebhookEndpoint: { ids: (f) => ({ id: f.webhookEndpointId }), body: () => ({ webhook_endpoint: { enabled: false } }), ok: 200 },
  deleteWebhookEndpoint: { ids: (f) => ({ id: f.webhookEndpointId }), ok: 204 },
  listWebhookDeliveries: { ids: (f) => ({ id: f.webhookEndpointId }), ok: 200 },
  rotateWebhookSecret: { ids: (f) => ({ id: f.webhookEndpointId }), ok: 200 },
  testWebhookEndpoint: { ids: (f) => ({ id: f.webhookEndpointId }), ok: 200 },
  retryWebhookDelivery: { ids: (f) => ({ id: f.webhookEndpointId, delivery_id: f.deliveryId }), ok: 201 },
  listTokens: { ok: 200 },
  createToken: { body: () => ({ token: { name: "Matrix key", scope: "write", expires_at: null } }), ok: 201 },
  deleteToken: { ids: (f) => ({ id: f.readKey.id }), ok: 204 },
  createOrganisation: { body: () => ({ name: "Matrix Org" }), ok: 201 },
  getOrganisationForOperator: { ids: (f) => ({ id: f.owner.id }), ok: 200 },
  moveOrganisation: { ids: (f) => ({ id: f.idle.id }), body: () => ({ shard: 1 }), ok: 202 },
  issueToken: { ids: (f) => ({ id: f.owner.id }), ok: 201 },
  listTokensForOperator: { ids: (f) => ({ id: f.owner.id }), ok: 200 },
  revokeToken: { ids: (f) => ({ id: f.tokenId }), ok: 204 },
  createSupplier: { body: () => ({ name: `Matrix Supplier ${crypto.randomUUID()}` }), ok: 201 },
  listSuppliersForOperator: { ok: 200 },
  operatorOpenapi: { ok: 200 },
};

function toCase(record: AnyRouteRecord): RouteCase {
  const call = CALLS[record.operationId];
  if (!call) throw new Error(`no CALLS entry in test/routes.ts for ${record.method.toUpperCase()} ${record.path} (${record.operationId})`);
  return {
    record,
    method: record.method.toUpperCase(),
    path: (f) => {
      const ids = call.ids?.(f) ?? {};
      return fillPath(record.path, (name) => ids[name]!);
    },
    body: call.body,
    auth: record.auth === "operator" ? "admin" : record.auth,
    ownedId: record.scope === "tenant",
    ok: call.ok,
  };
}

export const ROUTES: RouteCase[] = ALL_ROUTES.map(toCase);

export const routeName = (route: RouteCase) => `${route.method} ${route.record.path}`;
