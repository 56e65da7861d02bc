/**
 * @module Organisations' and tokens' SQL (operator API and /me). D1 is the
 * system of record for tokens (hash, created, revoked); KV is the lookup.
 */
import { eq, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { compileQuery } from "../db/compiled";
import { organisations, tokens } from "../db/schema";
import { forgetAnswersHolding } from "../idempotency/idempotency.queries";
import { subjectOf } from "../idempotency/idempotency.subjects";

export const organisationRef = {
  id: organisations.id,
  name: organisations.name,
  domain: organisations.domain,
  createdAt: organisations.createdAt,
};

/**
 * The same columns under names of their own, for selects that join the
 * organisation to a table with `id`, `name` or `created_at` columns: D1
 * answers rows as objects, where equal column names would overwrite each other.
 */
export const joinedOrganisationRef = {
  id: sql<number>`${organisations.id}`.as("organisation_ref_id"),
  name: sql<string>`${organisations.name}`.as("organisation_ref_name"),
  domain: sql<string>`${organisations.domain}`.as("organisation_ref_domain"),
  createdAt: sql<string>`${organisations.createdAt}`.as("organisation_ref_created_at"),
};

const organisationById = compileQuery(["organisationId"], (db, $) =>
  db.select(organisationRef).from(organisations).where(eq(organisations.id, $.organisationId)),
);

export async function findOrganisation(db: Database, organisationId: number) {
  const [[organisation]] = await db.run([organisationById.bind({ organisationId })]);
  return organisation ?? null;
}

/**
 * Creates the organisation and its first token in one atomic batch. Without
 * a domain, the domain is `<slug>-<id>`, which needs the id: the row is
 * inserted with a placeholder unique to it (the token's hash), then the
 * update and the token insert address it through `last_insert_rowid()`.
 * Should another organisation have chosen exactly that `<slug>-<id>`, a
 * random suffix follows. A chosen domain that is taken fails the batch on
 * `organisations_domain_unique`.
 */
export async function insertOrganisationWithToken(db: Database, input: { name: string; domain: string | null; slug: string }, tokenHash: string) {
  const now = nowIso();
  const [, , , [organisation], [token]] = await db.run([
    db.insert(organisations).values({ name: input.name, domain: input.domain ?? `pending-${tokenHash}`, createdAt: now }),
    db
      .update(organisations)
      .set({
        domain: sql`${input.slug} || '-' || ${organisations.id} || case
          when exists (select 1 from ${organisations} o where o.domain = ${input.slug} || '-' || ${organisations.id}) then '-' || lower(hex(randomblob(4)))
          else '' end`,
      })
      .where(sql`${organisations.id} = last_insert_rowid() and ${input.domain === null ? 1 : 0} = 1`),
    db.insert(tokens).values({ organisationId: sql`last_insert_rowid()`, hash: tokenHash, createdAt: now }),
    db
      .select(organisationRef)
      .from(organisations)
      .where(eq(organisations.id, sql`(select ${tokens.organisationId} from ${tokens} where ${tokens.hash} = ${tokenHash})`)),
    db.select({ id: tokens.id }).from(tokens).where(eq(tokens.hash, tokenHash)),
  ]);
  return { organisation: organisation!, tokenId: token!.id };
}

/** A new token for an existing organisation; null when there is no such organisation. */
export async function insertToken(db: Database, organisationId: number, tokenHash: string) {
  const [rows] = await db.run([
    db
      .insert(tokens)
      .select(
        db
          // insert … select needs every column, in table order.
          .select({
            id: sql<number>`null`.as("id"),
            organisationId: organisations.id,
            hash: sql<string>`${tokenHash}`.as("hash"),
            createdAt: sql<string>`${nowIso()}`.as("created_at"),
            revokedAt: sql<string | null>`null`.as("revoked_at"),
          })
          .from(organisations)
          .where(eq(organisations.id, organisationId)),
      )
      .returning({ id: tokens.id }),
  ]);
  return rows[0]?.id ?? null;
}

/**
 * Marks the token revoked (keeping the first revocation time), and empties
 * the stored answers that hold it; its hash, or null when unknown.
 */
export async function revokeToken(db: Database, tokenId: number) {
  const [, rows] = await db.run([
    forgetAnswersHolding(db, subjectOf("token", tokenId)),
    db
      .update(tokens)
      .set({ revokedAt: sql`coalesce(${tokens.revokedAt}, ${nowIso()})` })
      .where(eq(tokens.id, tokenId))
      .returning({ hash: tokens.hash }),
  ]);
  return rows[0]?.hash ?? null;
}
