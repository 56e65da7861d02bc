/** @module `GET /api/v1/ping`: liveness, no authentication, no storage. */
import { Hono } from "hono";
import type { AppEnv } from "../../env";

export const pingRouter = new Hono<AppEnv>().get("/", (c) => c.json({}, 200));
