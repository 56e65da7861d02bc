import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import { NUMBERS_PER_STATEMENT } from "../../src/domain/db/events";
import { EAN_ROWS_PER_STATEMENT, insertEans, listEans } from "../../src/domain/eans/eans.queries";
import { eanSchema } from "../../src/domain/eans/eans.schemas";
import {
  call,
  countRows,
  createCustomer,
  createOrganisation,
  createSupplier,
  eanFields,
  eanNumber,
  ISO_TIMESTAMP,
  json,
  shardOf,
  type TestOrganisation,
} from "../helpers";

let org: TestOrganisation;

beforeAll(async () => {
  org = await createOrganisation();
});

const eansOf = (customerId: number) => countRows("eans", "customer_id = ?", customerId);

describe("POST /api/v1/customers/:customer_id/eans", () => {
  it("answers 201 with every field of the Ean, in the contract's order", async () => {
    const customer = await createCustomer(org);
    const supplier = await createSupplier("Terry and Sons 5");
    const number = eanNumber();
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: { ean: eanFields({ number, supplier_id: supplier.id, fixed_fee: "19", wkk: 0.00341, gsc: "0.02140" }) },
    });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body).toEqual({
      id: expect.any(Number),
      customer_id: customer.id,
      supplier_id: supplier.id,
      number,
      product: "electricity",
      reason: "normal",
      building: "15",
      building_addon: "A",
      street: "street name",
      city: "Kiev",
      state: "ready",
      postal_code: "2443",
      consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }],
      solar_panels: true,
      inverter_max_power: 315,
      contract_end_date: "2020-10-09",
      respect_contract_end_date: true,
      fixed_fee: "19.0",
      tariff_group: "mono",
      recording_period: "february",
      wkk: "0.00341",
      gsc: "0.0214",
      created_at: expect.stringMatching(ISO_TIMESTAMP),
      updated_at: body.created_at,
      confirmed_at: body.created_at,
      supplier: { id: supplier.id, name: "Terry and Sons 5" },
    });
    expect(Object.keys(body)).toEqual([
      "id",
      "customer_id",
      "supplier_id",
      "number",
      "product",
      "reason",
      "building",
      "building_addon",
      "street",
      "city",
      "state",
      "postal_code",
      "consumptions",
      "solar_panels",
      "inverter_max_power",
      "contract_end_date",
      "respect_contract_end_date",
      "fixed_fee",
      "tariff_group",
      "recording_period",
      "wkk",
      "gsc",
      "created_at",
      "updated_at",
      "confirmed_at",
      "supplier",
    ]);
  });

  it("fills defaults and nulls for a minimal EAN", async () => {
    const customer = await createCustomer(org);
    const number = eanNumber();
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: { ean: { number: ` ${number} `, product: "gas" } },
    });
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({
      supplier_id: null,
      number,
      product: "gas",
      reason: "normal",
      building: null,
      consumptions: null,
      solar_panels: false,
      inverter_max_power: null,
      contract_end_date: null,
      respect_contract_end_date: false,
      fixed_fee: null,
      tariff_group: null,
      recording_period: null,
      wkk: null,
      gsc: null,
      supplier: null,
    });
  });

  it("keeps decimals exact and renders them the Rails way; JSON numbers come back as strings", async () => {
    const customer = await createCustomer(org);
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: {
        ean: eanFields({
          consumptions: [{ name: "day", volume: 1200, price: 0.15 }, { name: "night", volume: "12.50", price: "0.1234567890" }, { name: "exclusive_night" }],
          fixed_fee: "1.00",
        }),
      },
    });
    const body = await json(response);
    expect(body.consumptions).toEqual([
      { name: "day", volume: "1200", price: "0.15" },
      { name: "night", volume: "12.50", price: "0.1234567890" },
      { name: "exclusive_night", volume: null, price: null },
    ]);
    expect(body.fixed_fee).toBe("1.0");
  });
});

describe("consumptions come back as sent", () => {
  it.each([
    ["1500.250", "1500.250"],
    ["900", "900"],
    [0, "0"],
    [1500.25, "1500.25"],
    [" 12.50 ", "12.50"],
    [1e-7, "0.0000001"],
  ])("%j → %j, on create, list and the peer view", async (sent, answered) => {
    const customer = await createCustomer(org);
    const created = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: { ean: eanFields({ consumptions: [{ name: "mono", volume: sent, price: sent }], fixed_fee: "900" }) },
    });
    expect(created.status).toBe(201);
    const ean = await json(created);
    expect(ean.consumptions).toEqual([{ name: "mono", volume: answered, price: answered }]);
    // The scalar decimals keep the Rails rendering.
    expect(ean.fixed_fee).toBe("900.0");
    const listed = await json(await call("GET", `/api/v1/customers/${customer.id}/eans`, { token: org.token }));
    expect(listed[0].consumptions).toEqual(ean.consumptions);
  });

  it("is still validated as an exact decimal ≥ 0", async () => {
    const customer = await createCustomer(org);
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: { ean: eanFields({ consumptions: [{ name: "mono", volume: "1e3", price: "-0.5" }] }) },
    });
    expect(response.status).toBe(422);
    expect((await json(response)).errors.map((e: { path: string; error: string }) => `${e.path} ${e.error}`)).toEqual([
      "ean.consumptions.0.volume must_be_a_decimal",
      "ean.consumptions.0.price must_be_greater_than_or_equal_to",
    ]);
  });
});

describe("POST /api/v1/customers/:customer_id/eans/bulk", () => {
  it("stores 100 EANs in one atomic batch and answers them in request order", async () => {
    const customer = await createCustomer(org);
    const numbers = Array.from({ length: 100 }, () => eanNumber());
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: numbers.map((number) => ({ ean: eanFields({ number }) })) },
    });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body.map((e: { number: string }) => e.number)).toEqual(numbers);
    expect(await eansOf(customer.id)).toBe(100);
  });

  it("writes a bulk of 100 as one batch (one round trip) of statements within D1's 100 bound parameters", async () => {
    const customer = await createCustomer(org);
    const supplier = await createSupplier("Bulk Supplier");
    const items = Array.from({ length: 100 }, (_, i) => eanSchema.parse(eanFields({ supplier_id: i % 2 ? supplier.id : null })));
    const cost = emptyCost();
    const stored = await insertEans(createDatabase(await shardOf(org.id), cost), createDatabase(env.DIRECTORY), org.id, customer.id, items);
    expect(stored.map((row) => row.number)).toEqual(items.map((item) => item.number));
    expect(stored[1]).toMatchObject({ supplierId: supplier.id, supplierName: "Bulk Supplier", solarPanels: true, inverterMaxPower: 315 });
    expect(stored[0]).toMatchObject({ supplierId: null, supplierName: null });
    expect(cost.roundTrips).toBe(1);
    // The customer's EAN counter, the inserts, then their ean.created events (by number, NUMBERS_PER_STATEMENT a statement).
    // The counter, the inserts, the events, and the events' one webhook probe.
    expect(cost.statements).toBe(1 + Math.ceil(100 / EAN_ROWS_PER_STATEMENT) + Math.ceil(100 / NUMBERS_PER_STATEMENT) + 1);
    expect(EAN_ROWS_PER_STATEMENT * 20 + 4).toBeLessThanOrEqual(100);
  });

  it("writes nothing for another organisation's customer", async () => {
    const customer = await createCustomer(org);
    const other = await createOrganisation();
    const stored = await insertEans(createDatabase(await shardOf(org.id), emptyCost()), createDatabase(env.DIRECTORY), other.id, customer.id, [
      eanSchema.parse(eanFields()),
    ]);
    expect(stored).toEqual([]);
    expect(await eansOf(customer.id)).toBe(0);
  });

  it("leaves nothing stored when one item fails validation (all or nothing)", async () => {
    const customer = await createCustomer(org);
    const items = Array.from({ length: 99 }, () => ({ ean: eanFields() }));
    items.push({ ean: eanFields({ product: "steam" }) });
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, { token: org.token, body: { eans: items } });
    expect(response.status).toBe(422);
    expect((await json(response)).errors).toEqual([
      { path: "ean.product", error: "must_be_one_of", message: "must be one of: gas, electricity", type: "params", index: 99 },
    ]);
    expect(await eansOf(customer.id)).toBe(0);
  });

  it("rolls the whole batch back when the database rejects one row", async () => {
    const customer = await createCustomer(org);
    const taken = eanNumber();
    await insertEans(createDatabase(await shardOf(org.id), emptyCost()), createDatabase(env.DIRECTORY), org.id, customer.id, [
      eanSchema.parse(eanFields({ number: taken })),
    ]);
    // Bypass the rules: 60 fresh rows (15 statements), then one the unique index rejects.
    const items = Array.from({ length: 60 }, () => eanSchema.parse(eanFields()));
    items.push(eanSchema.parse(eanFields({ number: taken })));
    await expect(insertEans(createDatabase(await shardOf(org.id), emptyCost()), createDatabase(env.DIRECTORY), org.id, customer.id, items)).rejects.toThrow();
    expect(await eansOf(customer.id)).toBe(1);
  });
});

describe("GET /api/v1/customers/:customer_id/eans", () => {
  it("lists the customer's EANs by id, [] when none", async () => {
    const customer = await createCustomer(org);
    const empty = await call("GET", `/api/v1/customers/${customer.id}/eans`, { token: org.token });
    expect(empty.status).toBe(200);
    expect(await json(empty)).toEqual([]);
    const created = [];
    for (let i = 0; i < 3; i++) {
      const r = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } });
      created.push(await json(r));
    }
    const listed = await json(await call("GET", `/api/v1/customers/${customer.id}/eans`, { token: org.token }));
    expect(listed).toEqual(created);
  });

  it("reads at most rows returned + 5, in one round trip", async () => {
    const customer = await createCustomer(org);
    const supplier = await createSupplier();
    await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: Array.from({ length: 20 }, () => ({ ean: eanFields({ supplier_id: supplier.id }) })) },
    });
    const cost = emptyCost();
    const rows = await listEans(createDatabase(await shardOf(org.id), cost), org.id, customer.id);
    expect(rows).toHaveLength(20);
    expect(cost.roundTrips).toBe(1);
    expect(cost.rowsRead).toBeLessThanOrEqual(20 + 5);
  });
});
