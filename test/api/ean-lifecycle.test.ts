import { beforeAll, describe, expect, it } from "vitest";
import { call, createCustomer, createOrganisation, createSupplier, eanFields, eanNumber, firstRow, json, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

async function newEan(overrides: Record<string, unknown> = {}) {
  const customer = await createCustomer(org);
  const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields(overrides) } });
  expect(response.status).toBe(201);
  const ean = await json(response);
  return { customer, ean, path: `/api/v1/customers/${customer.id}/eans/${ean.id}` };
}

const patch = (path: string, ean: unknown, headers: Record<string, string> = {}) => call("PATCH", path, { token: org.token, body: { ean }, headers });
const stored = async (id: number) => firstRow("select * from eans where id = ?", id);
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("GET …/eans/:id", () => {
  it("answers the EAN as created; another customer's or organisation's EAN is 404", async () => {
    const { customer, ean, path } = await newEan();
    const shown = await call("GET", path, { token: org.token });
    expect(shown.status).toBe(200);
    expect(await json(shown)).toEqual(ean);
    const other = await createCustomer(org);
    for (const [token, url] of [
      [org.token, `/api/v1/customers/${other.id}/eans/${ean.id}`],
      [(await createOrganisation()).token, path],
      [org.token, `/api/v1/customers/${customer.id}/eans/999999`],
      [org.token, `/api/v1/customers/${customer.id}/eans/abc`],
    ] as const) {
      const response = await call("GET", url, { token });
      expect(response.status, url).toBe(404);
      expect(await response.text()).toBe('"Not found"');
    }
  });
});

describe("PATCH …/eans/:id", () => {
  it("changes only the fields sent; updated_at moves forward, created_at stays", async () => {
    const { ean, path } = await newEan();
    expect(ean.updated_at).toBe(ean.created_at);
    await pause();
    const response = await patch(path, { city: " Gent ", tariff_group: "dual", consumptions: [{ name: "day", volume: "10.50" }] });
    expect(response.status).toBe(200);
    const updated = await json(response);
    expect(updated).toEqual({
      ...ean,
      city: "Gent",
      tariff_group: "dual",
      consumptions: [{ name: "day", volume: "10.50", price: null }],
      updated_at: updated.updated_at,
    });
    expect(updated.updated_at > ean.updated_at).toBe(true);
    expect(await json(await call("GET", path, { token: org.token }))).toEqual(updated);
  });

  it("null clears an optional field (supplier_id null → supplier null), or resets it to its default", async () => {
    const supplier = await createSupplier();
    const { path } = await newEan({ supplier_id: supplier.id, reason: "moved" });
    const updated = await json(await patch(path, { supplier_id: null, street: null, reason: null, consumptions: null, solar_panels: null }));
    expect(updated).toMatchObject({ supplier_id: null, supplier: null, street: null, reason: "normal", consumptions: null, solar_panels: false });
  });

  it("a supplier id names the supplier, with its name", async () => {
    const supplier = await createSupplier("Luminus Patch");
    const { path } = await newEan();
    expect(await json(await patch(path, { supplier_id: supplier.id }))).toMatchObject({
      supplier_id: supplier.id,
      supplier: { id: supplier.id, name: "Luminus Patch" },
    });
  });

  it("sending nothing or the same values changes nothing and moves nothing", async () => {
    const { ean, path } = await newEan();
    await pause();
    expect(await json(await patch(path, {}))).toEqual(ean);
    expect(await json(await patch(path, { number: ean.number, city: ean.city, solar_panels: ean.solar_panels, consumptions: ean.consumptions }))).toEqual(ean);
  });

  it("422 with every error at once, in the create rules' catalogue; nothing written", async () => {
    const { ean, path } = await newEan();
    const before = await stored(ean.id);
    const response = await patch(path, { product: null, fixed_fee: "-1", consumptions: [{ volume: "1" }], tariff_group: "triple" });
    expect(response.status).toBe(422);
    expect((await json(response)).errors.map((e: { path: string; error: string }) => `${e.path} ${e.error}`)).toEqual([
      "ean.product must_be_filled",
      "ean.consumptions.0.name is_missing",
      "ean.fixed_fee must_be_greater_than_or_equal_to",
      "ean.tariff_group must_be_one_of",
    ]);
    expect(await stored(ean.id)).toEqual(before);
    expect((await json(await patch(path, { product: " " }))).errors[0]).toMatchObject({ path: "ean.product", error: "must_be_filled" });
  });

  it("number cannot change; the same number is accepted", async () => {
    const { ean, path } = await newEan();
    const response = await patch(path, { number: eanNumber(), city: "Brugge" });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ errors: [{ path: "ean.number", error: "cannot_be_changed", message: "cannot be changed", type: "params" }] });
    expect((await stored(ean.id))!.city).toBe(ean.city);
    expect((await patch(path, { number: ean.number, city: "Brugge" })).status).toBe(200);
  });

  it("an unknown supplier → must_exist; a body without ean → is_missing; another organisation's → 404", async () => {
    const { path } = await newEan();
    expect((await json(await patch(path, { supplier_id: 987654 }))).errors).toEqual([
      { path: "ean.supplier_id", error: "must_exist", message: "must exist", type: "params" },
    ]);
    const missing = await call("PATCH", path, { token: org.token, body: {} });
    expect((await json(missing)).errors).toEqual([{ path: "ean", error: "is_missing", message: "is missing", type: "params" }]);
    const stranger = await createOrganisation();
    const response = await call("PATCH", path, { token: stranger.token, body: { ean: { city: "X" } } });
    expect(response.status).toBe(404);
  });

  it("Idempotency-Key: the same key and body replays; another body is refused", async () => {
    const { path } = await newEan();
    const headers = { "Idempotency-Key": "patch-once" };
    const first = await patch(path, { city: "Hasselt" }, headers);
    const replay = await patch(path, { city: "Hasselt" }, headers);
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.text()).toBe(await first.text());
    expect((await json(await patch(path, { city: "Genk" }, headers))).errors[0].error).toBe("idempotency_key_reused");
  });
});

describe("DELETE …/eans/:id", () => {
  it("204 with an empty body; then 404; the number can be registered again at once; the customer's count drops", async () => {
    const { customer, ean, path } = await newEan();
    const response = await call("DELETE", path, { token: org.token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await stored(ean.id)).toBeNull();
    expect((await call("DELETE", path, { token: org.token })).status).toBe(404);
    expect((await call("GET", path, { token: org.token })).status).toBe(404);
    const count = await firstRow<{ eans_count: number }>("select eans_count from customers where id = ?", customer.id);
    expect(count!.eans_count).toBe(0);
    const again = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ number: ean.number }) } });
    expect(again.status).toBe(201);
  });

  it("another organisation's or another customer's EAN: 404, nothing deleted", async () => {
    const { ean, path } = await newEan();
    expect((await call("DELETE", path, { token: (await createOrganisation()).token })).status).toBe(404);
    const other = await createCustomer(org);
    expect((await call("DELETE", `/api/v1/customers/${other.id}/eans/${ean.id}`, { token: org.token })).status).toBe(404);
    expect(await stored(ean.id)).not.toBeNull();
  });
});
