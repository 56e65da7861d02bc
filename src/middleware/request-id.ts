/** @module The request's id: a sane incoming `X-Request-Id` is kept, anything else replaced; every answer carries it. */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const incoming = c.req.header("X-Request-Id");
    const id = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}
