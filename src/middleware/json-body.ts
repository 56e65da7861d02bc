/**
 * @module Request bodies: at most 1 MiB (413, checked before parsing), JSON
 * only (415), well-formed (400). Runs before the zod validator, which then
 * reads the already parsed body.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../domain/errors";
import { MAX_BODY_BYTES } from "../domain/limits";

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw ApiError.request("payload_too_large");
  },
});

export function jsonBody(): MiddlewareHandler {
  return async function jsonBody(c, next) {
    return limitBody(c, async () => {
      const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]!.trim();
      if (!JSON_MEDIA_TYPE.test(mediaType)) throw ApiError.request("unsupported_media_type");
      // Read once as text (idempotency fingerprints the raw body), parse once,
      // and hand the parsed body to the validator through Hono's body cache.
      const text = await c.req.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw ApiError.request("malformed_json");
      }
      c.req.bodyCache.json = Promise.resolve(parsed);
      await next();
    });
  };
}
