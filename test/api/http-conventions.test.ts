/** HTTP conventions a client expects: the 401 challenge, 405 with Allow, security headers on every answer. */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, json, organisationWithCustomer, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
let customerId: number;

beforeAll(async () => {
  ({ org, customerId } = await organisationWithCustomer());
});

describe("401", () => {
  it.each([
    ["no header", "/api/v1/me", undefined],
    ["an unknown token", "/api/v1/me", "Bearer nope"],
    ["a wrong operator secret", "/admin/v1/suppliers", "Bearer nope"],
  ])('%s: WWW-Authenticate: Bearer realm="enbro", the contract\'s body', async (_, path, authorization) => {
    const response = await call("GET", path, { headers: authorization ? { Authorization: authorization } : {} });
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="enbro"');
    expect(await response.text()).toBe(
      '{"status":"error","errors":[{"error":"not_authenticated","message":"not authenticated","path":"request","type":"custom"}],"payload":{}}',
    );
  });

  it("no challenge on other errors", async () => {
    const response = await call("GET", "/api/v1/customers/999999999", { token: org.token });
    expect(response.status).toBe(404);
    expect(response.headers.get("WWW-Authenticate")).toBeNull();
  });
});

describe("405", () => {
  it.each([
    ["DELETE", "/api/v1/ping", "GET, HEAD"],
    ["PUT", "/api/v1/customers", "GET, HEAD, POST"],
    ["PUT", "/api/v1/customers/1", "DELETE, GET, HEAD, PATCH"],
    // Ids in paths are digits: "bulk" is no EAN id, so /eans/bulk takes exactly POST.
    ["PUT", "/api/v1/customers/1/eans/bulk", "POST"],
    ["GET", "/api/v1/customers/1/eans/bulk", "POST"],
    ["DELETE", "/api/v1/customers/1/eans/bulk", "POST"],
    ["PATCH", "/api/v1/customers/1/eans", "GET, HEAD, POST"],
    ["POST", "/api/mind/customer/byCustomerId/1", "GET, HEAD"],
  ])('%s %s → 405, Allow: %s, "Method not allowed"', async (method, path, allow) => {
    const response = await call(method, path, { token: org.token });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe(allow);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(await response.text()).toBe('"Method not allowed"');
  });

  it("on the operator API too, once authorised", async () => {
    const response = await call("PUT", "/admin/v1/tokens/1", { token: ADMIN_TOKEN });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("DELETE");
  });

  it('unknown paths stay 404 "Not found"', async () => {
    for (const path of [
      "/api/v1/nothing",
      "/api/v1/customers/1/nothing",
      "/api/v1/customers/1/eans/bulk/x",
      "/api/v1/customers/abc",
      "/api/v1/customers/1/eans/x1",
      "/api/v1/customers/-1",
    ]) {
      const response = await call("DELETE", path, { token: org.token });
      expect(response.status, path).toBe(404);
      expect(response.headers.get("Allow"), path).toBeNull();
      expect(await response.text()).toBe('"Not found"');
    }
  });
});

describe("security headers", () => {
  const EXPECTED = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Resource-Policy": "same-origin",
  };

  it("are on every answer: success, errors, 404, 405, 401", async () => {
    const responses = [
      await call("GET", "/api/v1/ping"),
      await call("GET", `/api/v1/customers/${customerId}`, { token: org.token }),
      await call("POST", "/api/v1/customers", { token: org.token, body: {} }),
      await call("GET", "/api/v1/nothing"),
      await call("DELETE", "/api/v1/ping"),
      await call("GET", "/api/v1/me"),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 422, 404, 405, 401]);
    for (const response of responses) {
      for (const [name, value] of Object.entries(EXPECTED)) expect(response.headers.get(name), name).toBe(value);
    }
    expect(await json(responses[0]!)).toEqual({});
  });
});

describe("/docs", () => {
  it("is the docs Worker's (DOCS binding): its HTML and files with their own CSP, past none of the API's middleware", async () => {
    const page = await call("GET", "/docs");
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Type")).toContain("text/html");
    expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
    expect(page.headers.has("X-Request-Id")).toBe(false);
    expect(await page.text()).toContain("/docs/init.js");
    const script = await call("GET", "/docs/init.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("Content-Type")).toContain("javascript");
  });

  it("only /docs and below: /docsx and / are the API's JSON 404", async () => {
    for (const path of ["/docsx", "/", "/api/v1/docs"]) {
      const response = await call("GET", path);
      expect(response.status).toBe(404);
      expect(await json(response)).toBe("Not found");
      expect(response.headers.has("X-Request-Id")).toBe(true);
    }
  });
});
