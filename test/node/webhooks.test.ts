/**
 * Webhooks end to end, under a real `wrangler dev` (its local Queues producer
 * and consumers) with a real HTTP receiver on this machine: delivery within
 * 10 s, signatures checked with the `standardwebhooks` package, a retry with
 * the same webhook-id, nothing for a deleted endpoint, 50 changes → 50 events
 * → 50 deliveries. WEBHOOKS_ALLOW_LOCAL_URLS lets the receiver be local.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a JavaScript module of the scripts folder
import { startLoadtestServer } from "../../scripts/loadtest-server.mjs";

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let server: { baseUrl: string; adminToken: string; stop: () => Promise<void> };
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Statuses to answer on a path, in turn; then 200. */
const scripted = new Map<string, number[]>();

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      received.push({ path, headers: request.headers, body, at: Date.now() });
      // A redirect the sender must not follow.
      if (path === "/moved") return void response.writeHead(307, { Location: `${receiverUrl}/followed` }).end();
      response.writeHead(scripted.get(path)?.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  server = await startLoadtestServer("webhooks-test", { vars: { WEBHOOKS_ALLOW_LOCAL_URLS: "true" } });
});

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : null };
}

let unique = 0;
async function newOrganisation(): Promise<string> {
  const created = await api("POST", "/admin/v1/organisations", server.adminToken, { name: `Webhooks ${++unique}` });
  expect(created.status).toBe(201);
  return created.body.token.token;
}

async function newCustomer(token: string): Promise<number> {
  const created = await api("POST", "/api/v1/customers", token, {
    customer: {
      email: `webhooks-${Date.now()}-${++unique}@example.com`,
      terms_and_conditions: true,
      privacy_policy: true,
      profile: {
        first_name: "Danny",
        last_name: "Ocean",
        title: "mr",
        phone: "+3256980144",
        birth_date: "2000-04-07",
        city: "Gent",
        street: "Veldstraat",
        building: "1",
        postal_code: "9000",
      },
    },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function newEndpoint(token: string, path: string, events: string[]) {
  const created = await api("POST", "/api/v1/webhook_endpoints", token, { webhook_endpoint: { url: `${receiverUrl}${path}`, events } });
  expect(created.status).toBe(201);
  return created.body as { id: number; secret: string };
}

const at = (path: string) => received.filter((r) => r.path === path);

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("webhooks under wrangler dev", () => {
  it("delivers the event as the feed renders it, within 10 s, signed for standardwebhooks", async () => {
    const token = await newOrganisation();
    const endpoint = await newEndpoint(token, "/signed", ["customer.created"]);
    const changedAt = Date.now();
    const customerId = await newCustomer(token);
    await waitFor(() => at("/signed").length === 1, 10_000);
    const [delivery] = at("/signed");
    expect(delivery!.at - changedAt).toBeLessThan(10_000);
    expect(delivery!.headers["content-type"]).toBe("application/json");

    const feed = await api("GET", "/api/v1/events?type=customer.created", token);
    const event = feed.body.data[0];
    expect(event.data.object.id).toBe(customerId);
    expect(delivery!.headers["webhook-id"]).toBe(String(event.id));
    expect(delivery!.body).toBe(JSON.stringify(event));
    expect(delivery!.body).toBe((await api("GET", `/api/v1/events/${event.id}`, token)).text);

    const verified = new Webhook(endpoint.secret).verify(delivery!.body, delivery!.headers as Record<string, string>);
    expect(verified).toEqual(event);
    // Signed with that endpoint's secret, not any other.
    const stranger = new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`);
    expect(() => stranger.verify(delivery!.body, delivery!.headers as Record<string, string>)).toThrow();
  });

  it("retries a failed delivery with the same webhook-id, and logs both attempts", async () => {
    const token = await newOrganisation();
    scripted.set("/flaky", [500]);
    const endpoint = await newEndpoint(token, "/flaky", ["customer.created"]);
    await newCustomer(token);
    await waitFor(() => at("/flaky").length === 2, 45_000);
    const [first, second] = at("/flaky");
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(second!.body).toBe(first!.body);
    expect(second!.at - first!.at).toBeLessThan(30_000);
    new Webhook(endpoint.secret).verify(second!.body, second!.headers as Record<string, string>);

    // The attempt is logged once the receiver has answered.
    let log = await api("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, token);
    for (let tries = 0; log.body.length < 2 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await api("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, token);
    }
    const eventId = Number(first!.headers["webhook-id"]);
    expect(log.body).toEqual([
      { id: expect.any(Number), event_id: eventId, attempt: 2, status: 200, succeeded: true, at: expect.any(String) },
      { id: expect.any(Number), event_id: eventId, attempt: 1, status: 500, succeeded: false, at: expect.any(String) },
    ]);
  });

  it("does not follow a redirect: the attempt fails, its 307 logged", async () => {
    const token = await newOrganisation();
    const endpoint = await newEndpoint(token, "/moved", ["customer.created"]);
    await newCustomer(token);
    await waitFor(() => at("/moved").length === 1, 10_000);
    let log = await api("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, token);
    for (let tries = 0; log.body.length < 1 && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await api("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, token);
    }
    expect(log.body).toEqual([
      { id: expect.any(Number), event_id: Number(at("/moved")[0]!.headers["webhook-id"]), attempt: 1, status: 307, succeeded: false, at: expect.any(String) },
    ]);
    expect(at("/followed")).toEqual([]);
  });

  it("a retry after the customer's erasure carries the erased event (ids only), not the personal data", async () => {
    const token = await newOrganisation();
    scripted.set("/erasure", [500]);
    await newEndpoint(token, "/erasure", ["customer.created"]);
    const customerId = await newCustomer(token);
    await waitFor(() => at("/erasure").length === 1, 10_000);
    expect(JSON.parse(at("/erasure")[0]!.body).data.object.email).toContain("@example.com");
    expect((await api("DELETE", `/api/v1/customers/${customerId}`, token)).status).toBe(204);
    await waitFor(() => at("/erasure").length === 2, 45_000);
    const [first, retry] = at("/erasure");
    expect(retry!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(JSON.parse(retry!.body).data).toEqual({ object: { id: customerId } });
  });

  it("sends nothing more to a deleted endpoint", async () => {
    const token = await newOrganisation();
    const gone = await newEndpoint(token, "/gone", ["*"]);
    await newEndpoint(token, "/kept", ["*"]);
    expect((await api("DELETE", `/api/v1/webhook_endpoints/${gone.id}`, token)).status).toBe(204);
    await newCustomer(token);
    await waitFor(() => at("/kept").length === 1, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(at("/gone")).toEqual([]);
  });

  it('50 changes → 50 events in the feed → 50 deliveries to ["*"], none twice', async () => {
    const token = await newOrganisation();
    await newEndpoint(token, "/all", ["*"]);
    const customerId = await newCustomer(token);
    for (let i = 1; i < 50; i++) {
      expect((await api("PATCH", `/api/v1/customers/${customerId}`, token, { customer: { profile: { city: `Gent ${i}` } } })).status).toBe(200);
    }
    const feed = await api("GET", "/api/v1/events?limit=100", token);
    const ids = feed.body.data.map((e: { id: number }) => String(e.id));
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
    await waitFor(() => at("/all").length >= 50, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const delivered = at("/all").map((r) => r.headers["webhook-id"]);
    expect(delivered).toHaveLength(50);
    expect(new Set(delivered)).toEqual(new Set(ids));
  });

  it("rotation: for 24 h a delivery verifies with the old secret and with the new one", async () => {
    const token = await newOrganisation();
    const endpoint = await newEndpoint(token, "/rotating", ["customer.created"]);
    const rotated = await api("POST", `/api/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, token);
    expect(rotated.status).toBe(200);
    await newCustomer(token);
    await waitFor(() => at("/rotating").length === 1, 10_000);
    const [delivery] = at("/rotating");
    const headers = delivery!.headers as Record<string, string>;
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    const event = new Webhook(rotated.body.secret).verify(delivery!.body, headers);
    expect(new Webhook(endpoint.secret).verify(delivery!.body, headers)).toEqual(event);
  });

  it("test: a signed ping now, its outcome answered; retry: the event again with the same webhook-id, logged as the next attempt", async () => {
    const token = await newOrganisation();
    const endpoint = await newEndpoint(token, "/operated", ["customer.created"]);
    const ping = await api("POST", `/api/v1/webhook_endpoints/${endpoint.id}/test`, token);
    expect(ping.body).toEqual({ webhook_id: expect.stringMatching(/^ping_/), status: 200, succeeded: true });
    const [received] = at("/operated");
    expect(received!.headers["webhook-id"]).toBe(ping.body.webhook_id);
    expect(new Webhook(endpoint.secret).verify(received!.body, received!.headers as Record<string, string>)).toMatchObject({
      type: "ping",
      data: { object: { webhook_endpoint_id: endpoint.id } },
    });

    await newCustomer(token);
    await waitFor(() => at("/operated").length === 2, 10_000);
    // The attempt is logged right after the receiver answered it.
    let log: Array<{ id: number; event_id: number; attempt: number }> = [];
    for (let i = 0; i < 50 && log.length === 0; i++) {
      log = (await api("GET", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries`, token)).body;
      if (log.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const retried = await api("POST", `/api/v1/webhook_endpoints/${endpoint.id}/deliveries/${log[0]!.id}/retry`, token);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ event_id: log[0]!.event_id, attempt: 2, status: 200, succeeded: true });
    const sent = at("/operated").slice(1);
    expect(sent.map((r) => r.headers["webhook-id"])).toEqual([String(log[0]!.event_id), String(log[0]!.event_id)]);
    expect(sent[1]!.body).toBe(sent[0]!.body);
  });

  it("paused: nothing is sent; resumed: every missed event arrives, once", async () => {
    const token = await newOrganisation();
    const endpoint = await newEndpoint(token, "/paused", ["customer.created"]);
    expect((await api("PATCH", `/api/v1/webhook_endpoints/${endpoint.id}`, token, { webhook_endpoint: { enabled: false } })).body.enabled).toBe(false);
    for (let i = 0; i < 3; i++) await newCustomer(token);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(at("/paused")).toEqual([]);
    expect((await api("PATCH", `/api/v1/webhook_endpoints/${endpoint.id}`, token, { webhook_endpoint: { enabled: true } })).body.enabled).toBe(true);
    await waitFor(() => at("/paused").length >= 3, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const feed = (await api("GET", "/api/v1/events?type=customer.created", token)).body.data.map((e: { id: number }) => String(e.id));
    expect(
      at("/paused")
        .map((r) => r.headers["webhook-id"])
        .sort(),
    ).toEqual(feed.sort());
  });
});
