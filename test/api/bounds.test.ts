import { beforeAll, describe, expect, it } from "vitest";
import { MAX_CONSUMPTIONS, MAX_EANS_PER_CUSTOMER } from "../../src/domain/limits";
import { ADMIN_TOKEN, call, countRows, createCustomer, createOrganisation, customerBody, eanFields, json, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

const eansOf = async (customerId: number) => await countRows("eans", "customer_id = ?", customerId);

const errorsOf = async (response: Response) => {
  expect(response.status).toBe(422);
  return (await json(response)).errors as Array<Record<string, unknown>>;
};

async function addEans(customerId: number, count: number) {
  for (let done = 0; done < count; done += 100) {
    const eans = Array.from({ length: Math.min(100, count - done) }, () => ({ ean: eanFields() }));
    expect((await call("POST", `/api/v1/customers/${customerId}/eans/bulk`, { token: org.token, body: { eans } })).status).toBe(201);
  }
}

describe("consumptions", () => {
  it(`take ${MAX_CONSUMPTIONS}, not one more`, async () => {
    const customer = await createCustomer(org);
    const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `line${i}`, volume: "1", price: "0.1" }));
    const ok = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ consumptions: lines(16) }) } });
    expect(ok.status).toBe(201);
    const over = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ consumptions: lines(17) }) } });
    expect(await errorsOf(over)).toEqual([
      { path: "ean.consumptions", error: "size_cannot_be_greater_than", message: "size cannot be greater than 16", type: "params" },
    ]);
  });
});

describe(`a customer holds at most ${MAX_EANS_PER_CUSTOMER} EANs`, () => {
  const TOO_MANY = { error: "too_many_eans", message: "a customer holds at most 500 EANs", type: "custom" };

  it("a create or a bulk that would pass it: 422, nothing stored", async () => {
    const customer = await createCustomer(org);
    await addEans(customer.id, 499);
    const bulk = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: [{ ean: eanFields() }, { ean: eanFields() }] },
    });
    expect(await errorsOf(bulk)).toEqual([{ path: "eans", ...TOO_MANY }]);
    expect(await eansOf(customer.id)).toBe(499);
    expect((await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } })).status).toBe(201);
    const one = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } });
    expect(await errorsOf(one)).toEqual([{ path: "ean", ...TOO_MANY }]);
    expect(await eansOf(customer.id)).toBe(500);
    const listed = await json(await call("GET", `/api/v1/customers/${customer.id}/eans`, { token: org.token }));
    expect(listed).toHaveLength(500);
  });

  it("holds under concurrent bulks: of two that fit only together, one wins", async () => {
    const customer = await createCustomer(org);
    await addEans(customer.id, 350);
    const bulk = () =>
      call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
        token: org.token,
        body: { eans: Array.from({ length: 100 }, () => ({ ean: eanFields() })) },
      });
    const statuses = (await Promise.all([bulk(), bulk()])).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 422]);
    expect(await eansOf(customer.id)).toBe(450);
  });
});

describe("decimals: at most 12 digits before the point and 10 after", () => {
  it.each([
    ["fixed_fee", "123456789012.0123456789", 201],
    ["fixed_fee", "1234567890123", 422],
    ["fixed_fee", "0.01234567891", 422],
    ["wkk", "9".repeat(100_000), 422],
    ["gsc", 1e-11, 422],
    ["consumptions", [{ name: "mono", volume: "1234567890123", price: "0.1" }], 422],
  ])("%s %j → %i", async (field, value, status) => {
    const customer = await createCustomer(org);
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ [field]: value }) } });
    expect(response.status).toBe(status);
    if (status === 422) expect((await json(response)).errors[0].error).toBe("must_be_a_decimal");
    else expect((await json(response))[field]).toBe(value);
  });
});

describe("strings: no control, invisible or direction-changing characters, no lone surrogates", () => {
  // Every kind test/unit/text-fields.test.ts covers, one of each through the API.
  const BAD = [
    ["NUL", "Dan\u0000ny"],
    ["a newline inside", "Dan\nny"],
    ["ESC", "Dan\u001bny"],
    ["DEL", "Dan\u007fny"],
    ["a lone high surrogate", "Dan\ud800ny"],
    ["a lone low surrogate", "Dan\udc00ny"],
    ["U+0085 (C1 next line)", "Dan\u0085ny"],
    ["a right-to-left override", "Dan\u202eny"],
    ["a line separator", "Dan\u2028ny"],
    ["a zero-width space", "Dan\u200bny"],
    ["a BOM inside", "Dan\ufeffny"],
    ["a noncharacter", "Dan\uffffny"],
    ["a tag character", "Dan\u{e0041}ny"],
  ] as const;

  it.each(BAD)("%s in a customer's name or address → is_in_invalid_format at its path", async (_, bad) => {
    const response = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({}, { first_name: bad, city: bad }) });
    expect(await errorsOf(response)).toEqual([
      { path: "customer.profile.first_name", error: "is_in_invalid_format", message: "is in invalid format", type: "params" },
      { path: "customer.profile.city", error: "is_in_invalid_format", message: "is in invalid format", type: "params" },
    ]);
  });

  it.each(BAD)("%s in an EAN's street and a consumption's name", async (_, bad) => {
    const customer = await createCustomer(org);
    const response = await call("POST", `/api/v1/customers/${customer.id}/eans`, {
      token: org.token,
      body: { ean: eanFields({ street: bad, consumptions: [{ name: bad, volume: "1" }] }) },
    });
    expect((await errorsOf(response)).map((e) => `${e.path} ${e.error}`)).toEqual([
      "ean.street is_in_invalid_format",
      "ean.consumptions.0.name is_in_invalid_format",
    ]);
  });

  it("in the operator's names", async () => {
    for (const path of ["/admin/v1/organisations", "/admin/v1/suppliers"]) {
      const response = await call("POST", path, { token: ADMIN_TOKEN, body: { name: "Acme\u0000" + "Energy" } });
      expect((await errorsOf(response))[0], path).toMatchObject({ path: "name", error: "is_in_invalid_format" });
    }
  });

  it("accepts what people type: accents, emoji (a surrogate pair), and trims tabs and newlines at the ends", async () => {
    const response = await call("POST", "/api/v1/customers", {
      token: org.token,
      body: customerBody({}, { first_name: "\tZoë 😀\n", city: "Liège" }),
    });
    expect(response.status).toBe(201);
    expect((await json(response)).profile.first_name).toBe("Zoë 😀");
  });
});
