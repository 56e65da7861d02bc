/**
 * @module `GET /api/v1/ping` (liveness) and the API described: `GET
 * /api/v1/openapi.json` (public: /api/v1 and the peer view) and `GET
 * /admin/v1/openapi.json` (the operator API, behind the operator secret).
 * No storage.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { type Audience, buildOpenApiDocument } from "../../openapi/document";

// Built once per isolate: the schemas do not change while it lives.
const documents = new Map<Audience, ReturnType<typeof buildOpenApiDocument>>();
function documentFor(audience: Audience) {
  let document = documents.get(audience);
  if (!document) documents.set(audience, (document = buildOpenApiDocument(audience)));
  return document;
}

export const systemRouter = new Hono<AppEnv>()
  .get("/ping", (c) => c.json({}, 200))
  .get("/openapi.json", (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(documentFor("public"), 200);
  });

/** Mounted under /admin/v1, behind `requireAdmin`. */
export const adminSystemRouter = new Hono<AppEnv>().get("/openapi.json", (c) => c.json(documentFor("operator"), 200));
