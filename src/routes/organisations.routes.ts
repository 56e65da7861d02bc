/**
 * @module Organisations: `GET /api/v1/me`, and the operator API's
 * organisation and token management (create on a shard, show with its
 * shard, issue, revoke).
 */
import type { Context } from "hono";
import * as z from "zod";
import { isUniqueViolation } from "../domain/db/errors";
import { shardsOf } from "../domain/db/shards";
import { ApiError, fieldError } from "../domain/errors";
import { forgetAnswersHolding } from "../domain/idempotency/idempotency.queries";
import { subjectOf } from "../domain/idempotency/idempotency.subjects";
import { MOVE_CLEANUP_DELAY_S, MOVE_ROWS_PER_STEP } from "../domain/limits";
import {
  createdOrganisationJson,
  issuedTokenJson,
  operatorOrganisationJson,
  organisationJson,
  organisationMoveJson,
  toOrganisationJson,
} from "../domain/organisations/organisations.json";
import {
  findDirectoryEntry,
  findOrganisation,
  insertOrganisationRow,
  registerOrganisation,
  shardSizes,
  unregisterOrganisation,
} from "../domain/organisations/organisations.queries";
import { createOrganisationBody, moveOrganisationBody, slugify } from "../domain/organisations/organisations.schemas";
import { insertToken, revokeToken, tokenEntry } from "../domain/tokens/tokens.queries";
import * as f from "../domain/validation/fields";
import type { AppEnv } from "../env";
import { generateToken, sha256Hex } from "../lib/tokens";
import { publishToken, withdrawToken } from "../middleware/auth";
import { startMove } from "../moves/move-organisation";
import * as examples from "../openapi/examples";
import { defineRoute } from "../routing/route";
import { REVOCATION_NOTE } from "./tokens.routes";

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
  return { token, hash: await sha256Hex(token), lastFour: token.slice(-4) };
}

/** The shard a new organisation goes to: the one asked for, else the emptiest (by D1's database size). */
async function placeOrganisation(c: Context<AppEnv>, asked: number | null): Promise<number> {
  const count = shardsOf(c.env).length;
  if (asked !== null) {
    if (asked >= count) throw ApiError.validation([fieldError("shard", "must_be_one_of", Array.from({ length: count }, (_, i) => i).join(", "))]);
    return asked;
  }
  const sizes = await shardSizes(Array.from({ length: count }, (_, i) => c.get("shardDatabase")(i)));
  return sizes.indexOf(Math.min(...sizes));
}

export const createOrganisation = defineRoute("post", "/admin/v1/organisations", {
  operationId: "createOrganisation",
  tag: "Operator",
  summary: "Create an organisation and its first token (shown once)",
  description: "`domain` defaults to the slug of the name followed by `-<id>`; `shard` to the emptiest shard.",
  auth: "operator",
  scope: "global",
  // The answer holds the first token: revoking it empties the stored answer.
  answerHolds: (answer: { token: { id: number } }) => subjectOf("token", answer.token.id),
  body: { schema: createOrganisationBody, example: { name: "Acceptance Org 7" } },
  responses: { 201: { schema: createdOrganisationJson } },
  handler: async (c) => {
    const { name, domain, shard: asked } = c.req.valid("json");
    const shard = await placeOrganisation(c, asked);
    const { token, hash, lastFour } = await newToken();
    const directory = c.get("database")();
    let registered: Awaited<ReturnType<typeof registerOrganisation>>;
    try {
      registered = await registerOrganisation(directory, { domain, slug: slugify(name), shard }, hash, lastFour);
    } catch (error) {
      if (isUniqueViolation(error, "organisations.domain")) throw ApiError.validation([fieldError("domain", "has_already_been_taken")]);
      throw error;
    }
    const { entry, tokenId } = registered;
    let organisation: Awaited<ReturnType<typeof insertOrganisationRow>>;
    try {
      organisation = await insertOrganisationRow(c.get("shardDatabase")(shard), { id: entry.id, name, domain: entry.domain, createdAt: entry.createdAt });
    } catch (error) {
      // Nothing refers to the directory's rows yet: undone, the request leaves nothing behind.
      await unregisterOrganisation(directory, entry.id);
      throw error;
    }
    await publishToken(c.env.TOKENS, directory, hash, { organisation_id: organisation.id, token_id: tokenId, shard, scope: "write", expires_at: null });
    return c.json({ organisation: toOrganisationJson(organisation), token: { id: tokenId, token } }, 201);
  },
});

export const getOrganisationForOperator = defineRoute("get", "/admin/v1/organisations/:id", {
  operationId: "getOrganisationForOperator",
  tag: "Operator",
  summary: "An organisation, with the shard that holds it",
  auth: "operator",
  scope: "global",
  params: z.object({ id: f.pathId("Organisation id") }),
  responses: { 200: { schema: operatorOrganisationJson } },
  handler: async (c) => {
    const entry = await findDirectoryEntry(c.get("database")(), c.req.valid("param").id);
    if (!entry) throw ApiError.notFound();
    const organisation = await findOrganisation(c.get("shardDatabase")(entry.shard), entry.id);
    if (!organisation) throw ApiError.notFound();
    return c.json({ ...toOrganisationJson(organisation), shard: entry.shard }, 200);
  },
});

export const moveOrganisation = defineRoute("post", "/admin/v1/organisations/:id/move", {
  operationId: "moveOrganisation",
  tag: "Operator",
  summary: "Move an organisation to another shard",
  description:
    `Copies its rows to the shard in steps of ${MOVE_ROWS_PER_STEP} (a queue), then routes it there; the old copy is removed ` +
    `${MOVE_CLEANUP_DELAY_S} s later. Meanwhile its reads work and its writes answer 503 with Retry-After. ` +
    "`GET /admin/v1/organisations/:id` shows the new shard once it is done.",
  auth: "operator",
  scope: "global",
  answerHolds: "nothing",
  params: z.object({ id: f.pathId("Organisation id") }),
  body: { schema: moveOrganisationBody, example: { shard: 1 } },
  responses: { 202: { schema: organisationMoveJson } },
  handler: async (c) => {
    const organisationId = c.req.valid("param").id;
    const to = c.req.valid("json").shard;
    const entry = await findDirectoryEntry(c.get("database")(), organisationId);
    if (!entry) throw ApiError.notFound();
    const others = shardsOf(c.env)
      .map((_, shard) => shard)
      .filter((shard) => shard !== entry.shard);
    if (!others.includes(to)) throw ApiError.validation([fieldError("shard", "must_be_one_of", others.join(", "))]);
    if (!(await startMove(c.env, organisationId, entry.shard, to))) throw ApiError.validation([fieldError("shard", "cannot_be_changed")]);
    return c.json({ id: organisationId, from: entry.shard, to, state: "moving" as const }, 202);
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
    const { token, hash, lastFour } = await newToken();
    const directory = c.get("database")();
    const issued = await insertToken(directory, organisationId, hash, lastFour);
    if (issued === null) throw ApiError.notFound();
    await publishToken(c.env.TOKENS, directory, hash, tokenEntry(issued, issued.shard));
    return c.json({ id: issued.id, token }, 201);
  },
});

export const revokeTokenRoute = defineRoute("delete", "/admin/v1/tokens/:id", {
  operationId: "revokeToken",
  tag: "Operator",
  summary: "Revoke a token (any organisation's, its last write key included)",
  description: REVOCATION_NOTE,
  auth: "operator",
  scope: "global",
  params: z.object({ id: f.pathId("Token id") }),
  // Revoking is idempotent by itself (a second revocation is 204 again).
  idempotent: false,
  responses: { 204: { description: "Revoked (also when it already was)." } },
  handler: async (c) => {
    const tokenId = c.req.valid("param").id;
    const revoked = await revokeToken(c.get("database")(), tokenId);
    if (revoked === null) throw ApiError.notFound();
    await withdrawToken(c.env.TOKENS, revoked.hash);
    // A key the organisation made itself: its creation's stored answer (with the secret) is on its shard.
    const shard = c.get("shardDatabase")(revoked.shard);
    await shard.run([forgetAnswersHolding(shard, subjectOf("token", tokenId))]);
    return c.body(null, 204);
  },
});
