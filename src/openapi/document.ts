/**
 * @module The OpenAPI 3.1 document, generated from the route records (one per
 * endpoint, src/routing/route.ts) and the very zod schemas that validate
 * requests and type responses (src/domain/validation/registry.ts). Served at
 * GET /api/v1/openapi.json (and the operator's at GET /admin/v1/openapi.json);
 * written to disk by `npm run openapi`.
 */
import * as z from "zod";
import { errorsJson, notFoundJson, unauthenticatedJson } from "../domain/errors";
import { MAX_BODY_TEXT, MAX_IDEMPOTENCY_KEY_LENGTH, WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_S, WEBHOOK_TIMEOUT_MS } from "../domain/limits";
import { acceptedJson, apiSchemas, named, nullMeansAbsent } from "../domain/validation/registry";
import { openApiPath } from "../routing/path-pattern";
import { type AnyRouteRecord, isDryRunnable, requiredScope, TAGS } from "../routing/route";
import * as examples from "./examples";

/** A path parameter: an id (positive integers; anything else names nothing, 404). */
/** The path parameters of a record, from its `params` schema: each an id (positive integers; anything else names nothing, 404). */
function pathParameters(params: z.ZodType | undefined) {
  const shape = (params as z.ZodObject | undefined)?.shape ?? {};
  return Object.entries(shape).map(([name, schema]) => {
    const { description, ...json } = acceptedJson.get(schema as z.ZodType) ?? {};
    return { name, in: "path", required: true, description, schema: json };
  });
}

/**
 * Who a document is for: the public one (GET /api/v1/openapi.json, /docs)
 * describes /api/v1 and the peer view; the operator's (GET
 * /admin/v1/openapi.json, behind the operator secret) describes /admin/v1.
 */
export type Audience = "public" | "operator";

export function operationsFor(records: readonly AnyRouteRecord[], audience: Audience): AnyRouteRecord[] {
  return records.filter((record) => (record.auth === "operator") === (audience === "operator"));
}

/**
 * The components a document publishes: every error response of the
 * contract, and the schemas its paths and those responses reach (directly or
 * through other schemas) — not the other audience's.
 */
function reachable(paths: object, schemas: Record<string, object>, responses: Record<string, object>) {
  type Kind = "schemas" | "responses";
  const refs = (value: unknown) =>
    [...JSON.stringify(value).matchAll(/"#\/components\/(schemas|responses)\/([^"]+)"/g)].map((m) => [m[1] as Kind, m[2]!] as const);
  const seen = { schemas: new Set<string>(), responses: new Set<string>() };
  const queue = refs(paths);
  for (let next = queue.pop(); next; next = queue.pop()) {
    const [kind, name] = next;
    if (seen[kind].has(name)) continue;
    seen[kind].add(name);
    queue.push(...refs(kind === "schemas" ? schemas[name] : responses[name]));
  }
  const pick = (all: Record<string, object>, names: Set<string>) => Object.fromEntries(Object.entries(all).filter(([name]) => names.has(name)));
  return { schemas: pick(schemas, seen.schemas), responses: pick(responses, seen.responses) };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

type JsonSchema = Record<string, unknown>;

/**
 * Makes zod's JSON Schema say exactly what the validators accept:
 * - an object's `required` are the keys whose absence is refused (asked of
 *   the field's schema itself: zod's own guess misses a preprocessed field
 *   with a transform, like the consents);
 * - a field that declares what it accepts (`accepts`, src/domain/validation/registry.ts) prints that;
 * - an optional field whose `null` or blank string means "not given" or
 *   "clear it" allows `null` and blank strings.
 */
function exactly(ctx: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }) {
  const { zodSchema, jsonSchema } = ctx;
  const def = zodSchema._zod.def as { type: string; shape?: Record<string, z.ZodType> };
  if (def.type === "object" && def.shape) {
    const required = Object.keys(def.shape).filter((key) => !def.shape![key]!.safeParse(undefined).success);
    if (required.length > 0) jsonSchema.required = required;
    else delete jsonSchema.required;
  }
  const declared = acceptedJson.get(zodSchema as z.ZodType);
  if (declared) {
    for (const key of Object.keys(jsonSchema)) if (key !== "description" && key !== "example") delete jsonSchema[key];
    Object.assign(jsonSchema, declared);
  }
  if (nullMeansAbsent.has(zodSchema as z.ZodType)) {
    const { description, example, ...accepted } = jsonSchema;
    const plainText = accepted.type === "string" && !("enum" in accepted) && !("pattern" in accepted) && !("format" in accepted);
    if (plainText) delete accepted.minLength;
    const alternatives = [accepted, { type: "null" }, ...(plainText ? [] : [{ type: "string", pattern: "^\\s*$" }])];
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(jsonSchema, { anyOf: alternatives }, description ? { description } : {}, example !== undefined ? { example } : {});
  }
}

const TO_JSON_SCHEMA = { io: "input", unrepresentable: "any", override: exactly } as const;

/** A schema as JSON Schema: a `$ref` when registered, inline otherwise. */
function schemaOf(schema: z.ZodType): object {
  const meta = apiSchemas.get(schema);
  if (meta) return ref(meta.id);
  if (schema instanceof z.ZodArray) return { type: "array", items: schemaOf(schema.element as z.ZodType) };
  const { $schema: _, ...json } = z.toJSONSchema(schema, TO_JSON_SCHEMA) as Record<string, unknown>;
  return json;
}

function content(body: { schema: z.ZodType; example?: unknown }) {
  const media: Record<string, unknown> = { schema: schemaOf(body.schema) };
  if (body.example !== undefined) media.example = body.example;
  return { "application/json": media };
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted: started",
  204: "No Content",
  400: "Malformed JSON",
  401: "Not authenticated",
  403: "A `read` key sent a write: it needs a `write` key",
  404: "Not found",
  409: "Idempotency key in use by a request still running",
  413: `Body over ${MAX_BODY_TEXT}`,
  415: "Body not declared as JSON",
  422: "Validation failed: every error of the request",
  429: "Rate limited",
  500: "Unexpected error",
  503: "The organisation is moving to another database: retry after Retry-After",
};

const webhookHeader = (name: string, description: string, example: string) => ({
  name,
  in: "header",
  required: true,
  description,
  schema: { type: "string" },
  example,
});

/** OpenAPI 3.1's `webhooks`: what Enbro POSTs to an organisation's endpoints. */
function webhookDescriptions() {
  return {
    event: {
      post: {
        operationId: "receiveEvent",
        summary: "An event of the organisation, as the feed renders it",
        // Enbro calls the partner: the signature authenticates it, not a token.
        security: [],
        description:
          "Sent to each webhook endpoint that asked for the event's type (or `*`), as `application/json`, signed by the Standard Webhooks scheme: " +
          "verify `webhook-signature` with the endpoint's secret (e.g. the `standardwebhooks` package) before trusting the body, and refuse old timestamps. " +
          `Answer a 2xx within ${WEBHOOK_TIMEOUT_MS / 1000} s; anything else (another status, a redirect, a timeout) is retried — ` +
          `first after ${WEBHOOK_RETRY_DELAYS_S[0]} s, then after growing delays, ${WEBHOOK_MAX_ATTEMPTS} attempts over more than 24 hours — ` +
          "with the same `webhook-id`: deduplicate on it. Order is not guaranteed; the event id is.",
        parameters: [
          webhookHeader("webhook-id", "The event's id; the same on every retry.", "42"),
          webhookHeader("webhook-timestamp", "When this attempt was signed, in Unix seconds.", "1764460800"),
          webhookHeader(
            "webhook-signature",
            "`v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the base64-decoded secret after `whsec_`; " +
              "for 24 h after a rotation two of them, space-separated (the new secret's first): accept the body if either verifies.",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
          ),
        ],
        requestBody: { required: true, content: { "application/json": { schema: ref("Event"), example: examples.stateChangedEvent } } },
        responses: { "2XX": { description: "Received: not sent again." } },
      },
    },
  };
}

function responsesOf(op: AnyRouteRecord) {
  const responses: Record<string, object> = {};
  for (const [status, body] of Object.entries(op.responses)) {
    const description = body.description || STATUS_TEXT[Number(status)]!;
    responses[status] = body.schema ? { description, content: content({ schema: body.schema, example: body.example }) } : { description };
  }
  const error = (status: number) => ({ $ref: `#/components/responses/${status}` });
  if (op.auth !== "none") {
    responses["401"] ??= error(401);
    responses["429"] ??= error(429);
  }
  if (op.auth === "organisation" && requiredScope(op) === "write") responses["403"] ??= error(403);
  if (op.params || op.auth === "operator") responses["404"] ??= error(404);
  if (op.body) {
    for (const status of [400, 413, 415, 422]) responses[String(status)] ??= error(status);
  }
  if (op.idempotent) {
    responses["409"] ??= error(409);
    responses["422"] ??= error(422);
    // A retry whose stored answer held what has since been erased or deleted.
    responses["404"] ??= error(404);
  }
  // Every write reads dry_run: a value that is no boolean, or dry_run=true where it cannot run dry, is 422.
  if (op.method !== "get") responses["422"] ??= error(422);
  // An organisation's writes wait while it moves between shards (the operator's EAN moves too).
  if (op.method !== "get" && (op.auth === "organisation" || op.operationId === "moveEanState")) responses["503"] ??= error(503);
  if (isDryRunnable(op)) {
    // A dry run that would succeed answers 200 {"valid":true}; a PATCH's 200 is either.
    const existing = (responses["200"] as { content?: { "application/json": { schema: object; example?: unknown } } } | undefined)?.content?.[
      "application/json"
    ];
    responses["200"] = {
      description: existing ? 'OK; with `?dry_run=true`, `{"valid":true}`.' : "With `?dry_run=true`: the request would succeed; nothing was written.",
      content: {
        "application/json": {
          schema: existing ? { oneOf: [existing.schema, ref("DryRunValid")] } : ref("DryRunValid"),
          ...(existing?.example ? { example: existing.example } : {}),
        },
      },
    };
  }
  responses["500"] ??= error(500);
  return responses;
}

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "Makes a retry safe: the same key and body within 24 h replays the first answer (with `Idempotent-Replayed: true`); " +
    "the same key with another body is 422; one still running is 409.",
  schema: { type: "string", minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: "\\S" },
};

const dryRunParameter = {
  name: "dry_run",
  in: "query",
  required: false,
  description:
    "`true` (or `1`): run every rule, the database's included (uniqueness, suppliers, the EAN cap, bulk duplicates), " +
    'and write nothing. A request that would succeed answers 200 `{"valid":true}`; one that would not, its usual 404 or 422. ' +
    "Idempotency-Key is neither stored nor replayed. `false`, `0` or absent: a real write; anything else is 422 `must_be_boolean`.",
  schema: { type: "string", enum: ["true", "false", "1", "0"] },
};

/** A dry run's answer when the request would succeed. */
const dryRunValidJson = named("DryRunValid", z.object({ valid: z.literal(true) }), "The answer of `?dry_run=true` when the request would succeed.");

function errorResponse(description: string, schemaName: string, example?: unknown, headers?: object) {
  return { description, ...(headers ? { headers } : {}), content: { "application/json": { schema: ref(schemaName), ...(example ? { example } : {}) } } };
}

export function buildOpenApiDocument(records: readonly AnyRouteRecord[], audience: Audience) {
  const { schemas } = z.toJSONSchema(apiSchemas, { ...TO_JSON_SCHEMA, uri: (id) => `#/components/schemas/${id}`, target: "draft-2020-12" }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  // zod names each schema by its URI ($id); in components that would rebase every $ref inside it.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  // The error schemas are named components; importing them registers them.
  void [errorsJson, notFoundJson, unauthenticatedJson, dryRunValidJson];

  const paths: Record<string, Record<string, object>> = {};
  for (const op of operationsFor(records, audience)) {
    const parameters = [
      ...pathParameters(op.params),
      ...(op.query?.parameters ?? []).map((param) => ({
        name: param.name,
        in: "query",
        required: false,
        description: param.description,
        schema: param.schema,
        example: param.schema.type === "integer" ? Number(param.example) : param.example,
        ...(param.lenient ? { "x-lenient": true } : {}),
      })),
      ...(op.idempotent ? [idempotencyKey] : []),
      ...(isDryRunnable(op) ? [dryRunParameter] : []),
    ];
    const path = openApiPath(op.path);
    paths[path] ??= {};
    paths[path]![op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      // An organisation's key needs the record's scope (OpenAPI 3.1 lets a bearer scheme list roles).
      security: op.auth === "none" ? [] : op.auth === "operator" ? [{ operatorToken: [] }] : [{ organisationToken: [requiredScope(op)] }],
      ...(op.auth === "organisation" ? { "x-scope": requiredScope(op) } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: content(op.body) } } : {}),
      responses: responsesOf(op),
    };
  }

  const requestError = (error: string, message: string) => ({ errors: [{ path: "request", error, message, type: "custom" }] });
  const webhooks = audience === "public" ? webhookDescriptions() : undefined;
  const components = reachable({ paths, webhooks }, schemas, {
    400: errorResponse(STATUS_TEXT[400]!, "Errors", requestError("malformed_json", "is not valid JSON")),
    401: errorResponse(STATUS_TEXT[401]!, "NotAuthenticated", examples.unauthenticated),
    403: errorResponse(STATUS_TEXT[403]!, "Errors", requestError("insufficient_scope", "needs a key with the write scope"), {
      "WWW-Authenticate": { description: 'RFC 6750: `Bearer realm="enbro", error="insufficient_scope", scope="write"`.', schema: { type: "string" } },
    }),
    404: errorResponse("Not found: an unknown id, or another organisation's record", "NotFound", "Not found"),
    409: errorResponse(STATUS_TEXT[409]!, "Errors", requestError("idempotency_key_in_use", "is in use by a request still running")),
    413: errorResponse(STATUS_TEXT[413]!, "Errors", requestError("payload_too_large", `is larger than ${MAX_BODY_TEXT}`)),
    415: errorResponse(STATUS_TEXT[415]!, "Errors", requestError("unsupported_media_type", "must be application/json")),
    422: errorResponse(STATUS_TEXT[422]!, "Errors", examples.customerValidationErrors),
    429: errorResponse(STATUS_TEXT[429]!, "Errors", requestError("rate_limited", "too many requests"), {
      "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
    }),
    500: errorResponse(STATUS_TEXT[500]!, "Errors"),
    503: errorResponse(STATUS_TEXT[503]!, "Errors", requestError("organisation_moving", "is moving to another database; retry shortly"), {
      "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
    }),
  });
  const operator = audience === "operator";
  return {
    openapi: "3.1.0",
    info: {
      title: operator ? "Enbro operator API" : "Enbro API",
      version: "1.0.0",
      license: { name: "Proprietary: for Enbro's partners", identifier: "LicenseRef-Enbro-Partners" },
      description:
        "Partners push their customers and the customers' EAN connection points (gas and electricity meters) into Enbro, " +
        "whose comparison engine finds them better offers. JSON in and out; every answer is `application/json; charset=utf-8` and carries `X-Request-Id`.",
    },
    servers: [{ url: "/", description: "This server" }],
    // The tags the document's records use, in the catalogue's order.
    tags: Object.entries(TAGS)
      .filter(([name]) => operationsFor(records, audience).some((op) => op.tag === name))
      .map(([name, description]) => ({ name, description })),
    paths,
    ...(webhooks ? { webhooks } : {}),
    components: {
      schemas: components.schemas,
      securitySchemes: operator
        ? { operatorToken: { type: "http", scheme: "bearer", description: "The operator secret (ADMIN_TOKEN)." } }
        : {
            organisationToken: {
              type: "http",
              scheme: "bearer",
              description:
                "An organisation's API key. A `read` key calls every GET and nothing else; a `write` key everything. " +
                "Each operation's `security` names the scope it needs (also as `x-scope`).",
            },
          },
      responses: components.responses,
    },
  };
}
