/**
 * @module CORS, off by default: only the origins listed in `CORS_ORIGINS`
 * (wrangler.toml [vars], comma-separated) get CORS headers, and never on the
 * operator API (/admin): no browser page may call it.
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../env";

export function allowedOrigins(): MiddlewareHandler<AppEnv> {
  const handlers = new Map<string, MiddlewareHandler>();
  return async function allowedOrigins(c, next) {
    const list = c.env.CORS_ORIGINS?.trim();
    if (!list || c.req.path.startsWith("/admin/")) return next();
    let handler = handlers.get(list);
    if (!handler) {
      const origins = list
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      handler = cors({
        origin: (origin) => (origins.includes(origin) ? origin : null),
        allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "x-d1-bookmark"],
        exposeHeaders: ["X-Request-Id", "Idempotent-Replayed", "Retry-After", "x-d1-bookmark"],
        maxAge: 600,
      });
      handlers.set(list, handler);
    }
    return handler(c, next);
  };
}
