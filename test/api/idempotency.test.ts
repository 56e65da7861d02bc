/** Idempotency-Key on every POST: replay, reuse with another body, in flight, scope, expiry, sealing. */

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lookupHash } from "../../src/domain/idempotency/idempotency.sealing";
import worker from "../../src/index";
import { sha256Hex } from "../../src/lib/tokens";
import {
  ADMIN_TOKEN,
  allRows,
  call,
  callWithCost,
  countRows,
  createCustomer,
  createOrganisation,
  customerBody,
  directoryTableSizes,
  eanFields,
  json,
  runOnShards,
  shardOf,
} from "../helpers";

const count = (table: string) => countRows(table);

describe("Idempotency-Key", () => {
  it("replays the first answer exactly, with Idempotent-Replayed, and creates once", async () => {
    const org = await createOrganisation();
    const body = customerBody();
    const headers = { "Idempotency-Key": "create-customer-1" };
    const first = await call("POST", "/api/v1/customers", { token: org.token, body, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("Idempotent-Replayed")).toBeNull();
    const firstText = await first.text();
    const before = await count("customers");
    const retry = await call("POST", "/api/v1/customers", { token: org.token, body, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
    expect(retry.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(await retry.text()).toBe(firstText);
    expect(await count("customers")).toBe(before);
  });

  it("refuses the same key with another body: 422 idempotency_key_reused", async () => {
    const org = await createOrganisation();
    const headers = { "Idempotency-Key": "reused" };
    expect((await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers })).status).toBe(201);
    const other = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers });
    expect(other.status).toBe(422);
    expect(await json(other)).toEqual({
      errors: [{ path: "request", error: "idempotency_key_reused", message: "was used with another request", type: "custom" }],
    });
  });

  it("answers 409 while the first request with the key is still running", async () => {
    const org = await createOrganisation();
    const bodyText = JSON.stringify(customerBody());
    await (await shardOf(org.id))
      .prepare("insert into idempotency_keys (scope, key_hash, fingerprint, claim_id, created_at) values (?, ?, ?, ?, ?)")
      .bind(
        `organisation:${org.id}`,
        await lookupHash("in-flight"),
        await sha256Hex(`POST /api/v1/customers\n${bodyText}`),
        "other-request",
        new Date().toISOString(),
      )
      .run();
    const response = await call("POST", "/api/v1/customers", { token: org.token, body: bodyText, headers: { "Idempotency-Key": "in-flight" } });
    expect(response.status).toBe(409);
    expect((await json(response)).errors[0].error).toBe("idempotency_key_in_use");
  });

  describe("claims belong to the server, not to anything the client sends", () => {
    const sameRequestId = { "X-Request-Id": "client-chosen-id" };

    it.each([
      ["/admin/v1/organisations", () => ADMIN_TOKEN, () => ({ name: "Parallel Org" }), "organisations"],
      ["/api/v1/customers", () => null, () => customerBody(), "customers"],
    ])("10 in parallel on %s, same key and X-Request-Id: exactly one runs", async (path, adminToken, makeBody, table) => {
      const token = adminToken() ?? (await createOrganisation()).token;
      const body = makeBody();
      const before = await count(table);
      const headers = { ...sameRequestId, "Idempotency-Key": `parallel-${path}` };
      const answers = await Promise.all(Array.from({ length: 10 }, () => call("POST", path, { token, body, headers })));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(answers.filter((r) => r.headers.get("Idempotent-Replayed") === "true").length + 1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      expect(await count(table)).toBe(before + 1);
    });

    it("same key and X-Request-Id with another body: the mismatch error, and the stored answer survives", async () => {
      const headers = { ...sameRequestId, "Idempotency-Key": "owned-by-the-server" };
      const first = await call("POST", "/admin/v1/organisations", { token: ADMIN_TOKEN, body: { name: "First Body" }, headers });
      expect(first.status).toBe(201);
      const firstText = await first.text();
      const before = await count("organisations");
      // Another valid body: the mismatch. An invalid one is refused for its shape before any claim.
      for (const [body, error] of [
        [{ name: "Other Body" }, "idempotency_key_reused"],
        [{ name: "" }, "must_be_filled"],
      ] as const) {
        const other = await call("POST", "/admin/v1/organisations", { token: ADMIN_TOKEN, body, headers });
        expect(other.status).toBe(422);
        expect((await json(other)).errors[0].error).toBe(error);
      }
      const retry = await call("POST", "/admin/v1/organisations", { token: ADMIN_TOKEN, body: { name: "First Body" }, headers });
      expect(retry.headers.get("Idempotent-Replayed")).toBe("true");
      expect(await retry.text()).toBe(firstText);
      expect(await count("organisations")).toBe(before);
    });
  });

  it("is claimed only after the body is valid: an invalid body with a key costs no D1 round trip", async () => {
    const org = await createOrganisation();
    const { response, cost } = await callWithCost("POST", "/api/v1/customers", {
      token: org.token,
      body: { customer: { email: "not an e-mail" } },
      headers: { "Idempotency-Key": "invalid-body" },
    });
    expect(response.status).toBe(422);
    expect(cost.roundTrips).toBe(0);
    expect(await countRows("idempotency_keys", "key_hash = ?", await lookupHash("invalid-body"))).toBe(0);
  });

  it("is scoped to the organisation", async () => {
    const [a, b] = [await createOrganisation(), await createOrganisation()];
    const headers = { "Idempotency-Key": "shared-key" };
    expect((await call("POST", "/api/v1/customers", { token: a.token, body: customerBody(), headers })).status).toBe(201);
    const other = await call("POST", "/api/v1/customers", { token: b.token, body: customerBody(), headers });
    expect(other.status).toBe(201);
    expect(other.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("keeps no answer that is not 2xx: a corrected retry with the same key runs", async () => {
    const org = await createOrganisation();
    const headers = { "Idempotency-Key": "fix-and-retry" };
    const invalid = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({}, { first_name: null }), headers });
    expect(invalid.status).toBe(422);
    const fixed = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("Idempotent-Replayed")).toBeNull();
  });

  it("rejects a key over 255 characters or blank", async () => {
    const org = await createOrganisation();
    const long = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers: { "Idempotency-Key": "k".repeat(256) } });
    expect(long.status).toBe(422);
    expect(await json(long)).toEqual({
      errors: [{ path: "Idempotency-Key", error: "size_cannot_be_greater_than", message: "size cannot be greater than 255", type: "params" }],
    });
    const ok = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers: { "Idempotency-Key": "k".repeat(255) } });
    expect(ok.status).toBe(201);
  });

  it("lets an expired key (over 24 h) be used again, and the daily purge removes expired keys", async () => {
    const org = await createOrganisation();
    const headers = { "Idempotency-Key": "old-key" };
    expect((await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers })).status).toBe(201);
    const twoDaysAgo = new Date(Date.now() - 48 * 3600 * 1000).toISOString();
    await runOnShards("update idempotency_keys set created_at = ?", twoDaysAgo);
    const again = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers });
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBeNull();

    await runOnShards("update idempotency_keys set created_at = ?", twoDaysAgo);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await count("idempotency_keys")).toBe(0);
  });

  it("the daily purge also removes events older than 30 days, and only those", async () => {
    const org = await createOrganisation();
    await createCustomer(org);
    const fresh = await count("events");
    await (await shardOf(org.id))
      .prepare("update events set created_at = ? where id = (select min(id) from events where organisation_id = ?)")
      .bind(new Date(Date.now() - 31 * 86_400_000).toISOString(), org.id)
      .run();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await count("events")).toBe(fresh - 1);
  });

  it("stores neither the key nor the answer in the clear", async () => {
    const org = await createOrganisation();
    const body = customerBody({ email: "sealed.person@example.com" });
    await call("POST", "/api/v1/customers", { token: org.token, body, headers: { "Idempotency-Key": "visible-key" } });
    const dump = JSON.stringify(await allRows("select * from idempotency_keys"));
    expect(dump).not.toContain("visible-key");
    expect(dump).not.toContain("sealed.person");
    expect(dump).not.toContain("Danny");
  });

  it("covers EANs, bulk and the operator's creates", async () => {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    const cases: Array<[string, string, unknown]> = [
      [org.token, `/api/v1/customers/${customer.id}/eans`, { ean: eanFields() }],
      [org.token, `/api/v1/customers/${customer.id}/eans/bulk`, { eans: [{ ean: eanFields() }, { ean: eanFields() }] }],
      [ADMIN_TOKEN, "/admin/v1/organisations", { name: "Idempotent Org" }],
      [ADMIN_TOKEN, `/admin/v1/organisations/${org.id}/tokens`, undefined],
      [ADMIN_TOKEN, "/admin/v1/suppliers", { name: "Idempotent Supplier" }],
    ];
    for (const [token, path, body] of cases) {
      const headers = { "Idempotency-Key": `key for ${path}` };
      const first = await call("POST", path, { token, body, headers });
      expect(first.status, path).toBe(201);
      const firstText = await first.text();
      const totals = [await count("eans"), ...(await directoryTableSizes(["organisations", "tokens", "suppliers"]))];
      const retry = await call("POST", path, { token, body, headers });
      expect(retry.headers.get("Idempotent-Replayed"), path).toBe("true");
      expect(await retry.text(), path).toBe(firstText);
      expect([await count("eans"), ...(await directoryTableSizes(["organisations", "tokens", "suppliers"]))], path).toEqual(totals);
    }
  });

  it("changes nothing without the header", async () => {
    const org = await createOrganisation();
    const body = customerBody();
    expect((await call("POST", "/api/v1/customers", { token: org.token, body })).status).toBe(201);
    const retry = await call("POST", "/api/v1/customers", { token: org.token, body });
    expect(retry.status).toBe(422);
    expect((await json(retry)).errors[0].error).toBe("confirmed_email_has_already_been_taken");
  });
});
