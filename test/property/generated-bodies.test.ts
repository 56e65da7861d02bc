import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { isErrorCode } from "../../src/domain/errors";
import {
  ADMIN_TOKEN,
  call,
  customerBody,
  directoryTableSizes,
  eanFields,
  organisationWithCustomer,
  type TestOrganisation,
  tableSizes,
  webhookEndpointBody,
} from "../helpers";

// 300 per endpoint, 3,300 a run (fast-check draws new ones each run): the whole `npm test` stays under 5 minutes on 2 cores.
const RUNS = 300;

const oddStrings = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "\uD800",
    "🇧🇪👨‍👩‍👧",
    "\u202Etxet",
    "x".repeat(256),
    "é".repeat(300),
    "1e309",
    "-0",
    "0x1F",
    "NaN",
    "2020-02-30",
    "<script>",
  ),
);
const edgeNumbers = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e-7, 1e21, 255, 256, 100, 101),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const deep = fc.integer({ min: 20, max: 2000 }).map((depth) => {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { nested: value };
  return value;
});
const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 4 }), oddStrings, edgeNumbers, deep, fc.constantFrom(null, true, false, [], {}));

type Json = any;

/** Every path (object keys and array positions) of a JSON value. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

function withValueAt(body: Json, path: (string | number)[], value: unknown, remove: boolean): Json {
  if (path.length === 0) return value;
  const copy = structuredClone(body);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1]!;
  if (remove && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return copy;
}

/** A valid body with one field (anywhere) replaced by anything, or removed; or something else entirely. */
function bodies(valid: () => Json): fc.Arbitrary<string> {
  const mutated = fc.tuple(fc.nat(), anyValue, fc.boolean()).map(([pick, value, remove]) => {
    const body = valid();
    const paths = pathsOf(body);
    return JSON.stringify(withValueAt(body, paths[pick % paths.length]!, value, remove));
  });
  const duplicatedKeys = fc.tuple(anyValue, fc.boolean()).map(([value, first]) => {
    const text = JSON.stringify(valid());
    const key = text.match(/"([a-z_]+)":/)![1];
    const extra = `"${key}":${JSON.stringify(value) ?? "null"}`;
    return first ? text.replace("{", `{${extra},`) : `${text.slice(0, -1)},${extra}}`;
  });
  const valids = fc.constant(null).map(() => JSON.stringify(valid()));
  const garbage = fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom("", "{", "[1,", '{"a":}', "null", '"x"', "1e999"));
  return fc.oneof(
    { weight: 6, arbitrary: mutated },
    { weight: 1, arbitrary: duplicatedKeys },
    { weight: 1, arbitrary: valids },
    { weight: 1, arbitrary: anyValue.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: garbage },
  );
}

const TABLES = ["organisations", "suppliers", "customers", "eans", "webhook_endpoints"];
const DIRECTORY_TABLES = ["organisations", "tokens", "suppliers", "email_claims", "ean_claims"];
const rowCounts = async () => (await Promise.all([tableSizes(TABLES), directoryTableSizes(DIRECTORY_TABLES)])).flat();

async function checkAnswer(method: string, token: string, path: string, text: string, success = method === "POST" ? 201 : 200) {
  const before = await rowCounts();
  const response = await call(method, path, { token, body: text, headers: { "Content-Type": "application/json" } });
  expect([success, 400, 413, 422], `${response.status} for ${text.slice(0, 300)}`).toContain(response.status);
  expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
  const body = (await response.json()) as Json;
  if (response.status === success) return;
  expect(Array.isArray(body.errors) && body.errors.length > 0).toBe(true);
  for (const error of body.errors) {
    expect(typeof error.path).toBe("string");
    expect(typeof error.message).toBe("string");
    expect(["params", "custom"]).toContain(error.type);
    expect(isErrorCode(error.error) || ["malformed_json", "payload_too_large"].includes(error.error), error.error).toBe(true);
    if ("index" in error) expect(Number.isInteger(error.index)).toBe(true);
  }
  expect(await rowCounts(), "a 4xx stores nothing").toEqual(before);
}

let org: TestOrganisation;
let customerId: number;
let eanId: number;
let eanNumberOfFixture: string;
let webhookEndpointId: number;
beforeAll(async () => {
  ({ org, customerId } = await organisationWithCustomer());
  webhookEndpointId = (
    (await (await call("POST", "/api/v1/webhook_endpoints", { token: org.token, body: webhookEndpointBody(["*"]) })).json()) as { id: number }
  ).id;
  const ean = await call("POST", `/api/v1/customers/${customerId}/eans`, { token: org.token, body: { ean: eanFields() } });
  ({ id: eanId, number: eanNumberOfFixture } = (await ean.json()) as { id: number; number: string });
});

describe("generated bodies never get a 5xx", () => {
  const endpoints: Array<[string, () => string, () => string, () => Json, number?]> = [
    [
      "PATCH /api/v1/customers/:customer_id",
      () => org.token,
      () => `/api/v1/customers/${customerId}`,
      () => ({ customer: { email: customerBody().customer.email, external_id: "fuzz", profile: { city: "Gent" } } }),
    ],
    [
      "PATCH /api/v1/customers/:customer_id/eans/:id",
      () => org.token,
      () => `/api/v1/customers/${customerId}/eans/${eanId}`,
      () => ({ ean: { ...eanFields(), number: eanNumberOfFixture } }),
    ],
    ["POST /api/v1/customers", () => org.token, () => "/api/v1/customers", () => customerBody()],
    ["POST /api/v1/customers/:id/eans", () => org.token, () => `/api/v1/customers/${customerId}/eans`, () => ({ ean: eanFields() })],
    [
      "POST /api/v1/customers/:id/eans/bulk",
      () => org.token,
      () => `/api/v1/customers/${customerId}/eans/bulk`,
      () => ({ eans: [{ ean: eanFields() }, { ean: eanFields() }] }),
    ],
    ["POST /admin/v1/organisations", () => ADMIN_TOKEN, () => "/admin/v1/organisations", () => ({ name: "Generated Org", domain: "generated" })],
    ["POST /admin/v1/suppliers", () => ADMIN_TOKEN, () => "/admin/v1/suppliers", () => ({ name: "Generated Supplier" })],
    // Past 16 endpoints a valid body is a 422 too (the cap).
    ["POST /api/v1/webhook_endpoints", () => org.token, () => "/api/v1/webhook_endpoints", () => webhookEndpointBody(["ean.created", "customer.updated"])],
    [
      "PATCH /api/v1/webhook_endpoints/:id",
      () => org.token,
      () => `/api/v1/webhook_endpoints/${webhookEndpointId}`,
      () => ({ webhook_endpoint: { enabled: false } }),
    ],
    // Past 20 keys a valid body is a 422 too (the cap).
    [
      "POST /api/v1/tokens",
      () => org.token,
      () => "/api/v1/tokens",
      () => ({ token: { name: "Generated key", scope: "read", expires_at: new Date(Date.now() + 30 * 86_400_000).toISOString() } }),
    ],
    // 200, once; then the same move is 422 cannot_transition.
    ["POST /admin/v1/eans/:id/state", () => ADMIN_TOKEN, () => `/admin/v1/eans/${eanId}/state`, () => ({ state: "offered" }), 200],
  ];

  it.each(endpoints)(
    `%s: ${RUNS} bodies`,
    async (name, token, path, valid, success) => {
      await fc.assert(
        fc.asyncProperty(bodies(valid), (text) => checkAnswer(name.split(" ")[0]!, token(), path(), text, success)),
        { numRuns: RUNS },
      );
    },
    120_000,
  );
});
