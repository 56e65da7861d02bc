import { beforeAll, describe, expect, it, vi } from "vitest";
import { ADMIN_TOKEN, call, callWithCost, countRows, createOrganisation, customerBody, eanFields, json, shardOf, type TestOrganisation } from "../helpers";

type Event = { id: number; type: string; created_at: string; data: { object: Record<string, unknown> } };

async function feed(org: TestOrganisation, query = ""): Promise<{ data: Event[]; has_more: boolean; next_after: number }> {
  const response = await call("GET", `/api/v1/events${query}`, { token: org.token });
  expect(response.status).toBe(200);
  return json(response);
}

async function allEvents(org: TestOrganisation): Promise<Event[]> {
  return (await feed(org, "?limit=100")).data;
}

const eventCount = async () => await countRows("events");

describe("events are written with each change", () => {
  let org: TestOrganisation;
  beforeAll(async () => {
    org = await createOrganisation();
  });

  it("customer.created / customer.updated carry the Customer as the API rendered it; a no-op update writes none", async () => {
    const created = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    const updated = await json(await call("PATCH", `/api/v1/customers/${created.id}`, { token: org.token, body: { customer: { profile: { city: "Gent" } } } }));
    await call("PATCH", `/api/v1/customers/${created.id}`, { token: org.token, body: { customer: { profile: { city: "Gent" } } } });
    const events = (await allEvents(org)).filter((e) => e.data.object.id === created.id && e.type.startsWith("customer."));
    expect(events.map((e) => e.type)).toEqual(["customer.created", "customer.updated"]);
    expect(events[0]!.data.object).toEqual(created);
    expect(events[1]!.data.object).toEqual(updated);
    expect(events[0]!.id).toBeLessThan(events[1]!.id);
  });

  it("a no-op update in the same millisecond as a real one writes no event (no phantom)", async () => {
    const created = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    const ean = await json(await call("POST", `/api/v1/customers/${created.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
    // Both PATCHes of each pair see the same clock, as two requests in one millisecond would.
    vi.useFakeTimers({ now: new Date("2031-05-06T07:08:09.123Z"), toFake: ["Date"] });
    try {
      for (const [path, changed] of [
        [`/api/v1/customers/${created.id}`, { customer: { profile: { city: "Brugge" } } }],
        [`/api/v1/customers/${created.id}/eans/${ean.id}`, { ean: { city: "Brugge" } }],
      ] as const) {
        expect((await call("PATCH", path, { token: org.token, body: changed })).status).toBe(200);
        expect((await call("PATCH", path, { token: org.token, body: changed })).status).toBe(200);
      }
    } finally {
      vi.useRealTimers();
    }
    const events = (await allEvents(org)).filter((e) => e.created_at === "2031-05-06T07:08:09.123Z");
    expect(events.map((e) => e.type)).toEqual(["customer.updated", "ean.updated"]);
  });

  it("ean.created (one per EAN of a bulk, in order), ean.updated, ean.deleted ({id, customer_id})", async () => {
    const customer = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    const base = `/api/v1/customers/${customer.id}/eans`;
    const one = await json(await call("POST", base, { token: org.token, body: { ean: eanFields() } }));
    const bulk = await json(
      await call("POST", `${base}/bulk`, { token: org.token, body: { eans: [{ ean: eanFields() }, { ean: eanFields() }, { ean: eanFields() }] } }),
    );
    const patched = await json(await call("PATCH", `${base}/${one.id}`, { token: org.token, body: { ean: { tariff_group: "dual" } } }));
    expect((await call("DELETE", `${base}/${bulk[2].id}`, { token: org.token })).status).toBe(204);
    const events = (await allEvents(org)).filter((e) => e.type.startsWith("ean.") && e.data.object.customer_id === customer.id);
    expect(events.map((e) => e.type)).toEqual(["ean.created", "ean.created", "ean.created", "ean.created", "ean.updated", "ean.deleted"]);
    expect(events.slice(0, 4).map((e) => e.data.object)).toEqual([one, ...bulk]);
    expect(events[4]!.data.object).toEqual(patched);
    expect(events[5]!.data).toEqual({ object: { id: bulk[2].id, customer_id: customer.id } });
  });

  it("a 4xx, a dry run or an idempotent replay writes no event", async () => {
    const before = await eventCount();
    const body = customerBody();
    expect((await call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body })).status).toBe(200);
    expect((await call("POST", "/api/v1/customers", { token: org.token, body: { customer: {} } })).status).toBe(422);
    expect(await eventCount()).toBe(before);
    const headers = { "Idempotency-Key": "events-once" };
    await call("POST", "/api/v1/customers", { token: org.token, body, headers });
    await call("POST", "/api/v1/customers", { token: org.token, body, headers });
    expect(await eventCount()).toBe(before + 1);
    const taken = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ email: body.customer.email }) });
    expect(taken.status).toBe(422);
    expect(await eventCount()).toBe(before + 1);
  });

  it("a change without its event cannot happen: when the event's insert fails, the change is rolled back (500)", async () => {
    const shard = await shardOf(org.id);
    await shard.exec("CREATE TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END");
    try {
      const customers = async () => await countRows("customers");
      const before = await customers();
      const response = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() });
      expect(response.status).toBe(500);
      expect(await customers()).toBe(before);
    } finally {
      await shard.exec("DROP TRIGGER refuse_events");
    }
  });
});

describe("GET /api/v1/events", () => {
  it("pages in id order: after, limit, has_more, next_after (after itself when empty), type", async () => {
    const org = await createOrganisation();
    const customer = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, { token: org.token, body: { eans: [1, 2, 3, 4].map(() => ({ ean: eanFields() })) } });
    const all = await allEvents(org);
    expect(all).toHaveLength(5);
    const first = await feed(org, "?limit=2");
    expect(first.data.map((e) => e.id)).toEqual(all.slice(0, 2).map((e) => e.id));
    expect(first).toMatchObject({ has_more: true, next_after: all[1]!.id });
    const last = await feed(org, `?after=${all[3]!.id}&limit=2`);
    expect(last).toMatchObject({ has_more: false, next_after: all[4]!.id });
    expect(await feed(org, `?after=${all[4]!.id}`)).toEqual({ data: [], has_more: false, next_after: all[4]!.id });
    expect((await feed(org, "?type=customer.created")).data.map((e) => e.type)).toEqual(["customer.created"]);
    expect((await feed(org)).data).toHaveLength(5);
  });

  it("422 for a limit out of 1-100 or not a number, and a type that is not one", async () => {
    const org = await createOrganisation();
    for (const [query, error] of [
      ["limit=0", "must_be_greater_than_or_equal_to"],
      ["limit=101", "size_cannot_be_greater_than"],
      ["limit=abc", "must_be_an_integer"],
    ] as const) {
      const response = await call("GET", `/api/v1/events?${query}`, { token: org.token });
      expect(response.status, query).toBe(422);
      expect((await json(response)).errors[0]).toMatchObject({ path: "limit", error });
    }
    const type = await call("GET", "/api/v1/events?type=customer.exploded", { token: org.token });
    expect((await json(type)).errors[0]).toMatchObject({ path: "type", error: "must_be_one_of" });
  });

  it("reads at most limit + 5 rows whatever the feed's length; another organisation's events do not exist", async () => {
    const org = await createOrganisation();
    const customer = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: { eans: Array.from({ length: 60 }, () => ({ ean: eanFields() })) },
    });
    const { cost } = await callWithCost("GET", "/api/v1/events?limit=10&after=5", { token: org.token });
    expect(cost.roundTrips).toBe(1);
    expect(cost.rowsRead).toBeLessThanOrEqual(10 + 5);
    const typed = await callWithCost("GET", "/api/v1/events?limit=10&type=ean.created", { token: org.token });
    expect(typed.cost.rowsRead).toBeLessThanOrEqual(10 + 5);
    const stranger = await createOrganisation();
    const mine = (await allEvents(org))[0]!;
    expect((await call("GET", `/api/v1/events/${mine.id}`, { token: stranger.token })).status).toBe(404);
    expect((await call("GET", `/api/v1/events/${mine.id}`, { token: org.token })).status).toBe(200);
    expect((await allEvents(stranger)).some((e) => e.id === mine.id)).toBe(false);
  });
});

describe("erasure reaches the feed", () => {
  it("writes customer.deleted and ean.deleted; earlier events keep id, type and time, their object becomes ids", async () => {
    const org = await createOrganisation();
    const customer = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
    const before = await allEvents(org);
    expect((await call("DELETE", `/api/v1/customers/${customer.id}`, { token: org.token })).status).toBe(204);
    const after = await allEvents(org);
    expect(after.slice(0, 2)).toEqual([
      { ...before[0], data: { object: { id: customer.id } } },
      { ...before[1], data: { object: { id: ean.id, customer_id: customer.id } } },
    ]);
    expect(after.slice(2).map((e) => [e.type, e.data])).toEqual([
      ["ean.deleted", { object: { id: ean.id, customer_id: customer.id } }],
      ["customer.deleted", { object: { id: customer.id } }],
    ]);
    expect(JSON.stringify(after)).not.toContain(customer.email);
  });

  it("an erased ean.state_changed keeps previous_state beside its ids-only object", async () => {
    const org = await createOrganisation();
    const customer = await json(await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }));
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
    expect((await call("POST", `/admin/v1/eans/${ean.id}/state`, { token: ADMIN_TOKEN, body: { state: "offered" } })).status).toBe(200);
    expect((await call("DELETE", `/api/v1/customers/${customer.id}`, { token: org.token })).status).toBe(204);
    const moved = (await allEvents(org)).find((e) => e.type === "ean.state_changed")!;
    expect(moved.data).toEqual({ object: { id: ean.id, customer_id: customer.id }, previous_state: "ready" });
    expect(Object.keys(moved.data)).toEqual(["object", "previous_state"]);
  });
});
