/**
 * @module API keys, self-service: `GET /api/v1/tokens`, `POST
 * /api/v1/tokens` (the secret answered once), `DELETE /api/v1/tokens/:id`;
 * and the operator's list of an organisation's keys. Keys live in the
 * directory (src/domain/tokens); KV is their lookup (src/middleware/auth.ts).
 */
import * as z from "zod";
import { ApiError, fieldError } from "../domain/errors";
import { forgetAnswersHolding } from "../domain/idempotency/idempotency.queries";
import { subjectOf } from "../domain/idempotency/idempotency.subjects";
import { MAX_TOKENS_PER_ORGANISATION, TOKEN_CACHE_TTL_MS } from "../domain/limits";
import { findDirectoryEntry } from "../domain/organisations/organisations.queries";
import { createdTokenJson, tokenJson, toTokenJson } from "../domain/tokens/tokens.json";
import { createToken, hasRoomForToken, listTokens, revokeOwnToken, tokenEntry } from "../domain/tokens/tokens.queries";
import { createTokenBody } from "../domain/tokens/tokens.schemas";
import * as f from "../domain/validation/fields";
import { generateToken, sha256Hex } from "../lib/tokens";
import { publishToken, withdrawToken } from "../middleware/auth";
import { defineRoute } from "../routing/route";

/** How long a revoked key may still work: the isolate cache, and KV's own propagation to other locations. */
export const REVOCATION_NOTE =
  `A revoked key stops working within ${TOKEN_CACHE_TTL_MS / 1000} s in the isolates that used it last ` +
  "(their token cache), and as soon as KV has propagated the removal elsewhere (usually seconds, at most about a minute).";

export const listTokensRoute = defineRoute("get", "/api/v1/tokens", {
  operationId: "listTokens",
  tag: "Keys",
  summary: "The organisation's API keys, oldest first (never their secrets)",
  description: "Revoked keys are not listed; expired ones are, until deleted. `last_used_at` is written at most once a minute.",
  auth: "organisation",
  scope: "global",
  responses: { 200: { schema: z.array(tokenJson) } },
  handler: async (c) => c.json((await listTokens(c.get("directory")(), c.get("organisationId"))).map(toTokenJson), 200),
});

export const createTokenRoute = defineRoute("post", "/api/v1/tokens", {
  operationId: "createToken",
  tag: "Keys",
  summary: "Create an API key (its secret shown once)",
  description:
    `At most ${MAX_TOKENS_PER_ORGANISATION} live keys per organisation. The secret starts with \`enbro_\` (so secret scanners ` +
    "recognise a leaked one) and is stored only as its SHA-256. An expired key is refused as an unknown one (401).",
  auth: "organisation",
  scope: "global",
  answerHolds: (answer: { id: number }) => subjectOf("token", answer.id),
  body: { schema: createTokenBody, example: { token: { name: "Customer service (read only)", scope: "read", expires_at: null } } },
  responses: { 201: { schema: createdTokenJson } },
  handler: async (c) => {
    const { name, scope, expires_at: expiresAt } = c.req.valid("json").token;
    const directory = c.get("directory")();
    const organisationId = c.get("organisationId");
    const full = () => ApiError.validation([fieldError("token", "size_cannot_be_greater_than", MAX_TOKENS_PER_ORGANISATION)]);
    // A dry run checks the cap and writes nothing (the directory has no dry-run batches: nothing is sent to it).
    if (c.get("dryRun")) {
      if (!(await hasRoomForToken(directory, organisationId))) throw full();
      // The dry-run middleware answers {"valid":true} in its place; `never` keeps the typed client's answer the key's.
      return c.body(null, 201) as never;
    }
    const token = generateToken();
    const hash = await sha256Hex(token);
    const created = await createToken(directory, organisationId, { name, scope, expiresAt, hash, lastFour: token.slice(-4) });
    if (!created) throw full();
    await publishToken(c.env.TOKENS, directory, hash, tokenEntry(created, created.shard));
    return c.json({ ...toTokenJson(created), token }, 201);
  },
});

export const deleteTokenRoute = defineRoute("delete", "/api/v1/tokens/:id", {
  operationId: "deleteToken",
  tag: "Keys",
  summary: "Revoke one of the organisation's API keys",
  description: `${REVOCATION_NOTE} The organisation's last working \`write\` key cannot be revoked (422): revoke it once another exists.`,
  auth: "organisation",
  scope: "tenant",
  answerHolds: "nothing",
  params: z.object({ id: f.pathId("Key id") }),
  responses: { 204: { description: "Revoked." } },
  handler: async (c) => {
    const revoked = await revokeOwnToken(c.get("directory")(), c.get("organisationId"), c.req.valid("param").id);
    if (revoked === null) throw ApiError.notFound();
    if (revoked === "last_write_key") throw ApiError.validation([fieldError("token", "is_the_last_write_key")]);
    await withdrawToken(c.env.TOKENS, revoked.hash);
    // Its creation's stored answer (with the secret) on the organisation's shard.
    await c
      .get("database")()
      .run([forgetAnswersHolding(c.get("database")(), subjectOf("token", c.req.valid("param").id))]);
    return c.body(null, 204);
  },
});

export const listTokensForOperator = defineRoute("get", "/admin/v1/organisations/:id/tokens", {
  operationId: "listTokensForOperator",
  tag: "Operator",
  summary: "An organisation's API keys (never their secrets)",
  description: "Revoke one with `DELETE /admin/v1/tokens/:id`.",
  auth: "operator",
  scope: "global",
  params: z.object({ id: f.pathId("Organisation id") }),
  responses: { 200: { schema: z.array(tokenJson) } },
  handler: async (c) => {
    const directory = c.get("database")();
    const organisationId = c.req.valid("param").id;
    if (!(await findDirectoryEntry(directory, organisationId))) throw ApiError.notFound();
    return c.json((await listTokens(directory, organisationId)).map(toTokenJson), 200);
  },
});
