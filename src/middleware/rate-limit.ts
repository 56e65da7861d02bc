/**
 * @module Requests per caller (wrangler.toml [[ratelimits]] RATE_LIMITER):
 * an organisation's token, or the operator secret counted as one token.
 * Runs after authentication; over the limit, 429 with Retry-After.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../domain/errors";
import { RATE_LIMIT_PERIOD_SECONDS } from "../domain/limits";
import type { AppEnv } from "../env";

export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const tokenId = c.get("tokenId");
    const { success } = await c.env.RATE_LIMITER.limit({ key: tokenId === undefined ? "operator" : `token:${tokenId}` });
    if (!success) throw ApiError.rateLimited(RATE_LIMIT_PERIOD_SECONDS);
    await next();
  };
}
