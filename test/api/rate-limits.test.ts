/** Rate limits per token through the Workers rate-limiting binding; ping is exempt. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, createOrganisation, json } from "../helpers";

const strict = { RATE_LIMITER: env.TEST_STRICT_RATE_LIMITER }; // 3 requests per minute

describe("rate limits", () => {
  it("answer 429 with Retry-After and an errors body past the limit, per token", async () => {
    const first = await createOrganisation();
    const second = await createOrganisation();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call("GET", "/api/v1/me", { token: first.token, env: strict })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await call("GET", "/api/v1/me", { token: first.token, env: strict });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("60");
    expect(await json(limited)).toEqual({
      errors: [{ path: "request", error: "rate_limited", message: "too many requests", type: "custom" }],
    });
    // Another token has its own budget.
    expect((await call("GET", "/api/v1/me", { token: second.token, env: strict })).status).toBe(200);
  });

  it("count the operator's requests too", async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call("GET", "/admin/v1/suppliers", { token: ADMIN_TOKEN, env: strict })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("never limit ping", async () => {
    for (let i = 0; i < 10; i++) expect((await call("GET", "/api/v1/ping", { env: strict })).status).toBe(200);
  });
});
