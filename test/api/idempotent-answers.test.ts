/**
 * No stored idempotent answer outlives what it holds. For every idempotent
 * record (found from the records, operator routes included): the answer is
 * stored naming its subject; removing that subject (erasing the customer,
 * deleting the webhook endpoint, revoking the token) makes a retry with the
 * same key answer 404, replaying nothing.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lookupHash } from "../../src/domain/idempotency/idempotency.sealing";
import { SUBJECT_KINDS, type SubjectKind } from "../../src/domain/idempotency/idempotency.subjects";
import { ALL_ROUTES } from "../../src/routes";
import { ADMIN_TOKEN, call, firstRow, json } from "../helpers";
import { createFixture, type Fixture, ROUTES } from "../routes";

/** Answers that hold no one's data although they have a body: why each is fine. */
const NOTHING_PERSONAL: Record<string, string> = {
  createSupplier: "a supplier is public reference data",
  moveOrganisation: "ids and shard numbers: where an organisation moves",
  testWebhookEndpoint: "a ping's outcome: its id and the status the endpoint answered",
  retryWebhookDelivery: "an attempt's ids, number and status, as the delivery log lists them",
};

/** How the owner of the fixture removes each kind of subject. */
const REMOVE: Record<SubjectKind, (f: Fixture, id: number) => Promise<Response>> = {
  customer: (f, id) => call("DELETE", `/api/v1/customers/${id}`, { token: f.owner.token }),
  webhook_endpoint: (f, id) => call("DELETE", `/api/v1/webhook_endpoints/${id}`, { token: f.owner.token }),
  token: (_, id) => call("DELETE", `/admin/v1/tokens/${id}`, { token: ADMIN_TOKEN }),
};

/** The subject stored beside a key's answer: a tenant's keys are on its shard, the operator's in the directory. */
const storedSubject = async (key: string) => {
  const hash = await lookupHash(key);
  const sql = "select subject from idempotency_keys where key_hash = ?";
  const row = (await firstRow<{ subject: string | null }>(sql, hash)) ?? (await env.DIRECTORY.prepare(sql).bind(hash).first<{ subject: string | null }>());
  return row?.subject;
};

describe("stored idempotent answers and what they hold", () => {
  it("every idempotent record names what its answer holds", () => {
    expect(ALL_ROUTES.filter((record) => record.idempotent && record.answerHolds === undefined).map((r) => r.operationId)).toEqual([]);
  });

  for (const route of ROUTES.filter((r) => r.record.idempotent)) {
    it(`${route.method} ${route.record.path}: removing what the answer holds ends its replay`, async () => {
      const f = await createFixture();
      const key = `holds-${crypto.randomUUID()}`;
      const body = route.body?.(f);
      const token = route.auth === "admin" ? ADMIN_TOKEN : f.owner.token;
      const send = () => call(route.method, route.path(f), { token, body, headers: { "Idempotency-Key": key } });
      const first = await send();
      expect(first.status).toBe(route.ok);
      const subject = await storedSubject(key);

      if (route.record.answerHolds === "nothing") {
        expect(subject).toBeNull();
        expect(first.status === 204 || NOTHING_PERSONAL[route.record.operationId] !== undefined, "an answer with a body names what it holds").toBe(true);
        return;
      }
      const [kind, id] = (subject ?? "").split(":");
      expect(SUBJECT_KINDS).toContain(kind);
      expect([200, 204]).toContain((await REMOVE[kind as SubjectKind](f, Number(id))).status);
      const retry = await send();
      expect(retry.status).toBe(404);
      expect(await json(retry)).toBe("Not found");
      expect(retry.headers.get("Idempotent-Replayed")).toBeNull();
    });
  }
});
