/**
 * @module Every limit of the API, defined once: code, the OpenAPI document,
 * the docs and the tests take them from here.
 */

/** Request bodies (413 above it, checked before parsing). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The same, as the answers and the docs say it. */
export const MAX_BODY_TEXT = `${MAX_BODY_BYTES / 1024 / 1024} MiB`;

/** How long an isolate trusts a token it resolved: the revocation window (plus KV's own propagation elsewhere). */
export const TOKEN_CACHE_TTL_MS = 30_000;
/** How long an isolate remembers that a token is unknown: a repeated wrong token costs no KV read. */
export const UNKNOWN_TOKEN_CACHE_TTL_MS = 10_000;
/** API keys per organisation (revoked ones do not count; expired ones do until deleted). */
export const MAX_TOKENS_PER_ORGANISATION = 20;
/** A key's name. */
export const MAX_TOKEN_NAME_LENGTH = 100;
/** How far ahead a key's `expires_at` may be. */
export const MAX_TOKEN_LIFETIME_DAYS = 3 * 366;
/** A key's `last_used_at` is written at most this often (one usage message per key per isolate, and the directory's own check). */
export const TOKEN_USAGE_INTERVAL_MS = 60_000;
/** Seconds a rate-limited caller waits: the period of wrangler.toml's [[ratelimits]]. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

/** `Idempotency-Key` header length. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Strings, unless a field says otherwise. */
export const MAX_STRING_LENGTH = 255;
/** Decimals: digits before and after the point. */
export const DECIMAL_INTEGER_DIGITS = 12;
export const DECIMAL_FRACTION_DIGITS = 10;

/** D1 rejects statements with more bound parameters than this. */
export const D1_MAX_BOUND_PARAMETERS = 100;

/** Kaminari's `per` cap. */
export const MAX_PER_PAGE = 25;
/** EANs in one bulk request. */
export const MAX_BULK_EANS = 100;
/** Consumption lines per EAN (mono, day, night, exclusive night… with room to spare). */
export const MAX_CONSUMPTIONS = 16;
/** EANs one customer holds (a household or a small business): bounds every list and peer view. */
export const MAX_EANS_PER_CUSTOMER = 500;
/**
 * Customers an organisation can ever create (`org_seq` runs to it; erasures do
 * not give sequences back): 2^24, beyond what one shard holds. The erasure
 * tree has log2 of it levels: an erasure writes, and a page start reads, at
 * most CUSTOMER_SEQ_BITS + 1 nodes of it.
 */
export const CUSTOMER_SEQ_BITS = 24;
export const MAX_CUSTOMER_SEQ = 2 ** CUSTOMER_SEQ_BITS;
/** Events per page of the feed: default and most. */
export const DEFAULT_EVENTS_LIMIT = 25;
export const MAX_EVENTS_LIMIT = 100;
/** Idempotency keys are kept at least this long; older ones are purged and may be reused. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long events are kept (the daily purge). */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Webhook endpoints per organisation. */
export const MAX_WEBHOOK_ENDPOINTS = 16;
/** A webhook endpoint's URL, in characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** Random bytes in a webhook signing secret (`whsec_` + their base64). */
export const WEBHOOK_SECRET_BYTES = 32;
/** A delivery succeeds on a 2xx within this time; anything else is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/**
 * Seconds before each retry of a failed delivery (a Queues delay is at most
 * 12 hours): with the first attempt, 8 attempts over 29.6 hours; then the
 * delivery is given up.
 */
export const WEBHOOK_RETRY_DELAYS_S = [10, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 12 * 3600] as const;
export const WEBHOOK_MAX_ATTEMPTS = WEBHOOK_RETRY_DELAYS_S.length + 1;
/** Attempts `GET …/deliveries` lists, newest first. */
export const MAX_DELIVERIES_LISTED = 100;
/** Events one dispatch step reads and fans out (a Queues sendBatch takes at most 100 messages). */
export const DISPATCH_EVENTS_PER_STEP = 100;
/**
 * Delivery messages one organisation may have in the shared delivery queue
 * at once (waiting, being tried, or waiting for a retry): another
 * organisation's delivery never queues behind more than this many of its.
 */
export const WEBHOOK_IN_FLIGHT_PER_ORGANISATION = 32;
/**
 * A delivery not made this long after its event (its endpoint failing all
 * along, its attempts deferred) is given up: longer than the retry schedule.
 */
export const WEBHOOK_GIVE_UP_AFTER_MS = 36 * 3600 * 1000;
/** An endpoint whose every attempt has failed for this long is disabled, and its organisation gets `webhook_endpoint.disabled`. */
export const WEBHOOK_DISABLE_AFTER_MS = 3 * 24 * 3600 * 1000;
/** After a secret rotation, deliveries carry the old secret's signature beside the new one's for this long. */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 3600 * 1000;

/** A claim (src/domain/claims) whose record is on no shard after this long is an orphan: its request died between the two writes. */
export const CLAIM_ORPHAN_AFTER_MS = 5 * 60 * 1000;
/** Claims the orphan sweep visits per table and run (every five minutes); one statement reads them, 98 keys per shard lookup. */
export const CLAIM_SWEEP_BATCH = 98;

/** Moving an organisation between shards (src/domain/moves): rows copied or removed per step (one queue message, one batch each way). */
export const MOVE_ROWS_PER_STEP = 100;
/** Retry-After of a write refused while its organisation moves. */
export const MOVE_RETRY_AFTER_S = 30;
/**
 * How long the old shard keeps the moved copy, read-only, before it is
 * removed: longer than an isolate trusts a cached token (TOKEN_CACHE_TTL_MS)
 * plus KV's propagation (~60 s), so a stale route reads consistent data.
 */
export const MOVE_CLEANUP_DELAY_S = 120;
