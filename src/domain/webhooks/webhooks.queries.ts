/**
 * @module Webhook endpoints' SQL, each query scoped to the organisation: the
 * capped insert (one statement: the cap holds under races, D1 runs one
 * statement at a time), the list, the delete, the delivery log; and the
 * daily purge of delivery attempts older than 30 days.
 */
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { events, type WebhookEndpointRow, type WebhookEventFilter, webhookDeliveries, webhookEndpoints } from "../db/schema";
import { forgetAnswersHolding } from "../idempotency/idempotency.queries";
import { EVENT_RETENTION_MS, MAX_DELIVERIES_LISTED, MAX_WEBHOOK_ENDPOINTS } from "../limits";

/**
 * The new endpoint, or null when the organisation already has the most
 * allowed. Its cursor starts at the organisation's last event: it receives
 * the events after its creation. Reads at most 16 + 1 rows.
 */
export async function insertWebhookEndpoint(
  db: Database,
  organisationId: number,
  url: string,
  filter: WebhookEventFilter,
  secret: string,
): Promise<WebhookEndpointRow | null> {
  const [[row]] = await db.run([
    db
      .insert(webhookEndpoints)
      .select(
        // Every column, in the table's order: id, organisation, url, events, secret, cursor, failures, retry_at, created_at,
        // enabled, failing_since, previous_secret, previous_secret_expires_at.
        sql`select null, ${organisationId}, ${url}, ${JSON.stringify(filter)}, ${secret},
            (select coalesce(max(${events.id}), 0) from ${events} where ${events.organisationId} = ${organisationId}), 0, null, ${nowIso()},
            1, null, null, null
          where (select count(*) from ${webhookEndpoints} where ${webhookEndpoints.organisationId} = ${organisationId}) < ${MAX_WEBHOOK_ENDPOINTS}`,
      )
      .returning(),
  ]);
  return row ?? null;
}

export async function listWebhookEndpoints(db: Database, organisationId: number): Promise<WebhookEndpointRow[]> {
  const [rows] = await db.run([db.select().from(webhookEndpoints).where(eq(webhookEndpoints.organisationId, organisationId)).orderBy(webhookEndpoints.id)]);
  return rows;
}

/**
 * False when the organisation has no such endpoint. Its queued deliveries
 * find it gone and send nothing; a stored answer of its creation (which
 * holds its secret) is emptied in the same batch.
 */
export async function deleteWebhookEndpoint(db: Database, organisationId: number, endpointId: number): Promise<boolean> {
  const owned = and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.organisationId, organisationId));
  const [, deleted] = await db.run([
    forgetAnswersHolding(db, sql`(select 'webhook_endpoint:' || ${webhookEndpoints.id} from ${webhookEndpoints} where ${owned})`),
    db.delete(webhookEndpoints).where(owned).returning({ id: webhookEndpoints.id }),
  ]);
  return deleted.length > 0;
}

/** The endpoint's latest delivery attempts, newest first; null when the organisation has no such endpoint. One round trip, at most 2 + 100 rows read. */
export async function listDeliveries(db: Database, organisationId: number, endpointId: number) {
  const owned = and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.organisationId, organisationId));
  const [endpoint, attempts] = await db.run([
    db.select({ id: webhookEndpoints.id }).from(webhookEndpoints).where(owned),
    db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, sql`(select ${webhookEndpoints.id} from ${webhookEndpoints} where ${owned})`))
      .orderBy(desc(webhookDeliveries.id))
      .limit(MAX_DELIVERIES_LISTED),
  ]);
  return endpoint.length > 0 ? attempts : null;
}

const ownedEndpoint = (organisationId: number, endpointId: number) =>
  and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.organisationId, organisationId));

/** The organisation's endpoint, or null. */
export async function findWebhookEndpoint(db: Database, organisationId: number, endpointId: number): Promise<WebhookEndpointRow | null> {
  const [[row]] = await db.run([db.select().from(webhookEndpoints).where(ownedEndpoint(organisationId, endpointId))]);
  return row ?? null;
}

/**
 * Pauses or resumes the organisation's endpoint; null when it has no such
 * endpoint. Resuming starts afresh: no backoff, no failing run. The cursor
 * is left where it was, so a resumed endpoint receives what it missed.
 */
export async function setWebhookEndpointEnabled(db: Database, organisationId: number, endpointId: number, enabled: boolean) {
  const [[row]] = await db.run([
    db
      .update(webhookEndpoints)
      .set(enabled ? { enabled, failures: 0, retryAt: null, failingSince: null } : { enabled })
      .where(ownedEndpoint(organisationId, endpointId))
      .returning(),
  ]);
  return row ?? null;
}

/** A new signing secret; the current one keeps signing too until `overlapUntil`. Null when the organisation has no such endpoint. */
export async function rotateWebhookSecret(db: Database, organisationId: number, endpointId: number, secret: string, overlapUntil: string) {
  const [[row]] = await db.run([
    db
      .update(webhookEndpoints)
      .set({ previousSecret: sql`${webhookEndpoints.secret}`, previousSecretExpiresAt: overlapUntil, secret })
      .where(ownedEndpoint(organisationId, endpointId))
      .returning(),
  ]);
  return row ?? null;
}

/**
 * The event of one attempt of the organisation's endpoint, with the
 * endpoint; null when the organisation has no such endpoint, the endpoint no
 * such attempt, or its event was purged. One round trip; the attempt is
 * sought through the endpoint's index (endpoint, id), so another
 * organisation's ids cost what unknown ones cost.
 */
export async function findDelivery(db: Database, organisationId: number, endpointId: number, deliveryId: number) {
  const owned = sql`(select ${webhookEndpoints.id} from ${webhookEndpoints} where ${ownedEndpoint(organisationId, endpointId)})`;
  const [[endpoint], [event]] = await db.run([
    db.select().from(webhookEndpoints).where(ownedEndpoint(organisationId, endpointId)),
    db
      .select()
      .from(events)
      .where(
        and(
          eq(
            events.id,
            sql`(select d.event_id from webhook_deliveries d indexed by webhook_deliveries_endpoint_idx where d.endpoint_id = ${owned} and d.id = ${deliveryId})`,
          ),
          eq(events.organisationId, organisationId),
        ),
      ),
  ]);
  return endpoint && event ? { endpoint, event } : null;
}

/**
 * Logs a manual attempt (a retry asked for by the organisation) as the next
 * attempt of its event, numbered by the insert itself (concurrent retries get
 * consecutive numbers); a success also ends the endpoint's failing run.
 */
export async function logManualAttempt(db: Database, endpointId: number, eventId: number, status: number | null, succeeded: boolean) {
  const attempt = sql<number>`(select coalesce(max(d.attempt), 0) + 1 from webhook_deliveries d where d.endpoint_id = ${endpointId} and d.event_id = ${eventId})`;
  const statements = [
    db.insert(webhookDeliveries).values({ endpointId, eventId, attempt, status, succeeded, at: nowIso() }).returning(),
    ...(succeeded ? [db.update(webhookEndpoints).set({ failures: 0, retryAt: null, failingSince: null }).where(eq(webhookEndpoints.id, endpointId))] : []),
  ] as const;
  const [[logged]] = await db.run(statements as unknown as [(typeof statements)[0], ...(typeof statements)[number][]]);
  return logged!;
}

export async function purgeExpiredDeliveries(db: Database) {
  await db.run([db.delete(webhookDeliveries).where(lt(webhookDeliveries.at, new Date(Date.now() - EVENT_RETENTION_MS).toISOString()))]);
}
