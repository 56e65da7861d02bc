/**
 * Webhook endpoints (register, list, delete, delivery log), the URL rule, the
 * per-organisation cap, the outbox's "new events" message, the dispatcher's
 * fan-out and one delivery attempt. The end-to-end deliveries to a real
 * receiver run under `wrangler dev`: test/node/webhooks.test.ts.
 */

import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import {
  MAX_WEBHOOK_ENDPOINTS,
  MAX_WEBHOOK_URL_LENGTH,
  WEBHOOK_GIVE_UP_AFTER_MS,
  WEBHOOK_IN_FLIGHT_PER_ORGANISATION,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_S,
} from "../../src/domain/limits";
import type { DeliveryMessage, DispatchMessage } from "../../src/env";
import worker from "../../src/index";
import { dispatchEvents } from "../../src/webhooks/dispatch";
import {
  call,
  callWithCost,
  countRows,
  createCustomer,
  createOrganisation,
  customerBody,
  eanFields,
  firstRow,
  heldQueue,
  ISO_TIMESTAMP,
  json,
  runOnShards,
  shardOf,
  type TestOrganisation,
  webhookEndpointBody,
} from "../helpers";

/** The real queue binding, with every message sent through it recorded. */
function recordingQueue<T>(queue: Queue<T>) {
  const sent: Array<{ body: T; delaySeconds?: number }> = [];
  const recorded = {
    send: async (body: T, options?: QueueSendOptions) => {
      sent.push({ body, delaySeconds: options?.delaySeconds });
      return queue.send(body, options);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) => {
      for (const message of messages) sent.push({ body: message.body, delaySeconds: message.delaySeconds });
      return queue.sendBatch(messages, options);
    },
  } as Queue<T>;
  return { queue: recorded, sent };
}

/** The organisation's shard as the queue consumer sees it. */
const databaseOf = async (org: TestOrganisation) => createDatabase(await shardOf(org.id), emptyCost(), org.shard);

const create = (org: TestOrganisation, body: unknown) => call("POST", "/api/v1/webhook_endpoints", { token: org.token, body });

async function createEndpoint(org: TestOrganisation, events = ["*"]) {
  const response = await create(org, webhookEndpointBody(events));
  expect(response.status).toBe(201);
  return json(response);
}

const urlError = { path: "webhook_endpoint.url", error: "is_in_invalid_format", message: "is in invalid format", type: "params" };

describe("POST /api/v1/webhook_endpoints", () => {
  let org: TestOrganisation;
  beforeAll(async () => {
    org = await createOrganisation();
  });

  it("answers the endpoint with its secret (whsec_ + base64 of 32 bytes), once; the list never shows it", async () => {
    const created = await createEndpoint(org, ["ean.state_changed", "customer.created"]);
    expect(Object.keys(created)).toEqual(["id", "url", "events", "secret", "created_at"]);
    expect(created).toMatchObject({ url: "https://hooks.enbro-partner.com/webhooks", events: ["ean.state_changed", "customer.created"] });
    expect(created.created_at).toMatch(ISO_TIMESTAMP);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(atob(created.secret.slice(6))).toHaveLength(32);
    const other = await createEndpoint(org);
    expect(other.secret).not.toBe(created.secret);

    const list = await call("GET", "/api/v1/webhook_endpoints", { token: org.token });
    expect(list.status).toBe(200);
    const endpoints = await json(list);
    expect(endpoints.slice(0, 2)).toEqual([
      { id: created.id, url: created.url, events: created.events, enabled: true, failing_since: null, created_at: created.created_at },
      { id: other.id, url: other.url, events: ["*"], enabled: true, failing_since: null, created_at: other.created_at },
    ]);
    expect(JSON.stringify(endpoints)).not.toContain("whsec_");
  });

  it.each([
    "http://hooks.enbro-partner.com/webhooks",
    "ftp://hooks.enbro-partner.com/webhooks",
    "javascript:alert(1)",
    "https://user:password@hooks.enbro-partner.com/",
    "https://token@hooks.enbro-partner.com/",
    "https://localhost/hook",
    "https://api.localhost/hook",
    "https://intranet/hook",
    "https://printer.local/hook",
    "https://127.0.0.1/hook",
    "https://127.1/hook",
    "https://0x7f.0.0.1/hook",
    "https://2130706433/hook",
    "https://0.0.0.0/hook",
    "https://10.1.2.3/hook",
    "https://172.16.0.1/hook",
    "https://192.168.1.10/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[fe80::1]/hook",
    "https://[fd12:3456::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://[::127.0.0.1]/hook",
    "https://[2001:db8::1]/hook",
    "https://[2002:7f00:1::1]/hook",
    "https://[64:ff9b::a00:1]/hook",
    "https://hooks.enbro-partner.com\\@127.0.0.1/hook",
    "https://hooks.enbro-partner.com/a\\b",
    "https:hooks.enbro-partner.com/hook",
    "https:/hooks.enbro-partner.com/hook",
    "https://@hooks.enbro-partner.com/hook",
    "https://:@hooks.enbro-partner.com/hook",
    "https://hooks.enbro-partner.com:0/hook",
    "https://hooks.enbro-partner.com:22/hook",
    "https://hooks.enbro-partner.com:80/hook",
    "https://hooks.enbro-partner.com:1023/hook",
    "https://hooks.enbro-partner.com:6379/hook",
    "https://hooks.enbro-partner.com:5432/hook",
    "https://hooks.enbro-partner.com:65536/hook",
    "not a url",
  ])("refuses %s: 422 is_in_invalid_format at webhook_endpoint.url, nothing stored", async (url) => {
    const response = await create(org, webhookEndpointBody(["*"], url));
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ errors: [urlError] });
  });

  it.each([
    ["https://hooks.enbro-partner.com:8443/in?source=enbro", "https://hooks.enbro-partner.com:8443/in?source=enbro"],
    ["https://8.8.8.8/hook", "https://8.8.8.8/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["HTTPS://Hooks.Enbro-Partner.COM/x", "https://hooks.enbro-partner.com/x"],
    ["https://hooks.enbro-partner.com:443", "https://hooks.enbro-partner.com/"],
    ["https://hooks.enbro-partner.com:65535/a/../b", "https://hooks.enbro-partner.com:65535/b"],
  ])("accepts %s, stored and answered as %s (WHATWG's normal form: what is checked is what is called)", async (url, normalised) => {
    const response = await create(org, webhookEndpointBody(["*"], url));
    expect(response.status).toBe(201);
    const created = await json(response);
    expect(created.url).toBe(normalised);
    const stored = await firstRow<{ url: string }>("select url from webhook_endpoints where id = ?", created.id);
    expect(stored!.url).toBe(normalised);
  });

  it('accepts http:// and local hosts only with WEBHOOKS_ALLOW_LOCAL_URLS="true" (still no userinfo, no other scheme)', async () => {
    const local = { WEBHOOKS_ALLOW_LOCAL_URLS: "true" };
    const other = await createOrganisation();
    for (const url of ["http://127.0.0.1:9999/hook", "http://localhost:9999/hook"]) {
      const response = await call("POST", "/api/v1/webhook_endpoints", { token: other.token, body: webhookEndpointBody(["*"], url), env: local });
      expect(response.status).toBe(201);
    }
    for (const url of ["http://user:pw@127.0.0.1/hook", "ftp://127.0.0.1/hook"]) {
      const response = await call("POST", "/api/v1/webhook_endpoints", { token: other.token, body: webhookEndpointBody(["*"], url), env: local });
      expect(await json(response)).toEqual({ errors: [urlError] });
    }
    const strict = await call("POST", "/api/v1/webhook_endpoints", {
      token: other.token,
      body: webhookEndpointBody(["*"], "http://127.0.0.1:9999/hook"),
      env: { WEBHOOKS_ALLOW_LOCAL_URLS: "1" },
    });
    expect(strict.status).toBe(422);
  });

  it('checks events: known types or "*", not empty, each error at its index, with the URL\'s error at once', async () => {
    const response = await create(org, webhookEndpointBody(["ean.created", "ean.exploded", 7], "https://10.0.0.1/"));
    expect(response.status).toBe(422);
    const { errors } = await json(response);
    expect(errors.map((e: { path: string; error: string }) => `${e.path} ${e.error}`)).toEqual([
      "webhook_endpoint.events.1 must_be_one_of",
      "webhook_endpoint.events.2 must_be_one_of",
      "webhook_endpoint.url is_in_invalid_format",
    ]);
    expect(errors[0].message).toBe(
      "must be one of: customer.created, customer.updated, customer.deleted, ean.created, ean.updated, ean.deleted, ean.state_changed, webhook_endpoint.disabled, *",
    );

    const empty = await json(await create(org, webhookEndpointBody([])));
    expect(empty.errors).toEqual([{ path: "webhook_endpoint.events", error: "cannot_be_empty", message: "cannot be empty", type: "params" }]);
    const missing = await json(await create(org, { webhook_endpoint: {} }));
    expect(missing.errors.map((e: { path: string; error: string }) => `${e.path} ${e.error}`)).toEqual([
      "webhook_endpoint.url is_missing",
      "webhook_endpoint.events is_missing",
    ]);
  });

  it('keeps "*" alone and a type asked twice once', async () => {
    expect((await createEndpoint(org, ["ean.created", "*"])).events).toEqual(["*"]);
    expect((await createEndpoint(org, ["ean.created", "ean.created", "customer.deleted"])).events).toEqual(["ean.created", "customer.deleted"]);
  });

  it("events sent as a string: must_be_an_array alone (not also size_cannot_be_greater_than)", async () => {
    const response = await create(org, { webhook_endpoint: { url: "https://hooks.enbro-partner.com/webhooks", events: "ean.created" } });
    expect(await json(response)).toEqual({
      errors: [{ path: "webhook_endpoint.events", error: "must_be_an_array", message: "must be an array", type: "params" }],
    });
  });

  it("bounds the URL (2,048 characters) and the events (9): one past → size_cannot_be_greater_than", async () => {
    const base = "https://hooks.enbro-partner.com/";
    const longest = base + "a".repeat(MAX_WEBHOOK_URL_LENGTH - base.length);
    expect((await create(org, webhookEndpointBody(["*"], longest))).status).toBe(201);
    const tooLong = await json(await create(org, webhookEndpointBody(["*"], `${longest}a`)));
    expect(tooLong.errors).toEqual([
      { path: "webhook_endpoint.url", error: "size_cannot_be_greater_than", message: `size cannot be greater than ${MAX_WEBHOOK_URL_LENGTH}`, type: "params" },
    ]);
    const ten = await json(await create(org, webhookEndpointBody(Array(10).fill("ean.created"))));
    expect(ten.errors).toEqual([
      { path: "webhook_endpoint.events", error: "size_cannot_be_greater_than", message: "size cannot be greater than 9", type: "params" },
    ]);
  });

  it(`holds an organisation to ${MAX_WEBHOOK_ENDPOINTS} endpoints, under concurrent requests too`, async () => {
    const capped = await createOrganisation();
    const answers = await Promise.all(Array.from({ length: MAX_WEBHOOK_ENDPOINTS + 4 }, () => create(capped, webhookEndpointBody())));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
    const refused = answers.filter((r) => r.status === 422);
    expect(refused).toHaveLength(4);
    expect((await json(refused[0]!)).errors).toEqual([
      { path: "webhook_endpoint", error: "size_cannot_be_greater_than", message: `size cannot be greater than ${MAX_WEBHOOK_ENDPOINTS}`, type: "params" },
    ]);
    expect(await json(await call("GET", "/api/v1/webhook_endpoints", { token: capped.token }))).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
    // Another organisation is not held to the first one's count.
    expect((await create(await createOrganisation(), webhookEndpointBody())).status).toBe(201);
  });
});

describe("DELETE /api/v1/webhook_endpoints/:id", () => {
  it("deletes it (204), then 404; the list and its delivery log no longer have it", async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    expect((await call("DELETE", `/api/v1/webhook_endpoints/${endpoint.id}`, { token: org.token })).status).toBe(204);
    expect((await call("DELETE", `/api/v1/webhook_endpoints/${endpoint.id}`, { token: org.token })).status).toBe(404);
    expect((await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token })).status).toBe(404);
    expect(await json(await call("GET", "/api/v1/webhook_endpoints", { token: org.token }))).toEqual([]);
  });
});

describe('the outbox\'s "new events" message', () => {
  it("follows a write of an organisation with endpoints, not one without, not a refused write, not a dry run", async () => {
    const dispatch = recordingQueue<DispatchMessage>(env.WEBHOOK_DISPATCH);
    const withQueue = { env: { WEBHOOK_DISPATCH: dispatch.queue } };
    const without = await createOrganisation();
    await createCustomer(without);
    expect((await call("POST", "/api/v1/customers", { token: without.token, body: { customer: {} }, ...withQueue })).status).toBe(422);
    const withEndpoints = await createOrganisation();
    const customer = await createCustomer(withEndpoints);
    await createEndpoint(withEndpoints, ["ean.created"]);

    const before = dispatch.sent.length;
    await call("POST", "/api/v1/customers", { token: without.token, body: { customer: {} }, ...withQueue });
    const ean = { ean: eanFields() };
    expect((await call("POST", `/api/v1/customers/${customer.id}/eans?dry_run=true`, { token: withEndpoints.token, body: ean, ...withQueue })).status).toBe(
      200,
    );
    expect(
      (await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: withEndpoints.token, body: { ean: { number: "1" } }, ...withQueue })).status,
    ).toBe(422);
    expect(dispatch.sent.length).toBe(before);

    expect((await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: withEndpoints.token, body: ean, ...withQueue })).status).toBe(201);
    expect(dispatch.sent.slice(before)).toEqual([{ body: { organisation_id: withEndpoints.id, shard: withEndpoints.shard }, delaySeconds: undefined }]);
  });
});

describe("the webhook probe's cost", () => {
  it("is one statement in the write's own batch (no round trip), reading one row with endpoints and none without", async () => {
    const bulk = async (org: TestOrganisation) => {
      const customer = await createCustomer(org);
      const { response, cost } = await callWithCost("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
        token: org.token,
        body: { eans: Array.from({ length: 10 }, () => ({ ean: eanFields() })) },
      });
      expect(response.status).toBe(201);
      return cost;
    };
    const without = await createOrganisation();
    const hooked = await createOrganisation();
    await createEndpoint(hooked);
    const plain = await bulk(without);
    const probed = await bulk(hooked);
    // The EAN numbers' claims (the directory), then the shard's one batch: the probe adds no round trip.
    expect(plain.roundTrips).toBe(2);
    expect(probed.roundTrips).toBe(plain.roundTrips);
    expect(probed.statements).toBe(plain.statements);
    expect(probed.rowsRead - plain.rowsRead).toBe(1);
    expect(probed.rowsWritten).toBe(plain.rowsWritten);
  });
});

describe("the dispatcher", () => {
  it("hands each event after an endpoint's creation to it once, one message per event and endpoint that asked for its type", async () => {
    const org = await createOrganisation();
    const before = await createCustomer(org);
    const eansOnly = await createEndpoint(org, ["ean.created"]);
    const everything = await createEndpoint(org, ["*"]);
    const customer = await createCustomer(org);
    const bulk = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: [{ ean: eanFields() }, { ean: eanFields() }, { ean: eanFields() }] },
    });
    expect(bulk.status).toBe(201);
    expect(before.id).toBeLessThan(customer.id);
    const feed = (await json(await call("GET", "/api/v1/events?after=0&limit=100", { token: org.token }))).data as Array<{ id: number; type: string }>;
    const afterCreation = feed.slice(1);
    expect(afterCreation.map((e) => e.type)).toEqual(["customer.created", "ean.created", "ean.created", "ean.created"]);

    const deliveries = recordingQueue<DeliveryMessage>(env.WEBHOOK_DELIVERIES);
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, org.id);
    const sent = deliveries.sent.map((m) => m.body);
    const message = (endpointId: number, eventId: number) => ({
      endpoint_id: endpointId,
      event_id: eventId,
      attempt: 1,
      organisation_id: org.id,
      shard: org.shard,
    });
    expect(sent.filter((m) => m.endpoint_id === eansOnly.id)).toEqual(afterCreation.slice(1).map((e) => message(eansOnly.id, e.id)));
    expect(sent.filter((m) => m.endpoint_id === everything.id)).toEqual(afterCreation.map((e) => message(everything.id, e.id)));
    expect(sent).toHaveLength(7);

    // Handed over once: a second dispatch (a repeated message) sends nothing.
    await dispatchEvents(await databaseOf(org), { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, org.id);
    expect(deliveries.sent).toHaveLength(7);
  });
});

describe("the five-minute sweep", () => {
  it("tells the dispatcher of each organisation with an endpoint behind its last event (a lost message), and of no other", async () => {
    const behind = await createOrganisation();
    const endpoint = await createEndpoint(behind);
    await createCustomer(behind);
    const upToDate = await createOrganisation();
    await createCustomer(upToDate);
    await createEndpoint(upToDate);
    await runOnShards("update webhook_endpoints set cursor = 0 where id = ?", endpoint.id);

    const dispatch = recordingQueue<DispatchMessage>(env.WEBHOOK_DISPATCH);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), { ...env, WEBHOOK_DISPATCH: dispatch.queue }, ctx);
    await waitOnExecutionContext(ctx);
    const told = dispatch.sent.map((m) => m.body.organisation_id);
    expect(told).toContain(behind.id);
    expect(told).not.toContain(upToDate.id);
  });
});

describe("a delivery attempt", () => {
  it("that gets no answer is logged (status null) and sent again after 10 s; the log lists it newest first", async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    const customer = await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events?type=customer.created", { token: org.token }))).data;
    expect(event.data.object.id).toBe(customer.id);

    const deliveries = recordingQueue<DeliveryMessage>(env.WEBHOOK_DELIVERIES);
    const message: DeliveryMessage = { endpoint_id: endpoint.id, event_id: event.id, attempt: 1, shard: org.shard };
    const batch = createMessageBatch("enbro-webhook-deliveries", [{ id: "m1", timestamp: new Date(), attempts: 1, body: message }]);
    const ctx = createExecutionContext();
    // hooks.enbro-partner.com does not resolve here: no HTTP answer.
    await worker.queue(batch, { ...env, WEBHOOK_DELIVERIES: deliveries.queue });
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["m1"], retryMessages: [] });
    expect(deliveries.sent).toEqual([{ body: { ...message, attempt: 2 }, delaySeconds: WEBHOOK_RETRY_DELAYS_S[0] }]);

    const log = await json(await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token }));
    expect(log).toEqual([{ id: expect.any(Number), event_id: event.id, attempt: 1, status: null, succeeded: false, at: expect.stringMatching(ISO_TIMESTAMP) }]);
  });

  it("that fails on the last attempt is logged and given up: nothing more is queued", async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    const deliveries = recordingQueue<DeliveryMessage>(env.WEBHOOK_DELIVERIES);
    const batch = createMessageBatch("enbro-webhook-deliveries", [
      {
        id: "last",
        timestamp: new Date(),
        attempts: 1,
        body: { endpoint_id: endpoint.id, event_id: event.id, attempt: WEBHOOK_MAX_ATTEMPTS, shard: org.shard },
      },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, WEBHOOK_DELIVERIES: deliveries.queue });
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["last"] });
    expect(deliveries.sent).toEqual([]);
    const log = await json(await call("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, { token: org.token }));
    expect(log).toEqual([
      { id: expect.any(Number), event_id: event.id, attempt: WEBHOOK_MAX_ATTEMPTS, status: null, succeeded: false, at: expect.stringMatching(ISO_TIMESTAMP) },
    ]);
  });

  it("is retried on a schedule of at least 8 attempts over at least 24 h, the first retry within 30 s, each delay within Queues' 12 h", () => {
    expect(WEBHOOK_MAX_ATTEMPTS).toBeGreaterThanOrEqual(8);
    expect(WEBHOOK_RETRY_DELAYS_S).toHaveLength(WEBHOOK_MAX_ATTEMPTS - 1);
    expect(WEBHOOK_RETRY_DELAYS_S[0]).toBeLessThanOrEqual(30);
    expect(WEBHOOK_RETRY_DELAYS_S.reduce((sum, delay) => sum + delay, 0)).toBeGreaterThanOrEqual(24 * 3600);
    for (const [i, delay] of WEBHOOK_RETRY_DELAYS_S.entries()) {
      expect(delay).toBeLessThanOrEqual(12 * 3600);
      if (i > 0) expect(delay).toBeGreaterThan(WEBHOOK_RETRY_DELAYS_S[i - 1]!);
    }
  });

  it("to a deleted endpoint sends nothing, logs nothing, and is acknowledged", async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    await call("DELETE", `/api/v1/webhook_endpoints/${endpoint.id}`, { token: org.token });

    const deliveries = recordingQueue<DeliveryMessage>(env.WEBHOOK_DELIVERIES);
    const batch = createMessageBatch("enbro-webhook-deliveries", [
      { id: "m2", timestamp: new Date(), attempts: 1, body: { endpoint_id: endpoint.id, event_id: event.id, attempt: 3, shard: org.shard } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, WEBHOOK_DELIVERIES: deliveries.queue });
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["m2"] });
    expect(deliveries.sent).toEqual([]);
    expect(await countRows("webhook_deliveries", "endpoint_id = ?", endpoint.id)).toBe(0);
  });
});

describe("fairness between organisations", () => {
  const inFlight = async (organisationId: number) =>
    (await firstRow<{ n: number }>("select webhook_in_flight as n from organisations where id = ?", organisationId))!.n;
  const deliver = async (messages: DeliveryMessage[], extra: Partial<typeof env> = {}) => {
    const batch = createMessageBatch(
      "enbro-webhook-deliveries",
      messages.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, { ...env, ...extra });
    return getQueueResult(batch, ctx);
  };

  /** An organisation with 16 endpoints for every event and a bulk of 100 EANs: 101 events, 1,616 deliveries to make. */
  async function floodingOrganisation() {
    const org = await createOrganisation();
    for (let i = 0; i < MAX_WEBHOOK_ENDPOINTS; i++) await createEndpoint(org);
    // Its "new events" messages are held: the local queue's own dispatcher must not hand slots out beside the test's.
    const held = { WEBHOOK_DISPATCH: heldQueue<DispatchMessage>().queue };
    const created = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), env: held });
    expect(created.status).toBe(201);
    const customer = await json(created);
    const bulk = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: Array.from({ length: 100 }, () => ({ ean: eanFields() })) },
      env: held,
    });
    expect(bulk.status).toBe(201);
    return org;
  }

  it(`a flood holds at most ${WEBHOOK_IN_FLIGHT_PER_ORGANISATION} messages of the shared queue: another organisation's delivery is queued behind no more than that`, async () => {
    const flooding = await floodingOrganisation();
    const quiet = await createOrganisation();
    await createEndpoint(quiet);
    await createCustomer(quiet);

    const deliveries = heldQueue<DeliveryMessage>();
    const withRecording = { ...env, WEBHOOK_DELIVERIES: deliveries.queue };
    await dispatchEvents(await databaseOf(flooding), withRecording, flooding.id);
    await dispatchEvents(await databaseOf(flooding), withRecording, flooding.id);
    await dispatchEvents(await databaseOf(quiet), withRecording, quiet.id);

    const order = deliveries.sent.map((m) => m.body.organisation_id);
    expect(order.filter((id) => id === flooding.id)).toHaveLength(WEBHOOK_IN_FLIGHT_PER_ORGANISATION);
    // The measured bound: the quiet organisation's delivery has exactly the flood's budget before it, not 1,616.
    expect(order.indexOf(quiet.id)).toBe(WEBHOOK_IN_FLIGHT_PER_ORGANISATION);
    expect(await inFlight(flooding.id)).toBe(WEBHOOK_IN_FLIGHT_PER_ORGANISATION);
    expect(await inFlight(quiet.id)).toBe(1);
  }, 30_000);

  it("a finished delivery gives its slot back; at half the room free the dispatcher is asked for more, and hands over exactly the room", async () => {
    const flooding = await floodingOrganisation();
    const deliveries = heldQueue<DeliveryMessage>();
    const db = await databaseOf(flooding);
    await dispatchEvents(db, { ...env, WEBHOOK_DELIVERIES: deliveries.queue }, flooding.id);
    const handed = deliveries.sent.map((m) => m.body);
    // One last attempt per endpoint (nothing answers here: each fails and is given up, finished).
    const lastAttempts = [...new Map(handed.map((m) => [m.endpoint_id, { ...m, attempt: WEBHOOK_MAX_ATTEMPTS }])).values()];
    expect(lastAttempts).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
    const dispatch = heldQueue<DispatchMessage>();
    for (const message of lastAttempts) await deliver([message], { WEBHOOK_DISPATCH: dispatch.queue });
    expect(await inFlight(flooding.id)).toBe(WEBHOOK_IN_FLIGHT_PER_ORGANISATION - MAX_WEBHOOK_ENDPOINTS);
    expect(dispatch.sent.map((m) => m.body)).toContainEqual({ organisation_id: flooding.id, shard: flooding.shard });

    const more = heldQueue<DeliveryMessage>();
    await dispatchEvents(db, { ...env, WEBHOOK_DELIVERIES: more.queue }, flooding.id);
    expect(more.sent).toHaveLength(MAX_WEBHOOK_ENDPOINTS);
    expect(await inFlight(flooding.id)).toBe(WEBHOOK_IN_FLIGHT_PER_ORGANISATION);
    // Nothing handed twice.
    const pairs = [...handed, ...more.sent.map((m) => m.body)].map((m) => `${m.endpoint_id}:${m.event_id}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  }, 60_000);

  it("a failing endpoint is probed by one delivery at a time; the others wait for its retry time without an attempt or a fetch", async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    for (let i = 0; i < 5; i++) await createCustomer(org);
    const feed = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data as Array<{ id: number }>;
    const messages = feed.map((event) => ({ endpoint_id: endpoint.id, event_id: event.id, attempt: 1, organisation_id: org.id, shard: org.shard }));
    const attempts = async () => await countRows("webhook_deliveries", "endpoint_id = ?", endpoint.id);

    // Failing, its retry time 10 minutes away: all five wait, none is tried.
    const retryAt = new Date(Date.now() + 600_000).toISOString();
    await runOnShards("update webhook_endpoints set failures = 3, retry_at = ? where id = ?", retryAt, endpoint.id);
    const waiting = heldQueue<DeliveryMessage>();
    await deliver(messages, { WEBHOOK_DELIVERIES: waiting.queue });
    expect(await attempts()).toBe(0);
    expect(waiting.sent.map((m) => m.body)).toEqual(messages);
    for (const { delaySeconds } of waiting.sent) expect(delaySeconds).toBeGreaterThanOrEqual(595);

    // Its retry time past: one of the five probes it (and fails: nothing answers here), the other four wait again.
    await runOnShards("update webhook_endpoints set retry_at = ? where id = ?", new Date(Date.now() - 1000).toISOString(), endpoint.id);
    const probing = heldQueue<DeliveryMessage>();
    await deliver(messages, { WEBHOOK_DELIVERIES: probing.queue });
    expect(await attempts()).toBe(1);
    expect(probing.sent.filter((m) => m.body.attempt === 2)).toHaveLength(1);
    expect(probing.sent.filter((m) => m.body.attempt === 1)).toHaveLength(4);
    const after = await firstRow<{ failures: number; retry_at: string }>("select failures, retry_at from webhook_endpoints where id = ?", endpoint.id);
    expect(after!.failures).toBe(4);
    // The 4th failure in a row backs off by the 4th delay of the schedule.
    expect(Date.parse(after!.retry_at) - Date.now()).toBeGreaterThan((WEBHOOK_RETRY_DELAYS_S[3] - 60) * 1000);
  });

  it(`a delivery still waiting ${WEBHOOK_GIVE_UP_AFTER_MS / 3_600_000} h after its event is given up, and gives its slot back`, async () => {
    const org = await createOrganisation();
    const endpoint = await createEndpoint(org);
    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    await runOnShards("update events set created_at = ? where id = ?", new Date(Date.now() - WEBHOOK_GIVE_UP_AFTER_MS - 60_000).toISOString(), event.id);
    await runOnShards("update organisations set webhook_in_flight = 1 where id = ?", org.id);
    const deliveries = heldQueue<DeliveryMessage>();
    const result = await deliver([{ endpoint_id: endpoint.id, event_id: event.id, attempt: 2, organisation_id: org.id, shard: org.shard }], {
      WEBHOOK_DELIVERIES: deliveries.queue,
    });
    expect(result).toMatchObject({ explicitAcks: ["m0"] });
    expect(deliveries.sent).toEqual([]);
    expect(await inFlight(org.id)).toBe(0);
  });
});
