/**
 * @module `Idempotency-Key` on POSTs, with Stripe's semantics and the IETF
 * draft's status codes:
 * - the first request with a key runs; a 2xx answer is kept (24 h at least);
 * - a retry with the same key and the same request replays that answer
 *   exactly, with `Idempotent-Replayed: true`;
 * - the same key with another request (method, path or body) → 422
 *   `idempotency_key_reused`;
 * - a retry while the first still runs → 409 `idempotency_key_in_use`;
 * - an answer that is not 2xx is not kept: a retry runs again.
 * Keys are scoped to the caller (organisation or operator), at most 255 characters.
 * The stored answer names what it holds (the record's `answerHolds`): erasing
 * or deleting that empties it, and a retry then answers 404.
 * Without the header nothing changes (and nothing is read or written).
 */
import type { MiddlewareHandler } from "hono";
import { ApiError, fieldError } from "../domain/errors";
import { claimKey, completeKey, releaseKey } from "../domain/idempotency/idempotency.queries";
import { lookupHash, seal, unseal } from "../domain/idempotency/idempotency.sealing";
import type { AnswerHolds } from "../domain/idempotency/idempotency.subjects";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../domain/limits";
import type { AppEnv } from "../env";
import { sha256Hex } from "../lib/tokens";

/** `answerHolds`: what the record's answer holds, stored with it (see idempotency.subjects.ts). */
export function idempotency(answerHolds: AnswerHolds): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const key = c.req.header("Idempotency-Key");
    // A dry run neither stores nor replays a key.
    if (key === undefined || c.get("dryRun")) return next();
    if (key.trim() === "") throw ApiError.validation([fieldError("Idempotency-Key", "must_be_filled")]);
    if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw ApiError.validation([fieldError("Idempotency-Key", "size_cannot_be_greater_than", MAX_IDEMPOTENCY_KEY_LENGTH)]);
    }
    const scope = c.get("organisationId") === undefined ? "operator" : `organisation:${c.get("organisationId")}`;
    const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const { won, record } = await claimKey(c.get("database")(), { scope, keyHash: await lookupHash(key), fingerprint });

    if (!won) {
      if (record.fingerprint !== fingerprint) throw ApiError.request("idempotency_key_reused");
      if (record.status === null) throw ApiError.request("idempotency_key_in_use");
      // The customer this answer was about has been erased: nothing of it is replayed.
      if (record.body === null) throw ApiError.notFound();
      return new Response(await unseal(key, record.body), {
        status: record.status,
        headers: { "Content-Type": "application/json; charset=utf-8", "Idempotent-Replayed": "true" },
      });
    }

    await next();
    const status = c.res.status;
    try {
      if (status >= 200 && status < 300) {
        const answer = await c.res.clone().text();
        const subject = answerHolds === "nothing" ? null : answerHolds(JSON.parse(answer));
        await completeKey(c.get("database")(), record, status, await seal(key, answer), subject);
      } else await releaseKey(c.get("database")(), record);
    } catch (error) {
      // The work is done and its answer stands; retries will see the key in use (409) until it expires.
      console.error(
        JSON.stringify({ request_id: c.get("requestId"), error: "idempotency_key_not_recorded", type: error instanceof Error ? error.name : typeof error }),
      );
    }
  };
}
