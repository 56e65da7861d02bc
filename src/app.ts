/**
 * @module The Enbro API application: /api/v1 for organisations, /admin/v1
 * for operators. Errors are thrown as `ApiError` and shaped once, here.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { createDatabase, emptyCost } from "./db/client";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { requireAdmin } from "./middleware/auth";
import { customersRouter } from "./routes/customers/customers.index";
import { eansRouter } from "./routes/eans/eans.index";
import { adminOrganisationsRouter, meRouter } from "./routes/organisations/organisations.index";
import { peerRouter } from "./routes/peer/peer.index";
import { adminSuppliersRouter, suppliersRouter } from "./routes/suppliers/suppliers.index";
import { pingRouter } from "./routes/system/system.index";

const api = new Hono<AppEnv>()
  .route("/ping", pingRouter)
  .route("/me", meRouter)
  .route("/suppliers", suppliersRouter)
  .route("/customers", customersRouter)
  .route("/customers", eansRouter);

const admin = new Hono<AppEnv>()
  .use(requireAdmin())
  .route("/", adminOrganisationsRouter)
  .route("/suppliers", adminSuppliersRouter);

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // Hono's own guards (e.g. a body it cannot read) speak HTTPException.
  if (error instanceof HTTPException && error.status === 400) return ApiError.request("malformed_json");
  return ApiError.request("internal_error");
}

export const app = new Hono<AppEnv>()
  .use(async function requestContext(c, next) {
    c.set("db", createDatabase(c.env.DB, emptyCost()));
    await next();
    // Every answer, errors included, is JSON in UTF-8.
    const type = c.res.headers.get("Content-Type");
    if (type === "application/json") c.res.headers.set("Content-Type", "application/json; charset=utf-8");
  })
  .route("/api/v1", api)
  .route("/api/mind", peerRouter)
  .route("/admin/v1", admin);

app.notFound((c) => c.json("Not found", 404));

app.onError((error, c) => {
  const apiError = toApiError(error);
  if (apiError.status >= 500) console.error(JSON.stringify({ message: "unhandled error", stack: error instanceof Error ? error.stack : String(error) }));
  return c.json(errorBody(apiError) as object, apiError.status);
});

export type AppType = typeof app;
