import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_ROUTES } from "../../src/routes";
import { isDryRunnable } from "../../src/routing/route";
import { ADMIN_TOKEN, allRows, call, createCustomer, createOrganisation, customerBody, eanFields, eanNumber, json, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

/** Every shard's tables, then the directory's: a dry run writes to none. */
const SHARD_TABLES = [
  "organisations",
  "suppliers",
  "customers",
  "eans",
  "events",
  "webhook_endpoints",
  "idempotency_keys",
  "dry_run_sentinel",
  "dry_run_marks",
];
const DIRECTORY_TABLES = ["organisations", "tokens", "suppliers", "idempotency_keys"];
const snapshot = async () =>
  Promise.all([
    ...SHARD_TABLES.map(async (table) => JSON.stringify(await allRows(`select * from ${table} order by rowid`))),
    ...DIRECTORY_TABLES.map(async (table) => JSON.stringify((await env.DIRECTORY.prepare(`select * from ${table} order by rowid`).all()).results)),
  ]);

async function expectNothingWritten(send: () => Promise<Response>, status: number, body?: unknown) {
  const before = await snapshot();
  const response = await send();
  expect(response.status).toBe(status);
  if (body !== undefined) expect(await json(response)).toEqual(body);
  expect(await snapshot()).toEqual(before);
  return response;
}

const VALID = { valid: true };

describe("dry runs", () => {
  it("are taken by exactly the POSTs and PATCHes under /api/v1", () => {
    expect(
      ALL_ROUTES.filter(isDryRunnable)
        .map((record) => record.operationId)
        .sort(),
    ).toEqual(
      [
        "createCustomer",
        "createEan",
        "createEansInBulk",
        "createToken",
        "createWebhookEndpoint",
        "retryWebhookDelivery",
        "rotateWebhookSecret",
        "testWebhookEndpoint",
        "updateCustomer",
        "updateEan",
        "updateWebhookEndpoint",
      ].sort(),
    );
  });

  it("POST /customers: a valid body → 200 {valid:true}, nothing stored; a taken e-mail → the usual 422", async () => {
    await expectNothingWritten(() => call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body: customerBody() }), 200, VALID);
    const taken = await createCustomer(org);
    const response = await expectNothingWritten(
      () => call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body: customerBody({ email: taken.email }) }),
      422,
    );
    expect((await json(response)).errors[0].error).toBe("confirmed_email_has_already_been_taken");
    await expectNothingWritten(() => call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body: {} }), 422);
  });

  it("EANs: must_exist, taken numbers and bulk duplicates are found; another organisation's customer is 404", async () => {
    const customer = await createCustomer(org);
    const path = `/api/v1/customers/${customer.id}/eans`;
    await expectNothingWritten(() => call("POST", `${path}?dry_run=true`, { token: org.token, body: { ean: eanFields() } }), 200, VALID);
    const unknownSupplier = await expectNothingWritten(
      () => call("POST", `${path}?dry_run=true`, { token: org.token, body: { ean: eanFields({ supplier_id: 987654 }) } }),
      422,
    );
    expect((await json(unknownSupplier)).errors[0].error).toBe("must_exist");
    const twice = eanNumber();
    const duplicates = await expectNothingWritten(
      () =>
        call("POST", `${path}/bulk?dry_run=true`, {
          token: org.token,
          body: { eans: [{ ean: eanFields({ number: twice }) }, { ean: eanFields({ number: twice }) }] },
        }),
      422,
    );
    expect((await json(duplicates)).errors).toEqual([
      { path: "ean.number", error: "has_already_been_taken", message: "has already been taken", type: "params", index: 1 },
    ]);
    await expectNothingWritten(
      () => call("POST", `${path}/bulk?dry_run=true`, { token: org.token, body: { eans: [{ ean: eanFields() }, { ean: eanFields() }] } }),
      200,
      VALID,
    );
    const stranger = await createOrganisation();
    await expectNothingWritten(() => call("POST", `${path}?dry_run=true`, { token: stranger.token, body: { ean: eanFields() } }), 404);
  });

  it("PATCH: valid → {valid:true} and nothing changes; a changed number → cannot_be_changed; an unknown id → 404", async () => {
    const customer = await createCustomer(org);
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
    const eanPath = `/api/v1/customers/${customer.id}/eans/${ean.id}?dry_run=true`;
    await expectNothingWritten(() => call("PATCH", eanPath, { token: org.token, body: { ean: { city: "Gent" } } }), 200, VALID);
    await expectNothingWritten(() => call("PATCH", eanPath, { token: org.token, body: { ean: {} } }), 200, VALID);
    const changed = await expectNothingWritten(() => call("PATCH", eanPath, { token: org.token, body: { ean: { number: eanNumber() } } }), 422);
    expect((await json(changed)).errors[0].error).toBe("cannot_be_changed");
    await expectNothingWritten(
      () => call("PATCH", `/api/v1/customers/${customer.id}/eans/999999?dry_run=true`, { token: org.token, body: { ean: { city: "X" } } }),
      404,
    );
    await expectNothingWritten(
      () => call("PATCH", `/api/v1/customers/${customer.id}?dry_run=true`, { token: org.token, body: { customer: { profile: { city: "Gent" } } } }),
      200,
      VALID,
    );
  });

  it("neither store nor replay an Idempotency-Key", async () => {
    const body = customerBody();
    const headers = { "Idempotency-Key": "dry-then-real" };
    await expectNothingWritten(() => call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body, headers }), 200, VALID);
    const real = await call("POST", "/api/v1/customers", { token: org.token, body, headers });
    expect(real.status).toBe(201);
    expect(real.headers.get("Idempotent-Replayed")).toBeNull();
    const dryAfter = await call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body, headers });
    expect(dryAfter.headers.get("Idempotent-Replayed")).toBeNull();
    // The e-mail is taken now (by the real request): the dry run says so instead of replaying.
    expect((await json(dryAfter)).errors[0].error).toBe("confirmed_email_has_already_been_taken");
  });

  it("reads dry_run as a boolean: 1 is a dry run, false and 0 are real, anything else is 422 and nothing runs", async () => {
    await expectNothingWritten(() => call("POST", "/api/v1/customers?dry_run=1", { token: org.token, body: customerBody() }), 200, VALID);
    const refused = await expectNothingWritten(() => call("POST", "/api/v1/customers?dry_run=yes", { token: org.token, body: customerBody() }), 422);
    expect(await json(refused)).toEqual({ errors: [{ path: "dry_run", error: "must_be_boolean", message: "must be boolean", type: "params" }] });
    expect((await call("POST", "/api/v1/customers?dry_run=0", { token: org.token, body: customerBody() })).status).toBe(201);
    expect((await call("POST", "/api/v1/customers?dry_run=false", { token: org.token, body: customerBody() })).status).toBe(201);
  });

  it("a write that cannot run dry (a DELETE, the operator API) refuses dry_run=true and writes nothing", async () => {
    const customer = await createCustomer(org);
    const notSupported = { errors: [{ path: "dry_run", error: "is_not_supported", message: "is not supported by this endpoint", type: "params" }] };
    await expectNothingWritten(() => call("DELETE", `/api/v1/customers/${customer.id}?dry_run=true`, { token: org.token }), 422, notSupported);
    await expectNothingWritten(
      () => call("POST", "/admin/v1/organisations?dry_run=true", { token: ADMIN_TOKEN, body: { name: "Dry Org" } }),
      422,
      notSupported,
    );
    await expectNothingWritten(
      () => call("POST", "/admin/v1/suppliers?dry_run=1", { token: ADMIN_TOKEN, body: { name: `Dry ${crypto.randomUUID()}` } }),
      422,
      notSupported,
    );
    // Reads have nothing to dry-run: the parameter changes nothing there.
    expect((await call("GET", `/api/v1/customers/${customer.id}?dry_run=true`, { token: org.token })).status).toBe(200);
  });
});
