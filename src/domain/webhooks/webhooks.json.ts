/** @module A webhook endpoint and a delivery attempt as the API renders them (and their OpenAPI schemas). */
import * as z from "zod";
import type { WebhookEndpointRow, webhookDeliveries } from "../db/schema";
import { named, timestamp } from "../validation/registry";
import { WEBHOOK_EVENT_CHOICES } from "./webhooks.schemas";

export const webhookEndpointJson = named(
  "WebhookEndpoint",
  z.object({ id: z.int(), url: z.string(), events: z.array(z.enum(WEBHOOK_EVENT_CHOICES)), created_at: timestamp }),
);

export const createdWebhookEndpointJson = named(
  "WebhookEndpointCreated",
  webhookEndpointJson.extend({
    secret: z.string().meta({
      description: "`whsec_` + base64 of 32 random bytes: verifies the signatures. Shown only in this answer.",
      example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    }),
  }),
);

export const webhookDeliveryJson = named(
  "WebhookDelivery",
  z.object({
    event_id: z.int(),
    attempt: z.int().meta({ description: "1 for the first attempt; retries count up to 8." }),
    status: z.int().nullable().meta({ description: "The HTTP status the endpoint answered; null when no answer came within 10 s." }),
    succeeded: z.boolean(),
    at: timestamp,
  }),
);

export function toWebhookEndpointJson(row: WebhookEndpointRow): z.infer<typeof webhookEndpointJson> {
  return { id: row.id, url: row.url, events: row.events, created_at: row.createdAt };
}

export function toWebhookDeliveryJson(row: typeof webhookDeliveries.$inferSelect): z.infer<typeof webhookDeliveryJson> {
  return { event_id: row.eventId, attempt: row.attempt, status: row.status, succeeded: row.succeeded, at: row.at };
}
