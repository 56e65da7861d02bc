/**
 * Authentication and tenant isolation, for every route (test/routes.ts): no
 * token, malformed headers, unknown and revoked tokens, tokens of the wrong
 * kind, and another organisation's token on this organisation's ids.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { UNAUTHENTICATED_BODY } from "../../src/domain/errors";
import { sha256Hex, tokenKvKey } from "../../src/lib/tokens";
import { forgetCachedToken, resolveToken } from "../../src/middleware/auth";
import { ADMIN_TOKEN, call, callWithCost, countingTokensKv, countRows, createCustomer, createOrganisation, eanFields, json } from "../helpers";
import { createFixture, type Fixture, ROUTES, type RouteCase, routeName } from "../routes";

const UNAUTHENTICATED = UNAUTHENTICATED_BODY;

async function send(route: RouteCase, f: Fixture, headers: Record<string, string>) {
  return call(route.method, route.path(f), { headers, body: route.body?.(f) });
}

async function expectUnauthenticated(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
  expect(await json(response)).toEqual(UNAUTHENTICATED);
}

/** Live keys, all organisations: a revocation changes it, a new key too. */
const liveKeys = async () => (await env.DIRECTORY.prepare("select count(*) as n from tokens where revoked_at is null").first<{ n: number }>())!.n;

let f: Fixture;
beforeEach(async () => {
  f = await createFixture();
});

const organisationRoutes = ROUTES.filter((r) => r.auth === "organisation");
const adminRoutes = ROUTES.filter((r) => r.auth === "admin");

describe.each(organisationRoutes.map((r) => [routeName(r), r] as const))("%s", (_, route) => {
  it("answers the right organisation", async () => {
    expect((await send(route, f, { Authorization: `Bearer ${f.owner.token}` })).status).toBe(route.ok);
  });

  it.each([
    ["no header", {}],
    ["a header without the Bearer scheme", { Authorization: "wrong_token" }],
    ["an empty bearer", { Authorization: "Bearer " }],
    ["another scheme", { Authorization: "Token abcdef" }],
    ["an unknown token", { Authorization: "Bearer 2453797fc41e0cfa5c7a00f5acfd6915" }],
    ["the operator's token", { Authorization: `Bearer ${ADMIN_TOKEN}` }],
  ])("401 for %s", async (_, headers) => {
    await expectUnauthenticated(await send(route, f, headers));
  });

  it("401 for a revoked token", async () => {
    expect((await call("DELETE", `/admin/v1/tokens/${f.tokenId}`, { token: ADMIN_TOKEN })).status).toBe(204);
    await expectUnauthenticated(await send(route, f, { Authorization: `Bearer ${f.owner.token}` }));
  });

  it("accepts the scheme name in any case", async () => {
    expect((await send(route, f, { Authorization: `bEARER ${f.owner.token}` })).status).toBe(route.ok);
  });

  if (route.method === "GET") {
    it("answers a read key", async () => {
      expect((await send(route, f, { Authorization: `Bearer ${f.readKey.token}` })).status).toBe(route.ok);
    });
  } else {
    it("403 for a read key, naming the scope, and writes nothing (a dry run too)", async () => {
      const stored = async () => [await countRows("eans"), await countRows("customers"), await countRows("events"), await liveKeys()];
      const before = await stored();
      for (const path of [route.path(f), `${route.path(f)}?dry_run=true`]) {
        const response = await call(route.method, path, { headers: { Authorization: `Bearer ${f.readKey.token}` }, body: route.body?.(f) });
        expect(response.status).toBe(403);
        expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="enbro", error="insufficient_scope", scope="write"');
        expect(await json(response)).toEqual({
          errors: [{ path: "request", error: "insufficient_scope", message: "needs a key with the write scope", type: "custom" }],
        });
      }
      expect(await stored()).toEqual(before);
    });
  }

  if (route.ownedId) {
    it('404 "Not found" for another organisation, and writes nothing', async () => {
      const stored = async () => [await countRows("eans"), await countRows("customers")];
      const before = await stored();
      const response = await send(route, f, { Authorization: `Bearer ${f.stranger.token}` });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe('"Not found"');
      expect(await stored()).toEqual(before);
    });

    it("costs what an unknown id costs, however many EANs the customer has (reads: ≤ 2 rows)", async () => {
      const eans = Array.from({ length: 40 }, () => ({ ean: eanFields() }));
      const bulk = await call("POST", `/api/v1/customers/${f.customerId}/eans/bulk`, { token: f.owner.token, body: { eans } });
      expect(bulk.status).toBe(201);
      const { response, cost } = await callWithCost(route.method, route.path(f), { token: f.stranger.token, body: route.body?.(f) });
      expect(response.status).toBe(404);
      // Every id of the path unknown (not only the customer's: some paths hold none).
      const unknown = {
        ...f,
        customerId: 987654321,
        eanId: 987654322,
        eventId: 987654323,
        webhookEndpointId: 987654324,
        tokenId: 987654325,
        readKey: { id: 987654326, token: "" },
        deliveryId: 987654327,
      };
      expect(route.path(unknown)).not.toBe(route.path(f));
      const unknownId = await callWithCost(route.method, route.path(unknown), { token: f.stranger.token, body: route.body?.(f) });
      expect(unknownId.response.status).toBe(404);
      expect(cost.rowsRead).toBe(unknownId.cost.rowsRead);
      // A create claims its keys in the directory before the shard says whose the customer is, and releases
      // them: the same for any id. Nothing of the customer's is written (the test above).
      expect(cost.rowsWritten).toBe(unknownId.cost.rowsWritten);
      if (route.method !== "POST") expect(cost.rowsWritten).toBe(0);
      // Reads touch ≤ 2 rows. A write's INSERT also reads sqlite_sequence (one row per AUTOINCREMENT table)
      // whatever it inserts: a fixed cost, equal for any id, as asserted above.
      if (route.method === "GET") expect(cost.rowsRead).toBeLessThanOrEqual(2);
      // The owner's own call reads the EANs: the bound above is the organisation filter at work.
      const owner = await callWithCost("GET", `/api/v1/customers/${f.customerId}/eans`, { token: f.owner.token });
      expect(owner.cost.rowsRead).toBeGreaterThanOrEqual(40);
    });
  }
});

describe.each(adminRoutes.map((r) => [routeName(r), r] as const))("%s", (_, route) => {
  it("answers the operator", async () => {
    expect((await send(route, f, { Authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(route.ok);
  });

  it.each([
    ["no header", {}],
    ["a wrong secret", { Authorization: `Bearer ${ADMIN_TOKEN}x` }],
    ["a prefix of the secret", { Authorization: `Bearer ${ADMIN_TOKEN.slice(0, 8)}` }],
  ])("401 for %s", async (_, headers) => {
    await expectUnauthenticated(await send(route, f, headers));
  });

  it("401 for an organisation's token", async () => {
    await expectUnauthenticated(await send(route, f, { Authorization: `Bearer ${f.owner.token}` }));
  });

  it("404 when ADMIN_TOKEN is not set", async () => {
    const response = await call(route.method, route.path(f), {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      body: route.body?.(f),
      env: { ADMIN_TOKEN: undefined },
    });
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('"Not found"');
  });
});

describe("GET /api/v1/ping", () => {
  it("needs no token and answers {}", async () => {
    const response = await call("GET", "/api/v1/ping");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("{}");
  });
});

describe("lists never show another organisation's records", () => {
  it("customers", async () => {
    const mine = await createCustomer(f.owner);
    await createCustomer(f.stranger);
    const body = await json(await call("GET", "/api/v1/customers", { token: f.owner.token }));
    expect(body.records.map((r: { id: number }) => r.id)).toEqual([f.customerId, mine.id]);
  });
});

describe("token resolution", () => {
  it("reads KV once for a token the isolate has seen, and the entry holds only the hash's mapping", async () => {
    const org = await createOrganisation();
    const hash = await sha256Hex(org.token);
    const entry = { organisation_id: org.id, token_id: org.tokenId, shard: org.shard, scope: "write", expires_at: null };
    expect(await env.TOKENS.get(tokenKvKey(hash), "json")).toEqual(entry);
    const keys = (await env.TOKENS.list()).keys.map((k) => k.name);
    expect(keys.some((k) => k.includes(org.token))).toBe(false);

    const tokens = countingTokensKv();
    forgetCachedToken();
    expect(await resolveToken(tokens.kv, org.token)).toEqual(entry);
    expect(await resolveToken(tokens.kv, org.token)).toEqual(entry);
    expect(tokens.reads()).toBe(1);
  });

  it("revocation removes the KV entry and stamps the D1 record; revoking twice is harmless, unknown ids are 404", async () => {
    const org = await createOrganisation();
    const hash = await sha256Hex(org.token);
    expect((await call("DELETE", `/admin/v1/tokens/${org.tokenId}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect(await env.TOKENS.get(tokenKvKey(hash))).toBeNull();
    const row = await env.DIRECTORY.prepare("select hash, revoked_at from tokens where id = ?").bind(org.tokenId).first<{ hash: string; revoked_at: string }>();
    expect(row!.hash).toBe(hash);
    expect(row!.revoked_at).toMatch(/^\d{4}-/);
    expect((await call("DELETE", `/admin/v1/tokens/${org.tokenId}`, { token: ADMIN_TOKEN })).status).toBe(204);
    const again = await env.DIRECTORY.prepare("select revoked_at from tokens where id = ?").bind(org.tokenId).first();
    expect(again).toEqual({ revoked_at: row!.revoked_at });
    const unknown = await call("DELETE", "/admin/v1/tokens/999999", { token: ADMIN_TOKEN });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('"Not found"');
  });
});
