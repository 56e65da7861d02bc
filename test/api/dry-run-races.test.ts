import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ALL_ROUTES } from "../../src/routes";
import { isDryRunnable } from "../../src/routing/route";
import {
  allRows,
  allShards,
  type CallOptions,
  call,
  countRows,
  createCustomer,
  createOrganisation,
  customerBody,
  eanFields,
  json,
  type TestOrganisation,
  webhookEndpointBody,
} from "../helpers";

const ROUNDS = 25;

const eventsOf = (org: TestOrganisation) => countRows("events", "organisation_id = ?", org.id);

/**
 * The real D1, with a pause point: after a dry run's batch is rolled back
 * (its sentinel failed), `between` runs before the dry run goes on. That is
 * the window in which a dry run that ran its change again used to write.
 */
function pausingD1(db: D1Database, between: () => Promise<void>): D1Database {
  const rolledBack = (error: unknown) => {
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
      if (current.message.includes("dry_run_sentinel")) return true;
    }
    return false;
  };
  const withBatchHook = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        if (property === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            try {
              return await (object as unknown as D1Database).batch(statements);
            } catch (error) {
              if (rolledBack(error)) await between();
              throw error;
            }
          };
        }
        if (property === "withSession") return (constraint?: string) => withBatchHook((object as unknown as D1Database).withSession(constraint));
        const value = Reflect.get(object, property);
        return typeof value === "function" ? value.bind(object) : value;
      },
    });
  return withBatchHook(db);
}

/**
 * `rounds` rounds. In each, a dry run whose D1 runs the round's real write
 * right after the dry run's rolled-back batch, beside two more dry runs
 * racing freely. The real answers, in order.
 */
async function race(
  dry: (round: number, options?: CallOptions) => Promise<Response>,
  real: (round: number) => Promise<Response>,
  rounds = ROUNDS,
): Promise<Response[]> {
  const reals: Response[] = [];
  for (let round = 0; round < rounds; round++) {
    let answer: Promise<Response> | undefined;
    const between = async () => {
      answer ??= real(round);
      await answer;
    };
    // Every shard paused the same way: only the one holding the organisation sees the dry run's batch.
    const paused = Object.fromEntries(allShards().map((shard, index) => [`SHARD_${index}`, pausingD1(shard, between)]));
    const dryAnswers = await Promise.all([dry(round, { env: paused }), dry(round), dry(round)]);
    for (const response of dryAnswers) expect([200, 404, 422]).toContain(response.status);
    expect(answer, `round ${round}: the dry run rolled back no batch`).toBeDefined();
    reals.push(await answer!);
  }
  return reals;
}

/** The city a round's real write sets; the dry runs of a round send the one before (a change of nothing). */
const cityOf = (round: number) => (round < 0 ? "Ypres" : `City ${round}`);

type Scenario = () => Promise<void>;

/** How to race each dry-runnable record (by operationId) against the real writes that could make a re-run write. */
const SCENARIOS: Record<string, Scenario> = {
  // Dry-run PATCHes that change nothing (the "unchanged" path) against real PATCHes of the same customer.
  async updateCustomer() {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    const path = `/api/v1/customers/${customer.id}`;
    await call("PATCH", path, { token: org.token, body: { customer: { profile: { city: cityOf(-1) } } } });
    const before = await eventsOf(org);
    const reals = await race(
      (round, options) => call("PATCH", `${path}?dry_run=true`, { ...options, token: org.token, body: { customer: { profile: { city: cityOf(round - 1) } } } }),
      (round) => call("PATCH", path, { token: org.token, body: { customer: { profile: { city: cityOf(round) } } } }),
    );
    expect(reals.every((r) => r.status === 200)).toBe(true);
    expect(await eventsOf(org)).toBe(before + ROUNDS);
    const stored = await json(await call("GET", path, { token: org.token }));
    expect(stored.profile.city).toBe(cityOf(ROUNDS - 1));
  },

  async updateEan() {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    const ean = await json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields({ city: cityOf(-1) }) } }));
    const path = `/api/v1/customers/${customer.id}/eans/${ean.id}`;
    const before = await eventsOf(org);
    const reals = await race(
      (round, options) => call("PATCH", `${path}?dry_run=true`, { ...options, token: org.token, body: { ean: { city: cityOf(round - 1) } } }),
      (round) => call("PATCH", path, { token: org.token, body: { ean: { city: cityOf(round) } } }),
    );
    expect(reals.every((r) => r.status === 200)).toBe(true);
    expect(await eventsOf(org)).toBe(before + ROUNDS);
    expect((await json(await call("GET", path, { token: org.token }))).city).toBe(cityOf(ROUNDS - 1));
  },

  // At the cap a dry-run create changes nothing; a DELETE in between must not let a re-run create a live endpoint.
  async createWebhookEndpoint() {
    const org = await createOrganisation();
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) ids.push((await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() }))).id);
    const deletions = ids.length;
    const reals = await race(
      (_, options) => call("POST", "/api/v1/webhook_endpoints?dry_run=true", { ...options, token: org.token, body: webhookEndpointBody() }),
      (round) => call("DELETE", `/api/v1/webhook_endpoints/${ids[round]}`, { token: org.token }),
      deletions,
    );
    expect(reals.every((r) => r.status === 204)).toBe(true);
    expect(await countRows("webhook_endpoints", "organisation_id = ?", org.id)).toBe(16 - deletions);
  },

  // Pause/resume: dry runs of the state a round's real PATCH has just left (a change of nothing) against the real toggles.
  async updateWebhookEndpoint() {
    const org = await createOrganisation();
    const endpoint = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() }));
    const path = `/api/v1/webhook_endpoints/${endpoint.id}`;
    const enabledAt = (round: number) => round % 2 === 1;
    const reals = await race(
      (round, options) =>
        call("PATCH", `${path}?dry_run=true`, { ...options, token: org.token, body: { webhook_endpoint: { enabled: enabledAt(round - 1) } } }),
      (round) => call("PATCH", path, { token: org.token, body: { webhook_endpoint: { enabled: enabledAt(round) } } }),
    );
    expect(reals.every((r) => r.status === 200)).toBe(true);
    const [stored] = (await json(await call("GET", "/api/v1/webhook_endpoints", { token: org.token }))) as Array<{ enabled: boolean }>;
    expect(stored!.enabled).toBe(enabledAt(ROUNDS - 1));
  },

  // Rotations: a dry run's secret never lands; after the race the secret is the last real rotation's, its predecessor the one before.
  async rotateWebhookSecret() {
    const org = await createOrganisation();
    const endpoint = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() }));
    const path = `/api/v1/webhook_endpoints/${endpoint.id}/rotate_secret`;
    const reals = await race(
      (_, options) => call("POST", `${path}?dry_run=true`, { ...options, token: org.token }),
      () => call("POST", path, { token: org.token }),
      10,
    );
    const secrets = await Promise.all(reals.map(async (r) => (await json(r)).secret as string));
    const stored = await allShards()
      .map((shard) => shard.prepare("select secret, previous_secret from webhook_endpoints where id = ?").bind(endpoint.id))
      .reduce(
        async (found, statement) => (await found) ?? (await statement.first<{ secret: string; previous_secret: string }>()),
        Promise.resolve(null as null | { secret: string; previous_secret: string }),
      );
    expect(stored).toEqual({ secret: secrets.at(-1), previous_secret: secrets.at(-2) });
  },

  // A test ping or a retry run dry sends nothing and logs nothing, raced against real ones (which log their attempts).
  async testWebhookEndpoint() {
    const org = await createOrganisation();
    const endpoint = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() }));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call("POST", `/api/v1/webhook_endpoints/${endpoint.id}/test${i % 2 ? "?dry_run=true" : ""}`, { token: org.token })),
    );
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      const body = await json(answer);
      if (i % 2) expect(body).toEqual({ valid: true });
      else expect(body.webhook_id).toMatch(/^ping_/);
    }
    expect(await countRows("webhook_deliveries", "endpoint_id = ?", endpoint.id)).toBe(0);
  },

  async retryWebhookDelivery() {
    const org = await createOrganisation();
    const endpoint = await json(await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody() }));
    await createCustomer(org);
    const [event] = (await json(await call("GET", "/api/v1/events", { token: org.token }))).data;
    const shard = (await allRows<{ n: number }>("select 1 as n from organisations where id = ?", org.id)).length;
    expect(shard).toBe(1);
    const logged = await Promise.all(
      allShards().map((db) =>
        db
          .prepare(
            "insert into webhook_deliveries (endpoint_id, event_id, attempt, status, succeeded, at) select id, ?, 1, 500, 0, ? from webhook_endpoints where id = ? returning id",
          )
          .bind(event.id, new Date().toISOString(), endpoint.id)
          .first<{ id: number }>(),
      ),
    );
    const deliveryId = logged.find((row) => row)!.id;
    const path = `/api/v1/webhook_endpoints/${endpoint.id}/deliveries/${deliveryId}/retry`;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => call("POST", `${path}${i % 2 ? "?dry_run=true" : ""}`, { token: org.token })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 ? 200 : 201)));
    // The first attempt and the six real retries, numbered without a gap or a repeat.
    const attempts = await allRows<{ attempt: number }>("select attempt from webhook_deliveries where endpoint_id = ? order by attempt", endpoint.id);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  },

  // Keys: the dry run never writes (the directory is only read), raced against real creates and revocations near the cap.
  async createToken() {
    const org = await createOrganisation();
    const made: number[] = [];
    for (let i = 0; i < 14; i++)
      made.push((await json(await call("POST", "/api/v1/tokens", { token: org.token, body: { token: { name: `k${i}`, scope: "read" } } }))).id);
    const body = { token: { name: "raced", scope: "read" } };
    const answers = await Promise.all([
      ...Array.from({ length: 30 }, () => call("POST", "/api/v1/tokens?dry_run=true", { token: org.token, body })),
      ...Array.from({ length: 5 }, () => call("POST", "/api/v1/tokens", { token: org.token, body })),
      ...made.slice(0, 5).map((id) => call("DELETE", `/api/v1/tokens/${id}`, { token: org.token })),
    ]);
    for (const response of answers.slice(0, 30)) expect([200, 422]).toContain(response.status);
    expect(answers.slice(30, 35).map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers.slice(35).map((r) => r.status)).toEqual([204, 204, 204, 204, 204]);
    // 1 + 14 + 5 rows, 15 of them live: not one from a dry run.
    const rows = async (where: string) =>
      (await env.DIRECTORY.prepare(`select count(*) as n from tokens where organisation_id = ? and ${where}`).bind(org.id).first<{ n: number }>())!.n;
    expect(await rows("1")).toBe(20);
    expect(await rows("revoked_at is null")).toBe(15);
  },

  // Creates: dry runs of the same body beside real creates and erasures; only the real ones are stored.
  async createCustomer() {
    const org = await createOrganisation();
    const reals = await race(
      (_, options) => call("POST", "/api/v1/customers?dry_run=true", { ...options, token: org.token, body: customerBody() }),
      () => call("POST", "/api/v1/customers", { token: org.token, body: customerBody() }),
    );
    expect(reals.every((r) => r.status === 201)).toBe(true);
    expect(await countRows("customers", "organisation_id = ?", org.id)).toBe(ROUNDS);
    expect(await eventsOf(org)).toBe(ROUNDS);
  },

  async createEan() {
    const org = await createOrganisation();
    const customers = await Promise.all(Array.from({ length: ROUNDS }, () => createCustomer(org)));
    const before = await eventsOf(org);
    // Each round erases the customer the dry runs add an EAN to.
    const reals = await race(
      (round, options) =>
        call("POST", `/api/v1/customers/${customers[round].id}/eans?dry_run=true`, { ...options, token: org.token, body: { ean: eanFields() } }),
      (round) => call("DELETE", `/api/v1/customers/${customers[round].id}`, { token: org.token }),
    );
    expect(reals.every((r) => r.status === 204)).toBe(true);
    expect(await countRows("eans e join customers c on c.id = e.customer_id", "c.organisation_id = ?", org.id)).toBe(0);
    expect(await eventsOf(org)).toBe(before + ROUNDS);
  },

  async createEansInBulk() {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    const path = `/api/v1/customers/${customer.id}/eans`;
    const before = await eventsOf(org);
    const reals = await race(
      (_, options) => call("POST", `${path}/bulk?dry_run=true`, { ...options, token: org.token, body: { eans: [{ ean: eanFields() }, { ean: eanFields() }] } }),
      () => call("POST", path, { token: org.token, body: { ean: eanFields() } }),
    );
    expect(reals.every((r) => r.status === 201)).toBe(true);
    expect(await countRows("eans", "customer_id = ?", customer.id)).toBe(ROUNDS);
    expect(await eventsOf(org)).toBe(before + ROUNDS);
  },
};

describe("dry runs raced against real writes", () => {
  const dryRunnable = ALL_ROUTES.filter(isDryRunnable);

  it("every dry-runnable record has a race scenario", () => {
    expect(dryRunnable.map((record) => record.operationId).filter((id) => !SCENARIOS[id])).toEqual([]);
  });

  for (const record of dryRunnable) {
    it(`${record.method.toUpperCase()} ${record.path}: nothing but the real writes lands`, async () => {
      await SCENARIOS[record.operationId]!();
      expect(await countRows("dry_run_sentinel")).toBe(0);
      expect(await countRows("dry_run_marks")).toBe(0);
    }, 60_000);
  }
});
