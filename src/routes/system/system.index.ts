/** @module `GET /api/v1/ping` (liveness) and `GET /api/v1/openapi.json` (this API, described): no authentication, no storage. */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { buildOpenApiDocument } from "../../openapi/document";

let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const systemRouter = new Hono<AppEnv>()
  .get("/ping", (c) => c.json({}, 200))
  .get("/openapi.json", (c) => {
    // Built once per isolate: the schemas do not change while it lives.
    document ??= buildOpenApiDocument();
    c.header("Cache-Control", "public, max-age=300");
    return c.json(document, 200);
  });
