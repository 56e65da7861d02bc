/** The conformance check (test/openapi-conformance.ts) refuses what the document does not describe. */
import { describe, expect, it } from "vitest";
import { checkRecordedExchanges, type Exchange, recordExchange } from "../openapi-conformance";

const customer = {
  id: 9,
  email: "a@example.com",
  external_id: null,
  created_at: "2020-04-07T13:51:11.880Z",
  updated_at: "2020-04-07T13:51:11.880Z",
  organisation: { id: 1, name: "Org", domain: "org-1", created_at: "2020-04-07T13:51:11.880Z" },
  profile: {
    id: 9,
    customer_id: 9,
    organisation_id: 1,
    title: "mr",
    first_name: "Danny",
    last_name: "Ocean",
    birth_date: "2000-04-07",
    phone: "+3256980144",
    city: "Gent",
    street: "Kerkstraat",
    building: "1",
    building_addon: null,
    postal_code: "9000",
    language: "nl",
    created_at: "2020-04-07T13:51:11.880Z",
    updated_at: "2020-04-07T13:51:11.880Z",
  },
};

function check(exchange: Partial<Exchange>) {
  recordExchange({ method: "GET", url: "/api/v1/customers/9", headers: {}, status: 200, answer: JSON.stringify(customer), ...exchange });
  return () => checkRecordedExchanges();
}

describe("the OpenAPI conformance check", () => {
  it("passes an answer the document describes", () => {
    expect(check({})).not.toThrow();
  });

  it("refuses a status the operation does not list", () => {
    expect(check({ status: 409, answer: JSON.stringify({ errors: [] }) })).toThrow(/answered 409, which the document does not list/);
  });

  it("refuses an answer that is not its status's schema", () => {
    expect(check({ answer: JSON.stringify({ ...customer, email: 5 }) })).toThrow(/answer 200/);
  });

  it("refuses a request the API accepted but the document would not", () => {
    const body = JSON.stringify({ ean: { number: "not a number at all" } });
    expect(check({ method: "PATCH", url: "/api/v1/customers/9/eans/3", body, status: 200, answer: JSON.stringify({ valid: true }) })).toThrow(/request body/);
  });

  it("refuses a strict query parameter out of its type, and lets a lenient one be", () => {
    const page = JSON.stringify({ data: [], has_more: false, next_after: 0 });
    expect(check({ url: "/api/v1/events?limit=abc", answer: page })).toThrow(/query limit/);
    const customers = JSON.stringify({ current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 0, records: [] });
    expect(check({ url: "/api/v1/customers?page=2abc", answer: customers })).not.toThrow();
  });

  it("leaves paths no operation has alone (404s, /docs)", () => {
    expect(check({ url: "/api/v1/nothing", status: 404, answer: '"Not found"' })).not.toThrow();
  });
});
