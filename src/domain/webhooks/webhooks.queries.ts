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
        // Every column, in the table's order: id, organisation, url, events, secret, cursor, failures, retry_at, created_at.
        sql`select null, ${organisationId}, ${url}, ${JSON.stringify(filter)}, ${secret},
            (select coalesce(max(${events.id}), 0) from ${events} where ${events.organisationId} = ${organisationId}), 0, null, ${nowIso()}
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

export async function purgeExpiredDeliveries(db: Database) {
  await db.run([db.delete(webhookDeliveries).where(lt(webhookDeliveries.at, new Date(Date.now() - EVENT_RETENTION_MS).toISOString()))]);
}
