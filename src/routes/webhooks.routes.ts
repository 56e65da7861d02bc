/**
 * @module Webhook endpoints: `POST /api/v1/webhook_endpoints` (its signing
 * secret answered once), `GET /api/v1/webhook_endpoints`, `PATCH …/:id`
 * (pause, resume), `DELETE …/:id`, `GET …/:id/deliveries` (the delivery
 * log), and the operations a partner runs itself: `POST …/:id/rotate_secret`,
 * `POST …/:id/test` (a signed ping, now) and `POST
 * …/:id/deliveries/:delivery_id/retry`. Deliveries themselves are src/webhooks.
 */

import type { Context } from "hono";
import * as z from "zod";
import { ApiError, type FieldError, fieldError } from "../domain/errors";
import { toEventJson } from "../domain/events/events.json";
import { holds } from "../domain/idempotency/idempotency.subjects";
import {
  MAX_DELIVERIES_LISTED,
  MAX_WEBHOOK_ENDPOINTS,
  WEBHOOK_DISABLE_AFTER_MS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_SECRET_OVERLAP_MS,
  WEBHOOK_TIMEOUT_MS,
} from "../domain/limits";
import * as f from "../domain/validation/fields";
import { isAcceptedWebhookUrl, webhookUrl } from "../domain/webhooks/public-url";
import { newWebhookSecret } from "../domain/webhooks/signature";
import {
  createdWebhookEndpointJson,
  rotatedWebhookSecretJson,
  toWebhookDeliveryJson,
  toWebhookEndpointJson,
  webhookDeliveryJson,
  webhookEndpointJson,
  webhookPingJson,
} from "../domain/webhooks/webhooks.json";
import {
  deleteWebhookEndpoint,
  findDelivery,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listDeliveries,
  listWebhookEndpoints,
  logManualAttempt,
  rotateWebhookSecret,
  setWebhookEndpointEnabled,
} from "../domain/webhooks/webhooks.queries";
import { createWebhookEndpointBody, updateWebhookEndpointBody } from "../domain/webhooks/webhooks.schemas";
import type { AppEnv } from "../env";
import { nowIso } from "../lib/time";
import { defineRoute } from "../routing/route";
import { postWebhook } from "../webhooks/deliver";

const URL_PATH = "webhook_endpoint.url";

const allowsLocalUrls = (c: Context<AppEnv>) => c.env.WEBHOOKS_ALLOW_LOCAL_URLS === "true";

/** The URL's host rule, which depends on the Worker's settings: added to the schema's errors, so all come at once. */
function urlErrors(c: Context<AppEnv>, input: unknown): FieldError[] {
  const url = (input as { webhook_endpoint?: { url?: unknown } } | null)?.webhook_endpoint?.url;
  return typeof url === "string" && !isAcceptedWebhookUrl(url.trim(), allowsLocalUrls(c)) ? [fieldError(URL_PATH, "is_in_invalid_format")] : [];
}

export const createWebhookEndpoint = defineRoute("post", "/api/v1/webhook_endpoints", {
  operationId: "createWebhookEndpoint",
  tag: "Webhooks",
  summary: "Register a URL to receive the organisation's events",
  description:
    `Answers the endpoint's signing secret, once. At most ${MAX_WEBHOOK_ENDPOINTS} endpoints per organisation. An ` +
    `endpoint receives the events written after its creation: each event it asks for is POSTed to it, signed (see ` +
    `\`webhooks\`), and retried until a 2xx, ${WEBHOOK_MAX_ATTEMPTS} attempts over more than 24 hours.`,
  auth: "organisation",
  scope: "global",
  answerHolds: holds.webhookEndpoint,
  body: {
    schema: createWebhookEndpointBody,
    example: { webhook_endpoint: { url: "https://partner.example.com/enbro-webhooks", events: ["ean.state_changed"] } },
    explainRefusal: async (errors, input, c) => (errors.some((error) => error.path === URL_PATH) ? errors : [...errors, ...urlErrors(c, input)]),
  },
  responses: { 201: { schema: createdWebhookEndpointJson } },
  handler: async (c) => {
    const { url: sent, events } = c.req.valid("json").webhook_endpoint;
    // Stored and called in its normalised form: what was checked is what is called.
    const url = webhookUrl(sent, allowsLocalUrls(c));
    if (url === null) throw ApiError.validation([fieldError(URL_PATH, "is_in_invalid_format")]);
    const secret = newWebhookSecret();
    const endpoint = await insertWebhookEndpoint(c.get("database")(), c.get("organisationId"), url, events, secret);
    if (!endpoint) throw ApiError.validation([fieldError("webhook_endpoint", "size_cannot_be_greater_than", MAX_WEBHOOK_ENDPOINTS)]);
    const { id, created_at } = toWebhookEndpointJson(endpoint);
    return c.json({ id, url, events, secret, created_at }, 201);
  },
});

export const listWebhookEndpointsRoute = defineRoute("get", "/api/v1/webhook_endpoints", {
  operationId: "listWebhookEndpoints",
  tag: "Webhooks",
  summary: "The organisation's webhook endpoints, oldest first (without their secrets)",
  auth: "organisation",
  scope: "global",
  responses: { 200: { schema: z.array(webhookEndpointJson) } },
  handler: async (c) => c.json((await listWebhookEndpoints(c.get("database")(), c.get("organisationId"))).map(toWebhookEndpointJson), 200),
});

export const deleteWebhookEndpointRoute = defineRoute("delete", "/api/v1/webhook_endpoints/:id", {
  operationId: "deleteWebhookEndpoint",
  tag: "Webhooks",
  summary: "Delete a webhook endpoint",
  description: "Nothing more is sent to it: deliveries still queued or waiting for a retry are dropped.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: z.object({ id: f.pathId("Webhook endpoint id") }),
  responses: { 204: { description: "Deleted." } },
  handler: async (c) => {
    if (!(await deleteWebhookEndpoint(c.get("database")(), c.get("organisationId"), c.req.valid("param").id))) throw ApiError.notFound();
    return c.body(null, 204);
  },
});

export const listWebhookDeliveries = defineRoute("get", "/api/v1/webhook_endpoints/:id/deliveries", {
  operationId: "listWebhookDeliveries",
  tag: "Webhooks",
  summary: `The endpoint's delivery attempts, newest first (at most ${MAX_DELIVERIES_LISTED})`,
  description: "One entry per attempt; attempts are kept 30 days.",
  auth: "organisation",
  scope: "tenant",
  params: z.object({ id: f.pathId("Webhook endpoint id") }),
  responses: { 200: { schema: z.array(webhookDeliveryJson) } },
  handler: async (c) => {
    const attempts = await listDeliveries(c.get("database")(), c.get("organisationId"), c.req.valid("param").id);
    if (!attempts) throw ApiError.notFound();
    return c.json(attempts.map(toWebhookDeliveryJson), 200);
  },
});

const endpointParams = z.object({ id: f.pathId("Webhook endpoint id") });
const isSuccess = (status: number | null) => status !== null && status >= 200 && status < 300;

export const updateWebhookEndpointRoute = defineRoute("patch", "/api/v1/webhook_endpoints/:id", {
  operationId: "updateWebhookEndpoint",
  tag: "Webhooks",
  summary: "Pause or resume a webhook endpoint",
  description:
    "`enabled: false` sends it nothing and keeps its cursor; `enabled: true` resumes it (its backoff and failing run " +
    `cleared): it receives what it missed, in order. An endpoint failing every attempt for ${WEBHOOK_DISABLE_AFTER_MS / 86_400_000} days ` +
    "is disabled by itself (the organisation gets a `webhook_endpoint.disabled` event); resume it the same way.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.webhookEndpoint,
  params: endpointParams,
  body: { schema: updateWebhookEndpointBody, example: { webhook_endpoint: { enabled: false } } },
  responses: { 200: { schema: webhookEndpointJson } },
  handler: async (c) => {
    const db = c.get("database")();
    const organisationId = c.get("organisationId");
    const { enabled } = c.req.valid("json").webhook_endpoint;
    const row = await setWebhookEndpointEnabled(db, organisationId, c.req.valid("param").id, enabled);
    if (!row) throw ApiError.notFound();
    // Resumed: the dispatcher hands it what it missed (told before the answer, as after a write with events).
    if (enabled && !c.get("dryRun")) db.organisationsToNotify.add(organisationId);
    return c.json(toWebhookEndpointJson(row), 200);
  },
});

export const rotateWebhookSecretRoute = defineRoute("post", "/api/v1/webhook_endpoints/:id/rotate_secret", {
  operationId: "rotateWebhookSecret",
  tag: "Webhooks",
  summary: "Give a webhook endpoint a new signing secret",
  description:
    `Answers the new secret, once. For ${WEBHOOK_SECRET_OVERLAP_MS / 3_600_000} hours every delivery carries two signatures in ` +
    "`webhook-signature` (the new secret's, then the old one's, space-separated), so a receiver verifying with either accepts it; " +
    "then only the new one. A second rotation within that time drops the oldest secret.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: holds.webhookEndpoint,
  params: endpointParams,
  responses: { 200: { schema: rotatedWebhookSecretJson } },
  handler: async (c) => {
    const secret = newWebhookSecret();
    const overlapUntil = new Date(Date.now() + WEBHOOK_SECRET_OVERLAP_MS).toISOString();
    const row = await rotateWebhookSecret(c.get("database")(), c.get("organisationId"), c.req.valid("param").id, secret, overlapUntil);
    if (!row) throw ApiError.notFound();
    return c.json({ ...toWebhookEndpointJson(row), secret, previous_secret_expires_at: overlapUntil }, 200);
  },
});

export const testWebhookEndpoint = defineRoute("post", "/api/v1/webhook_endpoints/:id/test", {
  operationId: "testWebhookEndpoint",
  tag: "Webhooks",
  summary: "Send the endpoint a signed ping now, and answer its outcome",
  description:
    'POSTs `{"type":"ping","created_at":…,"data":{"object":{"webhook_endpoint_id":…}}}` with the usual headers ' +
    `(\`webhook-id\` \`ping_…\`), also to a paused endpoint; waits at most ${WEBHOOK_TIMEOUT_MS / 1000} s. A ping is not an event: ` +
    "not in the feed, not in the delivery log, no retry.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: endpointParams,
  responses: { 200: { schema: webhookPingJson } },
  handler: async (c) => {
    const endpoint = await findWebhookEndpoint(c.get("database")(), c.get("organisationId"), c.req.valid("param").id);
    if (!endpoint) throw ApiError.notFound();
    // A dry run sends nothing (the dry-run middleware answers {"valid":true}).
    if (c.get("dryRun")) return c.body(null, 200) as never;
    const webhookId = `ping_${crypto.randomUUID()}`;
    const body = JSON.stringify({ type: "ping", created_at: nowIso(), data: { object: { webhook_endpoint_id: endpoint.id } } });
    const status = await postWebhook(endpoint, webhookId, body);
    return c.json({ webhook_id: webhookId, status, succeeded: isSuccess(status) }, 200);
  },
});

export const retryWebhookDelivery = defineRoute("post", "/api/v1/webhook_endpoints/:id/deliveries/:delivery_id/retry", {
  operationId: "retryWebhookDelivery",
  tag: "Webhooks",
  summary: "Send a delivery's event again, now, as a new attempt",
  description:
    "The event as the feed renders it now, with the same `webhook-id` (its event id); logged as the next attempt of that event. " +
    `Waits at most ${WEBHOOK_TIMEOUT_MS / 1000} s; no automatic retry follows. A paused or disabled endpoint → 422 \`is_disabled\`; ` +
    "an event purged after 30 days → 404.",
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: z.object({ id: f.pathId("Webhook endpoint id"), delivery_id: f.pathId("Delivery attempt id") }),
  responses: { 201: { schema: webhookDeliveryJson } },
  handler: async (c) => {
    const { id, delivery_id: deliveryId } = c.req.valid("param");
    const db = c.get("database")();
    const found = await findDelivery(db, c.get("organisationId"), id, deliveryId);
    if (!found) throw ApiError.notFound();
    if (!found.endpoint.enabled) throw ApiError.validation([fieldError("webhook_endpoint", "is_disabled")]);
    if (c.get("dryRun")) return c.body(null, 201) as never;
    const status = await postWebhook(found.endpoint, String(found.event.id), JSON.stringify(toEventJson(found.event)));
    const logged = await logManualAttempt(db, found.endpoint.id, found.event.id, status, isSuccess(status));
    return c.json(toWebhookDeliveryJson(logged), 201);
  },
});
