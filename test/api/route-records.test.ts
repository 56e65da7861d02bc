/**
 * The route records are the single description of the API: every route the
 * app serves has one, every record is served, every record has its call in
 * the test matrix (test/routes.ts), and the operator's records are exactly
 * those under /admin/v1.
 */

import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { MAX_BODY_BYTES } from "../../src/domain/limits";
import { ALL_ROUTES } from "../../src/routes";
import { fillPath, mountedPath } from "../../src/routing/path-pattern";
import { OPERATOR_PREFIX } from "../../src/routing/route";
import { ADMIN_TOKEN, call, createOrganisation, json, tableSizes } from "../helpers";
import { CALLS, createFixture, ROUTES, routeName } from "../routes";

const recorded = new Set(ALL_ROUTES.map((record) => `${record.method.toUpperCase()} ${mountedPath(record.path)}`));
/** Routes registered on the app for a method (middleware registers for ALL). */
const served = new Set(app.routes.filter((route) => route.method !== "ALL").map((route) => `${route.method} ${route.path}`));

describe("route records", () => {
  it("every route the app serves has a record", () => {
    const withoutRecord = [...served].filter((route) => !recorded.has(route));
    expect(withoutRecord, `routes registered on app without a route record: ${withoutRecord.join(", ")}`).toEqual([]);
  });

  it("every record is served", () => {
    const notMounted = [...recorded].filter((route) => !served.has(route));
    expect(notMounted, `route records not mounted: ${notMounted.join(", ")}`).toEqual([]);
  });

  it("every record has its call in the test matrix, and every call a record", () => {
    expect(ALL_ROUTES.filter((record) => !CALLS[record.operationId]).map((record) => record.operationId)).toEqual([]);
    expect(Object.keys(CALLS).filter((id) => !ALL_ROUTES.some((record) => record.operationId === id))).toEqual([]);
  });

  it("each record's params schema names exactly its path's parameters, and every customer id is customer_id", () => {
    for (const record of ALL_ROUTES) {
      const inPath = [...record.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]).sort();
      const declared = Object.keys((record.params as { shape?: object } | undefined)?.shape ?? {}).sort();
      expect(declared, `${record.method} ${record.path}`).toEqual(inPath);
    }
    const customerPaths = ALL_ROUTES.filter((record) => /customers?\/(byCustomerId\/)?:/.test(record.path)).map((record) => record.path);
    expect(customerPaths.length).toBeGreaterThan(0);
    for (const path of customerPaths) expect(path).toMatch(/(customers|byCustomerId)\/:customer_id/);
  });

  it("every record of the organisation API that names an id in its path is tenant-scoped (so the isolation matrix runs it)", () => {
    for (const record of ALL_ROUTES) {
      const namesAnId = record.path.includes(":");
      expect(record.scope, `${record.method} ${record.path}`).toBe(record.auth === "organisation" && namesAnId ? "tenant" : "global");
    }
    expect(ALL_ROUTES.filter((record) => record.scope === "tenant").length).toBeGreaterThan(10);
  });

  it("operationIds are unique", () => {
    expect(new Set(ALL_ROUTES.map((record) => record.operationId)).size).toBe(ALL_ROUTES.length);
  });

  it("the operator's records are exactly those under /admin/v1 (its gate guards that prefix)", () => {
    for (const record of ALL_ROUTES) {
      expect(record.auth === "operator", `${record.method} ${record.path}`).toBe(record.path.startsWith(`${OPERATOR_PREFIX}/`));
    }
  });
});

describe("bad bodies on every record that takes one: 400, 413, 415, and nothing written", () => {
  const withBody = ROUTES.filter((route) => route.record.body);
  const counts = async () => (await tableSizes(["customers", "eans", "organisations", "suppliers"])).join();

  it.each(withBody.map((route) => [routeName(route), route] as const))("%s", async (_, route) => {
    const f = await createFixture();
    const token = route.auth === "admin" ? ADMIN_TOKEN : f.owner.token;
    const before = await counts();
    const cases: Array<[string, Record<string, string>, number, string]> = [
      ['{"customer": {', { "Content-Type": "application/json" }, 400, "malformed_json"],
      [`{"x": "${"x".repeat(MAX_BODY_BYTES)}"}`, { "Content-Type": "application/json" }, 413, "payload_too_large"],
      ["name=x", { "Content-Type": "application/x-www-form-urlencoded" }, 415, "unsupported_media_type"],
    ];
    for (const [body, headers, status, error] of cases) {
      const response = await call(route.method, route.path(f), { token, body, headers });
      expect(response.status, error).toBe(status);
      expect((await json(response)).errors[0].error).toBe(error);
    }
    expect(await counts()).toBe(before);
  });
});

// No record can take PUT (the `Method` type has no "put"): on every record's path it is a wrong method.
describe("a wrong method on every record's path: 405 with Allow", () => {
  it.each(ROUTES.map((route) => [routeName(route), route] as const))("%s", async (_, route) => {
    const org = await createOrganisation();
    const path = fillPath(route.record.path, () => 1);
    const response = await call("PUT", path, { token: route.auth === "admin" ? ADMIN_TOKEN : org.token });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")?.split(", ")).toContain(route.method);
    expect(await response.text()).toBe('"Method not allowed"');
  });
});
