import { beforeAll, describe, expect, it } from "vitest";
import { findCustomer, listCustomers } from "../../src/domain/customers/customers.queries";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import { CUSTOMER_SEQ_BITS } from "../../src/domain/limits";
import {
  allShards,
  call,
  callWithCost,
  countRows,
  createCustomer,
  createOrganisation,
  customerBody,
  firstRow,
  ISO_TIMESTAMP,
  json,
  shardOf,
  type TestOrganisation,
} from "../helpers";

describe("POST /api/v1/customers", () => {
  it("answers 201 with every field of the Customer, normalised, null where empty", async () => {
    const org = await createOrganisation("Cronin, Cremin and Gutmann");
    const response = await call("POST", "/api/v1/customers", {
      token: org.token,
      headers: { "CF-Connecting-IP": "203.0.113.9" },
      body: customerBody(
        { email: "  Misty_Hansen@West.NAME ", registered_from_ip: undefined },
        { first_name: "  Danny ", phone: "+32(0)56/98.01.44", building_addon: "", language: undefined },
      ),
    });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(Object.keys(body)).toEqual(["id", "email", "external_id", "created_at", "updated_at", "organisation", "profile"]);
    expect(body.email).toBe("misty_hansen@west.name");
    expect(body.created_at).toMatch(ISO_TIMESTAMP);
    expect(body.organisation).toEqual({ id: org.id, name: org.name, domain: org.domain, created_at: expect.stringMatching(ISO_TIMESTAMP) });
    expect(body.profile).toEqual({
      id: body.id,
      customer_id: body.id,
      organisation_id: org.id,
      title: "mr",
      first_name: "Danny",
      last_name: "Ocean",
      birth_date: "2000-04-07",
      phone: "+3256980144",
      city: "Huelborough",
      street: "10109 Rodriguez Mountains",
      building: "8962",
      building_addon: null,
      postal_code: "84783",
      language: "nl",
      created_at: body.created_at,
      updated_at: body.updated_at,
    });
    expect(JSON.stringify(body)).not.toContain("registered_from_ip");
    const stored = await firstRow("select registered_from_ip from customers where id = ?", body.id);
    expect(stored).toEqual({ registered_from_ip: "203.0.113.9" });
  });

  it("stores registered_from_ip when given (IPv4 or IPv6), never returns it", async () => {
    const org = await createOrganisation();
    const customer = await createCustomer(org, { registered_from_ip: "2001:db8::1" });
    expect(customer).not.toHaveProperty("registered_from_ip");
    const stored = await firstRow("select registered_from_ip from customers where id = ?", customer.id);
    expect(stored).toEqual({ registered_from_ip: "2001:db8::1" });
  });
});

describe("GET /api/v1/customers/:customer_id", () => {
  it("shows the organisation's customer as it was created", async () => {
    const org = await createOrganisation();
    const created = await createCustomer(org);
    const response = await call("GET", `/api/v1/customers/${created.id}`, { token: org.token });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual(created);
  });

  it("costs one round trip reading 2 rows", async () => {
    const org = await createOrganisation();
    const created = await createCustomer(org);
    const cost = emptyCost();
    expect(await findCustomer(createDatabase(await shardOf(org.id), cost), org.id, created.id)).not.toBeNull();
    expect(cost.roundTrips).toBe(1);
    expect(cost.rowsRead).toBeLessThanOrEqual(2 + 5);
  });
});

describe("GET /api/v1/customers (Kaminari)", () => {
  let org: TestOrganisation;
  let ids: number[];

  beforeAll(async () => {
    org = await createOrganisation();
    const other = await createOrganisation();
    ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await createCustomer(org)).id);
      await createCustomer(other); // interleaved: another organisation's ids sit between ours
    }
  });

  async function page(query: string) {
    const response = await call("GET", `/api/v1/customers${query}`, { token: org.token });
    expect(response.status).toBe(200);
    const body = await json(response);
    return { ...body, records: body.records.map((r: { id: number }) => r.id) };
  }

  it.each([
    ["", { current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1 }, [0, 5]],
    ["?page=1&per=2", { current_page: 1, limit_value: 2, next_page: 2, prev_page: null, total_pages: 3 }, [0, 2]],
    ["?page=2&per=2", { current_page: 2, limit_value: 2, next_page: 3, prev_page: 1, total_pages: 3 }, [2, 4]],
    ["?page=3&per=2", { current_page: 3, limit_value: 2, next_page: null, prev_page: 2, total_pages: 3 }, [4, 5]],
    ["?page=4&per=2", { current_page: 4, limit_value: 2, next_page: null, prev_page: null, total_pages: 3 }, [0, 0]],
    ["?page=2abc&per=2", { current_page: 2, limit_value: 2, next_page: 3, prev_page: 1, total_pages: 3 }, [2, 4]],
    ["?page=abc&per=2", { current_page: 1, limit_value: 2, next_page: 2, prev_page: null, total_pages: 3 }, [0, 2]],
    ["?page=0&per=2", { current_page: 1, limit_value: 2, next_page: 2, prev_page: null, total_pages: 3 }, [0, 2]],
    ["?page=-3&per=2", { current_page: 1, limit_value: 2, next_page: 2, prev_page: null, total_pages: 3 }, [0, 2]],
    ["?per=0", { current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1 }, [0, 5]],
    ["?per=-1", { current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1 }, [0, 5]],
    ["?per=abc", { current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1 }, [0, 5]],
    ["?per=30", { current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 1 }, [0, 5]],
    ["?per=2abc&page=3", { current_page: 3, limit_value: 2, next_page: null, prev_page: 2, total_pages: 3 }, [4, 5]],
    ["?page=1&page=2&per=2", { current_page: 2, limit_value: 2, next_page: 3, prev_page: 1, total_pages: 3 }, [2, 4]],
  ])("%s", async (query, envelope, [from, to]) => {
    const body = await page(query);
    expect(body).toEqual({ ...envelope, records: ids.slice(from, to) });
  });

  it("an organisation without customers has 0 pages", async () => {
    const empty = await createOrganisation();
    const response = await call("GET", "/api/v1/customers", { token: empty.token });
    expect(await json(response)).toEqual({ current_page: 1, limit_value: 25, next_page: null, prev_page: null, total_pages: 0, records: [] });
  });
});

describe("the list's and the erasure's cost do not grow with the organisation", () => {
  const SIZE = 1000;
  let orgId: number;
  let token: string;
  const shard = allShards()[0]!;
  /** The id of the organisation's customer with sequence `seq`. */
  const idAt = async (seq: number) =>
    (await shard.prepare("select id from customers where organisation_id = ? and org_seq = ?").bind(orgId, seq).first<{ id: number }>())!.id;

  beforeAll(async () => {
    // Neighbours on one shard: the other organisation's customers are in the same tables and indexes.
    const org = await createOrganisation(undefined, undefined, 0);
    const neighbour = await createOrganisation(undefined, undefined, 0);
    orgId = org.id;
    token = org.token;
    // 1,000 customers each for two organisations, written straight to D1 (fast), as createCustomer would.
    const seed = (id: number) =>
      shard
        .prepare(
          `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ?2)
         insert into customers (organisation_id, org_seq, email, title, first_name, last_name, birth_date, phone,
           city, street, building, postal_code, language, created_at, updated_at)
         select ?1, n, 'bulk-' || cast(?1 as integer) || '-' || n || '@example.com', 'mr', 'F', 'L', '1990-01-01', '+3256980144',
           'C', 'S', '1', '1000', 'nl', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' from seq`,
        )
        .bind(id, SIZE);
    await shard.batch([
      seed(org.id),
      seed(neighbour.id),
      shard.prepare("update organisations set customers_count = ?1, customers_seq = ?1 where id in (?2, ?3)").bind(SIZE, org.id, neighbour.id),
    ]);
  });

  it.each([1, 20, 40])("page %i with per=25 reads at most per + 2 rows in one round trip (no erasure yet)", async (pageNumber) => {
    const cost = emptyCost();
    const result = await listCustomers(createDatabase(shard, cost), orgId, pageNumber, 25);
    expect(result.records).toHaveLength(25);
    expect(result.total).toBe(SIZE);
    expect(cost.roundTrips).toBe(1);
    expect(cost.rowsRead).toBeLessThanOrEqual(result.records.length + 2);
  });

  it("answers the last page and beyond through the API", async () => {
    const last = await json(await call("GET", "/api/v1/customers?page=40&per=25", { token }));
    expect(last).toMatchObject({ current_page: 40, next_page: null, prev_page: 39, total_pages: 40 });
    expect(last.records).toHaveLength(25);
    expect(last.records[24].email).toBe(`bulk-${orgId}-1000@example.com`);
    const beyond = await json(await call("GET", "/api/v1/customers?page=41&per=25", { token }));
    expect(beyond).toMatchObject({ current_page: 41, next_page: null, prev_page: null, records: [] });
  });

  it(`erasing the first customer writes a constant number of rows (its own and at most ${CUSTOMER_SEQ_BITS + 1} of the erasure tree), not one per later customer`, async () => {
    const neighbourCustomers = await countRows("customers", "organisation_id <> ?", orgId);
    const { response, cost } = await callWithCost("DELETE", `/api/v1/customers/${await idAt(1)}`, { token });
    expect(response.status).toBe(204);
    // The customer row and its indexes, the counter, its events, the tree's nodes (with their primary key): far below 1,000.
    expect(cost.rowsWritten).toBeLessThanOrEqual(20 + 2 * CUSTOMER_SEQ_BITS);
    expect(await countRows("customer_erasures", "organisation_id = ?", orgId)).toBeLessThanOrEqual(CUSTOMER_SEQ_BITS + 1);
    expect(await countRows("customers", "organisation_id <> ?", orgId)).toBe(neighbourCustomers);
  });

  it("after scattered erasures every page holds exactly the remaining customers of its ranks, and reads per + a constant", async () => {
    // 60 more erasures spread over the sequence (the first customer is already gone).
    const erasedSeqs = Array.from({ length: 60 }, (_, i) => 7 + i * 16);
    for (const seq of erasedSeqs) expect((await call("DELETE", `/api/v1/customers/${await idAt(seq)}`, { token })).status).toBe(204);
    const remaining = Array.from({ length: SIZE }, (_, i) => i + 1).filter((seq) => seq !== 1 && !erasedSeqs.includes(seq));
    const per = 25;
    for (const page of [1, 2, 17, 37, 38, 39]) {
      const cost = emptyCost();
      const result = await listCustomers(createDatabase(shard, cost), orgId, page, per);
      expect(result.total).toBe(remaining.length);
      expect(result.records.map((c) => c.orgSeq)).toEqual(remaining.slice((page - 1) * per, page * per));
      expect(cost.roundTrips).toBe(1);
      // The organisation, the page, and the descent: one step and one node per level of the tree.
      expect(cost.rowsRead).toBeLessThanOrEqual(result.records.length + 3 + 2 * (CUSTOMER_SEQ_BITS + 1));
    }
    const last = await json(await call("GET", `/api/v1/customers?page=38&per=${per}`, { token }));
    expect(last).toMatchObject({ current_page: 38, total_pages: 38, next_page: null });
    expect(last.records.at(-1).email).toBe(`bulk-${orgId}-1000@example.com`);
  });
});

describe("erasures racing creates and each other", () => {
  it("leave every page exact: the remaining customers in id order, each once, and the right total", async () => {
    const org = await createOrganisation();
    const created: number[] = [];
    for (let i = 0; i < 18; i++) created.push((await createCustomer(org)).id);
    const victims = created.filter((_, i) => i % 3 === 0);
    const answers = await Promise.all([
      ...victims.map((id) => call("DELETE", `/api/v1/customers/${id}`, { token: org.token })),
      ...victims.map((id) => call("DELETE", `/api/v1/customers/${id}`, { token: org.token })),
      ...Array.from({ length: 6 }, () => call("POST", "/api/v1/customers", { token: org.token, body: customerBody() })),
    ]);
    // Each victim erased exactly once (one 204, one 404), every create stored.
    expect(answers.filter((r) => r.status === 204)).toHaveLength(victims.length);
    expect(answers.filter((r) => r.status === 404)).toHaveLength(victims.length);
    const added = await Promise.all(answers.filter((r) => r.status === 201).map(async (r) => (await json(r)).id as number));
    expect(added).toHaveLength(6);
    const expected = [...created.filter((id) => !victims.includes(id)), ...added].sort((a, b) => a - b);
    const seen: number[] = [];
    for (let page = 1; page <= 4; page++) {
      const body = await json(await call("GET", `/api/v1/customers?page=${page}&per=5`, { token: org.token }));
      expect(body.total_pages).toBe(Math.ceil(expected.length / 5));
      seen.push(...body.records.map((c: { id: number }) => c.id));
    }
    expect(seen).toEqual(expected);
  });
});
