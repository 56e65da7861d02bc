/**
 * @module The directory's D1 schema (Drizzle): which shard holds each
 * organisation, and what is global to every shard — tokens, suppliers (copied
 * to every shard, with the directory's ids), and the operator API's
 * idempotency keys. `npm run db:generate` writes its migrations under
 * drizzle/directory/.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// The same tables as on a shard: suppliers are the directory's and copied to each shard; the operator's idempotency keys live here.
export { idempotencyKeys, suppliers } from "./schema";

/**
 * Every organisation: its id (allocated here, so ids are unique across
 * shards), its domain (unique across shards) and its shard. The organisation's
 * own row, with its name and counters, is on that shard.
 */
export const directoryOrganisations = sqliteTable(
  "organisations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    domain: text("domain").notNull(),
    /** The index of its shard binding (`SHARD_<n>`). */
    shard: integer("shard").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [uniqueIndex("organisations_domain_unique").on(t.domain)],
);

/** What a key may do: `read` calls every GET and nothing else; `write` everything. */
export const TOKEN_SCOPES = ["read", "write"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/**
 * API keys (bearer tokens). KV (`token:<sha256>`) is the lookup, with the
 * organisation's shard, the key's scope and expiry; this table is the record.
 * Keys made before names and scopes existed are unnamed `write` keys whose
 * last four characters are unknown (NULL).
 */
export const tokens = sqliteTable(
  "tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => directoryOrganisations.id),
    /** Hex SHA-256 of the bearer token; the token itself is never stored. */
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull(),
    revokedAt: text("revoked_at"),
    name: text("name").notNull().default(""),
    scope: text("scope", { enum: TOKEN_SCOPES }).notNull().default("write"),
    /** The secret's last four characters, to tell keys apart in a list. */
    lastFour: text("last_four"),
    /** After it, the key is refused as an unknown one (NULL: never). */
    expiresAt: text("expires_at"),
    /** Written from the usage queue, at most once a minute per key (src/domain/tokens/tokens.queries.ts). */
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("tokens_hash_unique").on(t.hash), index("tokens_organisation_idx").on(t.organisationId)],
);

/**
 * A claim on a key that must be unique across every shard: taken in the
 * directory, in one batch, before the shard write; released when the write
 * fails, and when the record goes (erasure, EAN deletion, a changed e-mail).
 * `claim_id` is the request's, so that a request releases only the claims it
 * made. A claim older than a few minutes whose record does not exist (its
 * request died between the two writes) is removed by the sweep
 * (src/domain/claims/claims.queries.ts).
 */
function claimTable(name: "email_claims" | "ean_claims") {
  return sqliteTable(
    name,
    {
      /** The key: an e-mail in lower case, or an EAN number. */
      key: text("key").primaryKey(),
      organisationId: integer("organisation_id").notNull(),
      claimId: text("claim_id").notNull(),
      createdAt: text("created_at").notNull(),
    },
    (t) => [index(`${name}_created_idx`).on(t.createdAt, t.key)],
  );
}

export const emailClaims = claimTable("email_claims");
export const eanClaims = claimTable("ean_claims");

/** Where the orphan-claim sweep stopped, per claim table: claims are visited once, in (created_at, key) order. */
export const claimSweeps = sqliteTable("claim_sweeps", {
  tableName: text("table_name").primaryKey(),
  afterCreatedAt: text("after_created_at").notNull(),
  afterKey: text("after_key").notNull(),
});
