/** @module A webhook endpoint and a delivery attempt as the API renders them (and their OpenAPI schemas). */
import * as z from "zod";
import type { WebhookEndpointRow, webhookDeliveries } from "../db/schema";
import { named, timestamp } from "../validation/registry";
import { WEBHOOK_EVENT_CHOICES } from "./webhooks.schemas";

export const webhookEndpointJson = named(
  "WebhookEndpoint",
  z.object({
    id: z.int(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENT_CHOICES)),
    enabled: z.boolean().meta({ description: "False while paused, or after failing every attempt for 3 days: nothing is sent, the cursor stays." }),
    failing_since: timestamp.nullable().meta({ description: "When its current run of failed attempts began; null while healthy." }),
    created_at: timestamp,
  }),
);

export const createdWebhookEndpointJson = named(
  "WebhookEndpointCreated",
  // The answer of its creation, as it always was: a new endpoint is enabled and not failing.
  z.object({ id: z.int(), url: z.string(), events: z.array(z.enum(WEBHOOK_EVENT_CHOICES)), created_at: timestamp }).extend({
    secret: z.string().meta({
      description: "`whsec_` + base64 of 32 random bytes: verifies the signatures. Shown only in this answer.",
      example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }),
  }),
);

export const webhookDeliveryJson = named(
  "WebhookDelivery",
  z.object({
    id: z.int().meta({ description: "The attempt's id: `POST …/deliveries/:id/retry` sends its event again." }),
    event_id: z.int(),
    attempt: z.int().meta({ description: "1 for the first attempt; retries count up to 8." }),
    status: z.int().nullable().meta({ description: "The HTTP status the endpoint answered; null when no answer came within 10 s." }),
    succeeded: z.boolean(),
    at: timestamp,
  }),
);

/** A rotated secret, and until when the old one still signs. */
export const rotatedWebhookSecretJson = named(
  "WebhookSecretRotated",
  webhookEndpointJson.extend({
    secret: z.string().meta({ description: "The new `whsec_…` secret. Shown only in this answer." }),
    previous_secret_expires_at: timestamp.meta({ description: "Until then deliveries are signed with both secrets (space-separated in `webhook-signature`)." }),
  }),
);

/** The outcome of a test ping. */
export const webhookPingJson = named(
  "WebhookPing",
  z.object({
    webhook_id: z.string().meta({ description: "The ping's `webhook-id` (`ping_…`); a ping is not an event of the feed.", example: "ping_2b1f…" }),
    status: z.int().nullable().meta({ description: "The HTTP status the endpoint answered; null when no answer came within 10 s." }),
    succeeded: z.boolean(),
  }),
);

export function toWebhookEndpointJson(row: WebhookEndpointRow): z.infer<typeof webhookEndpointJson> {
  return { id: row.id, url: row.url, events: row.events, enabled: row.enabled, failing_since: row.failingSince, created_at: row.createdAt };
}

export function toWebhookDeliveryJson(row: typeof webhookDeliveries.$inferSelect): z.infer<typeof webhookDeliveryJson> {
  return { id: row.id, event_id: row.eventId, attempt: row.attempt, status: row.status, succeeded: row.succeeded, at: row.at };
}
