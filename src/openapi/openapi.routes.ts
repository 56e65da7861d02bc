/**
 * @module The API described, from the route records: `GET
 * /api/v1/openapi.json` (public: /api/v1 and the peer view, no token) and
 * `GET /admin/v1/openapi.json` (the operator API, behind the operator secret).
 * These two records are themselves in the list they describe
 * (src/routes/index.ts), which they read through `records`.
 */

import * as z from "zod";
import { type AnyRouteRecord, defineRoute } from "../routing/route";
import { type Audience, buildOpenApiDocument } from "./document";

/** An OpenAPI document, as the answer's schema: its version and its paths; the rest is OpenAPI's own. */
const openApiDocumentJson = z.looseObject({
  openapi: z.literal("3.1.0"),
  info: z.looseObject({ title: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/** The two records, describing `records()` (every record, these two included). */
export function openApiRoutes(records: () => readonly AnyRouteRecord[]) {
  // Built once per isolate: the records do not change while it lives.
  const documents = new Map<Audience, ReturnType<typeof buildOpenApiDocument>>();
  function documentFor(audience: Audience) {
    let document = documents.get(audience);
    if (!document) {
      document = buildOpenApiDocument(records(), audience);
      documents.set(audience, document);
    }
    return document;
  }

  const publicOpenApi = defineRoute("get", "/api/v1/openapi.json", {
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

  const operatorOpenApi = defineRoute("get", "/admin/v1/openapi.json", {
    operationId: "operatorOpenapi",
    tag: "Operator",
    summary: "The operator API's OpenAPI document",
    auth: "operator",
    scope: "global",
    responses: { 200: { schema: openApiDocumentJson, description: "The OpenAPI 3.1 document of /admin/v1." } },
    handler: (c) => c.json(documentFor("operator"), 200),
  });

  return { publicOpenApi, operatorOpenApi };
}
