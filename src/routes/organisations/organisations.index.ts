/**
 * @module Organisations: `GET /api/v1/me`, and the operator API's
 * organisation and token management (create, issue, revoke).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { ApiError } from "../../errors";
import { idempotency } from "../../idempotency/idempotency.middleware";
import { parseId } from "../../lib/ids";
import { generateToken, sha256Hex, type TokenEntry, tokenKvKey } from "../../lib/tokens";
import { forgetCachedToken, requireOrganisation } from "../../middleware/auth";
import { jsonBody } from "../../middleware/json-body";
import { validate } from "../../validation/validator";
import { toOrganisationJson } from "./organisations.json";
import { findOrganisation, insertOrganisationWithToken, insertToken, revokeToken } from "./organisations.queries";
import { createOrganisationBody, slugify } from "./organisations.schemas";

export const meRouter = new Hono<AppEnv>().get("/", requireOrganisation(), async (c) => {
  const organisation = await findOrganisation(c.var.database(), c.var.organisationId);
  if (!organisation) throw ApiError.unauthenticated();
  return c.json(toOrganisationJson(organisation), 200);
});

/** A fresh token: its hash goes to D1 (by the caller's insert) and to KV; the plaintext only to the answer. */
async function newToken() {
  const token = generateToken();
  return { token, hash: await sha256Hex(token) };
}

async function publishToken(kv: KVNamespace, hash: string, entry: TokenEntry) {
  await kv.put(tokenKvKey(hash), JSON.stringify(entry));
}

/** Mounted under /admin/v1, behind `requireAdmin`. */
export const adminOrganisationsRouter = new Hono<AppEnv>()
  .post("/organisations", jsonBody(), idempotency(), validate("json", createOrganisationBody), async (c) => {
    const { name, domain } = c.req.valid("json");
    const { token, hash } = await newToken();
    const { organisation, tokenId } = await insertOrganisationWithToken(c.var.database(), { name, domain, slug: slugify(name) }, hash);
    await publishToken(c.env.TOKENS, hash, { organisation_id: organisation.id, token_id: tokenId });
    return c.json({ organisation: toOrganisationJson(organisation), token: { id: tokenId, token } }, 201);
  })
  .post("/organisations/:id/tokens", idempotency(), async (c) => {
    const organisationId = parseId(c.req.param("id"));
    const { token, hash } = await newToken();
    const tokenId = await insertToken(c.var.database(), organisationId, hash);
    if (tokenId === null) throw ApiError.notFound();
    await publishToken(c.env.TOKENS, hash, { organisation_id: organisationId, token_id: tokenId });
    return c.json({ id: tokenId, token }, 201);
  })
  .delete("/tokens/:id", async (c) => {
    const hash = await revokeToken(c.var.database(), parseId(c.req.param("id")));
    if (hash === null) throw ApiError.notFound();
    await c.env.TOKENS.delete(tokenKvKey(hash));
    forgetCachedToken(hash);
    return c.body(null, 204);
  });
