/**
 * What a partner does with its webhook endpoints without the operator:
 * pause and resume (the dispatcher skips a paused endpoint and keeps its
 * cursor; a delivery already queued for it goes back behind the cursor),
 * automatic disabling after three days of failures (with its event), secret
 * rotation (two signatures for 24 h), a test ping and a retry. The same with
 * a real receiver under `wrangler dev`: test/node/webhooks.test.ts.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import { WEBHOOK_DISABLE_AFTER_MS, WEBHOOK_SECRET_OVERLAP_MS } from "../../src/domain/limits";
import { signatureHeader, signWebhook } from "../../src/domain/webhooks/signature";
import type { DeliveryMessage, DispatchMessage } from "../../src/env";
import worker from "../../src/index";
import { dispatchEvents } from "../../src/webhooks/dispatch";
import {
  call,
  createCustomer,
  createOrganisation,
  customerBody,
  firstRow,
  heldQueue,
  ISO_TIMESTAMP,
  json,
  shardOf,
  type TestOrganisation,
  webhookEndpointBody,
} from "../helpers";

const databaseOf = async (org: TestOrganisation) => createDatabase(await shardOf(org.id), emptyCost(), org.shard);

/** An organisation with one endpoint for every event; its writes' "new events" messages held. */
async function organisationWithEndpoint() {
  const org = await createOrganisation();
  const endpoint = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody(["*"]) }));
  return { org, endpoint };
}

const held = () => ({ WEBHOOK_DISPATCH: heldQueue<DispatchMessage>().queue });
const newCustomer = async (org: TestOrganisation) => {
  const response = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), env: held() });
  expect(response.status).toBe(201);
  return json(response);
};

const cursorOf = async (endpointId: number) => (await firstRow<{ cursor: number }>("select cursor from webhook_endpoints where id = ?", endpointId))!.cursor;
const patch = (org: TestOrganisation, id: number, enabled: unknown, extra: Record<string, unknown> = {}) =>
  call("PATCH", `/api/v1/webhook_endpoints/${id}`, { token: org.token, body: { webhook_endpoint: { enabled } }, ...extra });

/** Runs one delivery message through the Worker's queue consumer. */
async function consume(message: DeliveryMessage, extra: Record<string, unknown> = {}) {
  const batch = createMessageBatch("enbro-webhook-deliveries", [{ id: "m", timestamp: new Date(), attempts: 1, body: message }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...extra });
  return getQueueResult(batch, ctx);
}

describe("PATCH /api/v1/webhook_endpoints/:id (pause, resume)", () => {
  it("paused: nothing is handed to it and its cursor stays; resumed: it gets what it missed, in order, and the dispatcher is told", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    const paused = await patch(org, endpoint.id, false);
    expect(paused.status).toBe(200);
    expect(await json(paused)).toEqual({ ...endpoint, secret: undefined, enabled: false, failing_since: null });
    const cursor = await cursorOf(endpoint.id);
    for (let i = 0; i < 3; i++) await newCustomer(org);
    const deliveries = heldQueue<DeliveryMessage>();
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, org.id);
    expect(deliveries.sent).toEqual([]);
    expect(await cursorOf(endpoint.id)).toBe(cursor);

    const dispatch = heldQueue<DispatchMessage>();
    const resumed = await patch(org, endpoint.id, true, { env: { WEBHOOK_DISPATCH: dispatch.queue } });
    expect((await json(resumed)).enabled).toBe(true);
    expect(dispatch.sent.map((m) => m.body)).toEqual([{ organisation_id: org.id, shard: org.shard }]);
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, org.id);
    const feed = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data.map((e: { id: number }) => e.id);
    expect(deliveries.sent.map((m) => m.body.event_id)).toEqual(feed.filter((id: number) => id > cursor));
    expect(deliveries.sent).toHaveLength(3);
  });

  it("a delivery queued before the pause sends nothing, and its event goes back behind the cursor (the slot comes back)", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    await newCustomer(org);
    const deliveries = heldQueue<DeliveryMessage>();
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, org.id);
    const [message] = deliveries.sent.map((m) => m.body);
    expect(await cursorOf(endpoint.id)).toBe(message!.event_id);
    expect((await patch(org, endpoint.id, false)).status).toBe(200);
    expect(await consume(message!, { WEBHOOK_DISPATCH: heldQueue<DispatchMessage>().queue })).toMatchObject({ explicitAcks: ["m"] });
    expect(await cursorOf(endpoint.id)).toBe(message!.event_id - 1);
    expect((await firstRow<{ n: number }>("select webhook_in_flight as n from organisations where id = ?", org.id))!.n).toBe(0);
    expect(await json(await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token }))).toEqual([]);
  });

  it("422 for an enabled that is no boolean; 404 for another organisation's endpoint", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    const bad = await patch(org, endpoint.id, "maybe");
    expect(bad.status).toBe(422);
    expect((await json(bad)).errors).toEqual([{ path: "webhook_endpoint.enabled", error: "must_be_boolean", message: "must be boolean", type: "params" }]);
    const missing = await call("PATCH", `/api/v1/webhook_endpoints/${endpoint.id}`, { token: org.token, body: { webhook_endpoint: {} } });
    expect((await json(missing)).errors[0]).toMatchObject({ path: "webhook_endpoint.enabled", error: "is_missing" });
  });
});

describe("automatic disabling", () => {
  it("a failed attempt after 3 days of failures disables the endpoint and writes webhook_endpoint.disabled, once", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    const other = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody(["webhook_endpoint.disabled"]) }));
    const customer = await newCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    expect(event.data.object.id).toBe(customer.id);
    const since = new Date(Date.now() - WEBHOOK_DISABLE_AFTER_MS - 1000).toISOString();
    await (await shardOf(org.id)).prepare("update webhook_endpoints set failing_since = ?, failures = 5 where id = ?").bind(since, endpoint.id).run();

    // hooks.enbro-partner.com does not resolve here: the attempt fails.
    const dispatch = heldQueue<DispatchMessage>();
    const handed = heldQueue<DeliveryMessage>();
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: handed.queue }, org.id);
    expect(await cursorOf(endpoint.id)).toBe(event.id);
    const message = { ...handed.sent.map((m) => m.body).find((m) => m.endpoint_id === endpoint.id)!, attempt: 2 };
    await consume(message, { WEBHOOK_DISPATCH: dispatch.queue, WEBHOOK_DELIVERIES: heldQueue<DeliveryMessage>().queue });
    const [listed] = await json(await call("GET", "/api/v1/webhook_endpoints", { token: org.token }));
    expect(listed).toMatchObject({ id: endpoint.id, enabled: false, failing_since: since });
    const disabled = (await json(await call("GET", "/api/v1/events?type=webhook_endpoint.disabled", { token: org.token }))).data;
    expect(disabled).toHaveLength(1);
    expect(disabled[0]).toEqual({
      id: expect.any(Number),
      type: "webhook_endpoint.disabled",
      created_at: expect.stringMatching(ISO_TIMESTAMP),
      data: { object: listed },
    });
    // The other endpoint is told; the failed event waits behind the disabled endpoint's cursor for its resumption.
    expect(dispatch.sent.map((m) => m.body)).toContainEqual({ organisation_id: org.id, shard: org.shard });
    expect(await cursorOf(endpoint.id)).toBe(event.id - 1);
    expect(other.id).toBeGreaterThan(endpoint.id);

    // A later attempt (a message already queued) writes no second event.
    await consume({ ...message, attempt: 3 }, { WEBHOOK_DISPATCH: dispatch.queue, WEBHOOK_DELIVERIES: heldQueue<DeliveryMessage>().queue });
    expect((await json(await call("GET", "/api/v1/events?type=webhook_endpoint.disabled", { token: org.token }))).data).toHaveLength(1);

    // Resumed: a fresh start.
    expect(await json(await patch(org, endpoint.id, true, { env: held() }))).toMatchObject({ enabled: true, failing_since: null });
  });

  it("a failed attempt within the 3 days marks the run's start and keeps the endpoint enabled", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    await newCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    await consume({ endpoint_id: endpoint.id, event_id: event.id, attempt: 1, shard: org.shard }, { WEBHOOK_DELIVERIES: heldQueue<DeliveryMessage>().queue });
    const [listed] = await json(await call("GET", "/api/v1/webhook_endpoints", { token: org.token }));
    expect(listed.enabled).toBe(true);
    expect(listed.failing_since).toMatch(ISO_TIMESTAMP);
  });
});

describe("POST /api/v1/webhook_endpoints/:id/rotate_secret", () => {
  it("answers a new secret; the old one signs beside it for 24 hours", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    const before = Date.now();
    const response = await call("POST", `/api/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { token: org.token });
    expect(response.status).toBe(200);
    const rotated = await json(response);
    expect(rotated).toEqual({
      id: endpoint.id,
      url: endpoint.url,
      events: endpoint.events,
      enabled: true,
      failing_since: null,
      created_at: endpoint.created_at,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      previous_secret_expires_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(rotated.secret).not.toBe(endpoint.secret);
    const overlap = Date.parse(rotated.previous_secret_expires_at) - before;
    expect(overlap).toBeGreaterThanOrEqual(WEBHOOK_SECRET_OVERLAP_MS - 1000);
    expect(overlap).toBeLessThanOrEqual(WEBHOOK_SECRET_OVERLAP_MS + 5000);
    const stored = await firstRow("select secret, previous_secret from webhook_endpoints where id = ?", endpoint.id);
    expect(stored).toEqual({ secret: rotated.secret, previous_secret: endpoint.secret });
    expect((await call("POST", "/api/v1/webhook_endpoints/987654321/rotate_secret", { token: org.token })).status).toBe(404);
  });

  it("signs with each secret, space-separated, the current first", async () => {
    const [a, b] = [`whsec_${btoa("a".repeat(32))}`, `whsec_${btoa("b".repeat(32))}`];
    expect(await signatureHeader([a, b], "7", 1_700_000_000, "{}")).toBe(
      `${await signWebhook(a, "7", 1_700_000_000, "{}")} ${await signWebhook(b, "7", 1_700_000_000, "{}")}`,
    );
  });
});

describe("POST …/test and …/deliveries/:delivery_id/retry", () => {
  it("a ping's outcome is answered (no answer here: status null), nothing is logged; a retry logs the next attempt", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    const ping = await json(await call("POST", `/api/v1/webhook_endpoints/${endpoint.id}/test`, { token: org.token }));
    expect(ping).toEqual({ webhook_id: expect.stringMatching(/^ping_[0-9a-f-]{36}$/), status: null, succeeded: false });

    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    await consume({ endpoint_id: endpoint.id, event_id: event.id, attempt: 1, shard: org.shard }, { WEBHOOK_DELIVERIES: heldQueue<DeliveryMessage>().queue });
    const [first] = await json(await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token }));
    const retried = await call("POST", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries/${first.id}/retry`, { token: org.token });
    expect(retried.status).toBe(201);
    expect(await json(retried)).toEqual({
      id: expect.any(Number),
      event_id: event.id,
      attempt: 2,
      status: null,
      succeeded: false,
      at: expect.stringMatching(ISO_TIMESTAMP),
    });
    // Another endpoint's attempt id under this endpoint: 404.
    const { org: stranger, endpoint: theirs } = await organisationWithEndpoint();
    expect((await call("POST", `/api/v1/webhook_endpoints/${theirs.id}/deliveries/${first.id}/retry`, { token: stranger.token })).status).toBe(404);
  });

  it("a paused endpoint's delivery is not retried: 422 is_disabled", async () => {
    const { org, endpoint } = await organisationWithEndpoint();
    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    await consume({ endpoint_id: endpoint.id, event_id: event.id, attempt: 1, shard: org.shard }, { WEBHOOK_DELIVERIES: heldQueue<DeliveryMessage>().queue });
    const [first] = await json(await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token }));
    await patch(org, endpoint.id, false);
    const refused = await call("POST", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries/${first.id}/retry`, { token: org.token });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toEqual({ errors: [{ path: "webhook_endpoint", error: "is_disabled", message: "is disabled", type: "params" }] });
  });
});
