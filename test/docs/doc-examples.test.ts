/**
 * Every request/response example of the three editions of the original docs,
 * replayed against the API: the state each example presumes is set up, the
 * request is sent, and the answer must have the example's status and every
 * field of its body, with the same values wherever the value follows from
 * the request (ids and timestamps: same type and format).
 */
import { describe, expect, it } from "vitest";
import fixture from "../fixtures/doc-examples.json";
import { call, createOrganisation, createSupplier, eanNumber, ISO_TIMESTAMP, json, type TestOrganisation } from "../helpers";
import type { DocExample } from "./doc-example";

/** Copied verbatim from the three editions of the original docs (see the fixture's `about`). */
const examples = fixture.examples as DocExample[];

type Json = any;

const GENERATED_IDS = new Set(["id", "customer_id", "organisation_id", "supplier_id"]);
const GENERATED_TIMES = new Set(["created_at", "updated_at", "confirmed_at"]);

/** The answer has every field of the example; values equal except generated ids and times. */
function expectMatchesExample(actual: Json, expected: Json, path = "body"): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is an array`).toBe(true);
    expect(actual, path).toHaveLength(expected.length);
    for (const [i, item] of expected.entries()) expectMatchesExample(actual[i], item, `${path}.${i}`);
  } else if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object", `${path} is an object`).toBe(true);
    for (const key of Object.keys(expected)) {
      expect(Object.hasOwn(actual, key), `${path}.${key} present`).toBe(true);
      const field = `${path}.${key}`;
      if (GENERATED_IDS.has(key)) expect(Number.isSafeInteger(actual[key]) && actual[key] > 0, field).toBe(true);
      else if (GENERATED_TIMES.has(key)) expect(actual[key], field).toMatch(ISO_TIMESTAMP);
      else expectMatchesExample(actual[key], expected[key], field);
    }
  } else {
    expect(actual, path).toEqual(expected);
  }
}

/** The docs' organisations, by domain: two examples that show one domain show one organisation (domains are unique). */
const organisationsByDomain = new Map<string, Promise<TestOrganisation>>();

async function organisationFor(organisation: Json): Promise<TestOrganisation> {
  if (!organisation) return createOrganisation();
  const known = organisationsByDomain.get(organisation.domain) ?? createOrganisation(organisation.name, organisation.domain);
  organisationsByDomain.set(organisation.domain, known);
  return known;
}

async function createCustomerFrom(org: TestOrganisation, record: Json): Promise<number> {
  const { id, customer_id, organisation_id, created_at, updated_at, ...profile } = record.profile;
  const response = await call("POST", "/api/v1/customers", {
    token: org.token,
    body: { customer: { email: record.email, terms_and_conditions: true, privacy_policy: true, profile } },
  });
  expect(response.status, `seed customer ${record.email}`).toBe(201);
  return (await json(response)).id;
}

async function createFillerCustomer(org: TestOrganisation, n: number): Promise<void> {
  await createCustomerFrom(org, {
    email: `filler-${org.id}-${n}@example.com`,
    profile: {
      first_name: "Fill",
      last_name: "Er",
      title: "mrs",
      phone: "056 98 01 44",
      birth_date: "1980-01-01",
      city: "Gent",
      street: "Veldstraat",
      building: "1",
      postal_code: "9000",
    },
  });
}

async function addEans(org: TestOrganisation, customerId: number, eans: Json[]): Promise<void> {
  const response = await call("POST", `/api/v1/customers/${customerId}/eans/bulk`, {
    token: org.token,
    body: { eans: eans.map((ean) => ({ ean })) },
  });
  expect(response.status, "seed EANs").toBe(201);
}

/** EAN input fields of an EAN as the docs render it (for seeding lists). */
function eanInputFrom(record: Json, supplierId: number | null): Json {
  const { id, customer_id, state, created_at, confirmed_at, supplier, ...fields } = record;
  return { ...fields, supplier_id: supplierId };
}

interface Staged {
  path: string;
  authorization: string | null;
  body?: Json;
}

/**
 * The examples reuse a few EAN numbers, but storage lives as long as this
 * file: each example gets fresh valid numbers, in its request and its answer.
 */
function renumberEans(example: DocExample): DocExample {
  const fresh = new Map<string, string>();
  const text = JSON.stringify([example.request, example.response]).replace(/"(54\d{16})"/g, (_, n: string) => {
    if (!fresh.has(n)) fresh.set(n, eanNumber());
    return `"${fresh.get(n)}"`;
  });
  const [request, response] = JSON.parse(text);
  return { ...example, request, response };
}

/** Sets up what the example presumes and returns the request to send. */
async function stage(example: DocExample): Promise<Staged> {
  const response = example.response as Json;
  const request = example.request as Json;
  const route = example.path.replace(/\/\d+(?=\/|$)/, "/:id");

  if (route === "/api/v1/ping") return { path: example.path, authorization: null };
  if (route === "/api/v1/me") {
    if (example.status === 401) return { path: example.path, authorization: example.authorization };
    const org = await organisationFor(response);
    return { path: example.path, authorization: `Bearer ${org.token}` };
  }
  if (route === "/api/v1/customers" && example.method === "POST") {
    const org = await organisationFor(response.organisation);
    const taken = response.errors?.some((e: Json) => e.error === "confirmed_email_has_already_been_taken");
    // Registered by another organisation: e-mails are unique in the whole system.
    if (taken) await createCustomerFrom(await createOrganisation(), { email: request.customer.email, profile: request.customer.profile });
    return { path: example.path, authorization: `Bearer ${org.token}`, body: request };
  }
  if (route.startsWith("/api/v1/customers?")) {
    const org = await organisationFor(response.records[0].organisation);
    const total = response.limit_value * response.total_pages;
    for (const record of response.records) await createCustomerFrom(org, record);
    for (let n = response.records.length; n < total; n++) await createFillerCustomer(org, n);
    return { path: example.path, authorization: `Bearer ${org.token}` };
  }
  if (route === "/api/v1/customers/:id") {
    const org = await organisationFor(response.organisation);
    if (example.status === 404) {
      // Another organisation's customer does not exist for the caller.
      const other = await createOrganisation();
      const id = await createCustomerFrom(other, {
        email: `other-${other.id}@example.com`,
        profile: {
          first_name: "A",
          last_name: "B",
          title: "mr",
          phone: "+3256980144",
          birth_date: "1990-01-01",
          city: "C",
          street: "D",
          building: "1",
          postal_code: "1000",
        },
      });
      return { path: `/api/v1/customers/${id}`, authorization: `Bearer ${org.token}` };
    }
    const id = await createCustomerFrom(org, response);
    return { path: `/api/v1/customers/${id}`, authorization: `Bearer ${org.token}` };
  }
  // EAN routes: a customer of a fresh organisation, suppliers named as in the example.
  const org = await createOrganisation();
  const customerId = await createCustomerFrom(org, {
    email: `eans-${org.id}@example.com`,
    profile: {
      first_name: "Eve",
      last_name: "Ans",
      title: "mrs",
      phone: "+3256980144",
      birth_date: "1985-05-05",
      city: "Kiev",
      street: "street name",
      building: "15",
      postal_code: "2443",
    },
  });
  const path = example.path.replace(/\/customers\/\d+/, `/customers/${customerId}`);
  const records: Json[] = Array.isArray(response) ? response : response.errors ? [] : [response];
  const supplierName = records.find((r) => r.supplier)?.supplier.name;
  const supplier = await createSupplier(supplierName);
  const withSupplier = (ean: Json) => ({ ...ean, supplier_id: supplier.id });
  const items: Json[] = request ? (request.eans ? request.eans.map((i: Json) => i.ean) : [request.ean]) : [];

  if (example.method === "GET") {
    await addEans(
      org,
      customerId,
      records.map((r) => eanInputFrom(r, supplier.id)),
    );
    return { path, authorization: `Bearer ${org.token}` };
  }
  const errors: Json[] = response.errors ?? [];
  if (errors.some((e) => e.error === "has_already_been_added_to_customer")) {
    await addEans(org, customerId, items.map(withSupplier));
  } else if (errors.some((e) => e.error === "has_already_been_taken")) {
    const other = await createOrganisation();
    const otherCustomer = await createCustomerFrom(other, {
      email: `taken-${other.id}@example.com`,
      profile: {
        first_name: "T",
        last_name: "K",
        title: "mr",
        phone: "+3256980144",
        birth_date: "1970-01-01",
        city: "C",
        street: "S",
        building: "1",
        postal_code: "1000",
      },
    });
    await addEans(other, otherCustomer, items.map(withSupplier));
  }
  const body = request.eans ? { eans: items.map((ean) => ({ ean: withSupplier(ean) })) } : { ean: withSupplier(request.ean) };
  return { path, authorization: `Bearer ${org.token}`, body };
}

describe("the original docs' examples", () => {
  it("are all read from the three editions", () => {
    expect(examples.length).toBeGreaterThanOrEqual(37);
    expect(new Set(examples.map((e) => e.edition))).toEqual(new Set(["000", "001", "002"]));
  });

  it.each(examples.map((example, i) => [`${example.title} #${i}: ${example.method} ${example.path} → ${example.status}`, example] as const))(
    "%s",
    async (_, original) => {
      const example = renumberEans(original);
      const staged = await stage(example);
      const headers: Record<string, string> = {};
      if (staged.authorization) headers.Authorization = staged.authorization;
      const response = await call(example.method, staged.path, { headers, body: staged.body });
      // The oldest edition answered a created customer with 200; the newest (201) wins.
      const status = example.status === 200 && example.method === "POST" ? 201 : example.status;
      expect(response.status).toBe(status);
      expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
      const body = await json(response);
      if (status >= 400) expect(body).toEqual(example.response);
      else expectMatchesExample(body, example.response);
    },
  );
});
