/**
 * @module Organisations: `GET /api/v1/me`, and the operator API's
 * organisation and token management (create, issue, revoke).
 */
import * as z from "zod";
import { isUniqueViolation } from "../domain/db/errors";
import { ApiError, fieldError } from "../domain/errors";
import { subjectOf } from "../domain/idempotency/idempotency.subjects";
import { TOKEN_CACHE_TTL_MS } from "../domain/limits";
import { createdOrganisationJson, issuedTokenJson, organisationJson, toOrganisationJson } from "../domain/organisations/organisations.json";
import { findOrganisation, insertOrganisationWithToken, insertToken, revokeToken } from "../domain/organisations/organisations.queries";
import { createOrganisationBody, slugify } from "../domain/organisations/organisations.schemas";
import * as f from "../domain/validation/fields";
import { generateToken, sha256Hex, type TokenEntry, tokenKvKey } from "../lib/tokens";
import { forgetCachedToken } from "../middleware/auth";
import * as examples from "../openapi/examples";
import { defineRoute } from "../routing/route";

export const getMe = defineRoute("get", "/api/v1/me", {
  operationId: "getMe",
  tag: "Organisation",
  summary: "The current organisation (the token's)",
  auth: "organisation",
  scope: "global",
  responses: { 200: { schema: organisationJson, example: examples.me } },
  handler: async (c) => {
    const organisation = await findOrganisation(c.get("database")(), c.get("organisationId"));
    if (!organisation) throw ApiError.unauthenticated();
    return c.json(toOrganisationJson(organisation), 200);
  },
});

/** A fresh token: its hash goes to D1 (by the caller's insert) and to KV; the plaintext only to the answer. */
async function newToken() {
  const token = generateToken();
  return { token, hash: await sha256Hex(token) };
}

async function publishToken(kv: KVNamespace, hash: string, entry: TokenEntry) {
  await kv.put(tokenKvKey(hash), JSON.stringify(entry));
}

export const createOrganisation = defineRoute("post", "/admin/v1/organisations", {
  operationId: "createOrganisation",
  tag: "Operator",
  summary: "Create an organisation and its first token (shown once)",
  description: "`domain` defaults to the slug of the name followed by `-<id>`.",
  auth: "operator",
  scope: "global",
  // The answer holds the first token: revoking it empties the stored answer.
  answerHolds: (answer: { token: { id: number } }) => subjectOf("token", answer.token.id),
  body: { schema: createOrganisationBody, example: { name: "Acceptance Org 7" } },
  responses: { 201: { schema: createdOrganisationJson } },
  handler: async (c) => {
    const { name, domain } = c.req.valid("json");
    const { token, hash } = await newToken();
    let created: Awaited<ReturnType<typeof insertOrganisationWithToken>>;
    try {
      created = await insertOrganisationWithToken(c.get("database")(), { name, domain, slug: slugify(name) }, hash);
    } catch (error) {
      if (isUniqueViolation(error, "organisations.domain")) throw ApiError.validation([fieldError("domain", "has_already_been_taken")]);
      throw error;
    }
    const { organisation, tokenId } = created;
    await publishToken(c.env.TOKENS, hash, { organisation_id: organisation.id, token_id: tokenId });
    return c.json({ organisation: toOrganisationJson(organisation), token: { id: tokenId, token } }, 201);
  },
});

export const issueToken = defineRoute("post", "/admin/v1/organisations/:id/tokens", {
  operationId: "issueToken",
  tag: "Operator",
  summary: "Issue another token for an organisation (shown once)",
  auth: "operator",
  scope: "global",
  answerHolds: (answer: { id: number }) => subjectOf("token", answer.id),
  params: z.object({ id: f.pathId("Organisation id") }),
  responses: { 201: { schema: issuedTokenJson } },
  handler: async (c) => {
    const organisationId = c.req.valid("param").id;
    const { token, hash } = await newToken();
    const tokenId = await insertToken(c.get("database")(), organisationId, hash);
    if (tokenId === null) throw ApiError.notFound();
    await publishToken(c.env.TOKENS, hash, { organisation_id: organisationId, token_id: tokenId });
    return c.json({ id: tokenId, token }, 201);
  },
});

export const revokeTokenRoute = defineRoute("delete", "/admin/v1/tokens/:id", {
  operationId: "revokeToken",
  tag: "Operator",
  summary: "Revoke a token",
  description: `An isolate that used the token just before may accept it for up to ${TOKEN_CACHE_TTL_MS / 1000} s more.`,
  auth: "operator",
  scope: "global",
  params: z.object({ id: f.pathId("Token id") }),
  // Revoking is idempotent by itself (a second revocation is 204 again).
  idempotent: false,
  responses: { 204: { description: "Revoked (also when it already was)." } },
  handler: async (c) => {
    const hash = await revokeToken(c.get("database")(), c.req.valid("param").id);
    if (hash === null) throw ApiError.notFound();
    await c.env.TOKENS.delete(tokenKvKey(hash));
    forgetCachedToken(hash);
    return c.body(null, 204);
  },
});
