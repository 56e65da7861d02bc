import { beforeAll, describe, expect, it } from "vitest";
import {
  allShards,
  call,
  countRows,
  createCustomer,
  createOrganisation,
  customerBody,
  eanFields,
  ISO_TIMESTAMP,
  json,
  type TestOrganisation,
} from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

async function customerWithEans(n: number, key?: string) {
  const created = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(), headers: key ? { "Idempotency-Key": key } : {} });
  expect(created.status).toBe(201);
  const customer = await json(created);
  const eans = [];
  for (let i = 0; i < n; i++)
    eans.push(await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } })));
  return { customer, eans };
}

describe("DELETE /api/v1/customers/:customer_id (erasure)", () => {
  it("erases the customer and its EANs at once; everything about it is 404 afterwards; a second DELETE is 404", async () => {
    const { customer } = await customerWithEans(2);
    const response = await call("DELETE", `/api/v1/customers/${customer.id}`, { token: org.token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect(await countRows("customers", "id = ?", customer.id)).toBe(0);
    expect(await countRows("eans", "customer_id = ?", customer.id)).toBe(0);
    for (const [method, path, body] of [
      ["GET", `/api/v1/customers/${customer.id}`],
      ["PATCH", `/api/v1/customers/${customer.id}`, { customer: { profile: { city: "X" } } }],
      ["GET", `/api/v1/customers/${customer.id}/export`],
      ["GET", `/api/v1/customers/${customer.id}/eans`],
      ["GET", `/api/mind/customer/byCustomerId/${customer.id}`],
      ["DELETE", `/api/v1/customers/${customer.id}`],
    ] as const) {
      const answer = await call(method, path, { token: org.token, body });
      expect(answer.status, `${method} ${path}`).toBe(404);
    }
  });

  it("frees its e-mail and EAN numbers at once", async () => {
    const { customer, eans } = await customerWithEans(1);
    expect((await call("DELETE", `/api/v1/customers/${customer.id}`, { token: org.token })).status).toBe(204);
    const again = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ email: customer.email }) });
    expect(again.status).toBe(201);
    const reused = await call("POST", `/api/v1/customers/${(await json(again)).id}/eans`, {
      token: org.token,
      body: { ean: eanFields({ number: eans[0].number }) },
    });
    expect(reused.status).toBe(201);
  });

  it("the list no longer counts it: pages shrink and stay dense, by id", async () => {
    const owner = await createOrganisation();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await createCustomer(owner)).id);
    expect((await call("DELETE", `/api/v1/customers/${ids[1]}`, { token: owner.token })).status).toBe(204);
    const page1 = await json(await call("GET", "/api/v1/customers?per=2", { token: owner.token }));
    const page2 = await json(await call("GET", "/api/v1/customers?per=2&page=2", { token: owner.token }));
    expect(page1.total_pages).toBe(2);
    expect([...page1.records, ...page2.records].map((c: { id: number }) => c.id)).toEqual([ids[0], ids[2], ids[3], ids[4]]);
    // And the next customer takes the next place.
    const next = await createCustomer(owner);
    const last = await json(await call("GET", "/api/v1/customers?per=5", { token: owner.token }));
    expect(last.records.map((c: { id: number }) => c.id)).toEqual([ids[0], ids[2], ids[3], ids[4], next.id]);
  });

  it("keeps no copy in D1: a retry of the request that created it answers 404 and creates nothing", async () => {
    const body = customerBody();
    const headers = { "Idempotency-Key": "erase-me" };
    const created = await json(await call("POST", "/api/v1/customers", { token: org.token, body, headers }));
    const eanHeaders = { "Idempotency-Key": "erase-me-too" };
    const eanBody = { ean: eanFields() };
    expect((await call("POST", `/api/v1/customers/${created.id}/eans`, { token: org.token, body: eanBody, headers: eanHeaders })).status).toBe(201);
    expect((await call("DELETE", `/api/v1/customers/${created.id}`, { token: org.token })).status).toBe(204);
    const before = await countRows("customers");
    for (const [path, sent, keyHeaders] of [
      ["/api/v1/customers", body, headers],
      [`/api/v1/customers/${created.id}/eans`, eanBody, eanHeaders],
    ] as const) {
      const retry = await call("POST", path, { token: org.token, body: sent, headers: keyHeaders });
      expect(retry.status, path).toBe(404);
      expect(await retry.text()).toBe('"Not found"');
    }
    expect(await countRows("customers")).toBe(before);
    expect(await countRows("idempotency_keys", "body is not null and subject = ?", `customer:${created.id}`)).toBe(0);
  });

  it("another organisation's customer: 404 and nothing erased", async () => {
    const { customer } = await customerWithEans(1);
    const stranger = await createOrganisation();
    expect((await call("DELETE", `/api/v1/customers/${customer.id}`, { token: stranger.token })).status).toBe(404);
    expect(await countRows("customers", "id = ?", customer.id)).toBe(1);
  });
});

describe("GET /api/v1/customers/:customer_id/export", () => {
  it("answers everything held, as a download", async () => {
    const { customer, eans } = await customerWithEans(2);
    const response = await call("GET", `/api/v1/customers/${customer.id}/export`, { token: org.token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Disposition")).toBe(`attachment; filename="enbro-customer-${customer.id}.json"`);
    const body = await json(response);
    expect(body).toEqual({
      customer,
      eans,
      registered_from_ip: "44.132.61.13",
      consents: {
        terms_and_conditions: { accepted: true, at: customer.created_at },
        privacy_policy: { accepted: true, at: customer.created_at },
      },
      exported_at: expect.stringMatching(ISO_TIMESTAMP),
    });
    expect(Object.keys(body)).toEqual(["customer", "eans", "registered_from_ip", "consents", "exported_at"]);
  });
});

describe("what D1 allows", () => {
  // docs/erasure.md: erased rows are deleted, not overwritten, because D1 refuses secure_delete. The day it
  // allows it, this fails: turn it on then.
  it("refuses PRAGMA secure_delete", async () => {
    await expect(allShards()[0]!.prepare("PRAGMA secure_delete = ON").run()).rejects.toThrow(/not authorized/);
  });
});
