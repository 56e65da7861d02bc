/**
 * @module The OpenAPI 3.1 document, generated from the very zod schemas that
 * validate requests and type responses (src/openapi/registry.ts), and the
 * table of operations below. Served at GET /api/v1/openapi.json; written to
 * disk by `npm run openapi`. A test checks it against the routes the app
 * serves, both ways.
 */
import * as z from "zod";
import { errorsJson, notFoundJson, unauthenticatedJson } from "../errors";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../idempotency/idempotency.middleware";
import { customerJson, customerPageJson } from "../routes/customers/customers.json";
import { createCustomerBody } from "../routes/customers/customers.schemas";
import { eanJson } from "../routes/eans/eans.json";
import { bulkEansBody, createEanBody } from "../routes/eans/eans.schemas";
import { createdOrganisationJson, issuedTokenJson, organisationJson } from "../routes/organisations/organisations.json";
import { createOrganisationBody } from "../routes/organisations/organisations.schemas";
import { peerCustomerJson } from "../routes/peer/peer.json";
import { createSupplierBody, supplierJson } from "../routes/suppliers/suppliers.schemas";
import * as examples from "./examples";
import { apiSchemas } from "./registry";

type Auth = "organisation" | "operator" | "none";

interface Body {
  schema: z.ZodType;
  example?: unknown;
  description?: string;
}

export interface Operation {
  method: "get" | "post" | "delete";
  /** OpenAPI path template (`{id}`). */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  parameters?: object[];
  request?: Body;
  /** Success answers; the error answers follow from auth, the body and the path. */
  responses: Record<number, Body | { description: string }>;
}

const id = (name: string, description: string) => ({ name, in: "path", required: true, description, schema: { type: "integer", minimum: 1 } });

/** Every operation the API serves. */
export const OPERATIONS: Operation[] = [
  { method: "get", path: "/api/v1/ping", operationId: "ping", tag: "System", summary: "Liveness", auth: "none", responses: { 200: { schema: z.object({}), example: {}, description: "Always `{}`." } } },
  { method: "get", path: "/api/v1/openapi.json", operationId: "openapi", tag: "System", summary: "This document", auth: "none", responses: { 200: { description: "The OpenAPI 3.1 document of /api/v1 and the peer view." } } },
  { method: "get", path: "/api/v1/me", operationId: "getMe", tag: "Organisation", summary: "The current organisation (the token's)", auth: "organisation", responses: { 200: { schema: organisationJson, example: examples.me } } },
  { method: "get", path: "/api/v1/suppliers", operationId: "listSuppliers", tag: "Suppliers", summary: "Suppliers, by id (their ids go into EANs' supplier_id)", auth: "organisation", responses: { 200: { schema: z.array(supplierJson) } } },
  {
    method: "post", path: "/api/v1/customers", operationId: "createCustomer", tag: "Customers", summary: "Create a customer of the current organisation", auth: "organisation",
    description: "The e-mail is unique in the whole system (case-insensitively). Phones are normalised to E.164, Belgium the default country.",
    request: { schema: createCustomerBody, example: examples.customerCreateRequest },
    responses: { 201: { schema: customerJson, example: examples.customer }, 422: { schema: errorsJson, example: examples.customerValidationErrors } },
  },
  {
    method: "get", path: "/api/v1/customers", operationId: "listCustomers", tag: "Customers", summary: "The current organisation's customers, by id (Kaminari pages)", auth: "organisation",
    parameters: [
      { name: "page", in: "query", required: false, description: "Page number; leading digits are read; absent, non-numeric or < 1 → 1.", schema: { type: "string", example: "1" } },
      { name: "per", in: "query", required: false, description: "Records per page: 1 to 25; anything else → 25.", schema: { type: "string", example: "25" } },
    ],
    responses: { 200: { schema: customerPageJson, example: examples.customerPage } },
  },
  { method: "get", path: "/api/v1/customers/{id}", operationId: "getCustomer", tag: "Customers", summary: "A customer of the current organisation", auth: "organisation", parameters: [id("id", "Customer id")], responses: { 200: { schema: customerJson, example: examples.customer } } },
  {
    method: "post", path: "/api/v1/customers/{customer_id}/eans", operationId: "createEan", tag: "EANs", summary: "Add an EAN connection point to a customer", auth: "organisation",
    parameters: [id("customer_id", "Customer id")],
    request: { schema: createEanBody, example: { ean: examples.eanFields } },
    responses: { 201: { schema: eanJson, example: examples.ean }, 422: { schema: errorsJson, example: examples.eanTakenErrors } },
  },
  {
    method: "post", path: "/api/v1/customers/{customer_id}/eans/bulk", operationId: "createEansInBulk", tag: "EANs", summary: "Add 1 to 100 EANs at once, all or nothing", auth: "organisation",
    parameters: [id("customer_id", "Customer id")],
    request: { schema: bulkEansBody, example: { eans: [{ ean: examples.eanFields }] } },
    responses: { 201: { schema: z.array(eanJson), example: [examples.ean], description: "The created EANs, in request order." }, 422: { schema: errorsJson, example: examples.bulkErrors } },
  },
  { method: "get", path: "/api/v1/customers/{customer_id}/eans", operationId: "listEans", tag: "EANs", summary: "A customer's EANs, by id", auth: "organisation", parameters: [id("customer_id", "Customer id")], responses: { 200: { schema: z.array(eanJson), example: [examples.ean] } } },
  { method: "get", path: "/api/mind/customer/byCustomerId/{customerId}", operationId: "getPeerCustomer", tag: "Peer view", summary: "A customer and associated contracts (one per EAN), in the peer platform's shape", auth: "organisation", parameters: [id("customerId", "Customer id")], responses: { 200: { schema: peerCustomerJson } } },
  {
    method: "post", path: "/admin/v1/organisations", operationId: "createOrganisation", tag: "Operator", summary: "Create an organisation and its first token (shown once)", auth: "operator",
    description: "`domain` defaults to the slug of the name followed by `-<id>`.",
    request: { schema: createOrganisationBody, example: { name: "Acceptance Org 7" } },
    responses: { 201: { schema: createdOrganisationJson } },
  },
  { method: "post", path: "/admin/v1/organisations/{id}/tokens", operationId: "issueToken", tag: "Operator", summary: "Issue another token for an organisation (shown once)", auth: "operator", parameters: [id("id", "Organisation id")], responses: { 201: { schema: issuedTokenJson } } },
  { method: "delete", path: "/admin/v1/tokens/{id}", operationId: "revokeToken", tag: "Operator", summary: "Revoke a token", description: "An isolate that used the token just before may accept it for up to 30 s more.", auth: "operator", parameters: [id("id", "Token id")], responses: { 204: { description: "Revoked (also when it already was)." } } },
  { method: "post", path: "/admin/v1/suppliers", operationId: "createSupplier", tag: "Operator", summary: "Create a supplier", auth: "operator", request: { schema: createSupplierBody, example: { name: "Engie Electrabel" } }, responses: { 201: { schema: supplierJson } } },
  { method: "get", path: "/admin/v1/suppliers", operationId: "listSuppliersForOperator", tag: "Operator", summary: "Suppliers, by id", auth: "operator", responses: { 200: { schema: z.array(supplierJson) } } },
  { method: "get", path: "/admin/v1/openapi.json", operationId: "operatorOpenapi", tag: "Operator", summary: "The operator API's OpenAPI document", auth: "operator", responses: { 200: { description: "The OpenAPI 3.1 document of /admin/v1." } } },
];

/**
 * Who a document is for: the public one (GET /api/v1/openapi.json, /docs)
 * describes /api/v1 and the peer view; the operator's (GET
 * /admin/v1/openapi.json, behind the operator secret) describes /admin/v1.
 */
export type Audience = "public" | "operator";

export function operationsFor(audience: Audience): Operation[] {
  return OPERATIONS.filter((op) => (op.auth === "operator") === (audience === "operator"));
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
  const queue = [...refs(paths), ...Object.keys(responses).map((name) => ["responses", name] as const)];
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

/** A schema as JSON Schema: a `$ref` when registered, inline otherwise. */
function schemaOf(schema: z.ZodType): object {
  const meta = apiSchemas.get(schema);
  if (meta) return ref(meta.id);
  if (schema instanceof z.ZodArray) return { type: "array", items: schemaOf(schema.element as z.ZodType) };
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return json;
}

function content(body: Body) {
  const media: Record<string, unknown> = { schema: schemaOf(body.schema) };
  if (body.example !== undefined) media.example = body.example;
  return { "application/json": media };
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK", 201: "Created", 204: "No Content", 400: "Malformed JSON", 401: "Not authenticated", 404: "Not found",
  409: "Idempotency key in use by a request still running", 413: "Body over 1 MiB", 415: "Body not declared as JSON",
  422: "Validation failed: every error of the request", 429: "Rate limited", 500: "Unexpected error",
};

function responsesOf(op: Operation) {
  const responses: Record<string, object> = {};
  for (const [status, body] of Object.entries(op.responses)) {
    const description = ("description" in body && body.description) || STATUS_TEXT[Number(status)]!;
    responses[status] = "schema" in body ? { description, content: content(body) } : { description };
  }
  const error = (status: number) => ({ $ref: `#/components/responses/${status}` });
  if (op.auth !== "none") {
    responses["401"] ??= error(401);
    responses["429"] ??= error(429);
  }
  if (op.parameters?.some((p) => (p as { in: string }).in === "path") || op.auth === "operator") responses["404"] ??= error(404);
  if (op.request) {
    for (const status of [400, 413, 415, 422]) responses[String(status)] ??= error(status);
  }
  if (op.method === "post") {
    responses["409"] ??= error(409);
    responses["422"] ??= error(422);
  }
  responses["500"] ??= error(500);
  return responses;
}

const idempotencyKey = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Makes a retry safe: the same key and body within 24 h replays the first answer (with `Idempotent-Replayed: true`); the same key with another body is 422; one still running is 409.",
  schema: { type: "string", maxLength: MAX_IDEMPOTENCY_KEY_LENGTH },
};

function errorResponse(description: string, schemaName: string, example?: unknown, headers?: object) {
  return { description, ...(headers ? { headers } : {}), content: { "application/json": { schema: ref(schemaName), ...(example ? { example } : {}) } } };
}

export function buildOpenApiDocument(audience: Audience = "public") {
  const { schemas } = z.toJSONSchema(apiSchemas, { io: "input", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}`, target: "draft-2020-12" }) as { schemas: Record<string, Record<string, unknown>> };
  // zod names each schema by its URI ($id); in components that would rebase every $ref inside it.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  // The error schemas are named components; importing them registers them.
  void [errorsJson, notFoundJson, unauthenticatedJson];

  const paths: Record<string, Record<string, object>> = {};
  for (const op of operationsFor(audience)) {
    const parameters = [...(op.parameters ?? []), ...(op.method === "post" ? [idempotencyKey] : [])];
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: op.auth === "none" ? [] : [{ [op.auth === "operator" ? "operatorToken" : "organisationToken"]: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(op.request ? { requestBody: { required: true, content: content(op.request) } } : {}),
      responses: responsesOf(op),
    };
  }

  const requestError = (error: string, message: string) => ({ errors: [{ path: "request", error, message, type: "custom" }] });
  const components = reachable(paths, schemas, {
    400: errorResponse(STATUS_TEXT[400]!, "Errors", requestError("malformed_json", "is not valid JSON")),
    401: errorResponse(STATUS_TEXT[401]!, "NotAuthenticated", examples.unauthenticated),
    404: errorResponse("Not found: an unknown id, or another organisation's record", "NotFound", "Not found"),
    409: errorResponse(STATUS_TEXT[409]!, "Errors", requestError("idempotency_key_in_use", "is in use by a request still running")),
    413: errorResponse(STATUS_TEXT[413]!, "Errors", requestError("payload_too_large", "is larger than 1 MiB")),
    415: errorResponse(STATUS_TEXT[415]!, "Errors", requestError("unsupported_media_type", "must be application/json")),
    422: errorResponse(STATUS_TEXT[422]!, "Errors", examples.customerValidationErrors),
    429: errorResponse(STATUS_TEXT[429]!, "Errors", requestError("rate_limited", "too many requests"), {
      "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } },
    }),
    500: errorResponse(STATUS_TEXT[500]!, "Errors"),
  });
  const operator = audience === "operator";
  return {
    openapi: "3.1.0",
    info: {
      title: operator ? "Enbro operator API" : "Enbro API",
      version: "1.0.0",
      description:
        "Partners push their customers and the customers' EAN connection points (gas and electricity meters) into Enbro, whose comparison engine finds them better offers. JSON in and out; every answer is `application/json; charset=utf-8` and carries `X-Request-Id`.",
    },
    servers: [{ url: "/", description: "This server" }],
    tags: operator
      ? [{ name: "Operator", description: "For the people who run the service: authorised by the ADMIN_TOKEN secret." }]
      : [
          { name: "System" },
          { name: "Organisation" },
          { name: "Customers" },
          { name: "EANs" },
          { name: "Suppliers" },
          { name: "Peer view", description: "Read-only views in other platforms' shapes." },
        ],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: operator
        ? { operatorToken: { type: "http", scheme: "bearer", description: "The operator secret (ADMIN_TOKEN)." } }
        : { organisationToken: { type: "http", scheme: "bearer", description: "An organisation's API token." } },
      responses: components.responses,
    },
  };
}
