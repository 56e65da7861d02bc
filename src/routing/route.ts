/**
 * @module One record per endpoint: `defineRoute` describes an endpoint once —
 * method, path, who may call it, its request schemas, its answers and its
 * handler — and that record drives everything else: `mountRoute` puts it on
 * the app with the middleware its description implies, the OpenAPI document
 * is generated from it, and the test matrix iterates it.
 *
 * The middleware chain a record gets, in order: authentication (with the
 * token's rate limit), the key's scope for a write, then for a body the body limits (413, 415, 400) and
 * its validation (422), then for the query its validation, and last the
 * Idempotency-Key claim — so a request refused for its shape never claims a
 * key (no D1 round trip).
 */
import type { Context, Env, Hono, MiddlewareHandler, TypedResponse } from "hono";
import type { ToSchema } from "hono/types";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type * as z from "zod";
import { ApiError, fieldError } from "../domain/errors";
import type { AnswerHolds } from "../domain/idempotency/idempotency.subjects";
import type { AppEnv } from "../env";
import { requireAdmin, requireOrganisation, requireWriteScope } from "../middleware/auth";
import { idempotency } from "../middleware/idempotency";
import { jsonBody } from "../middleware/json-body";
import { rateLimit } from "../middleware/rate-limit";
import { mountedPath } from "./path-pattern";
import { type ExplainRefusal, validate, validatePathIds } from "./validator";

/**
 * The OpenAPI tags a record can name, in the documents' order, with their
 * descriptions: a document lists the tags its records use.
 */
export const TAGS = {
  System: "Liveness and this document: no token needed.",
  Organisation: "The organisation the token belongs to.",
  Customers: "The organisation's customers: create, list, read, correct, erase, export.",
  EANs: "A customer's EAN connection points (gas and electricity meters).",
  Suppliers: "The energy suppliers an EAN can name.",
  "Peer view": "Read-only views in other platforms' shapes.",
  Events: "The change feed: every change of the organisation's data, in order.",
  Webhooks: "The same events, POSTed to the organisation's endpoints as they happen (see `webhooks`).",
  Keys: "The organisation's API keys: create (with a scope and an expiry), list, revoke.",
  Operator: "For the people who run the service: authorised by the ADMIN_TOKEN secret.",
} as const;
export type Tag = keyof typeof TAGS;

/** Who may call an endpoint: anyone, an organisation's token, or the operator secret. */
export type Auth = "none" | "organisation" | "operator";
export type Method = "get" | "post" | "patch" | "delete";

/** One answer of an endpoint, for the OpenAPI document. */
export interface ResponseSpec {
  schema?: z.ZodType;
  example?: unknown;
  description?: string;
}

export interface BodySpec<B extends z.ZodType> {
  schema: B;
  example?: unknown;
  /** More errors for a refused body, from rules the schema cannot run (the database's). */
  explainRefusal?: ExplainRefusal<AppEnv>;
}

export interface QuerySpec<Q extends z.ZodType> {
  schema: Q;
  /**
   * OpenAPI parameters, each with the JSON Schema of what a client should
   * send. `lenient`: the server also reads other values its own way (Kaminari's
   * `page` and `per`: "2abc" → 2), never refusing one; the schema says what is meant.
   */
  parameters: Array<{ name: string; description: string; example: string; schema: Record<string, unknown>; lenient?: true }>;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : never;
type Sent<S> = S extends z.ZodType ? z.input<S> : never;

/** The validated input a handler reads with `c.req.valid(…)`. */
export type InputOf<B, Q, S = undefined> = {
  in: (B extends z.ZodType ? { json: Sent<B> } : {}) &
    (Q extends z.ZodType ? { query: { [K in keyof Sent<Q>]: string | string[] } } : {}) &
    (S extends z.ZodType ? { param: { [K in keyof Sent<S>]: string } } : {});
  out: (B extends z.ZodType ? { json: Parsed<B> } : {}) & (Q extends z.ZodType ? { query: Parsed<Q> } : {}) & (S extends z.ZodType ? { param: Parsed<S> } : {});
};

/** A record as written: method and path first, then its description. */
export type RouteSpec<
  M extends Method,
  P extends string,
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  R,
  S extends z.ZodType | undefined = undefined,
> = Omit<RouteRecord<M, P, B, Q, R, S>, "method" | "path">;

export interface RouteRecord<
  M extends Method = Method,
  P extends string = string,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  R = unknown,
  S extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: M;
  /** Hono path, `:name` for a path parameter. */
  path: P;
  operationId: string;
  tag: Tag;
  summary: string;
  description?: string;
  auth: Auth;
  /**
   * `tenant`: the path names a record of the caller's organisation by id —
   * another organisation's id answers 404 at the cost of an unknown one (the
   * isolation matrix, test/api/authentication.test.ts, holds every such
   * record to it). `global`: no record is named by id (lists of the caller's
   * own, reference data, the operator's view of everything).
   */
  scope: "tenant" | "global";
  /**
   * The path's parameters, one `pathId` each (src/domain/validation/fields.ts):
   * each names a record by id, read with `c.req.valid("param")`; an id that
   * names nothing is 404. Every `:name` of the path, and no other.
   */
  params?: S;
  body?: BodySpec<NonNullable<B>>;
  query?: QuerySpec<NonNullable<Q>>;
  /** Takes an `Idempotency-Key`; default: every POST, PATCH and DELETE. */
  idempotent?: boolean;
  /**
   * What the stored answer of an idempotent write holds (src/domain/idempotency/idempotency.subjects.ts):
   * required on every idempotent record, so that no answer outlives what it holds.
   */
  answerHolds?: AnswerHolds;
  /** Success answers by status; the error answers follow from auth, body, params and idempotency. */
  responses: Record<number, ResponseSpec>;
  handler: (c: Context<AppEnv, P, InputOf<B, Q, S>>) => R;
}

/** Describes an endpoint; the literal types of method and path are kept for the typed client. */
export function defineRoute<
  const M extends Method,
  const P extends string,
  R extends Response | TypedResponse<unknown, ContentfulStatusCode | 204> | Promise<Response | TypedResponse<unknown, ContentfulStatusCode | 204>>,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  S extends z.ZodType | undefined = undefined,
>(method: M, path: P, spec: RouteSpec<M, P, B, Q, R, S>): RouteRecord<M, P, B, Q, R, S> {
  const idempotent = spec.idempotent ?? method !== "get";
  if (idempotent && spec.answerHolds === undefined)
    throw new Error(`${method.toUpperCase()} ${path}: an idempotent record names what its answer holds (answerHolds)`);
  return { method, path, ...spec, idempotent };
}

/** Any record, whatever its schemas and handler (the lists of records). */
export type AnyRouteRecord = RouteRecord<Method, string, any, any, any, any>;

/**
 * Authentication per record. The operator's is mounted once on the whole
 * `/admin/v1` prefix instead (`operatorGate`), so that every path under it,
 * unknown ones included, is 404 while the secret is unset and 401 without it;
 * a record is `operator` exactly when its path is under that prefix (a test
 * holds every record to it).
 */
const authentication: Record<Auth, (() => MiddlewareHandler<AppEnv>) | null> = {
  none: null,
  organisation: requireOrganisation,
  operator: null,
};

/** Where the operator API lives, behind `operatorGate`. */
export const OPERATOR_PREFIX = "/admin/v1";

export function operatorGate(): MiddlewareHandler<AppEnv>[] {
  return [requireAdmin(), rateLimit()];
}

/** The key scope an organisation's record needs: `read` for a GET (either key), `write` for anything else. */
export function requiredScope(record: Pick<AnyRouteRecord, "method">): "read" | "write" {
  return record.method === "get" ? "read" : "write";
}

/** The middleware a record's description implies, then its handler. */
export function handlersOf(record: AnyRouteRecord): MiddlewareHandler<AppEnv>[] {
  const chain: MiddlewareHandler<AppEnv>[] = [];
  const authenticate = authentication[record.auth];
  if (authenticate) chain.push(authenticate(), rateLimit());
  // Before the body is read: a read key's write is refused whatever it sends (dry runs included).
  if (record.auth === "organisation" && requiredScope(record) === "write") chain.push(requireWriteScope());
  if (record.method !== "get") chain.push(dryRun(isDryRunnable(record)));
  if (record.body) chain.push(jsonBody(), validate("json", record.body.schema, record.body.explainRefusal) as MiddlewareHandler<AppEnv>);
  if (record.query) chain.push(validate("query", record.query.schema) as MiddlewareHandler<AppEnv>);
  if (record.idempotent) chain.push(idempotency(record.answerHolds!));
  // Last before the handler, where the handler used to read them: an id that names nothing is 404.
  if (record.params) chain.push(validatePathIds(record.params) as MiddlewareHandler<AppEnv>);
  chain.push(record.handler as unknown as MiddlewareHandler<AppEnv>);
  return chain;
}

/** `?dry_run=true` is taken by every POST and PATCH under /api/v1. */
export function isDryRunnable(record: AnyRouteRecord): boolean {
  return (record.method === "post" || record.method === "patch") && record.path.startsWith("/api/v1/");
}

/** `dry_run`'s values, read as the contract reads a boolean; anything else is 422 must_be_boolean. */
const DRY_RUN_VALUES: Record<string, boolean> = { true: true, "1": true, false: false, "0": false };

/**
 * `?dry_run=true`: the request runs every rule, the database's included, and
 * writes nothing (src/domain/db/dry-run.ts); a request that would succeed answers
 * 200 `{"valid":true}`. A write that cannot run dry (a DELETE, the operator
 * API) refuses the parameter rather than ignore it and write.
 */
function dryRun(supported: boolean): MiddlewareHandler<AppEnv> {
  return async function dryRun(c, next) {
    const sent = c.req.query("dry_run");
    const value = sent === undefined ? false : DRY_RUN_VALUES[sent.trim()];
    if (value === undefined) throw ApiError.validation([fieldError("dry_run", "must_be_boolean")]);
    if (value && !supported) throw ApiError.validation([fieldError("dry_run", "is_not_supported")]);
    c.set("dryRun", value);
    await next();
    // A valid request that wrote nothing (an update that sends no field) also answers so.
    if (value && c.res.status >= 200 && c.res.status < 300) c.res = c.json({ valid: true }, 200);
  };
}

/** Mounts every record on `app`. */
export function mountRoutes<E extends Env>(app: Hono<E>, records: readonly AnyRouteRecord[]): void {
  // Hono's typed overloads cannot take a computed handler list; the types come from SchemaOf instead.
  const on = app.on.bind(app) as unknown as (methods: string[], path: string, ...handlers: MiddlewareHandler<AppEnv>[]) => void;
  for (const record of records) on([record.method.toUpperCase()], mountedPath(record.path), ...handlersOf(record));
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** The typed-client schema of one record: what `hc` sees for its method and path. */
type SchemaOfRecord<T> = T extends RouteRecord<infer M, infer P, infer B, infer Q, infer R, infer S> ? ToSchema<M, P, InputOf<B, Q, S>, Awaited<R>> : never;

/** The typed-client schema of all records (Hono's own chained routes build the same intersection). */
export type SchemaOf<T extends readonly AnyRouteRecord[]> = UnionToIntersection<SchemaOfRecord<T[number]>>;
