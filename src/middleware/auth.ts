/**
 * @module Authentication. Organisation tokens resolve through KV
 * (`token:<sha256>` → `{organisation_id, token_id}`), cached in the isolate
 * for `TOKEN_CACHE_TTL_MS` so a token seen recently costs no KV read.
 * The operator API authenticates with the `ADMIN_TOKEN` secret.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { bearerToken, secretsEqual, sha256Hex, type TokenEntry, tokenKvKey } from "../lib/tokens";

/**
 * How long an isolate trusts a token it has resolved. This is the revocation
 * window: a revoked token may still work for this long on an isolate that
 * used it just before (plus KV's own propagation delay elsewhere).
 */
export const TOKEN_CACHE_TTL_MS = 30_000;
const TOKEN_CACHE_MAX_ENTRIES = 10_000;

const tokenCache = new Map<string, { entry: TokenEntry; expiresAt: number }>();

/** Drops the isolate cache (tests; revocation through this isolate). */
export function forgetCachedToken(hash?: string): void {
  if (hash === undefined) tokenCache.clear();
  else tokenCache.delete(hash);
}

export async function resolveToken(kv: KVNamespace, token: string): Promise<TokenEntry | null> {
  const hash = await sha256Hex(token);
  const now = Date.now();
  const cached = tokenCache.get(hash);
  if (cached && cached.expiresAt > now) return cached.entry;
  const entry = await kv.get<TokenEntry>(tokenKvKey(hash), "json");
  if (!entry) {
    tokenCache.delete(hash);
    return null;
  }
  if (tokenCache.size >= TOKEN_CACHE_MAX_ENTRIES) tokenCache.clear();
  tokenCache.set(hash, { entry, expiresAt: now + TOKEN_CACHE_TTL_MS });
  return entry;
}

/** Seconds a limited caller should wait: the period of wrangler.toml's [[ratelimits]]. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** One more request for `key` (a token); 429 with Retry-After when over the limit. */
async function countRequest(limiter: RateLimit, key: string): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) throw ApiError.rateLimited(RATE_LIMIT_PERIOD_SECONDS);
}

/** Organisation token required: sets `organisationId` and `tokenId`, or 401; counts toward the token's rate limit. */
export function requireOrganisation(): MiddlewareHandler<AppEnv> {
  return async function requireOrganisation(c, next) {
    const token = bearerToken(c.req.header("Authorization"));
    const entry = token ? await resolveToken(c.env.TOKENS, token) : null;
    if (!entry) throw ApiError.unauthenticated();
    await countRequest(c.env.RATE_LIMITER, `token:${entry.token_id}`);
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
    if (!token || !(await secretsEqual(token, secret))) throw ApiError.unauthenticated();
    await countRequest(c.env.RATE_LIMITER, "operator");
    await next();
  };
}
