/**
 * @module Moving an organisation between shards under concurrent writes:
 * writes during the move answer 503 (and leave nothing), reads keep working,
 * and afterwards every row — ids, page order, events, webhook cursors,
 * stored idempotent answers — is on the new shard, once, and gone from the old.
 * The queue's steps are run here one by one (the consumer's own function).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { MoveMessage } from "../../src/env";
import { runMoveStep } from "../../src/moves/move-organisation";
import {
  ADMIN_TOKEN,
  allShards,
  call,
  createCustomer,
  createOrganisation,
  customerBody,
  eanFields,
  json,
  type TestOrganisation,
  webhookEndpointBody,
} from "../helpers";

/** A queue that keeps what is sent to it. */
function heldQueue() {
  const sent: MoveMessage[] = [];
  const queue = {
    send: async (body: MoveMessage) => void sent.push(body),
    sendBatch: async (messages: Iterable<{ body: MoveMessage }>) => {
      for (const message of messages) sent.push(message.body);
    },
  } as unknown as Queue<MoveMessage>;
  return { sent, queue };
}

/** Every row of the organisation on a shard, table by table (what a move must carry over). */
async function rowsOf(shard: number, org: TestOrganisation) {
  const db = allShards()[shard]!;
  const all = async (sql: string) => (await db.prepare(sql).bind(org.id).all()).results;
  return {
    organisations: await all("select * from organisations where id = ?"),
    customers: await all("select * from customers where organisation_id = ? order by id"),
    eans: await all("select e.* from eans e join customers c on c.id = e.customer_id where c.organisation_id = ? order by e.id"),
    erasures: await all("select * from customer_erasures where organisation_id = ? order by node"),
    events: await all("select * from events where organisation_id = ? order by id"),
    endpoints: await all("select * from webhook_endpoints where organisation_id = ? order by id"),
    deliveries: await all(
      "select d.endpoint_id, d.event_id, d.attempt, d.status, d.succeeded, d.at from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id where w.organisation_id = ? order by d.id",
    ),
    keys: await all("select * from idempotency_keys where scope = 'organisation:' || ?"),
  };
}

const everyPage = async (org: TestOrganisation) => {
  const records: unknown[] = [];
  for (let page = 1; ; page++) {
    const body = await json(await call("GET", `/api/v1/customers?page=${page}&per=7`, { token: org.token }));
    records.push(...body.records);
    if (body.next_page === null) return records;
  }
};
/** The whole feed, page after page. */
const feed = async (org: TestOrganisation) => {
  const events: Array<{ id: number; type: string }> = [];
  for (let after = 0; ; ) {
    const page = await json(await call("GET", `/api/v1/events?after=${after}&limit=100`, { token: org.token }));
    events.push(...page.data);
    if (!page.has_more) return events;
    after = page.next_after;
  }
};

describe("POST /admin/v1/organisations/:id/move", () => {
  it("moves every row under concurrent writes: 503 while it moves, nothing lost or doubled, the old copy removed", async () => {
    const org = await createOrganisation(undefined, undefined, 0);
    const customers = [];
    for (let i = 0; i < 12; i++) customers.push(await createCustomer(org));
    for (const customer of customers.slice(0, 6)) {
      const bulk = { eans: Array.from({ length: 30 }, () => ({ ean: eanFields() })) };
      expect((await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, { token: org.token, body: bulk })).status).toBe(201);
    }
    expect((await call("DELETE", `/api/v1/customers/${customers[3].id}`, { token: org.token })).status).toBe(204);
    expect((await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() })).status).toBe(201);
    const keyedBody = customerBody();
    const keyed = await call("POST", "/api/v1/customers", { token: org.token, body: keyedBody, headers: { "Idempotency-Key": "before-the-move" } });
    expect(keyed.status).toBe(201);

    const moves = heldQueue();
    const withQueue = { ...env, ORGANISATION_MOVES: moves.queue };
    // Writes racing the start: each lands before the guard (and moves) or is refused (and leaves nothing).
    const [started, ...racing] = await Promise.all([
      call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 1 }, env: withQueue }),
      ...Array.from({ length: 6 }, () => call("POST", "/api/v1/customers", { token: org.token, body: customerBody() })),
    ]);
    expect(started.status).toBe(202);
    expect(await json(started)).toEqual({ id: org.id, from: 0, to: 1, state: "moving" });
    for (const answer of racing) expect([201, 503]).toContain(answer.status);

    const before = await rowsOf(0, org);
    // 12 created, 1 erased, 1 with a key, and the racing creates that were answered 201: no more, no fewer.
    expect(before.customers).toHaveLength(12 + racing.filter((answer) => answer.status === 201).length);
    const pagesBefore = await everyPage(org);
    const feedBefore = await feed(org);
    expect((await call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 1 }, env: withQueue })).status).toBe(422);

    // Step by step, with writes and reads between the steps.
    let steps = 0;
    while (moves.sent.length > 0) {
      const message = moves.sent.shift()!;
      if (message.kind === "remove") {
        moves.sent.unshift(message);
        break;
      }
      const refused = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() });
      if (refused.status === 503) {
        expect(refused.headers.get("Retry-After")).toBe("30");
        expect(await json(refused)).toEqual({
          errors: [{ path: "request", error: "organisation_moving", message: "is moving to another database; retry shortly", type: "custom" }],
        });
      }
      // A dry run answers what the write would.
      expect((await call("POST", "/api/v1/customers?dry_run=true", { token: org.token, body: customerBody() })).status).toBe(503);
      expect(await everyPage(org)).toEqual(pagesBefore);
      await runMoveStep(withQueue, message);
      // A step run again (a crash before its next message was sent) finds its rows there and goes on: nothing doubled.
      // Not the delivery log's phase (5): its rows get new ids there, a known limit (docs/decisions.md).
      if (message.cursor?.phase !== 5) await runMoveStep({ ...withQueue, ORGANISATION_MOVES: heldQueue().queue }, message);
      steps++;
    }
    expect(steps).toBeGreaterThan(3);

    // Routed to the new shard: the operator sees it, writes work again, and every row came over unchanged.
    expect((await json(await call("GET", `/admin/v1/organisations/${org.id}`, { token: ADMIN_TOKEN }))).shard).toBe(1);
    const after = await rowsOf(1, org);
    expect(after.organisations).toEqual(before.organisations.map((row) => ({ ...row, moving: 0 })));
    for (const table of ["customers", "eans", "erasures", "events", "endpoints", "deliveries", "keys"] as const)
      expect(after[table], table).toEqual(before[table]);
    expect(await everyPage(org)).toEqual(pagesBefore);
    expect(await feed(org)).toEqual(feedBefore);
    const replay = await call("POST", "/api/v1/customers", { token: org.token, body: keyedBody, headers: { "Idempotency-Key": "before-the-move" } });
    expect(replay.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await replay.text()).toBe(await keyed.text());
    const fresh = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() });
    expect(fresh.status).toBe(201);
    const created = await json(fresh);
    expect(created.id).toBeGreaterThan(Math.max(...before.customers.map((row) => row.id as number)));
    const newest = (await feed(org)).at(-1)!;
    expect(newest.type).toBe("customer.created");
    expect(newest.id).toBeGreaterThan(feedBefore.at(-1)!.id);
    expect((await everyPage(org)).at(-1)).toMatchObject({ id: created.id });

    // The old copy: closed for writes at once, removed (in steps) after the delay.
    expect(moves.sent).toHaveLength(1);
    while (moves.sent.length > 0) await runMoveStep(withQueue, moves.sent.shift()!);
    const left = await rowsOf(0, org);
    for (const rows of Object.values(left)) expect(rows).toEqual([]);
  }, 60_000);

  it("stops when the new shard holds one of its ids for another organisation: the old shard serves again, the partial copy goes", async () => {
    const org = await createOrganisation(undefined, undefined, 0);
    const neighbour = await createOrganisation(undefined, undefined, 1);
    const customer = await createCustomer(org);
    // Another organisation's customer with the same id on the new shard (as a later move could meet one).
    const shard1 = allShards()[1]!;
    await shard1
      .prepare(
        `insert into customers (id, organisation_id, org_seq, email, title, first_name, last_name, birth_date, phone, city, street, building, postal_code, language, created_at, updated_at)
         values (?, ?, 999, 'clash@example.com', 'mr', 'F', 'L', '1990-01-01', '+3256980144', 'C', 'S', '1', '1000', 'nl', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .bind(customer.id, neighbour.id)
      .run();
    const moves = heldQueue();
    const withQueue = { ...env, ORGANISATION_MOVES: moves.queue };
    expect((await call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 1 }, env: withQueue })).status).toBe(202);
    const errors: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(" ")));
    try {
      while (moves.sent.length > 0) await runMoveStep(withQueue, moves.sent.shift()!);
    } finally {
      spy.mockRestore();
    }
    expect(errors.some((line) => line.includes('"move_conflict"') && line.includes('"table":"customers"'))).toBe(true);
    expect((await json(await call("GET", `/admin/v1/organisations/${org.id}`, { token: ADMIN_TOKEN }))).shard).toBe(0);
    expect((await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() })).status).toBe(201);
    expect((await call("GET", `/api/v1/customers/${customer.id}`, { token: org.token })).status).toBe(200);
    for (const rows of Object.values(await rowsOf(1, org))) expect(rows).toEqual([]);
    const clash = await shard1.prepare("select organisation_id from customers where id = ?").bind(customer.id).first<{ organisation_id: number }>();
    expect(clash).toEqual({ organisation_id: neighbour.id });
  });

  it("refuses the shard it is on, an unbound shard, and an unknown organisation", async () => {
    const org = await createOrganisation(undefined, undefined, 1);
    const same = await call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 1 } });
    expect(same.status).toBe(422);
    expect(await json(same)).toEqual({ errors: [{ path: "shard", error: "must_be_one_of", message: "must be one of: 0", type: "params" }] });
    expect((await call("POST", `/admin/v1/organisations/${org.id}/move`, { token: ADMIN_TOKEN, body: { shard: 7 } })).status).toBe(422);
    expect((await call("POST", "/admin/v1/organisations/987654321/move", { token: ADMIN_TOKEN, body: { shard: 0 } })).status).toBe(404);
    // Nothing started: its writes still work.
    expect((await call("POST", "/api/v1/customers", { token: org.token, body: customerBody() })).status).toBe(201);
  });
});
