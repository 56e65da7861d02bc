/**
 * @module The dispatcher (consumer of the dispatch queue, one invocation at a
 * time): for each organisation told of new events, the events after each of
 * its endpoints' cursors become delivery messages, one per event and
 * matching endpoint. The cursor moves by compare-and-set before the messages
 * are sent (moved back if the send fails), so an event is handed to an
 * endpoint once. Also the sweep, every five minutes, for the organisations
 * whose "new events" message was lost.
 */
import { and, eq, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { events, webhookEndpoints, type WebhookEventFilter } from "../db/schema";
import type { Bindings, DeliveryMessage } from "../env";
import { DISPATCH_EVENTS_PER_STEP } from "../limits";

function wants(filter: WebhookEventFilter, type: string): boolean {
  return filter.includes("*") || filter.includes(type as WebhookEventFilter[number]);
}

/** Hands every event after its endpoints' cursors to the delivery queue, a step of at most 100 events at a time. */
export async function dispatchEvents(db: Database, env: Bindings, organisationId: number): Promise<void> {
  let endpoints = await db
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events, cursor: webhookEndpoints.cursor })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.organisationId, organisationId));
  while (endpoints.length > 0) {
    const after = Math.min(...endpoints.map((endpoint) => endpoint.cursor));
    const step = await db
      .select({ id: events.id, type: events.type })
      .from(events)
      .where(and(eq(events.organisationId, organisationId), gt(events.id, after)))
      .orderBy(events.id)
      .limit(DISPATCH_EVENTS_PER_STEP);
    const last = step.at(-1)?.id;
    if (last === undefined) return;
    const behind = endpoints.filter((endpoint) => endpoint.cursor < last);
    const claims = behind.map((endpoint) =>
      db
        .update(webhookEndpoints)
        .set({ cursor: last })
        .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.cursor, endpoint.cursor)))
        .returning({ id: webhookEndpoints.id }),
    );
    if (claims.length === 0) return;
    const claimed = await db.batch(claims as [(typeof claims)[number], ...typeof claims]);
    // An endpoint whose cursor moved meanwhile (deleted, or another dispatcher) is left to whoever moved it.
    const mine = behind.filter((_, i) => claimed[i]!.length > 0);
    const messages: Array<{ body: DeliveryMessage }> = mine.flatMap((endpoint) =>
      step
        .filter((event) => event.id > endpoint.cursor && wants(endpoint.events, event.type))
        .map((event) => ({ body: { endpoint_id: endpoint.id, event_id: event.id, attempt: 1 } })),
    );
    try {
      for (let i = 0; i < messages.length; i += DISPATCH_EVENTS_PER_STEP) await env.WEBHOOK_DELIVERIES.sendBatch(messages.slice(i, i + DISPATCH_EVENTS_PER_STEP));
    } catch (error) {
      // Not handed over: the cursors go back (unless moved since), and the dispatch message is retried.
      const releases = mine.map((endpoint) =>
        db.update(webhookEndpoints).set({ cursor: endpoint.cursor }).where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.cursor, last))),
      );
      await db.batch(releases as [(typeof releases)[number], ...typeof releases]);
      throw error;
    }
    if (step.length < DISPATCH_EVENTS_PER_STEP) return;
    endpoints = mine.map((endpoint) => ({ ...endpoint, cursor: last }));
  }
}

/** The organisations with an endpoint behind their last event: each gets a "new events" message. */
export async function sweepUndispatched(db: Database, env: Bindings): Promise<void> {
  const behind = await db
    .selectDistinct({ organisationId: webhookEndpoints.organisationId })
    .from(webhookEndpoints)
    .where(sql`${webhookEndpoints.cursor} < (select max(${events.id}) from ${events} where ${events.organisationId} = ${webhookEndpoints.organisationId})`);
  for (let i = 0; i < behind.length; i += DISPATCH_EVENTS_PER_STEP) {
    await env.WEBHOOK_DISPATCH.sendBatch(behind.slice(i, i + DISPATCH_EVENTS_PER_STEP).map(({ organisationId }) => ({ body: { organisation_id: organisationId } })));
  }
}
