/**
 * @module The dispatcher (consumer of the dispatch queue, one invocation at a
 * time): for each organisation told of new events, the events after each of
 * its endpoints' cursors become delivery messages, one per event and
 * matching endpoint — no more than the organisation's room in the shared
 * delivery queue (WEBHOOK_IN_FLIGHT_PER_ORGANISATION less its messages
 * already there), so one organisation's backlog never stands before another's
 * deliveries by more than that. Each cursor moves by compare-and-set, in the
 * batch that counts the messages in flight, before they are sent (both undone
 * if the send fails): an event is handed to an endpoint once. A finished
 * delivery gives its slot back and asks for the next dispatch
 * (src/webhooks/deliver.ts). Also the sweep, every five minutes, for the
 * organisations whose "new events" message was lost.
 */
import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Database } from "../domain/db/client";
import { events, organisations, type WebhookEventFilter, webhookEndpoints } from "../domain/db/schema";
import { DISPATCH_EVENTS_PER_STEP, WEBHOOK_GIVE_UP_AFTER_MS, WEBHOOK_IN_FLIGHT_PER_ORGANISATION } from "../domain/limits";
import type { Bindings, DeliveryMessage } from "../env";
import { nowIso } from "../lib/time";

function wants(filter: WebhookEventFilter, type: string): boolean {
  return filter.includes("*") || filter.includes(type as WebhookEventFilter[number]);
}

interface Cursor {
  id: number;
  events: WebhookEventFilter;
  cursor: number;
}

/**
 * The messages of one step, event by event, endpoint by endpoint, until
 * `room` is used up; and where each endpoint's cursor then stands (past every
 * event it was handed or did not ask for).
 */
export function planStep(endpoints: readonly Cursor[], step: ReadonlyArray<{ id: number; type: string }>, room: number) {
  const cursors = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint.cursor]));
  const messages: Array<{ endpointId: number; eventId: number }> = [];
  for (const event of step) {
    for (const endpoint of endpoints) {
      if (event.id <= endpoint.cursor) continue;
      if (wants(endpoint.events, event.type)) {
        if (messages.length === room) return { messages, cursors };
        messages.push({ endpointId: endpoint.id, eventId: event.id });
      }
      cursors.set(endpoint.id, event.id);
    }
  }
  return { messages, cursors };
}

/** Hands the events after its endpoints' cursors to the delivery queue, as far as the organisation's room allows. */
export async function dispatchEvents(db: Database, env: Bindings, organisationId: number): Promise<void> {
  const [found, [organisation]] = await db.run([
    db
      .select({ id: webhookEndpoints.id, events: webhookEndpoints.events, cursor: webhookEndpoints.cursor })
      .from(webhookEndpoints)
      // A paused or disabled endpoint keeps its cursor: it catches up once enabled.
      .where(and(eq(webhookEndpoints.organisationId, organisationId), eq(webhookEndpoints.enabled, true))),
    db.select({ inFlight: organisations.webhookInFlight }).from(organisations).where(eq(organisations.id, organisationId)),
  ]);
  let endpoints: Cursor[] = found;
  let room = WEBHOOK_IN_FLIGHT_PER_ORGANISATION - (organisation?.inFlight ?? WEBHOOK_IN_FLIGHT_PER_ORGANISATION);
  while (endpoints.length > 0 && room > 0) {
    const after = Math.min(...endpoints.map((endpoint) => endpoint.cursor));
    const [step] = await db.run([
      db
        .select({ id: events.id, type: events.type })
        .from(events)
        .where(and(eq(events.organisationId, organisationId), gt(events.id, after)))
        .orderBy(events.id)
        .limit(DISPATCH_EVENTS_PER_STEP),
    ]);
    if (step.length === 0) return;
    const { messages, cursors } = planStep(endpoints, step, room);
    const moving = endpoints.filter((endpoint) => cursors.get(endpoint.id)! > endpoint.cursor);
    if (moving.length === 0) return;
    // Each claim, and right after it the organisation's count of the claim's messages when the claim held (changes()).
    const statements = moving.flatMap((endpoint) => {
      const count = messages.filter((message) => message.endpointId === endpoint.id).length;
      return [
        db
          .update(webhookEndpoints)
          .set({ cursor: cursors.get(endpoint.id)! })
          .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.cursor, endpoint.cursor)))
          .returning({ id: webhookEndpoints.id }),
        db
          .update(organisations)
          .set({ webhookInFlight: sql`${organisations.webhookInFlight} + ${count}`, webhookDispatchedAt: nowIso() })
          .where(and(eq(organisations.id, organisationId), sql`changes() > 0`)),
      ];
    });
    const claimed = await db.run(statements as [(typeof statements)[number], ...typeof statements]);
    // An endpoint whose cursor moved meanwhile (deleted, or another dispatcher) is left to whoever moved it.
    const mine = moving.filter((_, i) => (claimed[2 * i] as unknown[]).length > 0);
    const handed = messages.filter((message) => mine.some((endpoint) => endpoint.id === message.endpointId));
    const bodies: Array<{ body: DeliveryMessage }> = handed.map((message) => ({
      body: { endpoint_id: message.endpointId, event_id: message.eventId, attempt: 1, organisation_id: organisationId, shard: db.shard! },
    }));
    try {
      for (let i = 0; i < bodies.length; i += DISPATCH_EVENTS_PER_STEP) await env.WEBHOOK_DELIVERIES.sendBatch(bodies.slice(i, i + DISPATCH_EVENTS_PER_STEP));
    } catch (error) {
      // Not handed over: the cursors go back (unless moved since) with the count, and the dispatch message is retried.
      const releases = mine.flatMap((endpoint) => [
        db
          .update(webhookEndpoints)
          .set({ cursor: endpoint.cursor })
          .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.cursor, cursors.get(endpoint.id)!))),
        db
          .update(organisations)
          .set({ webhookInFlight: sql`max(${organisations.webhookInFlight} - ${handed.filter((m) => m.endpointId === endpoint.id).length}, 0)` })
          .where(eq(organisations.id, organisationId)),
      ]);
      await db.run(releases as [(typeof releases)[number], ...typeof releases]);
      throw error;
    }
    room -= handed.length;
    // Every event of a short step was seen (room left): nothing more to hand over.
    if (step.length < DISPATCH_EVENTS_PER_STEP && room > 0) return;
    endpoints = endpoints
      .filter((endpoint) => !moving.includes(endpoint) || mine.includes(endpoint))
      .map((endpoint) => (mine.includes(endpoint) ? { ...endpoint, cursor: cursors.get(endpoint.id)! } : endpoint));
  }
}

/** The organisations of this shard with an endpoint behind their last event: each gets a "new events" message. */
export async function sweepUndispatched(db: Database, env: Bindings): Promise<void> {
  const [behind] = await db.run([
    db
      .selectDistinct({ organisationId: webhookEndpoints.organisationId })
      .from(webhookEndpoints)
      .where(
        and(
          eq(webhookEndpoints.enabled, true),
          sql`${webhookEndpoints.cursor} < (select max(${events.id}) from ${events} where ${events.organisationId} = ${webhookEndpoints.organisationId})`,
        ),
      ),
  ]);
  for (let i = 0; i < behind.length; i += DISPATCH_EVENTS_PER_STEP) {
    await env.WEBHOOK_DISPATCH.sendBatch(
      behind.slice(i, i + DISPATCH_EVENTS_PER_STEP).map(({ organisationId }) => ({ body: { organisation_id: organisationId, shard: db.shard! } })),
    );
  }
}

/**
 * A count of messages in flight that no message can still hold (the last
 * hand-over is older than any delivery lives: a message lost to the queue
 * would otherwise keep its slot for ever) goes back to 0. Daily.
 */
export async function resetStaleInFlight(db: Database): Promise<void> {
  const before = new Date(Date.now() - WEBHOOK_GIVE_UP_AFTER_MS - 3600 * 1000).toISOString();
  await db.run([
    db
      .update(organisations)
      .set({ webhookInFlight: 0 })
      .where(and(gt(organisations.webhookInFlight, 0), lt(organisations.webhookDispatchedAt, before))),
  ]);
}
