/**
 * Failed authentication is throttled per client (an IPv4 address, an IPv6
 * /64): unknown tokens are remembered by the isolate (no KV read for a
 * repeat), and past 120 failures a minute a client's failures get 429 — while
 * a token that verifies, or the right operator secret, always passes, from
 * that client too.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { clientKey, forgetCachedToken } from "../../src/middleware/auth";
import { ADMIN_TOKEN, call, countingTokensKv, createOrganisation, json } from "../helpers";

/** wrangler.toml's limit: 120 failed authentications per 60 s per address. */
const FAILURE_LIMIT = 120;

const tokens = countingTokensKv();

let addressSequence = 0;
/** A fresh client address per test: the limiter's state outlives a test. */
const newAddress = () => `198.51.100.${++addressSequence}`;

function from(address: string, extra: Record<string, unknown> = {}) {
  return { headers: { "CF-Connecting-IP": address }, env: { AUTH_FAILURE_LIMITER: env.TEST_AUTH_FAILURE_LIMITER, TOKENS: tokens.kv, ...extra } };
}

/**
 * The limiter's windows are aligned to the wall clock (60 s): a run of 121
 * requests that crossed a boundary would be counted in two windows. Each test
 * starts with at least 8 s of its window left.
 */
async function freshWindow() {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

beforeEach(async () => {
  tokens.reset();
  forgetCachedToken();
  await freshWindow();
});

describe("failed authentication", () => {
  it("a repeated unknown token costs one KV read per isolate", async () => {
    const address = newAddress();
    for (let i = 0; i < 5; i++) expect((await call("GET", "/api/v1/me", { token: "unknown-token-1", ...from(address) })).status).toBe(401);
    expect(tokens.reads()).toBe(1);
  });

  it(`past ${FAILURE_LIMIT} failures a minute from one address: 429 with Retry-After; a repeated wrong token reads KV once`, async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i <= FAILURE_LIMIT; i++) statuses.push((await call("GET", "/api/v1/me", { token: `wrong-${i}`, ...from(address) })).status);
    expect(statuses.slice(0, FAILURE_LIMIT).every((s) => s === 401)).toBe(true);
    expect(statuses[FAILURE_LIMIT]).toBe(429);
    const throttled = await call("GET", "/api/v1/me", { token: "yet-another-wrong-token", ...from(address) });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await json(throttled)).errors[0].error).toBe("rate_limited");
    const readsBefore = tokens.reads();
    expect((await call("GET", "/api/v1/me", { token: "yet-another-wrong-token", ...from(address) })).status).toBe(429);
    expect(tokens.reads()).toBe(readsBefore);
  });

  it("counts wrong operator secrets too, on /admin/v1; the right secret still passes from that address", async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i <= FAILURE_LIMIT; i++) statuses.push((await call("GET", "/admin/v1/suppliers", { token: `guess-${i}`, ...from(address) })).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(FAILURE_LIMIT);
    expect(statuses[FAILURE_LIMIT]).toBe(429);
    expect((await call("GET", "/admin/v1/suppliers", { token: "guess-more", ...from(address) })).status).toBe(429);
    expect((await call("GET", "/admin/v1/suppliers", { token: ADMIN_TOKEN, ...from(address) })).status).toBe(200);
    expect((await call("GET", "/admin/v1/suppliers", { token: ADMIN_TOKEN, ...from(newAddress()) })).status).toBe(200);
  });

  it("a missing or malformed header is not counted", async () => {
    const address = newAddress();
    for (let i = 0; i <= FAILURE_LIMIT + 5; i++) {
      const headers: Record<string, string> = i % 2 ? {} : { Authorization: "Token nope" };
      const response = await call("GET", "/api/v1/me", { ...from(address), headers: { ...from(address).headers, ...headers } });
      expect(response.status).toBe(401);
    }
    expect(tokens.reads()).toBe(0);
  });

  it("a valid token passes from a throttled address, even one this isolate has never seen (someone behind the same NAT)", async () => {
    const org = await createOrganisation();
    const attacker = newAddress();
    for (let i = 0; i <= FAILURE_LIMIT; i++) await call("GET", "/api/v1/me", { token: `attack-${i}`, ...from(attacker) });
    expect((await call("GET", "/api/v1/me", { token: "attack-more", ...from(attacker) })).status).toBe(429);
    forgetCachedToken();
    expect((await call("GET", "/api/v1/me", { token: org.token, ...from(attacker) })).status).toBe(200);
    expect((await call("GET", "/api/v1/me", { token: org.token, ...from(newAddress()) })).status).toBe(200);
  });

  it("counts an IPv6 client per /64: failures spread over one /64 throttle it, another /64 is not", async () => {
    const block = `2001:db8:${(++addressSequence).toString(16)}:1`;
    for (let i = 0; i <= FAILURE_LIMIT; i++) await call("GET", "/api/v1/me", { token: `v6-${i}`, ...from(`${block}::${(i + 1).toString(16)}`) });
    expect((await call("GET", "/api/v1/me", { token: "v6-more", ...from(`${block}:ffff::1`) })).status).toBe(429);
    expect((await call("GET", "/api/v1/me", { token: "v6-more", ...from(`2001:db8:${addressSequence.toString(16)}:2::1`) })).status).toBe(401);
  });
});

describe("clientKey", () => {
  it("is the IPv4 address, the IPv6 /64 (IPv4-mapped read as IPv4), or unknown", () => {
    expect(clientKey("198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(clientKey("2001:DB8:1:2::9")).toBe("2001:db8:1:2::/64");
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(clientKey(undefined)).toBe("unknown");
    expect(clientKey("not an address")).toBe("unknown");
  });
});
