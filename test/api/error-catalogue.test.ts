import { beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, MAX_BODY_TEXT, MAX_BULK_EANS } from "../../src/domain/limits";
import {
  call,
  callWithCost,
  countRows,
  createCustomer,
  createOrganisation,
  createSupplier,
  customerBody,
  eanFields,
  eanNumber,
  json,
  type TestOrganisation,
} from "../helpers";

let org: TestOrganisation;
let customerId: number;

beforeAll(async () => {
  org = await createOrganisation();
  customerId = (await createCustomer(org)).id;
});

const err = (path: string, error: string, message: string, extra: Record<string, unknown> = {}) => ({
  path,
  error,
  message,
  type: error === "confirmed_email_has_already_been_taken" ? "custom" : "params",
  ...extra,
});

const customersStored = () => countRows("customers");

async function postCustomer(body: unknown) {
  return call("POST", "/api/v1/customers", { token: org.token, body });
}

async function expectCustomerErrors(body: unknown, errors: unknown[]) {
  const before = await customersStored();
  const response = await postCustomer(body);
  expect(response.status).toBe(422);
  expect(await json(response)).toEqual({ errors });
  expect(await customersStored()).toBe(before);
}

describe("customer rules", () => {
  const long = "x".repeat(256);
  it.each([
    ["key absent → is_missing", customerBody({ email: undefined }), [err("customer.email", "is_missing", "is missing")]],
    ["null → must_be_filled", customerBody({}, { first_name: null }), [err("customer.profile.first_name", "must_be_filled", "must be filled")]],
    ["blank string → must_be_filled", customerBody({}, { last_name: "   " }), [err("customer.profile.last_name", "must_be_filled", "must be filled")]],
    ["not a string → must_be_a_string", customerBody({}, { city: 42 }), [err("customer.profile.city", "must_be_a_string", "must be a string")]],
    [
      "not a boolean → must_be_boolean",
      customerBody({ terms_and_conditions: "yes" }),
      [err("customer.terms_and_conditions", "must_be_boolean", "must be boolean")],
    ],
    ["false → must_be_true", customerBody({ privacy_policy: false }), [err("customer.privacy_policy", "must_be_true", "must be true")]],
    ['"0" → must_be_true', customerBody({ privacy_policy: "0" }), [err("customer.privacy_policy", "must_be_true", "must be true")]],
    [
      "not a calendar date → must_be_a_date",
      customerBody({}, { birth_date: "2020-02-30" }),
      [err("customer.profile.birth_date", "must_be_a_date", "must be a date")],
    ],
    [
      "not a date at all → must_be_a_date",
      customerBody({}, { birth_date: "07/04/2000" }),
      [err("customer.profile.birth_date", "must_be_a_date", "must be a date")],
    ],
    [
      "birth date in the future → must_be_in_the_past",
      customerBody({}, { birth_date: "2999-01-01" }),
      [err("customer.profile.birth_date", "must_be_in_the_past", "must be in the past")],
    ],
    ["title not allowed → must_be_one_of", customerBody({}, { title: "dr" }), [err("customer.profile.title", "must_be_one_of", "must be one of: mr, mrs")]],
    [
      "language not allowed → must_be_one_of",
      customerBody({}, { language: "de" }),
      [err("customer.profile.language", "must_be_one_of", "must be one of: nl, fr, en")],
    ],
    [
      "malformed e-mail → is_in_invalid_format",
      customerBody({ email: "not-an-email" }),
      [err("customer.email", "is_in_invalid_format", "is in invalid format")],
    ],
    [
      "malformed phone → is_in_invalid_format",
      customerBody({}, { phone: "12" }),
      [err("customer.profile.phone", "is_in_invalid_format", "is in invalid format")],
    ],
    [
      "letters for a phone → is_in_invalid_format",
      customerBody({}, { phone: "call me" }),
      [err("customer.profile.phone", "is_in_invalid_format", "is in invalid format")],
    ],
    [
      "malformed IP → is_in_invalid_format",
      customerBody({ registered_from_ip: "999.1.1.1" }),
      [err("customer.registered_from_ip", "is_in_invalid_format", "is in invalid format")],
    ],
    [
      "longer than 255 → size_cannot_be_greater_than",
      customerBody({}, { street: long }),
      [err("customer.profile.street", "size_cannot_be_greater_than", "size cannot be greater than 255")],
    ],
    [
      "profile not an object → must_be_a_hash",
      { customer: { ...customerBody().customer, profile: "Danny" } },
      [err("customer.profile", "must_be_a_hash", "must be a hash")],
    ],
    ["customer not an object → must_be_a_hash", { customer: [] }, [err("customer", "must_be_a_hash", "must be a hash")]],
    ["no customer at all → is_missing", { client: {} }, [err("customer", "is_missing", "is missing")]],
    ["a JSON array body → customer is_missing", [1, 2], [err("customer", "is_missing", "is missing")]],
  ])("%s", async (_, body, errors) => {
    await expectCustomerErrors(body, errors);
  });

  it("reports every error at once, in the contract's table order", async () => {
    const body = customerBody(
      { email: "nope", terms_and_conditions: null, privacy_policy: false, registered_from_ip: 12 },
      { first_name: null, postal_code: undefined, building_addon: 5, title: "sir", phone: "x", birth_date: "2999-12-31", language: "es" },
    );
    await expectCustomerErrors(body, [
      err("customer.email", "is_in_invalid_format", "is in invalid format"),
      err("customer.terms_and_conditions", "must_be_filled", "must be filled"),
      err("customer.privacy_policy", "must_be_true", "must be true"),
      err("customer.registered_from_ip", "must_be_a_string", "must be a string"),
      err("customer.profile.first_name", "must_be_filled", "must be filled"),
      err("customer.profile.postal_code", "is_missing", "is missing"),
      err("customer.profile.building_addon", "must_be_a_string", "must be a string"),
      err("customer.profile.title", "must_be_one_of", "must be one of: mr, mrs"),
      err("customer.profile.phone", "is_in_invalid_format", "is in invalid format"),
      err("customer.profile.birth_date", "must_be_in_the_past", "must be in the past"),
      err("customer.profile.language", "must_be_one_of", "must be one of: nl, fr, en"),
    ]);
  });

  it("rejects an e-mail registered by any organisation, case-insensitively (custom type)", async () => {
    const other = await createOrganisation();
    const taken = await createCustomer(other, { email: "Taken.Person@Example.com" });
    expect(taken.email).toBe("taken.person@example.com");
    await expectCustomerErrors(customerBody({ email: "  TAKEN.person@example.COM " }), [
      err("customer.email", "confirmed_email_has_already_been_taken", "it is already registered"),
    ]);
  });

  it("accepts every documented boolean spelling", async () => {
    for (const yes of [true, "true", "1", 1]) {
      const response = await postCustomer(customerBody({ terms_and_conditions: yes, privacy_policy: yes }));
      expect(response.status, String(yes)).toBe(201);
    }
  });
});

describe("EAN rules", () => {
  const eansStored = () => countRows("eans");

  async function expectEanErrors(body: unknown, errors: unknown[], path = `/api/v1/customers/${customerId}/eans`) {
    const before = await eansStored();
    const response = await call("POST", path, { token: org.token, body });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ errors });
    expect(await eansStored()).toBe(before);
  }

  const badCheckDigit = (() => {
    const good = eanNumber();
    return good.slice(0, 17) + ((Number(good[17]) + 1) % 10);
  })();

  it.each([
    ["number absent → is_missing", { number: undefined }, [err("ean.number", "is_missing", "is missing")]],
    ["wrong check digit → is_in_invalid_format", { number: badCheckDigit }, [err("ean.number", "is_in_invalid_format", "is in invalid format")]],
    ["not 18 digits → is_in_invalid_format", { number: "54123" }, [err("ean.number", "is_in_invalid_format", "is in invalid format")]],
    ["product not allowed → must_be_one_of", { product: "water" }, [err("ean.product", "must_be_one_of", "must be one of: gas, electricity")]],
    [
      "reason not allowed → must_be_one_of",
      { reason: "bored" },
      [err("ean.reason", "must_be_one_of", "must be one of: normal, new, reopened, dropped, moved")],
    ],
    ["supplier_id not an integer → must_be_an_integer", { supplier_id: "3a" }, [err("ean.supplier_id", "must_be_an_integer", "must be an integer")]],
    [
      "inverter_max_power a fraction → must_be_an_integer",
      { inverter_max_power: 1.5 },
      [err("ean.inverter_max_power", "must_be_an_integer", "must be an integer")],
    ],
    [
      "inverter_max_power negative → must_be_greater_than_or_equal_to",
      { inverter_max_power: -5 },
      [err("ean.inverter_max_power", "must_be_greater_than_or_equal_to", "must be greater than or equal to 0")],
    ],
    ["fixed_fee not a decimal → must_be_a_decimal", { fixed_fee: "1,5" }, [err("ean.fixed_fee", "must_be_a_decimal", "must be a decimal")]],
    [
      "wkk negative → must_be_greater_than_or_equal_to",
      { wkk: "-0.5" },
      [err("ean.wkk", "must_be_greater_than_or_equal_to", "must be greater than or equal to 0")],
    ],
    ["solar_panels not a boolean → must_be_boolean", { solar_panels: "maybe" }, [err("ean.solar_panels", "must_be_boolean", "must be boolean")]],
    ["contract_end_date not a date → must_be_a_date", { contract_end_date: "2021-13-01" }, [err("ean.contract_end_date", "must_be_a_date", "must be a date")]],
    ["consumptions not an array → must_be_an_array", { consumptions: "mono" }, [err("ean.consumptions", "must_be_an_array", "must be an array")]],
    // A string is no array, whatever its length: one error, not also "too big".
    [
      "a long string for consumptions → must_be_an_array alone",
      { consumptions: "m".repeat(40) },
      [err("ean.consumptions", "must_be_an_array", "must be an array")],
    ],
    ["a consumption not an object → must_be_a_hash", { consumptions: ["mono"] }, [err("ean.consumptions.0", "must_be_a_hash", "must be a hash")]],
    [
      "a consumption without name → is_missing",
      { consumptions: [{ name: "day", volume: "1" }, { volume: "2" }] },
      [err("ean.consumptions.1.name", "is_missing", "is missing")],
    ],
    [
      "a consumption price negative",
      { consumptions: [{ name: "day", volume: "1", price: -1 }] },
      [err("ean.consumptions.0.price", "must_be_greater_than_or_equal_to", "must be greater than or equal to 0")],
    ],
    ["street longer than 255", { street: "s".repeat(256) }, [err("ean.street", "size_cannot_be_greater_than", "size cannot be greater than 255")]],
    [
      "tariff_group not allowed",
      { tariff_group: "tri" },
      [err("ean.tariff_group", "must_be_one_of", "must be one of: mono, dual, monoExclusive, dualExclusive")],
    ],
    [
      "recording_period not allowed",
      { recording_period: "weekly" },
      [
        err(
          "ean.recording_period",
          "must_be_one_of",
          "must be one of: automatic, monthly, january, february, march, april, may, june, july, august, september, october, november, december",
        ),
      ],
    ],
  ])("%s", async (_, overrides, errors) => {
    await expectEanErrors({ ean: eanFields(overrides) }, errors);
  });

  it("ean not an object → must_be_a_hash; absent → is_missing", async () => {
    await expectEanErrors({ ean: "542170967180397340" }, [err("ean", "must_be_a_hash", "must be a hash")]);
    await expectEanErrors({}, [err("ean", "is_missing", "is missing")]);
  });

  it("supplier_id naming no supplier → must_exist", async () => {
    await expectEanErrors({ ean: eanFields({ supplier_id: 987654 }) }, [err("ean.supplier_id", "must_exist", "must exist")]);
  });

  it("a shape error and an unknown supplier in one EAN → both, in field order", async () => {
    await expectEanErrors({ ean: eanFields({ supplier_id: 987654, product: "water" }) }, [
      err("ean.product", "must_be_one_of", "must be one of: gas, electricity"),
      err("ean.supplier_id", "must_exist", "must exist"),
    ]);
  });

  it("a number held by another customer → has_already_been_taken", async () => {
    const other = await createOrganisation();
    const otherCustomer = await createCustomer(other);
    const number = eanNumber();
    expect((await call("POST", `/api/v1/customers/${otherCustomer.id}/eans`, { token: other.token, body: { ean: eanFields({ number }) } })).status).toBe(201);
    await expectEanErrors({ ean: eanFields({ number }) }, [err("ean.number", "has_already_been_taken", "has already been taken")]);
  });

  it("a number this customer holds → added to customer, then taken", async () => {
    const number = eanNumber();
    expect((await call("POST", `/api/v1/customers/${customerId}/eans`, { token: org.token, body: { ean: eanFields({ number }) } })).status).toBe(201);
    await expectEanErrors({ ean: eanFields({ number }) }, [
      err("ean.number", "has_already_been_added_to_customer", "has already been added to customer"),
      err("ean.number", "has_already_been_taken", "has already been taken"),
    ]);
  });

  describe("bulk", () => {
    const bulkPath = () => `/api/v1/customers/${customerId}/eans/bulk`;

    it("eans absent, not an array, empty, over 100", async () => {
      await expectEanErrors({}, [err("eans", "is_missing", "is missing")], bulkPath());
      await expectEanErrors({ eans: { ean: eanFields() } }, [err("eans", "must_be_an_array", "must be an array")], bulkPath());
      await expectEanErrors({ eans: "e".repeat(101) }, [err("eans", "must_be_an_array", "must be an array")], bulkPath());
      await expectEanErrors({ eans: [] }, [err("eans", "cannot_be_empty", "cannot be empty")], bulkPath());
      const tooMany = Array.from({ length: MAX_BULK_EANS + 1 }, () => ({ ean: eanFields() }));
      await expectEanErrors({ eans: tooMany }, [err("eans", "size_cannot_be_greater_than", "size cannot be greater than 100")], bulkPath());
    });

    it("reports every item's errors with its index, paths relative to the item, and stores nothing", async () => {
      const supplier = await createSupplier();
      const repeated = eanNumber();
      const body = {
        eans: [
          { ean: eanFields({ supplier_id: supplier.id }) },
          { ean: eanFields({ product: "water", fixed_fee: "abc" }) },
          "not an item",
          { ean: eanFields({ number: repeated }) },
        ],
      };
      await expectEanErrors(
        body,
        [
          err("ean.product", "must_be_one_of", "must be one of: gas, electricity", { index: 1 }),
          err("ean.fixed_fee", "must_be_a_decimal", "must be a decimal", { index: 1 }),
          err("ean", "is_missing", "is missing", { index: 2 }),
        ],
        bulkPath(),
      );
    });

    it("shape errors and database rules together: every item's errors, in one round trip to the shard and one beside it to the directory, nothing stored", async () => {
      const theirs = eanNumber();
      const other = await createOrganisation();
      const otherCustomer = await createCustomer(other);
      expect(
        (await call("POST", `/api/v1/customers/${otherCustomer.id}/eans`, { token: other.token, body: { ean: eanFields({ number: theirs }) } })).status,
      ).toBe(201);
      const customer = await createCustomer(org);
      const body = {
        eans: [
          { ean: eanFields({ product: "steam" }) },
          { ean: eanFields() },
          { ean: eanFields({ supplier_id: 987654, fixed_fee: "-1" }) },
          { ean: eanFields({ number: theirs }) },
          { ean: eanFields({ number: "12345", supplier_id: "x" }) },
        ],
      };
      const { response, cost } = await callWithCost("POST", `/api/v1/customers/${customer.id}/eans/bulk`, { token: org.token, body });
      expect(response.status).toBe(422);
      expect((await json(response)).errors).toEqual([
        err("ean.product", "must_be_one_of", "must be one of: gas, electricity", { index: 0 }),
        err("ean.supplier_id", "must_exist", "must exist", { index: 2 }),
        err("ean.fixed_fee", "must_be_greater_than_or_equal_to", "must be greater than or equal to 0", { index: 2 }),
        err("ean.number", "has_already_been_taken", "has already been taken", { index: 3 }),
        err("ean.number", "is_in_invalid_format", "is in invalid format", { index: 4 }),
        err("ean.supplier_id", "must_be_an_integer", "must be an integer", { index: 4 }),
      ]);
      // The shard's rules and the directory's claims (another organisation's numbers), read side by side.
      expect(cost.roundTrips).toBe(2);
      expect(cost.rowsWritten).toBe(0);
      expect(await countRows("eans", "customer_id = ?", customer.id)).toBe(0);
    });

    it("another organisation's customer: the shape errors only, as for any id", async () => {
      const other = await createOrganisation();
      const otherCustomer = await createCustomer(other);
      const response = await call("POST", `/api/v1/customers/${otherCustomer.id}/eans/bulk`, {
        token: org.token,
        body: { eans: [{ ean: eanFields({ product: "steam" }) }, { ean: eanFields({ supplier_id: 987654 }) }] },
      });
      expect(response.status).toBe(422);
      expect((await json(response)).errors).toEqual([err("ean.product", "must_be_one_of", "must be one of: gas, electricity", { index: 0 })]);
    });

    it("database rules over every item: taken, added, repeated within the request, unknown supplier", async () => {
      const mine = eanNumber();
      const theirs = eanNumber();
      const twice = eanNumber();
      expect((await call("POST", `/api/v1/customers/${customerId}/eans`, { token: org.token, body: { ean: eanFields({ number: mine }) } })).status).toBe(201);
      const other = await createOrganisation();
      const otherCustomer = await createCustomer(other);
      expect(
        (await call("POST", `/api/v1/customers/${otherCustomer.id}/eans`, { token: other.token, body: { ean: eanFields({ number: theirs }) } })).status,
      ).toBe(201);
      const body = {
        eans: [
          { ean: eanFields() },
          { ean: eanFields({ number: theirs }) },
          { ean: eanFields({ number: twice }) },
          { ean: eanFields({ number: mine, supplier_id: 424242 }) },
          { ean: eanFields({ number: twice }) },
        ],
      };
      await expectEanErrors(
        body,
        [
          err("ean.number", "has_already_been_taken", "has already been taken", { index: 1 }),
          err("ean.number", "has_already_been_added_to_customer", "has already been added to customer", { index: 3 }),
          err("ean.number", "has_already_been_taken", "has already been taken", { index: 3 }),
          err("ean.supplier_id", "must_exist", "must exist", { index: 3 }),
          err("ean.number", "has_already_been_taken", "has already been taken", { index: 4 }),
        ],
        bulkPath(),
      );
    });
  });
});

describe("request errors", () => {
  it("a body that is not JSON → 400 malformed_json", async () => {
    const response = await call("POST", "/api/v1/customers", { token: org.token, body: '{"customer": {' });
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(await json(response)).toEqual({
      errors: [{ path: "request", error: "malformed_json", message: "is not valid JSON", type: "custom" }],
    });
  });

  it(`a body over ${MAX_BODY_TEXT} → 413 before parsing`, async () => {
    const huge = `{"customer": "${"x".repeat(MAX_BODY_BYTES)}"}`;
    const response = await call("POST", "/api/v1/customers", { token: org.token, body: huge });
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({
      errors: [{ path: "request", error: "payload_too_large", message: "is larger than 1 MiB", type: "custom" }],
    });
  });

  it("a body that is not declared JSON → 415", async () => {
    const response = await call("POST", "/api/v1/customers", {
      token: org.token,
      body: "customer[email]=a@b.c",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(415);
    expect((await json(response)).errors[0].error).toBe("unsupported_media_type");
  });

  it('unknown routes and non-numeric ids → 404 "Not found"', async () => {
    for (const path of [
      "/api/v1/nothing",
      "/api/v2/ping",
      "/",
      `/api/v1/customers/abc`,
      `/api/v1/customers/1.5`,
      `/api/v1/customers/-1/eans`,
      "/api/v1/customers/99999999999999999999",
    ]) {
      const response = await call("GET", path, { token: org.token });
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe('"Not found"');
    }
  });
});
