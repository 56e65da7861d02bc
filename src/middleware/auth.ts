/**
 * @module Authentication. Organisation tokens (API keys) resolve through KV
 * (`token:<sha256>` → `{organisation_id, token_id, shard, scope, expires_at}`),
 * cached in the isolate for `TOKEN_CACHE_TTL_MS` so a token seen recently
 * costs no KV read. An expired key is refused as an unknown one. A key's use
 * is reported to the usage queue at most once a minute per isolate, beside
 * the request's own work (no D1 round trip). The operator API authenticates
 * with the `ADMIN_TOKEN` secret. This module also writes the KV entries.
 */
import type { Context, MiddlewareHandler } from "hono";
import ipaddr from "ipaddr.js";
import type { Database } from "../domain/db/client";
import { ApiError } from "../domain/errors";
import { RATE_LIMIT_PERIOD_SECONDS, TOKEN_CACHE_TTL_MS, TOKEN_USAGE_INTERVAL_MS, UNKNOWN_TOKEN_CACHE_TTL_MS } from "../domain/limits";
import { findDirectoryEntry } from "../domain/organisations/organisations.queries";
import type { AppEnv, Bindings } from "../env";
import { bearerToken, secretsEqual, sha256Hex, type TokenEntry, tokenKvKey } from "../lib/tokens";

const TOKEN_CACHE_MAX_ENTRIES = 10_000;

const tokenCache = new Map<string, { entry: TokenEntry; expiresAt: number }>();
const unknownTokens = new Map<string, number>();

/** Drops the isolate caches (tests; revocation and issue through this isolate). */
export function forgetCachedToken(hash?: string): void {
  if (hash === undefined) {
    tokenCache.clear();
    unknownTokens.clear();
  } else {
    tokenCache.delete(hash);
    unknownTokens.delete(hash);
  }
}

/** The token's entry when this isolate resolved it within the cache window. */
function cachedToken(hash: string, now: number): TokenEntry | null {
  const cached = tokenCache.get(hash);
  return cached && cached.expiresAt > now ? cached.entry : null;
}

/** The entry for a token hash: the isolate caches first (known and unknown tokens), then KV. */
async function lookupToken(kv: KVNamespace, hash: string, now: number): Promise<TokenEntry | null> {
  const cached = cachedToken(hash, now);
  if (cached) return cached;
  if ((unknownTokens.get(hash) ?? 0) > now) return null;
  const entry = await kv.get<TokenEntry>(tokenKvKey(hash), "json");
  if (!entry) {
    tokenCache.delete(hash);
    if (unknownTokens.size >= TOKEN_CACHE_MAX_ENTRIES) unknownTokens.clear();
    unknownTokens.set(hash, now + UNKNOWN_TOKEN_CACHE_TTL_MS);
    return null;
  }
  if (tokenCache.size >= TOKEN_CACHE_MAX_ENTRIES) tokenCache.clear();
  tokenCache.set(hash, { entry, expiresAt: now + TOKEN_CACHE_TTL_MS });
  return entry;
}

export async function resolveToken(kv: KVNamespace, token: string): Promise<TokenEntry | null> {
  return lookupToken(kv, await sha256Hex(token), Date.now());
}

/** KV drops an entry by itself at its `expiration`, which must be at least a minute ahead. */
const MIN_KV_EXPIRATION_AHEAD_S = 90;

/**
 * Writes a key's KV entry. A move of its organisation may flip the shard
 * between the caller's read of it and this write (and re-publish the live
 * keys without this one, or before it): the directory is read again after
 * the write, and the entry rewritten if the shard changed meanwhile.
 */
export async function publishToken(kv: KVNamespace, directory: Database, hash: string, entry: TokenEntry): Promise<void> {
  await putTokenEntry(kv, hash, entry);
  const shard = (await findDirectoryEntry(directory, entry.organisation_id))?.shard;
  if (shard !== undefined && shard !== entry.shard) await putTokenEntry(kv, hash, { ...entry, shard });
}

/** The KV write itself (a move re-publishes its organisation's keys with it); KV drops an expiring key's entry at its expiry. */
export async function putTokenEntry(kv: KVNamespace, hash: string, entry: TokenEntry): Promise<void> {
  const expiration = entry.expires_at ? Math.floor(Date.parse(entry.expires_at) / 1000) : null;
  const options = expiration !== null && expiration > Date.now() / 1000 + MIN_KV_EXPIRATION_AHEAD_S ? { expiration } : {};
  await kv.put(tokenKvKey(hash), JSON.stringify(entry), options);
  forgetCachedToken(hash);
}

/** Removes a revoked key's KV entry and this isolate's cache of it (other isolates keep theirs up to TOKEN_CACHE_TTL_MS). */
export async function withdrawToken(kv: KVNamespace, hash: string): Promise<void> {
  await kv.delete(tokenKvKey(hash));
  forgetCachedToken(hash);
}

/** When this isolate last reported each key's use (token id → ms). */
const reportedUses = new Map<number, number>();

/** Drops the isolate's memory of reported uses (tests). */
export function forgetReportedUses(): void {
  reportedUses.clear();
}

/**
 * Tells the usage queue that a key was used, unless this isolate did within
 * TOKEN_USAGE_INTERVAL_MS: the caller awaits it after its own work, so the
 * send overlaps the request's D1 round trip. A failed send is logged (no
 * token) and tried again on the key's next request.
 */
function reportUse(env: Bindings, tokenId: number, now: number): Promise<void> | null {
  if (now - (reportedUses.get(tokenId) ?? Number.NEGATIVE_INFINITY) < TOKEN_USAGE_INTERVAL_MS) return null;
  if (reportedUses.size >= TOKEN_CACHE_MAX_ENTRIES) reportedUses.clear();
  reportedUses.set(tokenId, now);
  return env.TOKEN_USAGE.send({ token_id: tokenId, at: new Date(now).toISOString() }).then(
    () => undefined,
    (error: unknown) => {
      reportedUses.delete(tokenId);
      console.error(JSON.stringify({ error: "token_usage_not_sent", token_id: tokenId, type: error instanceof Error ? error.name : typeof error }));
    },
  );
}

/**
 * Failed authentications per client (CF-Connecting-IP; IPv6 per /64, the
 * block one subscriber gets): a bearer token unknown or revoked, or a wrong
 * operator secret. Each is counted against AUTH_FAILURE_LIMITER
 * (wrangler.toml: 120 per 60 s); past it, that client's failures answer 429
 * until the period ends. Only failures are throttled: a token that verifies,
 * and the right operator secret, always pass — from a throttled address too,
 * so that someone behind the same NAT cannot lock everyone else out. A
 * repeated wrong token still costs no KV read (the isolate remembers it).
 */
const throttledClients = new Map<string, number>();

/** The client a failure counts against: an IPv4 address, an IPv6 /64, or "unknown". */
export function clientKey(header: string | undefined): string {
  if (!header || !ipaddr.isValid(header.trim())) return "unknown";
  const address = ipaddr.process(header.trim());
  if (address.kind() === "ipv4") return address.toString();
  return `${(address as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(":")}::/64`;
}

/** 429 when this client has failed too often lately; nothing otherwise. */
function refuseIfThrottled(client: string, now: number): void {
  const until = throttledClients.get(client);
  if (until === undefined) return;
  if (until > now) throw ApiError.rateLimited(Math.ceil((until - now) / 1000));
  throttledClients.delete(client);
}

/** A failed authentication: 401, or 429 once the client is past its limit. */
async function failAuthentication(c: Context<AppEnv>): Promise<never> {
  const client = clientKey(c.req.header("CF-Connecting-IP"));
  refuseIfThrottled(client, Date.now());
  const { success } = await c.env.AUTH_FAILURE_LIMITER.limit({ key: `auth-failure:${client}` });
  if (success) throw ApiError.unauthenticated();
  if (throttledClients.size >= TOKEN_CACHE_MAX_ENTRIES) throttledClients.clear();
  throttledClients.set(client, Date.now() + RATE_LIMIT_PERIOD_SECONDS * 1000);
  throw ApiError.rateLimited(RATE_LIMIT_PERIOD_SECONDS);
}

/** Organisation token required: sets `organisationId` and `tokenId`, or 401 (429 for a client failing too often). */
export function requireOrganisation(): MiddlewareHandler<AppEnv> {
  return async function requireOrganisation(c, next) {
    // A missing or malformed header needs no lookup: a plain 401, not counted as a failure.
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw ApiError.unauthenticated();
    const now = Date.now();
    const entry = await lookupToken(c.env.TOKENS, await sha256Hex(token), now);
    if (!entry || (entry.expires_at && Date.parse(entry.expires_at) <= now)) return failAuthentication(c);
    c.set("organisationId", entry.organisation_id);
    c.set("tokenId", entry.token_id);
    c.set("shard", entry.shard);
    c.set("tokenScope", entry.scope ?? "write");
    const usage = reportUse(c.env, entry.token_id, now);
    try {
      await next();
    } finally {
      if (usage) await usage;
    }
  };
}

/** A write needs a `write` key: a `read` key gets 403 naming the scope (GETs pass with either). */
export function requireWriteScope(): MiddlewareHandler<AppEnv> {
  return async function requireWriteScope(c, next) {
    if (c.get("tokenScope") !== "write") throw ApiError.insufficientScope();
    await next();
  };
}

/** Operator secret required; while the secret is unset the whole operator API is 404. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    const secret = c.env.ADMIN_TOKEN;
    if (!secret) throw ApiError.notFound();
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw ApiError.unauthenticated();
    if (!(await secretsEqual(token, secret))) return failAuthentication(c);
    await next();
  };
}
