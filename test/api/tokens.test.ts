/**
 * API keys, self-service (`/api/v1/tokens`) and the operator's view: the
 * secret shown once with its prefix, the list, the body rules and bounds,
 * the cap under races, expiry, revocation (never the last write key, also
 * under races), `last_used_at` through the usage queue, and the scope a
 * key carries across a move. The read/write matrix over every route is in
 * test/api/authentication.test.ts.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_LIFETIME_DAYS, MAX_TOKEN_NAME_LENGTH, MAX_TOKENS_PER_ORGANISATION, TOKEN_USAGE_INTERVAL_MS } from "../../src/domain/limits";
import type { MoveMessage, TokenUsageMessage } from "../../src/env";
import worker from "../../src/index";
import { sha256Hex, tokenKvKey } from "../../src/lib/tokens";
import { forgetCachedToken, forgetReportedUses } from "../../src/middleware/auth";
import { runMoveStep } from "../../src/moves/move-organisation";
import { ADMIN_TOKEN, call, callWithCost, createCustomer, createOrganisation, ISO_TIMESTAMP, json, type TestOrganisation } from "../helpers";

const DAY_MS = 86_400_000;

async function createKey(org: TestOrganisation, token: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("POST", "/api/v1/tokens", { token: org.token, body: { token }, headers });
}

async function newKey(org: TestOrganisation, scope: "read" | "write" = "write", extra: Record<string, unknown> = {}) {
  const response = await createKey(org, { name: `${scope} key`, scope, ...extra });
  expect(response.status).toBe(201);
  return json<{ id: number; token: string; scope: string; last_four: string; expires_at: string | null }>(response);
}

const listKeys = async (org: TestOrganisation, token = org.token) => json<Array<Record<string, unknown>>>(await call("GET", "/api/v1/tokens", { token }));

describe("POST /api/v1/tokens", () => {
  it("answers the secret once, with its prefix; the list shows the key without it, and the key works", async () => {
    const org = await createOrganisation();
    const expiresAt = new Date(Date.now() + 30 * DAY_MS).toISOString();
    const response = await createKey(org, { name: "  CRM sync  ", scope: "read", expires_at: expiresAt });
    expect(response.status).toBe(201);
    const created = await json(response);
    expect(created).toEqual({
      id: expect.any(Number),
      name: "CRM sync",
      scope: "read",
      last_four: created.token.slice(-4),
      created_at: expect.stringMatching(ISO_TIMESTAMP),
      expires_at: expiresAt,
      last_used_at: null,
      token: expect.stringMatching(/^enbro_[0-9a-f]{64}$/),
    });
    const { token, ...listed } = created;
    const keys = await listKeys(org);
    expect(keys.map((key) => key.id)).toEqual([org.tokenId, created.id]);
    expect(keys[1]).toEqual(listed);
    expect(JSON.stringify(keys)).not.toContain(token);
    // The first key (the operator's) is an unnamed write key.
    expect(keys[0]).toMatchObject({ name: "", scope: "write", last_four: org.token.slice(-4), expires_at: null });
    // Stored as its hash only; KV holds the scope and the expiry.
    const hash = await sha256Hex(token);
    expect(await env.DIRECTORY.prepare("select count(*) as n from tokens where hash = ?").bind(hash).first()).toEqual({ n: 1 });
    expect(await env.TOKENS.get(tokenKvKey(hash), "json")).toEqual({
      organisation_id: org.id,
      token_id: created.id,
      shard: org.shard,
      scope: "read",
      expires_at: expiresAt,
    });
    const me = await call("GET", "/api/v1/me", { token });
    expect(me.status).toBe(200);
    expect((await json(me)).id).toBe(org.id);
  });

  it("reads an offset as the instant it names", async () => {
    const org = await createOrganisation();
    const later = new Date(Date.now() + 10 * DAY_MS);
    later.setUTCMilliseconds(0);
    const local = `${later
      .toISOString()
      .slice(0, 19)
      .replace(/T(\d\d)/, (_, h) => `T${String((Number(h) + 2) % 24).padStart(2, "0")}`)}+02:00`;
    const created = await newKey(org, "read", { expires_at: local });
    expect(Date.parse(created.expires_at!)).toBe(Date.parse(local));
    expect(created.expires_at).toMatch(ISO_TIMESTAMP);
  });

  it.each([
    [{}, [["token", "is_missing"]]],
    [
      { token: {} },
      [
        ["token.name", "is_missing"],
        ["token.scope", "is_missing"],
      ],
    ],
    [
      { token: { name: " ", scope: "admin" } },
      [
        ["token.name", "must_be_filled"],
        ["token.scope", "must_be_one_of"],
      ],
    ],
    [{ token: { name: "x".repeat(MAX_TOKEN_NAME_LENGTH + 1), scope: "read" } }, [["token.name", "size_cannot_be_greater_than"]]],
    [{ token: { name: "k", scope: "read", expires_at: "tomorrow" } }, [["token.expires_at", "must_be_a_date_time"]]],
    [{ token: { name: "k", scope: "read", expires_at: "2030-01-01" } }, [["token.expires_at", "must_be_a_date_time"]]],
    [{ token: { name: "k", scope: "read", expires_at: 1893456000 } }, [["token.expires_at", "must_be_a_date_time"]]],
    [{ token: { name: "k", scope: "read", expires_at: "2020-01-01T00:00:00Z" } }, [["token.expires_at", "must_be_in_the_future"]]],
  ])("422 for %j", async (body, expected) => {
    const org = await createOrganisation();
    const response = await call("POST", "/api/v1/tokens", { token: org.token, body });
    expect(response.status).toBe(422);
    const { errors } = await json(response);
    expect(errors.map((e: { path: string; error: string }) => [e.path, e.error])).toEqual(expected);
    expect(await listKeys(org)).toHaveLength(1);
  });

  it(`takes an expiry up to ${MAX_TOKEN_LIFETIME_DAYS} days ahead, not one day more`, async () => {
    const org = await createOrganisation();
    await newKey(org, "read", { expires_at: new Date(Date.now() + (MAX_TOKEN_LIFETIME_DAYS - 1) * DAY_MS).toISOString() });
    const response = await createKey(org, {
      name: "k",
      scope: "read",
      expires_at: new Date(Date.now() + (MAX_TOKEN_LIFETIME_DAYS + 1) * DAY_MS).toISOString(),
    });
    expect(response.status).toBe(422);
    expect((await json(response)).errors).toEqual([
      { path: "token.expires_at", error: "must_be_within_days", message: `must be within ${MAX_TOKEN_LIFETIME_DAYS} days from now`, type: "params" },
    ]);
  });

  it(`holds at most ${MAX_TOKENS_PER_ORGANISATION} live keys, under concurrent creates and dry runs; a revoked key frees its place`, async () => {
    const org = await createOrganisation();
    for (let i = 1; i < MAX_TOKENS_PER_ORGANISATION - 5; i++) await newKey(org, "read");
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call("POST", `/api/v1/tokens${i % 3 === 0 ? "?dry_run=true" : ""}`, { token: org.token, body: { token: { name: `race ${i}`, scope: "read" } } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    const real = statuses.filter((_, i) => i % 3 !== 0);
    expect(real.filter((s) => s === 201)).toHaveLength(5);
    expect(real.filter((s) => s === 422)).toHaveLength(3);
    // A dry run says what a write would have met at its moment: room (200) or the cap (422); never a write.
    for (const status of statuses.filter((_, i) => i % 3 === 0)) expect([200, 422]).toContain(status);
    const keys = await listKeys(org);
    expect(keys).toHaveLength(MAX_TOKENS_PER_ORGANISATION);
    const full = await createKey(org, { name: "one more", scope: "read" });
    expect(full.status).toBe(422);
    expect((await json(full)).errors).toEqual([
      { path: "token", error: "size_cannot_be_greater_than", message: `size cannot be greater than ${MAX_TOKENS_PER_ORGANISATION}`, type: "params" },
    ]);
    const dry = await call("POST", "/api/v1/tokens?dry_run=true", { token: org.token, body: { token: { name: "dry", scope: "read" } } });
    expect(dry.status).toBe(422);
    expect((await call("DELETE", `/api/v1/tokens/${keys.at(-1)!.id}`, { token: org.token })).status).toBe(204);
    expect((await createKey(org, { name: "again", scope: "read" })).status).toBe(201);
  });

  it("a dry run writes nothing, KV included", async () => {
    const org = await createOrganisation();
    const kvBefore = (await env.TOKENS.list()).keys.length;
    const response = await call("POST", "/api/v1/tokens?dry_run=true", { token: org.token, body: { token: { name: "dry", scope: "write" } } });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ valid: true });
    expect(await listKeys(org)).toHaveLength(1);
    expect((await env.TOKENS.list()).keys.length).toBe(kvBefore);
  });
});

describe("expiry", () => {
  it("an expired key is refused as an unknown one, from the isolate's cache too", async () => {
    const org = await createOrganisation();
    const key = await newKey(org, "write", { expires_at: new Date(Date.now() + 1500).toISOString() });
    expect((await call("GET", "/api/v1/me", { token: key.token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const refused = await call("GET", "/api/v1/me", { token: key.token });
    expect(refused.status).toBe(401);
    expect(await json(refused)).toEqual(await json(await call("GET", "/api/v1/me", { token: "enbro_unknown" })));
    // Still listed (until deleted), with its expiry.
    expect((await listKeys(org)).find((k) => k.id === key.id)).toMatchObject({ expires_at: key.expires_at });
  });
});

describe("DELETE /api/v1/tokens/:id", () => {
  it("revokes the key at once in this isolate and in KV; it leaves the list; a second delete is 404", async () => {
    const org = await createOrganisation();
    const key = await newKey(org, "write");
    expect((await call("GET", "/api/v1/me", { token: key.token })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/tokens/${key.id}`, { token: org.token })).status).toBe(204);
    expect((await call("GET", "/api/v1/me", { token: key.token })).status).toBe(401);
    expect(await env.TOKENS.get(tokenKvKey(await sha256Hex(key.token)))).toBeNull();
    expect((await listKeys(org)).map((k) => k.id)).toEqual([org.tokenId]);
    const again = await call("DELETE", `/api/v1/tokens/${key.id}`, { token: org.token });
    expect(again.status).toBe(404);
    expect(await again.text()).toBe('"Not found"');
  });

  it("a key may revoke itself while another write key works", async () => {
    const org = await createOrganisation();
    const key = await newKey(org, "write");
    expect((await call("DELETE", `/api/v1/tokens/${key.id}`, { token: key.token })).status).toBe(204);
    expect((await call("GET", "/api/v1/me", { token: key.token })).status).toBe(401);
  });

  it("the last working write key cannot be revoked (read and expired keys do not count); the operator can", async () => {
    const org = await createOrganisation();
    await newKey(org, "read");
    const soon = await newKey(org, "write", { expires_at: new Date(Date.now() + 1000).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await call("DELETE", `/api/v1/tokens/${org.tokenId}`, { token: org.token });
    expect(refused.status).toBe(422);
    expect(await json(refused)).toEqual({
      errors: [{ path: "token", error: "is_the_last_write_key", message: "is the organisation's last write key", type: "params" }],
    });
    expect((await call("GET", "/api/v1/me", { token: org.token })).status).toBe(200);
    // The expired write key itself can be removed.
    expect((await call("DELETE", `/api/v1/tokens/${soon.id}`, { token: org.token })).status).toBe(204);
    expect((await call("DELETE", `/admin/v1/tokens/${org.tokenId}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect((await call("GET", "/api/v1/me", { token: org.token })).status).toBe(401);
  });

  it("two write keys revoking each other at once: one succeeds, one is refused, one key still works", async () => {
    const org = await createOrganisation();
    const other = await newKey(org, "write");
    // The first key revokes itself away from the race: two write keys, each deleting the other.
    const third = await newKey(org, "write");
    expect((await call("DELETE", `/api/v1/tokens/${org.tokenId}`, { token: third.token })).status).toBe(204);
    const [a, b] = await Promise.all([
      call("DELETE", `/api/v1/tokens/${third.id}`, { token: other.token }),
      call("DELETE", `/api/v1/tokens/${other.id}`, { token: third.token }),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 422]);
    // The refused request's key is the one revoked by the other.
    const survivor = a.status === 422 ? third : other;
    const keys = await listKeys(org, survivor.token);
    expect(keys.map((k) => k.id)).toEqual([survivor.id]);
    expect((await call("GET", "/api/v1/me", { token: survivor.token })).status).toBe(200);
  });

  it("empties the stored answer that held the secret: a retry of its creation replays nothing", async () => {
    const org = await createOrganisation();
    const headers = { "Idempotency-Key": `key-${crypto.randomUUID()}` };
    const first = await createKey(org, { name: "once", scope: "write" }, headers);
    const { id, token } = await json(first);
    const replay = await createKey(org, { name: "once", scope: "write" }, headers);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await json(replay)).token).toBe(token);
    expect((await call("DELETE", `/api/v1/tokens/${id}`, { token: org.token })).status).toBe(204);
    const after = await createKey(org, { name: "once", scope: "write" }, headers);
    expect(after.status).toBe(404);
    expect(await after.text()).not.toContain(token);
  });
});

describe("last_used_at", () => {
  /** The real usage queue, with what is sent through it recorded. */
  function recordingUsage() {
    const sent: TokenUsageMessage[] = [];
    const queue = {
      send: async (body: TokenUsageMessage) => {
        sent.push(body);
      },
    } as unknown as Queue<TokenUsageMessage>;
    return { queue, sent };
  }

  it("one usage message per key and minute from an isolate, and no D1 round trip more", async () => {
    const org = await createOrganisation();
    const usage = recordingUsage();
    forgetReportedUses();
    const first = await callWithCost("GET", "/api/v1/me", { token: org.token, env: { TOKEN_USAGE: usage.queue } });
    const second = await callWithCost("GET", "/api/v1/me", { token: org.token, env: { TOKEN_USAGE: usage.queue } });
    expect(first.response.status).toBe(200);
    expect(usage.sent).toEqual([{ token_id: org.tokenId, at: expect.stringMatching(ISO_TIMESTAMP) }]);
    // The report costs the request no D1 round trip: the same as the one without it.
    expect(first.cost.roundTrips).toBe(1);
    expect(second.cost.roundTrips).toBe(1);
  });

  it("the consumer writes the latest use of each key, at most once a minute", async () => {
    const org = await createOrganisation();
    const other = await newKey(org, "read");
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    const consume = async (messages: TokenUsageMessage[]) => {
      const batch = createMessageBatch(
        "enbro-token-usage",
        messages.map((body, i) => ({ id: `u${i}`, timestamp: new Date(), attempts: 1, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env);
      expect(await getQueueResult(batch, ctx)).toMatchObject({ ackAll: true });
    };
    await consume([
      { token_id: org.tokenId, at: at(0) },
      { token_id: org.tokenId, at: at(1000) },
      { token_id: other.id, at: at(500) },
    ]);
    const used = async () => Object.fromEntries((await listKeys(org)).map((k) => [k.id, k.last_used_at]));
    expect(await used()).toEqual({ [org.tokenId]: at(1000), [other.id]: at(500) });
    // Within the minute: not written again; after it: written.
    await consume([{ token_id: org.tokenId, at: at(1000 + TOKEN_USAGE_INTERVAL_MS - 1) }]);
    expect((await used())[org.tokenId]).toBe(at(1000));
    await consume([{ token_id: org.tokenId, at: at(1000 + TOKEN_USAGE_INTERVAL_MS) }]);
    expect((await used())[org.tokenId]).toBe(at(1000 + TOKEN_USAGE_INTERVAL_MS));
  });
});

describe("operator", () => {
  it("lists an organisation's keys; unknown organisation 404", async () => {
    const org = await createOrganisation();
    const key = await newKey(org, "read");
    const response = await call("GET", `/admin/v1/organisations/${org.id}/tokens`, { token: ADMIN_TOKEN });
    expect(response.status).toBe(200);
    const keys = await json(response);
    expect(keys).toEqual(await listKeys(org));
    expect(keys.map((k: { id: number }) => k.id)).toEqual([org.tokenId, key.id]);
    expect((await call("GET", "/admin/v1/organisations/987654321/tokens", { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it("revokes a key the organisation made, and empties its stored answer on the organisation's shard", async () => {
    const org = await createOrganisation();
    const headers = { "Idempotency-Key": `op-${crypto.randomUUID()}` };
    const { id, token } = await json(await createKey(org, { name: "leaked", scope: "write" }, headers));
    expect((await call("DELETE", `/admin/v1/tokens/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    forgetCachedToken();
    expect((await call("GET", "/api/v1/me", { token })).status).toBe(401);
    expect((await createKey(org, { name: "leaked", scope: "write" }, headers)).status).toBe(404);
  });
});

describe("scope across a move", () => {
  it("a read key moved with its organisation still reads and still cannot write", async () => {
    const org = await createOrganisation(undefined, undefined, 0);
    const key = await newKey(org, "read", { expires_at: new Date(Date.now() + DAY_MS).toISOString() });
    await createCustomer(org);
    // The move's steps run here, one by one, up to the flip (the old copy's removal, delayed, is not needed).
    const steps: MoveMessage[] = [];
    const moves = { ...env, ORGANISATION_MOVES: { send: async (body: MoveMessage) => void steps.push(body) } as unknown as Queue<MoveMessage> };
    expect((await call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 1 }, env: moves })).status).toBe(202);
    for (let step = steps.shift(); step && step.kind === "copy"; step = steps.shift()) await runMoveStep(moves, step);
    forgetCachedToken();
    const entry = await env.TOKENS.get<Record<string, unknown>>(tokenKvKey(await sha256Hex(key.token)), "json");
    expect(entry).toMatchObject({ shard: 1, scope: "read", expires_at: key.expires_at });
    expect((await call("GET", "/api/v1/customers", { token: key.token })).status).toBe(200);
    expect((await call("POST", "/api/v1/customers", { token: key.token, body: {} })).status).toBe(403);
  });
});
