/**
 * @module The API described, from the route records: `GET
 * /api/v1/openapi.json` (public: /api/v1 and the peer view, no token) and
 * `GET /admin/v1/openapi.json` (the operator API, behind the operator secret).
 */

import * as z from "zod";
import { API_ROUTES } from "../routes";
import { defineRoute } from "../routing/route";
import { type Audience, buildOpenApiDocument } from "./document";

/** An OpenAPI document, as the answer's schema: its version and its paths; the rest is OpenAPI's own. */
const openApiDocumentJson = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

// Built once per isolate: the records do not change while it lives.
const documents = new Map<Audience, ReturnType<typeof buildOpenApiDocument>>();
function documentFor(audience: Audience) {
  let document = documents.get(audience);
  if (!document) {
    document = buildOpenApiDocument(ALL_ROUTES, audience);
    documents.set(audience, document);
  }
  return document;
}

export const publicOpenApi = defineRoute("get", "/api/v1/openapi.json", {
  operationId: "openapi",
  tag: "System",
  summary: "This document",
  auth: "none",
  scope: "global",
  responses: { 200: { schema: openApiDocumentJson, description: "The OpenAPI 3.1 document of /api/v1 and the peer view." } },
  handler: (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(documentFor("public"), 200);
  },
});

export const operatorOpenApi = defineRoute("get", "/admin/v1/openapi.json", {
  operationId: "operatorOpenapi",
  tag: "Operator",
  summary: "The operator API's OpenAPI document",
  auth: "operator",
  scope: "global",
  responses: { 200: { schema: openApiDocumentJson, description: "The OpenAPI 3.1 document of /admin/v1." } },
  handler: (c) => c.json(documentFor("operator"), 200),
});

/** Every endpoint the Worker serves, in the order of the OpenAPI document. */
export const ALL_ROUTES = [API_ROUTES[0], publicOpenApi, ...API_ROUTES.slice(1), operatorOpenApi] as const;
