/**
 * @module Test helpers: requests through the Worker's own `fetch` (real D1 and
 * KV of the test run), operator shortcuts, valid request bodies.
 */

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import { shardsOf } from "../src/domain/db/shards";
import type { Bindings } from "../src/env";
import worker from "../src/index";
import { gs1CheckDigit } from "../src/lib/ean-number";
import { recordExchange } from "./openapi-conformance";

export const ADMIN_TOKEN = env.ADMIN_TOKEN;

export interface CallOptions {
  token?: string | null;
  /** Sent as JSON unless it is already a string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Bindings to override for this request (e.g. ADMIN_TOKEN unset). */
  env?: Partial<Bindings>;
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://enbro.test${path}`, { method, headers, body }), { ...env, ...options.env }, ctx);
  await waitOnExecutionContext(ctx);
  // Every exchange is held to the OpenAPI document after the file's tests (test/openapi-conformance.ts).
  const answer = method === "HEAD" ? "" : await response.clone().text();
  recordExchange({ method, url: path, headers: Object.fromEntries(headers), body, status: response.status, answer });
  return response;
}

/** What one request cost D1, as its log line reports it. */
export interface RequestCost {
  roundTrips: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

/** `call`, and the D1 cost its request log line reports. */
export async function callWithCost(method: string, path: string, options: CallOptions = {}): Promise<{ response: Response; cost: RequestCost }> {
  const requestId = `cost-${crypto.randomUUID()}`;
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  let response: Response;
  try {
    response = await call(method, path, { ...options, headers: { ...options.headers, "X-Request-Id": requestId } });
  } finally {
    spy.mockRestore();
  }
  const line = lines.map((l) => JSON.parse(l)).find((entry) => entry.request_id === requestId);
  if (!line) throw new Error(`no log line for ${method} ${path}`);
  return {
    response,
    cost: { roundTrips: line.d1_round_trips, statements: line.d1_statements, rowsRead: line.d1_rows_read, rowsWritten: line.d1_rows_written },
  };
}

/** The test's shards, `SHARD_0` first. */
export function allShards(): readonly D1Database[] {
  return shardsOf(env);
}

/** The shard that holds the organisation, as the directory says. */
export async function shardOf(organisationId: number): Promise<D1Database> {
  const row = await env.DIRECTORY.prepare("select shard from organisations where id = ?").bind(organisationId).first<{ shard: number }>();
  if (!row) throw new Error(`organisation ${organisationId} is in no shard`);
  return allShards()[row.shard]!;
}

/** The rows `sql` selects on every shard, shard after shard. */
export async function allRows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  const results = await Promise.all(
    allShards().map((shard) =>
      shard
        .prepare(sql)
        .bind(...params)
        .all<T>(),
    ),
  );
  return results.flatMap((result) => result.results);
}

/** The first row `sql` selects on any shard (ids are unique across shards), or null. */
export async function firstRow<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T | null> {
  return (await allRows<T>(sql, ...params))[0] ?? null;
}

/** Runs `sql` on every shard (a test's set-up: ages rows, pauses endpoints); the rows it changed, all shards together. */
export async function runOnShards(sql: string, ...params: unknown[]): Promise<number> {
  const results = await Promise.all(
    allShards().map((shard) =>
      shard
        .prepare(sql)
        .bind(...params)
        .run(),
    ),
  );
  return results.reduce((sum, result) => sum + result.meta.changes, 0);
}

/**
 * Rows of `table` (a table, or tables joined) where `where` holds, counted on
 * every shard together (an organisation's rows are on one): the one way tests count rows.
 */
export async function countRows(table: string, where = "1", ...params: unknown[]): Promise<number> {
  const counts = await Promise.all(
    allShards().map((shard) =>
      shard
        .prepare(`select count(*) as n from ${table} where ${where}`)
        .bind(...params)
        .first<{ n: number }>(),
    ),
  );
  return counts.reduce((sum, row) => sum + row!.n, 0);
}

/** The row count of each of the directory's tables, in one round trip. */
export async function directoryTableSizes(tables: readonly string[]): Promise<number[]> {
  const results = await env.DIRECTORY.batch(tables.map((table) => env.DIRECTORY.prepare(`select count(*) as n from ${table}`)));
  return results.map((result) => (result.results[0] as { n: number }).n);
}

/** The row count of each table on every shard together, in one round trip per shard (a fuzz run counts six tables around every request). */
export async function tableSizes(tables: readonly string[]): Promise<number[]> {
  const perShard = await Promise.all(
    allShards().map(async (shard) =>
      (await shard.batch(tables.map((table) => shard.prepare(`select count(*) as n from ${table}`)))).map((r) => (r.results[0] as { n: number }).n),
    ),
  );
  return tables.map((_, i) => perShard.reduce((sum, counts) => sum + counts[i]!, 0));
}

export async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

export interface TestOrganisation {
  id: number;
  name: string;
  domain: string;
  created_at: string;
  token: string;
  tokenId: number;
  /** The shard that holds it. */
  shard: number;
}

let sequence = 0;
/** A per-file unique suffix for names, e-mails and EAN numbers. */
export function unique(): number {
  sequence += 1;
  return sequence;
}

export async function createOrganisation(name = `Org ${unique()}`, domain?: string, shard?: number): Promise<TestOrganisation> {
  const response = await call("POST", "/admin/v1/organisations", { token: ADMIN_TOKEN, body: { name, domain, shard } });
  if (response.status !== 201) throw new Error(`organisation not created: ${response.status} ${await response.text()}`);
  const body = await json(response);
  const placed = await env.DIRECTORY.prepare("select shard from organisations where id = ?").bind(body.organisation.id).first<{ shard: number }>();
  return { ...body.organisation, token: body.token.token, tokenId: body.token.id, shard: placed!.shard };
}

export async function createSupplier(name = `Supplier ${unique()}`): Promise<{ id: number; name: string }> {
  const response = await call("POST", "/admin/v1/suppliers", { token: ADMIN_TOKEN, body: { name } });
  if (response.status !== 201) throw new Error(`supplier not created: ${response.status}`);
  return json(response);
}

export function customerBody(overrides: Record<string, unknown> = {}, profile: Record<string, unknown> = {}) {
  return {
    customer: {
      email: `customer${unique()}-${crypto.randomUUID().slice(0, 8)}@example.com`,
      terms_and_conditions: true,
      privacy_policy: true,
      registered_from_ip: "44.132.61.13",
      ...overrides,
      profile: {
        first_name: "Danny",
        last_name: "Ocean",
        title: "mr",
        phone: "+3256980144",
        birth_date: "2000-04-07",
        city: "Huelborough",
        street: "10109 Rodriguez Mountains",
        building: "8962",
        building_addon: "Suite 316",
        postal_code: "84783",
        language: "en",
        ...profile,
      },
    },
  };
}

export async function createCustomer(org: TestOrganisation, overrides: Record<string, unknown> = {}) {
  const response = await call("POST", "/api/v1/customers", { token: org.token, body: customerBody(overrides) });
  if (response.status !== 201) throw new Error(`customer not created: ${response.status} ${await response.text()}`);
  return json(response);
}

/** A fresh organisation with one customer: the usual starting point of a test file. */
export async function organisationWithCustomer(): Promise<{ org: TestOrganisation; customerId: number }> {
  const org = await createOrganisation();
  return { org, customerId: (await createCustomer(org)).id };
}

/** A valid Belgian EAN number, different for every call in a test run. */
export function eanNumber(): string {
  const payload = `54${String(Date.now() % 1e6).padStart(6, "0")}${String(unique()).padStart(5, "0")}${String(Math.floor(Math.random() * 1e4)).padStart(4, "0")}`;
  return payload + gs1CheckDigit(payload);
}

export function eanFields(overrides: Record<string, unknown> = {}) {
  return {
    number: eanNumber(),
    product: "electricity",
    reason: "normal",
    street: "street name",
    building: "15",
    building_addon: "A",
    postal_code: "2443",
    city: "Kiev",
    consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }],
    fixed_fee: "1.00",
    solar_panels: "true",
    recording_period: "february",
    contract_end_date: "2020-10-09",
    respect_contract_end_date: true,
    tariff_group: "mono",
    gsc: "0.0214",
    wkk: "0.00341",
    inverter_max_power: "315",
    ...overrides,
  };
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The test KV namespace of tokens, counting its reads (`reads()`). */
export function countingTokensKv(): { kv: KVNamespace; reads: () => number; reset: () => void } {
  let reads = 0;
  const kv = new Proxy(env.TOKENS, {
    get(target, prop) {
      if (prop === "get") reads += 1;
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const reset = () => {
    reads = 0;
  };
  return { kv, reads: () => reads, reset };
}

/** A webhook endpoint's create body: a public https URL (nothing listens there) asking for `events`. */
export function webhookEndpointBody(events: unknown[] = ["*"], url = "https://hooks.enbro-partner.com/webhooks") {
  return { webhook_endpoint: { url, events } };
}

/**
 * A producer binding whose messages are kept for the test, which plays the
 * consumer (calling the Worker's queue handler with them): the local queue's
 * own consumer would deliver them meanwhile and race the test.
 */
export function heldQueue<T>() {
  const sent: Array<{ body: T; delaySeconds?: number }> = [];
  const queue = {
    send: async (body: T, options?: QueueSendOptions) => void sent.push({ body, delaySeconds: options?.delaySeconds }),
    sendBatch: async (messages: Iterable<MessageSendRequest<T>>) => {
      for (const message of messages) sent.push({ body: message.body, delaySeconds: message.delaySeconds });
    },
  } as unknown as Queue<T>;
  return { queue, sent };
}
