/**
 * @module One delivery (consumer of the delivery queue): the event, as the
 * feed renders it, POSTed to the endpoint with the Standard Webhooks headers.
 * A 2xx within 10 s succeeds; anything else (another status, a redirect —
 * never followed —, a timeout, a refused connection) is retried after a
 * growing delay (WEBHOOK_RETRY_DELAYS_S), 8 attempts in all, then given up.
 * Every attempt is logged (GET …/webhook_endpoints/:id/deliveries).
 *
 * A failing endpoint is backed off as a whole: after a failed attempt its
 * other deliveries wait until its `retry_at` (re-queued with that delay, no
 * attempt, no fetch), and then one of them at a time probes it. So a receiver
 * down for hours costs one attempt per backoff step, not a 10 s timeout per
 * queued delivery. A delivery whose event is older than
 * WEBHOOK_GIVE_UP_AFTER_MS is given up; one whose endpoint was deleted, or
 * whose event was purged, sends nothing.
 *
 * A finished delivery (succeeded, given up, or moot) gives its organisation's
 * slot in the queue back, and when the organisation has more to send and
 * half its slots are free, asks the dispatcher for the next ones.
 *
 * A delivery for a paused or disabled endpoint sends nothing and moves the
 * endpoint's cursor back before its event, so that the endpoint, once
 * enabled, receives it again in order (at least once: a receiver
 * deduplicates on `webhook-id`). An endpoint whose every attempt has failed
 * for WEBHOOK_DISABLE_AFTER_MS is disabled by the failing attempt's batch,
 * which also writes the organisation's `webhook_endpoint.disabled` event.
 */
import { and, eq, sql } from "drizzle-orm";
import { type Database, rawStatement } from "../domain/db/client";
import { events, organisations, webhookDeliveries, webhookEndpoints } from "../domain/db/schema";
import { toEventJson } from "../domain/events/events.json";
import {
  WEBHOOK_DISABLE_AFTER_MS,
  WEBHOOK_GIVE_UP_AFTER_MS,
  WEBHOOK_IN_FLIGHT_PER_ORGANISATION,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_S,
  WEBHOOK_TIMEOUT_MS,
} from "../domain/limits";
import { signatureHeader } from "../domain/webhooks/signature";
import type { Bindings, DeliveryMessage } from "../env";
import { nowIso } from "../lib/time";

/** A Queues delay is at most 12 hours. */
const MAX_QUEUE_DELAY_S = 12 * 3600;

/** POSTs `body`; the status answered, or null when no answer came in time. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<number | null> {
  try {
    const response = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

/** Where an attempt goes and how it is signed. */
export interface WebhookTarget {
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
}

/**
 * POSTs one signed body to the endpoint (Standard Webhooks headers; during a
 * rotation's overlap, signed with both secrets); the status answered, or
 * null when no answer came within WEBHOOK_TIMEOUT_MS.
 */
export async function postWebhook(target: WebhookTarget, webhookId: string, body: string): Promise<number | null> {
  const timestamp = Math.floor(Date.now() / 1000);
  const secrets =
    target.previousSecret && target.previousSecretExpiresAt && target.previousSecretExpiresAt > nowIso()
      ? [target.secret, target.previousSecret]
      : [target.secret];
  return post(
    target.url,
    {
      "content-type": "application/json",
      "user-agent": "Enbro-Webhooks/1",
      "webhook-id": webhookId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signatureHeader(secrets, webhookId, timestamp, body),
    },
    body,
  );
}

/** The backoff after the endpoint's `failures`-th failure in a row. */
function backoffSeconds(failures: number): number {
  return WEBHOOK_RETRY_DELAYS_S[Math.min(failures, WEBHOOK_RETRY_DELAYS_S.length) - 1]!;
}

/**
 * The statements that give a finished delivery's slot back and read whether
 * its organisation has more to send: to run in the delivery's last batch.
 */
function releaseSlot(db: Database, organisationId: number) {
  return [
    db
      .update(organisations)
      .set({ webhookInFlight: sql`max(${organisations.webhookInFlight} - 1, 0)` })
      .where(eq(organisations.id, organisationId))
      .returning({ inFlight: organisations.webhookInFlight }),
    db
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.organisationId, organisationId),
          eq(webhookEndpoints.enabled, true),
          sql`${webhookEndpoints.cursor} < (select max(${events.id}) from ${events} where ${events.organisationId} = ${organisationId})`,
        ),
      )
      .limit(1),
  ] as const;
}

/** After a release: the next dispatch, when the organisation is behind and has room for it. */
async function dispatchIfBehind(env: Bindings, message: DeliveryMessage, inFlight: number | undefined, behind: boolean) {
  if (behind && message.organisation_id !== undefined && (inFlight ?? 0) <= WEBHOOK_IN_FLIGHT_PER_ORGANISATION / 2) {
    await env.WEBHOOK_DISPATCH.send({ organisation_id: message.organisation_id, shard: message.shard });
  }
}

/** A delivery that will not be tried (endpoint deleted, event purged or too old): only its slot goes back. */
async function dropDelivery(db: Database, env: Bindings, message: DeliveryMessage) {
  if (message.organisation_id === undefined) return;
  const [[released], behind] = await db.run(releaseSlot(db, message.organisation_id));
  await dispatchIfBehind(env, message, released?.inFlight, behind.length > 0);
}

/** A delivery for a paused or disabled endpoint: its event goes back behind the cursor, and its slot back to the organisation. */
async function parkDelivery(db: Database, env: Bindings, message: DeliveryMessage) {
  const rewind = db
    .update(webhookEndpoints)
    .set({ cursor: sql`min(${webhookEndpoints.cursor}, ${message.event_id - 1})` })
    .where(and(eq(webhookEndpoints.id, message.endpoint_id), eq(webhookEndpoints.enabled, false)));
  if (message.organisation_id === undefined) {
    await db.run([rewind]);
    return;
  }
  const [, [released], behind] = await db.run([rewind, ...releaseSlot(db, message.organisation_id)]);
  await dispatchIfBehind(env, message, released?.inFlight, behind.length > 0);
}

/**
 * `webhook_endpoint.disabled` for the endpoint, when this failed attempt
 * completes WEBHOOK_DISABLE_AFTER_MS of failures (to run before the update
 * that disables it, in its batch): the endpoint as the API renders it after.
 */
function disabledEvent(endpointId: number, at: string, cutoff: string) {
  return rawStatement(
    `insert into events (organisation_id, type, customer_id, created_at, data)
     select organisation_id, 'webhook_endpoint.disabled', null, ?1, json_object('object', json_object(
       'id', id, 'url', url, 'events', json(events), 'enabled', json('false'), 'failing_since', coalesce(failing_since, ?1), 'created_at', created_at))
     from webhook_endpoints where id = ?2 and enabled = 1 and coalesce(failing_since, ?1) <= ?3`,
    [at, endpointId, cutoff],
    { writes: true },
  );
}

export async function deliver(db: Database, env: Bindings, message: DeliveryMessage): Promise<void> {
  const now = Date.now();
  // The attempt is claimed: always for a healthy endpoint; for a failing one only once its backoff is over,
  // and then the endpoint's other deliveries wait for this probe (its timeout, and a margin).
  const probeUntil = new Date(now + WEBHOOK_TIMEOUT_MS + 5_000).toISOString();
  const [claimed, [endpoint], [event]] = await db.run([
    db
      .update(webhookEndpoints)
      .set({ retryAt: sql`case when ${webhookEndpoints.failures} > 0 then ${probeUntil} else ${webhookEndpoints.retryAt} end` })
      .where(
        and(
          eq(webhookEndpoints.id, message.endpoint_id),
          eq(webhookEndpoints.enabled, true),
          sql`(${webhookEndpoints.failures} = 0 or ${webhookEndpoints.retryAt} is null or ${webhookEndpoints.retryAt} <= ${new Date(now).toISOString()})`,
        ),
      )
      .returning({ failures: webhookEndpoints.failures }),
    db
      .select({
        url: webhookEndpoints.url,
        secret: webhookEndpoints.secret,
        previousSecret: webhookEndpoints.previousSecret,
        previousSecretExpiresAt: webhookEndpoints.previousSecretExpiresAt,
        organisationId: webhookEndpoints.organisationId,
        retryAt: webhookEndpoints.retryAt,
        enabled: webhookEndpoints.enabled,
      })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, message.endpoint_id)),
    db.select().from(events).where(eq(events.id, message.event_id)),
  ]);
  if (!endpoint || !event || event.organisationId !== endpoint.organisationId || now - Date.parse(event.createdAt) > WEBHOOK_GIVE_UP_AFTER_MS) {
    return dropDelivery(db, env, message);
  }
  if (!endpoint.enabled) return parkDelivery(db, env, message);
  if (claimed.length === 0) {
    // Backing off: wait until the endpoint's retry time, without an attempt.
    const wait = Math.ceil((Date.parse(endpoint.retryAt ?? "") - now) / 1000);
    await env.WEBHOOK_DELIVERIES.send(message, { delaySeconds: Math.min(Math.max(Number.isFinite(wait) ? wait : 1, 1), MAX_QUEUE_DELAY_S) });
    return;
  }

  const status = await postWebhook(endpoint, String(event.id), JSON.stringify(toEventJson(event)));
  const succeeded = status !== null && status >= 200 && status < 300;
  const finished = succeeded || message.attempt >= WEBHOOK_MAX_ATTEMPTS;
  const failures = claimed[0]!.failures + 1;
  const at = nowIso();
  const cutoff = new Date(Date.now() - WEBHOOK_DISABLE_AFTER_MS).toISOString();
  const statements = [
    db.insert(webhookDeliveries).values({ endpointId: message.endpoint_id, eventId: message.event_id, attempt: message.attempt, status, succeeded, at }),
    // A failure may complete the run that disables the endpoint: its event, before the update that disables it.
    ...(succeeded ? [] : [disabledEvent(message.endpoint_id, at, cutoff)]),
    db
      .update(webhookEndpoints)
      .set(
        succeeded
          ? { failures: 0, retryAt: null, failingSince: null }
          : {
              failures: sql`${webhookEndpoints.failures} + 1`,
              retryAt: new Date(Date.now() + backoffSeconds(failures) * 1000).toISOString(),
              failingSince: sql`coalesce(${webhookEndpoints.failingSince}, ${at})`,
              enabled: sql`case when coalesce(${webhookEndpoints.failingSince}, ${at}) <= ${cutoff} then 0 else ${webhookEndpoints.enabled} end`,
            },
      )
      .where(eq(webhookEndpoints.id, message.endpoint_id))
      .returning({ enabled: webhookEndpoints.enabled }),
    ...(finished && message.organisation_id !== undefined ? releaseSlot(db, message.organisation_id) : []),
  ] as const;
  const results = await db.run(statements as unknown as [(typeof statements)[0], ...(typeof statements)[number][]]);
  // The endpoint's update follows the delivery's insert and, after a failure, the event statement.
  const updateAt = succeeded ? 1 : 2;
  const [updated] = results[updateAt] as Array<{ enabled: boolean }>;
  if (!succeeded && updated && !updated.enabled && endpoint.enabled) {
    // Disabled by this attempt: its event goes to the organisation's other endpoints, and no retry follows.
    await env.WEBHOOK_DISPATCH.send({ organisation_id: endpoint.organisationId, shard: db.shard! });
    // Its event goes back behind the cursor, for when the endpoint is enabled again (its slot, unless the batch gave it back).
    await parkDelivery(db, env, finished ? { ...message, organisation_id: undefined } : message);
    return;
  }
  if (!finished) {
    await env.WEBHOOK_DELIVERIES.send({ ...message, attempt: message.attempt + 1 }, { delaySeconds: WEBHOOK_RETRY_DELAYS_S[message.attempt - 1] });
  } else if (message.organisation_id !== undefined) {
    const [released] = results[updateAt + 1] as Array<{ inFlight: number }>;
    await dispatchIfBehind(env, message, released?.inFlight, (results[updateAt + 2] as unknown[]).length > 0);
  }
}
