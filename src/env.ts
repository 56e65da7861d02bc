/** @module The Worker's bindings and the per-request context variables: one typed `AppEnv`. */
import type { D1Cost, Database } from "./domain/db/client";
import type { MoveCursor, MovedMaxIds } from "./domain/moves/moves.queries";

export interface Bindings {
  /** Which shard holds each organisation; tokens, suppliers, the operator's idempotency keys (src/domain/db/directory-schema.ts). */
  DIRECTORY: D1Database;
  /** The shards, `SHARD_0`, `SHARD_1`, … without gaps: each organisation's data is on one (src/domain/db/shards.ts). */
  [shard: `SHARD_${number}`]: D1Database | undefined;
  TOKENS: KVNamespace;
  /** Requests per token per period (wrangler.toml [[ratelimits]]). */
  RATE_LIMITER: RateLimit;
  /** Failed authentications per client address per period (wrangler.toml [[ratelimits]]). */
  AUTH_FAILURE_LIMITER: RateLimit;
  /** Operator secret for /admin/v1; every /admin route is 404 while it is unset. */
  ADMIN_TOKEN?: string;
  /** Share of successful requests whose log line is written (0 to 1); errors always are. */
  LOG_SAMPLE_RATE?: string;
  /** Comma-separated origins allowed by CORS; empty or unset: CORS off. */
  CORS_ORIGINS?: string;
  /** "Organisation N has new events": consumed by the webhook dispatcher (src/webhooks/dispatch.ts). */
  WEBHOOK_DISPATCH: Queue<DispatchMessage>;
  /** One event to POST to one endpoint, one attempt: consumed by src/webhooks/deliver.ts. */
  WEBHOOK_DELIVERIES: Queue<DeliveryMessage>;
  /** "This key was used at …", at most once a minute per key and isolate: written to the directory by the queue consumer (src/webhooks/queue.ts). */
  TOKEN_USAGE: Queue<TokenUsageMessage>;
  /** One step of an organisation's move between shards: consumed by src/moves/move-organisation.ts. */
  ORGANISATION_MOVES: Queue<MoveMessage>;
  /** The enbro-docs Worker (wrangler.docs.toml): /docs and its files. */
  DOCS: Fetcher;
  /** "true" (from .dev.vars, for local work only) also accepts http:// and local hosts as webhook URLs. */
  WEBHOOKS_ALLOW_LOCAL_URLS?: string;
}

export interface DispatchMessage {
  organisation_id: number;
  /** The organisation's shard. */
  shard: number;
}

/** One step of an organisation's move (src/moves/move-organisation.ts). */
export interface MoveMessage {
  organisation_id: number;
  from: number;
  to: number;
  /** Copy the next chunk to `to`, or remove the next chunk from `shard`. */
  kind: "copy" | "remove";
  cursor?: MoveCursor;
  max_ids?: MovedMaxIds;
  /** For a removal: the shard it removes from. */
  shard?: number;
}

export interface TokenUsageMessage {
  token_id: number;
  /** ISO time of the use. */
  at: string;
}

export interface DeliveryMessage {
  endpoint_id: number;
  event_id: number;
  attempt: number;
  /** The shard of the endpoint and the event. */
  shard: number;
  /** Set by the dispatcher: the organisation whose slot in the delivery queue this message holds (absent: it holds none). */
  organisation_id?: number;
}

export interface Variables {
  /** `X-Request-Id` of this request (echoed when sane, else generated). */
  requestId: string;
  /** Drizzle over the request's metered D1 handle, built (and its session opened) on first use: `c.get("database")()`. */
  database: () => Database;
  /** A shard's database in this request's cost and notifications (the operator API, which runs on the directory). */
  shardDatabase: (shard: number) => Database;
  /** The directory in this request's cost (a tenant's request that reaches it beside its shard). */
  directory: () => Database;
  /** What this request has cost D1 so far (the request log reports it). */
  d1Cost: D1Cost;
  /** Set by `requireOrganisation` on /api/v1 routes that need a token. */
  organisationId: number;
  tokenId: number;
  /** The key's scope: `read` keys may only GET. */
  tokenScope: "read" | "write";
  /** The organisation's shard (from the token's KV entry): the request's database. */
  shard: number;
  /** The catalogue ids of an error answer (`not_found`, `has_already_been_taken`, …), for the request log. */
  errorCodes: string[];
  /** `?dry_run=true` on a POST or PATCH under /api/v1: every rule runs, nothing is written. */
  dryRun: boolean;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
