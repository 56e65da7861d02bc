/**
 * @module Authentication. Organisation tokens resolve through KV
 * (`token:<sha256>` → `{organisation_id, token_id}`), cached in the isolate
 * for `TOKEN_CACHE_TTL_MS` so a token seen recently costs no KV read.
 * The operator API authenticates with the `ADMIN_TOKEN` secret.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { RATE_LIMIT_PERIOD_SECONDS, TOKEN_CACHE_TTL_MS, UNKNOWN_TOKEN_CACHE_TTL_MS } from "../limits";
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



/**
 * Failed authentications per client address (CF-Connecting-IP): a bearer
 * token unknown or revoked, or a wrong operator secret. Each is counted
 * against AUTH_FAILURE_LIMITER (wrangler.toml: 120 per 60 s); past it the
 * answer is 429 and this isolate refuses the address's unverified tokens
 * before any KV read until the period ends. A token this isolate has already
 * verified is never refused: someone else's failures do not slow it.
 */
const throttledAddresses = new Map<string, number>();

function clientAddress(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "unknown";
}

function refuseIfThrottled(address: string, now: number): void {
  const until = throttledAddresses.get(address);
  if (until === undefined) return;
  if (until > now) throw ApiError.rateLimited(Math.ceil((until - now) / 1000));
  throttledAddresses.delete(address);
}

async function failAuthentication(c: Context<AppEnv>, address: string): Promise<never> {
  const { success } = await c.env.AUTH_FAILURE_LIMITER.limit({ key: `auth-failure:${address}` });
  if (success) throw ApiError.unauthenticated();
  if (throttledAddresses.size >= TOKEN_CACHE_MAX_ENTRIES) throttledAddresses.clear();
  throttledAddresses.set(address, Date.now() + RATE_LIMIT_PERIOD_SECONDS * 1000);
  throw ApiError.rateLimited(RATE_LIMIT_PERIOD_SECONDS);
}

/** Organisation token required: sets `organisationId` and `tokenId`, or 401. */
export function requireOrganisation(): MiddlewareHandler<AppEnv> {
  return async function requireOrganisation(c, next) {
    // A missing or malformed header needs no lookup: a plain 401, not counted as a failure.
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw ApiError.unauthenticated();
    const hash = await sha256Hex(token);
    const now = Date.now();
    let entry = cachedToken(hash, now);
    if (!entry) {
      const address = clientAddress(c);
      refuseIfThrottled(address, now);
      entry = await lookupToken(c.env.TOKENS, hash, now);
      if (!entry) return failAuthentication(c, address);
    }
    c.set("organisationId", entry.organisation_id);
    c.set("tokenId", entry.token_id);
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
    const address = clientAddress(c);
    refuseIfThrottled(address, Date.now());
    if (!(await secretsEqual(token, secret))) return failAuthentication(c, address);
    await next();
  };
}
