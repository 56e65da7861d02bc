/**
 * @module One delivery attempt (consumer of the delivery queue): the event,
 * as the feed renders it, POSTed to the endpoint with the Standard Webhooks
 * headers. A 2xx within 10 s succeeds; anything else (another status, a
 * redirect — never followed —, a timeout, a refused connection) is retried
 * after a growing delay (WEBHOOK_RETRY_DELAYS_S), 8 attempts in all, then
 * given up. Every attempt is logged (GET …/webhook_endpoints/:id/deliveries).
 * An endpoint deleted, or an event purged, meanwhile: nothing is sent.
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { events, webhookDeliveries, webhookEndpoints } from "../db/schema";
import type { Bindings, DeliveryMessage } from "../env";
import { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_S, WEBHOOK_TIMEOUT_MS } from "../limits";
import { nowIso } from "../lib/time";
import { toEventJson } from "../routes/events/events.json";
import { signWebhook } from "./signature";

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

export async function deliver(db: Database, env: Bindings, message: DeliveryMessage): Promise<void> {
  const [target] = await db
    .select({ url: webhookEndpoints.url, secret: webhookEndpoints.secret, event: events })
    .from(webhookEndpoints)
    .innerJoin(events, and(eq(events.id, message.event_id), eq(events.organisationId, webhookEndpoints.organisationId)))
    .where(eq(webhookEndpoints.id, message.endpoint_id));
  if (!target) return;

  const body = JSON.stringify(toEventJson(target.event));
  const webhookId = String(target.event.id);
  const timestamp = Math.floor(Date.now() / 1000);
  const status = await post(
    target.url,
    {
      "content-type": "application/json",
      "user-agent": "Enbro-Webhooks/1",
      "webhook-id": webhookId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": await signWebhook(target.secret, webhookId, timestamp, body),
    },
    body,
  );
  const succeeded = status !== null && status >= 200 && status < 300;
  await db.insert(webhookDeliveries).values({ endpointId: message.endpoint_id, eventId: message.event_id, attempt: message.attempt, status, succeeded, at: nowIso() });
  if (!succeeded && message.attempt < WEBHOOK_MAX_ATTEMPTS) {
    await env.WEBHOOK_DELIVERIES.send({ ...message, attempt: message.attempt + 1 }, { delaySeconds: WEBHOOK_RETRY_DELAYS_S[message.attempt - 1] });
  }
}
