/** @module `GET /api/v1/ping`: liveness, no authentication, no storage. (The API's own descriptions are src/openapi/openapi.routes.ts.) */
import * as z from "zod";
import { defineRoute } from "../routing/route";

export const ping = defineRoute("get", "/api/v1/ping", {
  operationId: "ping",
  tag: "System",
  summary: "Liveness",
  auth: "none",
  scope: "global",
  responses: { 200: { schema: z.object({}), example: {}, description: "Always `{}`." } },
  handler: (c) => c.json({}, 200),
});
