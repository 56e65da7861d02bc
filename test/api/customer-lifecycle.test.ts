import { beforeAll, describe, expect, it } from "vitest";
import { call, callWithCost, createCustomer, createOrganisation, customerBody, firstRow, json, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

const patch = (id: number, customer: unknown, token = org.token) => call("PATCH", `/api/v1/customers/${id}`, { token, body: { customer } });
const row = (id: number) => firstRow("select * from customers where id = ?", id);
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("PATCH /api/v1/customers/:customer_id", () => {
  it("changes the fields sent (the profile may be partial); updated_at moves, created_at stays", async () => {
    const created = await createCustomer(org);
    await pause();
    const response = await patch(created.id, { profile: { phone: "056 98 01 45", city: "Gent" } });
    expect(response.status).toBe(200);
    const updated = await json(response);
    expect(updated).toEqual({
      ...created,
      updated_at: updated.updated_at,
      profile: { ...created.profile, phone: "+3256980145", city: "Gent", updated_at: updated.updated_at },
    });
    expect(updated.updated_at > created.updated_at).toBe(true);
    expect(await json(await call("GET", `/api/v1/customers/${created.id}`, { token: org.token }))).toEqual(updated);
  });

  it("{} and the same values change nothing and move nothing; consents and registered_from_ip are ignored", async () => {
    const created = await createCustomer(org);
    await pause();
    expect(await json(await patch(created.id, {}))).toEqual(created);
    const before = await row(created.id);
    const same = await patch(created.id, {
      email: created.email,
      terms_and_conditions: false,
      registered_from_ip: "1.2.3.4",
      profile: { city: created.profile.city },
    });
    expect(await json(same)).toEqual(created);
    expect(await row(created.id)).toEqual(before);
  });

  it("null clears building_addon; null or blank for a required field is must_be_filled, all errors at once, nothing written", async () => {
    const created = await createCustomer(org);
    expect((await json(await patch(created.id, { profile: { building_addon: null } }))).profile.building_addon).toBeNull();
    const before = await row(created.id);
    const response = await patch(created.id, { email: null, profile: { first_name: " ", title: null, phone: "12", birth_date: "2999-01-01" } });
    expect(response.status).toBe(422);
    expect((await json(response)).errors.map((e: { path: string; error: string }) => `${e.path} ${e.error}`)).toEqual([
      "customer.email must_be_filled",
      "customer.profile.first_name must_be_filled",
      "customer.profile.title must_be_filled",
      "customer.profile.phone is_in_invalid_format",
      "customer.profile.birth_date must_be_in_the_past",
    ]);
    expect(await row(created.id)).toEqual(before);
  });

  it("a changed e-mail obeys the global uniqueness rule, under races too; one's own e-mail is fine", async () => {
    const taken = await createCustomer(await createOrganisation());
    const created = await createCustomer(org);
    const response = await patch(created.id, { email: taken.email.toUpperCase() });
    expect(await json(response)).toEqual({
      errors: [{ path: "customer.email", error: "confirmed_email_has_already_been_taken", message: "it is already registered", type: "custom" }],
    });
    const [a, b] = [await createCustomer(org), await createCustomer(org)];
    const email = `race-${crypto.randomUUID()}@example.com`;
    const statuses = (await Promise.all([patch(a.id, { email }), patch(b.id, { email })])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 422]);
  });

  it("another organisation's customer, unknown and non-numeric ids: 404; a body without customer: is_missing", async () => {
    const created = await createCustomer(org);
    const stranger = await createOrganisation();
    for (const [id, token] of [
      [created.id, stranger.token],
      [999999, org.token],
    ] as const) {
      const response = await patch(id, { profile: { city: "X" } }, token);
      expect(response.status).toBe(404);
    }
    expect((await call("PATCH", "/api/v1/customers/abc", { token: org.token, body: { customer: {} } })).status).toBe(404);
    expect((await json(await call("PATCH", `/api/v1/customers/${created.id}`, { token: org.token, body: {} }))).errors).toEqual([
      { path: "customer", error: "is_missing", message: "is missing", type: "params" },
    ]);
  });
});

describe("external_id", () => {
  it("is taken on create and update, trimmed, rendered (null when none), and unique per organisation only", async () => {
    const created = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ external_id: "  crm-1  " }) }));
    expect(created.external_id).toBe("crm-1");
    expect((await createCustomer(org)).external_id).toBeNull();
    const twice = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ external_id: "crm-1" }) });
    expect(await json(twice)).toEqual({
      errors: [{ path: "customer.external_id", error: "has_already_been_taken", message: "has already been taken", type: "params" }],
    });
    const elsewhere = await createOrganisation();
    expect((await call("POST", "/api/v1/customers", { token: elsewhere.token, body: customerBody({ external_id: "crm-1" }) })).status).toBe(201);
    const other = await createCustomer(org);
    expect((await json(await patch(other.id, { external_id: "crm-1" }))).errors[0]).toMatchObject({
      path: "customer.external_id",
      error: "has_already_been_taken",
    });
    expect((await json(await patch(other.id, { external_id: "crm-2" }))).external_id).toBe("crm-2");
    expect((await json(await patch(other.id, { external_id: null }))).external_id).toBeNull();
    const tooLong = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ external_id: "x".repeat(256) }) });
    expect((await json(tooLong)).errors[0]).toMatchObject({ path: "customer.external_id", error: "size_cannot_be_greater_than" });
  });

  it("?external_id=X answers the page shape holding that customer or none, in one indexed read", async () => {
    const created = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ external_id: "lookup-1" }) }));
    const { response, cost } = await callWithCost("GET", "/api/v1/customers?external_id=lookup-1", { token: org.token });
    expect(await json(response)).toEqual({ current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1, records: [created] });
    expect(cost).toMatchObject({ roundTrips: 1, statements: 1 });
    // The index entry, the customer, its organisation: whatever the organisation's size.
    expect(cost.rowsRead).toBeLessThanOrEqual(3);
    const none = await json(await call("GET", "/api/v1/customers?external_id=nobody", { token: org.token }));
    expect(none).toEqual({ current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 0, records: [] });
    const stranger = await createOrganisation();
    expect((await json(await call("GET", "/api/v1/customers?external_id=lookup-1", { token: stranger.token }))).records).toEqual([]);
  });
});
