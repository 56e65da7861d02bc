/**
 * @module Organisations on several shards behind the directory: placement,
 * isolation, ids unique across shards, and the directory's claims that keep
 * an e-mail and an EAN number unique in the whole system (under races,
 * erasure, deletion, a changed e-mail, a failed write, a dry run, and the
 * orphan sweep).
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SHARD_ID_STRIDE } from "../../scripts/shard-sequences.mjs";
import worker from "../../src/index";
import { ADMIN_TOKEN, allShards, call, createCustomer, createOrganisation, customerBody, eanFields, eanNumber, json, type TestOrganisation } from "../helpers";

const claims = async (table: "email_claims" | "ean_claims", key: string) =>
  (await env.DIRECTORY.prepare(`select count(*) as n from ${table} where key = ?`).bind(key).first<{ n: number }>())!.n;
const rowsOn = async (shard: number, table: string, where: string, ...params: unknown[]) =>
  (await allShards()
    [shard]!.prepare(`select count(*) as n from ${table} where ${where}`)
    .bind(...params)
    .first<{ n: number }>())!.n;
const email = () => `shard-${crypto.randomUUID()}@example.com`;
const createEmail = (org: TestOrganisation, address: string) => call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ email: address }) });
const takenEmail = {
  errors: [{ path: "customer.email", error: "confirmed_email_has_already_been_taken", message: "it is already registered", type: "custom" }],
};

describe("placement", () => {
  it("binds two shards by default; an organisation goes where asked, and the operator sees its shard", async () => {
    expect(allShards()).toHaveLength(2);
    for (const shard of [0, 1]) {
      const org = await createOrganisation(undefined, undefined, shard);
      expect(org.shard).toBe(shard);
      const shown = await call("GET", `/admin/v1/organisations/${org.id}`, { token: ADMIN_TOKEN });
      expect(await json(shown)).toEqual({ id: org.id, name: org.name, domain: org.domain, created_at: org.created_at, shard });
      expect(await rowsOn(shard, "organisations", "id = ?", org.id)).toBe(1);
      expect(await rowsOn(1 - shard, "organisations", "id = ?", org.id)).toBe(0);
    }
    expect((await call("GET", "/admin/v1/organisations/987654321", { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it("refuses a shard that is not bound (422), and creates nothing", async () => {
    const before = (await env.DIRECTORY.prepare("select count(*) as n from organisations").first<{ n: number }>())!.n;
    const response = await call("POST", "/admin/v1/organisations", { token: ADMIN_TOKEN, body: { name: "Nowhere", shard: 2 } });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ errors: [{ path: "shard", error: "must_be_one_of", message: "must be one of: 0, 1", type: "params" }] });
    expect((await env.DIRECTORY.prepare("select count(*) as n from organisations").first<{ n: number }>())!.n).toBe(before);
  });

  it("places a new organisation on the emptiest shard (D1's database size)", async () => {
    // Make shard 1 clearly the larger one, then measure both as the Worker does.
    const big = await createOrganisation(undefined, undefined, 1);
    await call("POST", "/api/v1/customers", { token: big.token, body: customerBody() });
    const sizes = await Promise.all(allShards().map(async (shard) => (await shard.prepare("select 1").run()).meta.size_after ?? 0));
    const org = await createOrganisation();
    expect(org.shard).toBe(sizes.indexOf(Math.min(...sizes)));
  });
});

describe("two organisations on different shards", () => {
  it("each works and sees only its own data; ids are unique across shards", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const a = await createCustomer(first);
    const b = await createCustomer(second);
    expect(a.id).toBeLessThan(SHARD_ID_STRIDE);
    expect(b.id).toBeGreaterThan(SHARD_ID_STRIDE);
    expect(await rowsOn(0, "customers", "id = ?", a.id)).toBe(1);
    expect(await rowsOn(1, "customers", "id = ?", b.id)).toBe(1);
    for (const [org, own, other] of [
      [first, a, b],
      [second, b, a],
    ] as const) {
      const list = await json(await call("GET", "/api/v1/customers", { token: org.token }));
      expect(list.records.map((c: { id: number }) => c.id)).toEqual([own.id]);
      expect((await call("GET", `/api/v1/customers/${other.id}`, { token: org.token })).status).toBe(404);
      expect((await call("GET", `/api/v1/customers/${own.id}`, { token: org.token })).status).toBe(200);
      expect((await json(await call("GET", "/api/v1/me", { token: org.token }))).id).toBe(org.id);
    }
  });

  it("a bookmark from another shard is ignored, not an error", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const written = await createEmail(first, email());
    const bookmark = written.headers.get("x-d1-bookmark");
    expect(bookmark).toBeTruthy();
    const read = await call("GET", "/api/v1/me", { token: second.token, headers: { "x-d1-bookmark": bookmark! } });
    expect(read.status).toBe(200);
  });

  it("the operator moves any shard's EAN by its id", async () => {
    const org = await createOrganisation(undefined, undefined, 1);
    const customer = await createCustomer(org);
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
    const moved = await call("POST", `/admin/v1/eans/${ean.id}/state`, { token: ADMIN_TOKEN, body: { state: "offered" } });
    expect(moved.status).toBe(200);
    expect((await json(moved)).state).toBe("offered");
  });

  it("a supplier the operator creates exists on every shard, with one id", async () => {
    const supplier = await json(await call("POST", "/admin/v1/suppliers", { token: ADMIN_TOKEN, body: { name: `Shard Supplier ${crypto.randomUUID()}` } }));
    for (const shard of [0, 1]) expect(await rowsOn(shard, "suppliers", "id = ? and name = ?", supplier.id, supplier.name)).toBe(1);
  });
});

describe("an e-mail and an EAN number are unique across shards", () => {
  it("an e-mail taken on one shard is taken on the other, case-insensitively", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const address = email();
    expect((await createEmail(first, address)).status).toBe(201);
    const again = await createEmail(second, address.toUpperCase());
    expect(again.status).toBe(422);
    expect(await json(again)).toEqual(takenEmail);
    expect(await claims("email_claims", address)).toBe(1);
  });

  it("20 concurrent creates of one e-mail from organisations on both shards: exactly one 201", async () => {
    const orgs = await Promise.all(Array.from({ length: 20 }, (_, i) => createOrganisation(undefined, undefined, i % 2)));
    const address = email();
    const answers = await Promise.all(orgs.map((org) => createEmail(org, address)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 422)).toHaveLength(19);
    for (const answer of answers.filter((r) => r.status === 422)) expect(await json(answer)).toEqual(takenEmail);
    const stored = (await Promise.all([0, 1].map((shard) => rowsOn(shard, "customers", "lower(email) = ?", address)))).reduce((a, b) => a + b);
    expect(stored).toBe(1);
    expect(await claims("email_claims", address)).toBe(1);
  });

  it("concurrent bulks of one EAN number from both shards: one stores it, the others say which item is taken", async () => {
    const number = eanNumber();
    const owners = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const org = await createOrganisation(undefined, undefined, i % 2);
        return { org, customer: await createCustomer(org) };
      }),
    );
    const answers = await Promise.all(
      owners.map(({ org, customer }) =>
        call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
          token: org.token,
          body: { eans: [{ ean: eanFields() }, { ean: eanFields({ number }) }] },
        }),
      ),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(1);
    for (const answer of answers.filter((r) => r.status !== 201)) {
      expect(answer.status).toBe(422);
      expect(await json(answer)).toEqual({
        errors: [{ path: "ean.number", error: "has_already_been_taken", message: "has already been taken", type: "params", index: 1 }],
      });
    }
    const stored = (await Promise.all([0, 1].map((shard) => rowsOn(shard, "eans", "number = ?", number)))).reduce((a, b) => a + b);
    expect(stored).toBe(1);
    expect(await claims("ean_claims", number)).toBe(1);
  });

  it("erasure releases the customer's e-mail and EAN numbers: another shard's organisation may use them", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const address = email();
    const customer = await json(await createEmail(first, address));
    const number = eanNumber();
    expect((await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: first.token, body: { ean: eanFields({ number }) } })).status).toBe(201);
    expect((await call("DELETE", `/api/v1/customers/${customer.id}`, { token: first.token })).status).toBe(204);
    expect(await claims("email_claims", address)).toBe(0);
    expect(await claims("ean_claims", number)).toBe(0);
    const reused = await json(await createEmail(second, address));
    expect((await call("POST", `/api/v1/customers/${reused.id}/eans`, { token: second.token, body: { ean: eanFields({ number }) } })).status).toBe(201);
  });

  it("deleting an EAN releases its number; a changed e-mail moves its claim", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const customer = await createCustomer(first);
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: first.token, body: { ean: eanFields() } }));
    expect((await call("DELETE", `/api/v1/customers/${customer.id}/eans/${ean.id}`, { token: first.token })).status).toBe(204);
    expect(await claims("ean_claims", ean.number)).toBe(0);

    const [before, after] = [customer.email as string, email()];
    const patched = await call("PATCH", `/api/v1/customers/${customer.id}`, { token: first.token, body: { customer: { email: after } } });
    expect(patched.status).toBe(200);
    expect(await claims("email_claims", before.toLowerCase())).toBe(0);
    expect(await claims("email_claims", after)).toBe(1);
    expect((await createEmail(second, before)).status).toBe(201);
    expect(await json(await createEmail(second, after))).toEqual(takenEmail);
    // Back to an e-mail another shard holds: refused, and the current one is still held.
    const refused = await call("PATCH", `/api/v1/customers/${customer.id}`, { token: first.token, body: { customer: { email: before } } });
    expect(await json(refused)).toEqual(takenEmail);
    expect(await claims("email_claims", after)).toBe(1);
  });

  it("a write that fails, or finds no customer, releases the claims it made", async () => {
    const org = await createOrganisation(undefined, undefined, 0);
    const stranger = await createOrganisation(undefined, undefined, 1);
    await createCustomer(org, { external_id: "ext-1" });
    const address = email();
    // Refused by the shard (external id taken within the organisation) after the e-mail was claimed.
    const refused = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody({ email: address, external_id: "ext-1" }) });
    expect(refused.status).toBe(422);
    expect(await claims("email_claims", address)).toBe(0);
    // Another organisation's customer: 404, and its numbers are not left claimed.
    const customer = await createCustomer(org);
    const number = eanNumber();
    const foreign = await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: stranger.token, body: { ean: eanFields({ number }) } });
    expect(foreign.status).toBe(404);
    expect(await claims("ean_claims", number)).toBe(0);
  });

  it("a dry run claims nothing, and sees another shard's claims", async () => {
    const first = await createOrganisation(undefined, undefined, 0);
    const second = await createOrganisation(undefined, undefined, 1);
    const address = email();
    const dry = await call("POST", "/api/v1/customers?dry_run=true", { token: first.token, body: customerBody({ email: address }) });
    expect(dry.status).toBe(200);
    expect(await claims("email_claims", address)).toBe(0);
    expect((await createEmail(second, address)).status).toBe(201);
    const taken = await call("POST", "/api/v1/customers?dry_run=true", { token: first.token, body: customerBody({ email: address }) });
    expect(taken.status).toBe(422);
    expect(await json(taken)).toEqual(takenEmail);
  });
});

describe("the orphan-claim sweep", () => {
  it("removes a claim older than five minutes whose record is on no shard, and keeps the others", async () => {
    const org = await createOrganisation(undefined, undefined, 1);
    const kept = email();
    await createEmail(org, kept);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    const orphan = email();
    const fresh = email();
    await env.DIRECTORY.batch([
      env.DIRECTORY.prepare("insert into email_claims (key, organisation_id, claim_id, created_at) values (?, ?, 'dead', ?)").bind(orphan, org.id, old),
      env.DIRECTORY.prepare("insert into email_claims (key, organisation_id, claim_id, created_at) values (?, ?, 'alive', ?)").bind(
        fresh,
        org.id,
        new Date().toISOString(),
      ),
      env.DIRECTORY.prepare("update email_claims set created_at = ? where key = ?").bind(old, kept),
    ]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await claims("email_claims", orphan)).toBe(0);
    expect(await claims("email_claims", kept)).toBe(1);
    expect(await claims("email_claims", fresh)).toBe(1);
  });
});
