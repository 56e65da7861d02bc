/** Request ids, the one JSON log line per request (and what it must never say), security headers, CORS. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, call, createCustomer, createOrganisation, customerBody, json } from "../helpers";

let lines: string[];
beforeEach(() => {
  lines = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const logOf = (requestId: string) => lines.map((l) => JSON.parse(l)).filter((l) => l.request_id === requestId);

describe("the request log's sampling (LOG_SAMPLE_RATE)", () => {
  it("keeps every error and samples successes: at 0, no line for a 200, a line for each 401, 404, 405 and 422", async () => {
    const org = await createOrganisation();
    const env = { LOG_SAMPLE_RATE: "0" };
    const requests: Array<[string, string, number, object]> = [
      ["GET", "/api/v1/me", 200, { token: org.token }],
      ["GET", "/api/v1/me", 401, {}],
      ["GET", "/api/v1/customers/999999", 404, { token: org.token }],
      ["DELETE", "/api/v1/ping", 405, {}],
      ["POST", "/api/v1/customers", 422, { token: org.token, body: {} }],
    ];
    for (const [method, path, status, options] of requests) {
      lines = [];
      const response = await call(method, path, { ...options, env, headers: { "X-Request-Id": `sampled-${status}` } });
      expect(response.status).toBe(status);
      expect(logOf(`sampled-${status}`), `${method} ${path}`).toHaveLength(status < 400 ? 0 : 1);
    }
  });

  it("at 1 (and when unset or not a rate), every request", async () => {
    for (const rate of ["1", undefined, "lots"]) {
      lines = [];
      await call("GET", "/api/v1/ping", { env: { LOG_SAMPLE_RATE: rate }, headers: { "X-Request-Id": "every-one" } });
      expect(logOf("every-one"), String(rate)).toHaveLength(1);
    }
  });
});

describe("the D1 session", () => {
  it("is opened only by a request that queries D1: ping costs nothing and answers no bookmark", async () => {
    lines = [];
    const ping = await call("GET", "/api/v1/ping", { headers: { "X-Request-Id": "no-d1" } });
    expect(ping.headers.get("x-d1-bookmark")).toBeNull();
    expect(logOf("no-d1")[0]).toMatchObject({ d1_round_trips: 0, d1_statements: 0 });
    const org = await createOrganisation();
    const me = await call("GET", "/api/v1/me", { token: org.token });
    expect(me.headers.get("x-d1-bookmark")).toMatch(/^[0-9a-f]{8}-/);
  });
});

describe("X-Request-Id", () => {
  it("is generated when absent, echoed when sane, replaced when not", async () => {
    const generated = await call("GET", "/api/v1/ping");
    expect(generated.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await call("GET", "/api/v1/ping", { headers: { "X-Request-Id": "client-req_42.a:b" } });
    expect(echoed.headers.get("X-Request-Id")).toBe("client-req_42.a:b");
    for (const insane of ["has spaces", "x".repeat(129), "<script>"]) {
      const replaced = await call("GET", "/api/v1/ping", { headers: { "X-Request-Id": insane } });
      expect(replaced.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("is on errors too", async () => {
    const response = await call("GET", "/api/v1/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("X-Request-Id")).toBeTruthy();
  });
});

describe("the request log", () => {
  it("writes one JSON line per request with the route pattern, status, organisation and D1 cost", async () => {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    lines = [];
    const response = await call("GET", `/api/v1/customers/${customer.id}`, { token: org.token, headers: { "X-Request-Id": "log-test-1" } });
    expect(response.status).toBe(200);
    const entries = logOf("log-test-1");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      request_id: "log-test-1",
      method: "GET",
      route: "/api/v1/customers/:customer_id",
      query: [],
      status: 200,
      errors: [],
      duration_ms: expect.any(Number),
      organisation_id: org.id,
      token_id: org.tokenId,
      d1_round_trips: 1,
      d1_statements: 1,
      d1_rows_read: expect.any(Number),
      d1_rows_written: 0,
      d1_duration_ms: expect.any(Number),
    });
    expect(entries[0].d1_rows_read).toBeGreaterThan(0);
  });

  it("never contains tokens, e-mails, names, phones, IPs or bodies", async () => {
    const org = await createOrganisation();
    lines = [];
    const body = customerBody(
      { email: "Secret.Person@Private.example", registered_from_ip: "198.51.100.77" },
      { first_name: "Zebediah", last_name: "Quixotic", phone: "+32 470 99 88 77", street: "Hiddenlaan" },
    );
    const created = await call("POST", "/api/v1/customers", { token: org.token, body, headers: { "CF-Connecting-IP": "203.0.113.200" } });
    expect(created.status).toBe(201);
    const id = (await json(created)).id;
    await call("GET", `/api/v1/customers/${id}`, { token: org.token });
    await call("POST", "/api/v1/customers", { token: org.token, body }); // 422: the e-mail is taken
    await call("GET", "/api/v1/me", { token: `${org.token}x` }); // 401
    await call("GET", "/api/v1/customers?external_id=crm-Zebediah-4711&page=2", { token: org.token });
    const text = lines.join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const secret of [
      org.token,
      "secret.person",
      "Secret.Person",
      "Zebediah",
      "Quixotic",
      "470998877",
      "198.51.100.77",
      "203.0.113.200",
      "Hiddenlaan",
      `/customers/${id}`,
      "crm-",
      "4711",
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("names the query's parameters, never their values, and an error's catalogue ids (to alert on many conflicts from one token)", async () => {
    const org = await createOrganisation();
    const taken = await createCustomer(org);
    lines = [];
    await call("GET", "/api/v1/customers?external_id=crm-private-1&per=2&per=3", { token: org.token, headers: { "X-Request-Id": "log-query" } });
    expect(logOf("log-query")[0]).toMatchObject({ route: "/api/v1/customers", query: ["external_id", "per"], errors: [] });
    await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ email: taken.email }), headers: { "X-Request-Id": "log-conflict" } });
    expect(logOf("log-conflict")[0]).toMatchObject({ status: 422, errors: ["confirmed_email_has_already_been_taken"], token_id: org.tokenId });
    await call("GET", "/api/v1/customers/999999999", { token: org.token, headers: { "X-Request-Id": "log-404" } });
    expect(logOf("log-404")[0]).toMatchObject({ status: 404, errors: ["not_found"] });
  });
});

describe("headers", () => {
  it("nosniff and no-store on answers; no framework banner", async () => {
    const org = await createOrganisation();
    for (const response of [await call("GET", "/api/v1/me", { token: org.token }), await call("GET", "/api/v1/me"), await call("GET", "/nope")]) {
      expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      expect(response.headers.get("X-Powered-By")).toBeNull();
      expect(response.headers.get("Server")).toBeNull();
    }
  });

  it("CORS is off by default", async () => {
    const response = await call("GET", "/api/v1/ping", { headers: { Origin: "https://partner.example" } });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("CORS answers only the configured origins", async () => {
    const env = { CORS_ORIGINS: "https://partner.example, https://other.example" };
    const allowed = await call("OPTIONS", "/api/v1/customers", {
      env,
      headers: { Origin: "https://partner.example", "Access-Control-Request-Method": "POST" },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://partner.example");
    const denied = await call("GET", "/api/v1/ping", { env, headers: { Origin: "https://evil.example" } });
    expect(denied.headers.get("Access-Control-Allow-Origin")).toBeNull();
    // Never on the operator API, not even for a listed origin (preflight or not).
    for (const method of ["OPTIONS", "GET"]) {
      const admin = await call(method, "/admin/v1/suppliers", {
        env,
        headers: { Origin: "https://partner.example", "Access-Control-Request-Method": "GET", Authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      expect(admin.headers.get("Access-Control-Allow-Origin"), method).toBeNull();
    }
  });
});
