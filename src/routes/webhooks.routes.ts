/**
 * @module Webhook endpoints: `POST /api/v1/webhook_endpoints` (its signing
 * secret answered once), `GET /api/v1/webhook_endpoints`, `DELETE
 * /api/v1/webhook_endpoints/:id` and `GET …/:id/deliveries` (the delivery
 * log). Deliveries themselves are src/webhooks.
 */

import type { Context } from "hono";
import * as z from "zod";
import { ApiError, type FieldError, fieldError } from "../domain/errors";
import { holds } from "../domain/idempotency/idempotency.subjects";
import { MAX_DELIVERIES_LISTED, MAX_WEBHOOK_ENDPOINTS, WEBHOOK_MAX_ATTEMPTS } from "../domain/limits";
import * as f from "../domain/validation/fields";
import { isAcceptedWebhookUrl, webhookUrl } from "../domain/webhooks/public-url";
import { newWebhookSecret } from "../domain/webhooks/signature";
import {
  createdWebhookEndpointJson,
  toWebhookDeliveryJson,
  toWebhookEndpointJson,
  webhookDeliveryJson,
  webhookEndpointJson,
} from "../domain/webhooks/webhooks.json";
import { deleteWebhookEndpoint, insertWebhookEndpoint, listDeliveries, listWebhookEndpoints } from "../domain/webhooks/webhooks.queries";
import { createWebhookEndpointBody } from "../domain/webhooks/webhooks.schemas";
import type { AppEnv } from "../env";
import { defineRoute } from "../routing/route";

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
