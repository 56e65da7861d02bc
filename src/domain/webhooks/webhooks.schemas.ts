/**
 * @module Request rules for webhook endpoints. A URL is checked in two
 * steps: its form here (an http(s) URL without userinfo, at most 2,048
 * characters), its host by the route, which knows whether local URLs are
 * allowed (src/domain/webhooks/public-url.ts).
 */
import { EVENT_TYPES } from "../db/schema";
import { MAX_WEBHOOK_URL_LENGTH } from "../limits";
import * as f from "../validation/fields";
import { named } from "../validation/registry";
import { isAcceptedWebhookUrl } from "./public-url";

/** The types an endpoint can ask for: the event types, or "*" for all of them. */
export const WEBHOOK_EVENT_CHOICES = [...EVENT_TYPES, "*"] as const;

/** Pause (`false`) or resume (`true`) an endpoint. */
export const updateWebhookEndpointBody = named(
  "WebhookEndpointUpdateRequest",
  f.envelope({
    webhook_endpoint: f.object({
      enabled: f.boolean().meta({ description: "`false` pauses it (nothing is sent, its cursor stays); `true` resumes it: it catches up in order." }),
    }),
  }),
);

export const createWebhookEndpointBody = named(
  "WebhookEndpointCreateRequest",
  f.envelope({
    webhook_endpoint: f.object({
      url: f
        .requiredString(MAX_WEBHOOK_URL_LENGTH)
        .refine((url) => isAcceptedWebhookUrl(url, true), { message: "is_in_invalid_format" })
        .meta({
          description:
            `\`https://\` to a public host (no localhost, private, loopback or link-local address, no userinfo); at most ` +
            `${MAX_WEBHOOK_URL_LENGTH} characters.`,
          example: "https://partner.example.com/enbro-webhooks",
        }),
      events: f
        .array(f.enumOf(WEBHOOK_EVENT_CHOICES), { min: 1, max: WEBHOOK_EVENT_CHOICES.length })
        // "*" stands for every type; a type named twice is asked for once.
        .transform((events) => (events.includes("*") ? ["*" as const] : [...new Set(events)]))
        .meta({ description: 'The event types to receive, or `["*"]` for all.' }),
    }),
  }),
);
