/**
 * @module The OpenAPI document describes requests as exactly as answers:
 * every exchange the workers tests make through `call` (test/helpers.ts) is
 * recorded, and after each test file (test/setup.ts) checked against the
 * documents the Worker serves:
 * - every answer's status is documented for its operation, and its body is
 *   valid against that status's schema;
 * - every request the API accepted (2xx) is valid against the document: its
 *   body, its query parameters (`x-lenient` ones, read the Rails way, are
 *   not held to their type; unknown ones are ignored, as unknown keys are),
 *   its path ids and headers.
 * Paths no operation has (404, 405, /docs) are not the document's business.
 */
import { type Schema, Validator } from "@cfworker/json-schema";
import { buildOpenApiDocument } from "../src/openapi/document";
import { ALL_ROUTES } from "../src/routes";
import { mountedPath, pathRegExp } from "../src/routing/path-pattern";

export interface Exchange {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  status: number;
  answer: string;
}

const exchanges: Exchange[] = [];

/** Called by `call` for every exchange (its answer's body read from a clone). */
export function recordExchange(exchange: Exchange): void {
  exchanges.push(exchange);
}

type Json = Record<string, any>;

interface Operation {
  pattern: RegExp;
  method: string;
  operation: Json;
  document: Json;
}

let operations: Operation[] | undefined;

function operationsOf(): Operation[] {
  if (operations) return operations;
  operations = [];
  for (const audience of ["public", "operator"] as const) {
    const document = buildOpenApiDocument(ALL_ROUTES, audience) as Json;
    for (const [path, methods] of Object.entries<Json>(document.paths)) {
      const pattern = pathRegExp(mountedPath(path.replace(/\{([^}]+)\}/g, ":$1")));
      for (const [method, operation] of Object.entries<Json>(methods)) operations.push({ pattern, method: method.toUpperCase(), operation, document });
    }
  }
  return operations;
}

const validators = new WeakMap<object, Validator>();

/** Errors of `value` against `schema`, whose `$ref`s point into `document`. */
function violations(schema: Json, value: unknown, document: Json): string[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator({ components: document.components, allOf: [schema] } as Schema, "2020-12", false);
    validators.set(schema, validator);
  }
  const result = validator.validate(value);
  return result.valid ? [] : result.errors.slice(-3).map((error) => `${error.instanceLocation} ${error.error}`);
}

function resolve(document: Json, value: Json | undefined): Json | undefined {
  if (!value?.$ref) return value;
  const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(value.$ref as string)!;
  return document.components[kind!][name!];
}

function parsed(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === "") return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A query value as its parameter's schema reads it: digits as an integer where an integer is meant. */
function queryValue(schema: Json, value: string): unknown {
  return schema.type === "integer" && /^-?[0-9]+$/.test(value) ? Number(value) : value;
}

function problemsOf(exchange: Exchange): string[] {
  const url = new URL(exchange.url, "http://enbro.test");
  const found = operationsOf().find((op) => op.method === exchange.method && op.pattern.test(url.pathname));
  if (!found) return [];
  const { operation, document } = found;
  const problems: string[] = [];
  const status = String(exchange.status);
  const response = resolve(document, operation.responses[status] ?? operation.responses[`${status[0]}XX`]);
  if (!response) return [`answered ${status}, which the document does not list (${Object.keys(operation.responses).join(", ")})`];
  const schema = response.content?.["application/json"]?.schema;
  if (schema) {
    const answer = parsed(exchange.answer);
    if (!answer.ok) problems.push(`answer ${status} is not JSON`);
    else problems.push(...violations(schema, answer.value, document).map((v) => `answer ${status}: ${v}`));
  } else if (exchange.answer !== "") {
    problems.push(`answer ${status} has a body the document does not describe`);
  }

  if (exchange.status < 200 || exchange.status >= 300) return problems;
  const parameters: Json[] = operation.parameters ?? [];
  for (const [name, value] of url.searchParams) {
    const parameter = parameters.find((p) => p.in === "query" && p.name === name);
    if (parameter && !parameter["x-lenient"])
      problems.push(...violations(parameter.schema, queryValue(parameter.schema, value), document).map((v) => `query ${name}: ${v}`));
  }
  for (const parameter of parameters.filter((p) => p.in === "header")) {
    const value = exchange.headers[parameter.name.toLowerCase()];
    if (value !== undefined) problems.push(...violations(parameter.schema, value, document).map((v) => `header ${parameter.name}: ${v}`));
  }
  const requestSchema = operation.requestBody?.content?.["application/json"]?.schema;
  if (requestSchema) {
    const body = parsed(exchange.body);
    if (!body.ok) problems.push("accepted a body that is not JSON");
    else problems.push(...violations(requestSchema, body.value, document).map((v) => `request body: ${v}`));
  }
  return problems;
}

/** Checks and forgets the exchanges recorded so far; throws listing every one the document does not describe. */
export function checkRecordedExchanges(): void {
  const recorded = exchanges.splice(0);
  const failures: string[] = [];
  for (const exchange of recorded) {
    const problems = problemsOf(exchange);
    if (problems.length > 0) failures.push(`${exchange.method} ${exchange.url.slice(0, 120)} → ${exchange.status}\n    ${problems.join("\n    ")}`);
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${recorded.length} exchanges do not match the OpenAPI document:\n  ${failures.slice(0, 15).join("\n  ")}`);
  }
}
