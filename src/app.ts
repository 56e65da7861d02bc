/**
 * @module The Enbro API application: the middleware every request passes,
 * the operator gate on /admin/v1, every route record mounted (src/routes,
 * src/routes/index.ts), and errors — thrown as `ApiError` — shaped
 * once, here.
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { DryRunPassed } from "./domain/db/dry-run";
import { isMovingOrganisation } from "./domain/db/errors";
import { ApiError, errorBody } from "./domain/errors";
import { MOVE_RETRY_AFTER_S } from "./domain/limits";
import type { AppEnv } from "./env";
import { answerHeaders } from "./middleware/answer-headers";
import { allowedOrigins } from "./middleware/cors";
import { d1Session } from "./middleware/d1-session";
import { methodsOfPath } from "./middleware/method-not-allowed";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { ALL_ROUTES } from "./routes";
import { mountRoutes, OPERATOR_PREFIX, operatorGate, type SchemaOf } from "./routing/route";

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // Hono's own guards (e.g. a body it cannot read) speak HTTPException.
  if (error instanceof HTTPException && error.status === 400) return ApiError.request("malformed_json");
  if (isMovingOrganisation(error)) return ApiError.moving(MOVE_RETRY_AFTER_S);
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

const base = new Hono<AppEnv>()
  .use(requestId())
  .use(requestLog())
  .use(answerHeaders())
  .use(d1Session())
  .use(allowedOrigins())
  .use(`${OPERATOR_PREFIX}/*`, ...operatorGate());

mountRoutes(base, ALL_ROUTES);

/** The app, typed from its route records for Hono's `hc` client. */
export const app = base as unknown as Hono<AppEnv, SchemaOf<typeof ALL_ROUTES>, "/">;

function errorResponse(c: Context<AppEnv>, apiError: ApiError) {
  for (const [name, value] of Object.entries(apiError.headers)) c.header(name, value);
  c.set("errorCodes", apiError.errors.length > 0 ? [...new Set(apiError.errors.map((error) => error.error))] : [apiError.code]);
  return c.json(errorBody(apiError, c.get("requestId")) as object, apiError.status);
}

const allowedMethods = methodsOfPath(base.routes);

// A known path with another method is 405 with `Allow`; an unknown path is 404.
base.notFound((c) => {
  const allowed = allowedMethods(c.req.path);
  return errorResponse(c, allowed.length > 0 ? ApiError.methodNotAllowed(allowed) : ApiError.notFound());
});

base.onError((error, c) => {
  if (error instanceof DryRunPassed) return c.json({ valid: true }, 200);
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    console.error(JSON.stringify({ request_id: c.get("requestId"), error: "unhandled", ...describeError(error) }));
  }
  return errorResponse(c, apiError);
});

export type AppType = typeof app;
