/**
 * @module The Enbro API application: /api/v1 for organisations, /admin/v1
 * for operators. Errors are thrown as `ApiError` and shaped once, here.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env";
import { ApiError, errorBody } from "./errors";
import { requireAdmin } from "./middleware/auth";
import { allowedOrigins } from "./middleware/cors";
import { requestContext } from "./middleware/request-context";
import { customersRouter } from "./routes/customers/customers.index";
import { eansRouter } from "./routes/eans/eans.index";
import { adminOrganisationsRouter, meRouter } from "./routes/organisations/organisations.index";
import { peerRouter } from "./routes/peer/peer.index";
import { adminSuppliersRouter, suppliersRouter } from "./routes/suppliers/suppliers.index";
import { systemRouter } from "./routes/system/system.index";

const api = new Hono<AppEnv>()
  .route("/", systemRouter)
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

/**
 * What a log may say of an unexpected error: its type, its stack frames and
 * its cause's message (D1's, which names constraints, not values). Not its own
 * message: Drizzle's repeats the query's parameters, i.e. personal data.
 */
export function describeError(error: unknown) {
  if (!(error instanceof Error)) return { type: typeof error };
  const frames = (error.stack ?? "").split("\n").filter((line) => line.trimStart().startsWith("at "));
  const cause = (error as { cause?: unknown }).cause;
  return {
    type: error.name,
    stack: frames.map((line) => line.trim()),
    cause: cause instanceof Error ? `${cause.name}: ${cause.message}` : undefined,
  };
}

export const app = new Hono<AppEnv>()
  .use(requestContext())
  .use(allowedOrigins())
  .route("/api/v1", api)
  .route("/api/mind", peerRouter)
  .route("/admin/v1", admin);

app.notFound((c) => c.json("Not found", 404));

app.onError((error, c) => {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    console.error(JSON.stringify({ request_id: c.var.requestId, error: "unhandled", ...describeError(error) }));
  }
  if (apiError.retryAfter !== undefined) c.header("Retry-After", String(apiError.retryAfter));
  return c.json(errorBody(apiError, c.var.requestId) as object, apiError.status);
});

export type AppType = typeof app;
