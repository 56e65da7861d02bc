#!/usr/bin/env node
/**
 * @module `npm run bench`: what our stack costs, side by side, in one run.
 *
 * Starts two `wrangler dev` servers on loopback: the API as deployed
 * (src/index.ts, wrangler.toml, its docs Worker beside it, its log line) and a
 * bare hand-written Worker (bench/bare/: no framework, no [assets], no log
 * line) that answers the same paths with the same D1 statements and the same
 * rate-limit call. Both databases hold the same 2,000 customers with two EANs
 * each. Each endpoint is driven with autocannon on both, alternating, over
 * several rounds; the ratio API ÷ bare is the median of the paired rounds.
 * The same pairing compares creates from two organisations on one shard and
 * on two.
 * Then it reads the API's D1 cost per request from the log lines of a second
 * API server that logs every request (the first samples, as in production), with an
 * organisation of 100,000 customers (BENCH_ERASURE_CUSTOMERS) whose first is
 * erased and whose pages are read after 1,000 erasures; measures the
 * largest answers (a customer at the 500-EAN cap), the Worker's gzip size
 * and startup, and writes its report and chart to .wrangler/bench-report/
 * (untracked); with `--write` it rewrites BENCHMARKS.md and bench/ratios.svg.
 * Prints figures; asserts nothing. Every server it starts is stopped on
 * Ctrl-C and on failure.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { startLoadtestServer } from "./loadtest-server.mjs";
import { apiRequest, eanNumber as validEanNumber } from "./local.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
/** `--write`: the run becomes the recorded one (BENCHMARKS.md, bench/ratios.svg); else an untracked report. */
const WRITE = process.argv.includes("--write");
const REPORT_DIR = WRITE ? ROOT : path.join(ROOT, ".wrangler", "bench-report");
const REPORT_PATH = path.join(REPORT_DIR, "BENCHMARKS.md");
const CHART_PATH = WRITE ? path.join(ROOT, "bench", "ratios.svg") : path.join(REPORT_DIR, "ratios.svg");
const CONNECTIONS = 16;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CUSTOMERS = 2_000;
/** The organisation whose first customer is erased and whose pages are read after 1,000 erasures (a multiple of 50). */
const ERASURE_CUSTOMERS = Number(process.env.BENCH_ERASURE_CUSTOMERS ?? 100_000);
/** BENCH_SCALE multiplies every request count (a quick look: 0.2); BENCH_ROUNDS sets the rounds. */
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const amount = (n) => Math.max(50, Math.round(n * SCALE));

/** The median item by `key`. */
const median = (items, key = (item) => item) => [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];

// A local webhook receiver (answers 204), so the API's deliveries succeed at once instead of retrying during the measurements.
const receiver = createServer((request, response) => request.resume().on("end", () => response.writeHead(204).end()));
await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const receiverUrl = `http://127.0.0.1:${receiver.address().port}/webhooks`;
// Both at the same log level: at "log" (which lets the API's sampled log lines through) wrangler also
// prints a line of its own for every request, on either side; that work is the dev server's, not ours.
const logLevel = process.env.BENCH_LOG_LEVEL ?? "log";
// The API as configured for production (its log line sampled: LOG_SAMPLE_RATE in wrangler.toml) beside the bare Worker.
let apiServer = await startLoadtestServer("bench-api", { logLevel, vars: { WEBHOOKS_ALLOW_LOCAL_URLS: "true" } });
const bareServer = await startLoadtestServer("bench-bare", { config: "bench/bare/wrangler.toml", alongside: [], logLevel });
/** The costs come from a second API server, started after the throughput rounds, that logs every request. */
let costServer = null;
const logLines = [];
function collectLogLines(server) {
  let pending = "";
  server.onOutput((chunk) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      const start = line.indexOf('{"request_id"');
      if (start !== -1) logLines.push(line.slice(start));
    }
  });
}

async function request(baseUrl, method, urlPath, token, body) {
  const answer = await apiRequest(baseUrl, method, urlPath, { token, body });
  if (answer.status >= 300) throw new Error(`${method} ${urlPath}: ${answer.status} ${answer.text.slice(0, 200)}`);
  return answer;
}

/** Runs `tasks` with at most `limit` in flight. */
async function pool(tasks, limit) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < tasks.length) await tasks[next++]();
    }),
  );
}

const eanNumber = (n) => validEanNumber("549", n);
const customerBody = (email) => ({
  customer: {
    email,
    terms_and_conditions: true,
    privacy_policy: true,
    registered_from_ip: "44.132.61.13",
    profile: {
      first_name: "Danny",
      last_name: "Ocean",
      title: "mr",
      phone: "+3256980144",
      birth_date: "2000-04-07",
      city: "Huelborough",
      street: "Rodriguez",
      building: "8962",
      building_addon: "Suite 316",
      postal_code: "84783",
      language: "en",
    },
  },
});
const eanFields = (number) => ({
  number,
  product: "electricity",
  reason: "normal",
  building: "15",
  building_addon: "A",
  street: "street name",
  city: "Kiev",
  postal_code: "2443",
  consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }],
  solar_panels: "true",
  inverter_max_power: "315",
  contract_end_date: "2020-10-09",
  respect_contract_end_date: true,
  fixed_fee: "1.00",
  tariff_group: "mono",
  recording_period: "february",
  wkk: "0.00341",
  gsc: "0.0214",
});

/** An EAN at every bound: 255-character strings, 16 consumptions, decimals of 12 + 10 digits. */
const longest = "x".repeat(255);
const widest = "123456789012.0123456789";
const largestEan = (number, supplierId) => ({
  ...eanFields(number),
  supplier_id: supplierId,
  street: longest,
  building: longest,
  building_addon: longest,
  postal_code: longest,
  city: longest,
  consumptions: Array.from({ length: 16 }, () => ({ name: longest, volume: widest, price: widest })),
  fixed_fee: widest,
  wkk: widest,
  gsc: widest,
  inverter_max_power: Number.MAX_SAFE_INTEGER,
  tariff_group: "dualExclusive",
  recording_period: "september",
});

const results = [];
const lifecycleCosts = [];
let limiterProbe = null;
let shardComparison = null;
const erasureCosts = [];
const largest = {};
/** Seeds an API server through its own endpoints: organisation #1 (the bare Worker's caller) with CUSTOMERS customers, two EANs each. */
async function seedApi(server) {
  const { body: created } = await request(server.baseUrl, "POST", "/admin/v1/organisations", server.adminToken, { name: "Bench Org A" });
  if (created.organisation.id !== 1) throw new Error("the API's first organisation should be #1, as the bare Worker's is");
  const token = created.token.token;
  let seeded = 0;
  await pool(
    Array.from({ length: CUSTOMERS }, (_, i) => async () => {
      const { body: customer } = await request(server.baseUrl, "POST", "/api/v1/customers", token, customerBody(`seed-${i + 1}@bench.example`));
      await request(server.baseUrl, "POST", `/api/v1/customers/${customer.id}/eans/bulk`, token, {
        eans: [{ ean: eanFields(eanNumber(2 * i)) }, { ean: eanFields(eanNumber(2 * i + 1)) }],
      });
      if (++seeded % 500 === 0) console.log(`seeded ${seeded}/${CUSTOMERS} customers in the API`);
    }),
    8,
  );
  const firstId = (await request(server.baseUrl, "GET", "/api/v1/customers?page=1&per=1", token)).body.records[0].id;
  return { token, firstId };
}

let seq = 10 * CUSTOMERS;
let bulkCustomer = 0;

/** The endpoints driven side by side, for the seeded organisation's token. */
function targetsFor({ token, firstId }) {
  const randomCustomer = () => firstId + Math.floor(Math.random() * CUSTOMERS);
  const auth = { authorization: `Bearer ${token}` };
  const json = { "content-type": "application/json" };
  return [
    // The fastest rows get more requests: a round under a second is mostly noise (5 recorded runs put ping at 0.92-1.00x with 3,000).
    { name: "GET /api/v1/ping", n: 10000, path: () => "/api/v1/ping" },
    { name: "GET /api/v1/me", n: 6000, path: () => "/api/v1/me", headers: auth },
    { name: "GET /api/v1/customers?per=25 (page 1)", n: 2000, path: () => "/api/v1/customers?per=25", headers: auth },
    { name: "GET /api/v1/customers?per=25&page=40", n: 2000, path: () => "/api/v1/customers?page=40&per=25", headers: auth },
    { name: "GET /api/v1/customers/:id", n: 3000, path: () => `/api/v1/customers/${randomCustomer()}`, headers: auth },
    { name: "GET /api/v1/customers/:id/eans", n: 3000, path: () => `/api/v1/customers/${randomCustomer()}/eans`, headers: auth },
    {
      name: "POST /api/v1/customers",
      n: 1500,
      method: "POST",
      path: () => "/api/v1/customers",
      headers: { ...auth, ...json },
      body: () => JSON.stringify(customerBody(`p-${++seq}@bench.example`)),
    },
    {
      name: "POST …/eans/bulk (10)",
      n: 1000,
      method: "POST",
      path: () => `/api/v1/customers/${randomCustomer()}/eans/bulk`,
      headers: { ...auth, ...json },
      body: () => JSON.stringify({ eans: Array.from({ length: 10 }, () => ({ ean: eanFields(eanNumber(++seq)) })) }),
    },
    // Each bulk of 100 to the next customer: a customer holds at most 500 EANs.
    {
      name: "POST …/eans/bulk (100)",
      n: 300,
      method: "POST",
      path: () => `/api/v1/customers/${firstId + (bulkCustomer++ % CUSTOMERS)}/eans/bulk`,
      headers: { ...auth, ...json },
      body: () => JSON.stringify({ eans: Array.from({ length: 100 }, () => ({ ean: eanFields(eanNumber(++seq)) })) }),
    },
  ];
}

try {
  // The API seeded through its own endpoints, the bare Worker with the same rows in SQL.
  const seededApi = await seedApi(apiServer);
  await request(bareServer.baseUrl, "GET", `/__seed?customers=${CUSTOMERS}`);
  const targets = targetsFor(seededApi);
  const auth = { authorization: `Bearer ${seededApi.token}` };

  async function drive(baseUrl, label, n, method, makePath, headers, makeBody) {
    let i = 0;
    const first = makePath();
    const started = performance.now();
    let finished = started;
    // Timed from the first request to the last answer: autocannon's own clock ticks in whole seconds.
    const instance = autocannon({
      url: baseUrl,
      connections: CONNECTIONS,
      amount: amount(n),
      method,
      requests: [
        {
          method,
          path: first,
          setupRequest: (req) => ({
            ...req,
            path: makePath(),
            headers: { ...(typeof headers === "function" ? headers() : headers), "x-request-id": `${label}-${++i}` },
            ...(makeBody ? { body: makeBody() } : {}),
          }),
        },
      ],
    });
    instance.on("response", () => {
      finished = performance.now();
    });
    const result = await instance;
    return {
      reqPerSec: result.requests.total / ((finished - started) / 1000),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.non2xx + result.errors + result.timeouts,
    };
  }

  function costOf(label) {
    const lines = logLines.filter((l) => l.includes(`"request_id":"${label}-`)).map((l) => JSON.parse(l));
    if (lines.length === 0) return null;
    const avg = (key) => lines.reduce((n, l) => n + (l[key] ?? 0), 0) / lines.length;
    return { statements: avg("d1_statements"), roundTrips: avg("d1_round_trips"), rowsRead: avg("d1_rows_read"), rowsWritten: avg("d1_rows_written") };
  }

  /**
   * API and bare alternate, ROUNDS times each; this machine drifts ±15% between runs, and pairing cancels
   * most of it. Each side first runs the endpoint unmeasured (its code warmed up by the JIT), and the
   * side that goes first alternates from round to round, so that a drift within a pair favours neither.
   */
  async function compare(label, target, apiUrl, bareUrl, bareTarget = target) {
    const apiRounds = [];
    const bareRounds = [];
    const api = () => drive(apiUrl, label, target.n / ROUNDS, target.method ?? "GET", target.path, target.headers ?? {}, target.body);
    const bare = () =>
      drive(bareUrl, `${label}bare`, target.n / ROUNDS, bareTarget.method ?? "GET", bareTarget.path, bareTarget.headers ?? {}, bareTarget.body);
    await drive(apiUrl, `${label}warm`, target.n / 10, target.method ?? "GET", target.path, target.headers ?? {}, target.body);
    await drive(bareUrl, `${label}warmbare`, target.n / 10, bareTarget.method ?? "GET", bareTarget.path, bareTarget.headers ?? {}, bareTarget.body);
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        apiRounds.push(await api());
        bareRounds.push(await bare());
      } else {
        bareRounds.push(await bare());
        apiRounds.push(await api());
      }
    }
    const errorsOf = (rounds) => rounds.reduce((n, r) => n + r.errors, 0);
    return {
      api: { ...median(apiRounds, (r) => r.reqPerSec), errors: errorsOf(apiRounds) },
      bare: { ...median(bareRounds, (r) => r.reqPerSec), errors: errorsOf(bareRounds) },
      ratio: median(apiRounds.map((r, i) => r.reqPerSec / bareRounds[i].reqPerSec)),
    };
  }

  // Warm both isolates and databases before measuring.
  await drive(apiServer.baseUrl, "warmup", 500, "GET", () => "/api/v1/me", auth);
  await drive(bareServer.baseUrl, "warmup", 500, "GET", () => "/api/v1/me", {});

  // Not an endpoint: the bare Worker's GET /me with and without its rate-limit call, to show what that call costs here.
  const probe = await compare("probe", { n: 2000, path: () => "/api/v1/me" }, bareServer.baseUrl, bareServer.baseUrl, {
    n: 2000,
    path: () => "/api/v1/me?limiter=0",
  });
  limiterProbe = probe;
  console.log(`rate-limit call: bare GET /me ${probe.api.reqPerSec.toFixed(0)} req/s with it, ${probe.bare.reqPerSec.toFixed(0)} without`);

  // BENCH_ONLY=<regexp> measures the matching endpoints only (for quick before/after comparisons).
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
  for (const [index, target] of targets.entries()) {
    if (only && !only.test(target.name)) continue;
    const label = `t${index}`;
    const { api, bare, ratio } = await compare(label, target, apiServer.baseUrl, bareServer.baseUrl);
    results.push({ name: target.name, api, bare, ratio, cost: null });
    console.log(
      `${target.name}: ${api.reqPerSec.toFixed(0)} req/s, p50 ${api.p50} ms, p99 ${api.p99} ms | bare ${bare.reqPerSec.toFixed(0)} req/s, × ${ratio.toFixed(2)}${api.errors + bare.errors ? ` | ${api.errors + bare.errors} non-2xx` : ""}`,
    );
  }

  // Writes spread over two shards against the same load on one: two fresh organisations on shard 0, then one on
  // shard 0 and one on shard 1, creating customers in turn (one token per request, alternating), paired as above.
  if (!only || only.test("shards")) {
    const organisationsOn = async (shards) => {
      const tokens = [];
      for (const shard of shards) {
        const { status, body } = await request(apiServer.baseUrl, "POST", "/admin/v1/organisations", apiServer.adminToken, {
          name: `Bench spread ${shards.join("+")} ${tokens.length}`,
          shard,
        });
        if (status !== 201) throw new Error(`organisation on shard ${shard}: ${status}`);
        tokens.push(body.token.token);
      }
      let turn = 0;
      return () => ({ authorization: `Bearer ${tokens[turn++ % tokens.length]}`, "content-type": "application/json" });
    };
    const createOn = async (shards) => ({
      n: 1500,
      method: "POST",
      path: () => "/api/v1/customers",
      headers: await organisationsOn(shards),
      body: () => JSON.stringify(customerBody(`spread-${++seq}@bench.example`)),
    });
    const twoShards = await createOn([0, 1]);
    const oneShard = await createOn([0, 0]);
    const spread = await compare("spread", twoShards, apiServer.baseUrl, apiServer.baseUrl, oneShard);
    shardComparison = spread;
    console.log(
      `POST /customers from two organisations: on two shards ${spread.api.reqPerSec.toFixed(0)} req/s, on one ${spread.bare.reqPerSec.toFixed(0)} req/s, × ${spread.ratio.toFixed(2)}`,
    );
  }

  // BENCH_ONLY is for quick before/after comparisons of throughput: no costs, no largest answers.
  if (!only) {
    // The costs: a fresh API server that logs every request, seeded the same way; 60 requests per endpoint, one at a time.
    await Promise.all([apiServer.stop(), bareServer.stop()]);
    costServer = await startLoadtestServer("bench-api-costs", { logLevel: "log", vars: { WEBHOOKS_ALLOW_LOCAL_URLS: "true", LOG_SAMPLE_RATE: "1" } });
    collectLogLines(costServer);
    apiServer = costServer;
    const seededCosts = await seedApi(costServer);
    const { token, firstId } = seededCosts;
    for (const [index, target] of targetsFor(seededCosts).entries()) {
      const label = `c${index}`;
      for (let i = 0; i < 60; i++) {
        const response = await fetch(`${costServer.baseUrl}${target.path()}`, {
          method: target.method ?? "GET",
          headers: { ...target.headers, "x-request-id": `${label}-${i}` },
          body: target.body?.(),
        });
        if (response.status >= 300) throw new Error(`${target.name}: ${response.status} ${(await response.text()).slice(0, 200)}`);
        await response.arrayBuffer();
      }
      const result = results.find((r) => r.name === target.name);
      if (result) result.cost = costOf(label);
    }

    // The lifecycle endpoints' cost per request (no bare counterpart): 60 requests each, one at a time.
    const { body: subject } = await request(apiServer.baseUrl, "POST", "/api/v1/customers", token, customerBody("lifecycle@bench.example"));
    const { body: subjectEans } = await request(apiServer.baseUrl, "POST", `/api/v1/customers/${subject.id}/eans/bulk`, token, {
      eans: Array.from({ length: 61 }, () => ({ ean: eanFields(eanNumber(++seq)) })),
    });
    const erasable = [];
    for (let i = 0; i < 60; i++)
      erasable.push((await request(apiServer.baseUrl, "POST", "/api/v1/customers", token, customerBody(`erasable-${i}@bench.example`))).body.id);
    // A second organisation with a webhook endpoint: its writes also tell the dispatch queue.
    const { body: hooked } = await request(apiServer.baseUrl, "POST", "/admin/v1/organisations", apiServer.adminToken, { name: "Bench Org Webhooks" });
    await request(apiServer.baseUrl, "POST", "/api/v1/webhook_endpoints", hooked.token.token, { webhook_endpoint: { url: receiverUrl, events: ["*"] } });
    // The feed holds at least FEED_EVENTS events (the writes above made most of them; the rest in bulks of 100).
    const lastEventId = async () => {
      let low = 0;
      let high = 1;
      const after = async (id) => (await request(apiServer.baseUrl, "GET", `/api/v1/events?after=${id}&limit=1`, token)).body.data.length > 0;
      while (await after(high)) [low, high] = [high, high * 2];
      while (high - low > 1) {
        const mid = Math.floor((low + high) / 2);
        if (await after(mid)) low = mid;
        else high = mid;
      }
      return high;
    };
    const FEED_EVENTS = Number(process.env.BENCH_FEED_EVENTS ?? 100_000);
    for (let last = await lastEventId(); last < FEED_EVENTS; last += 100) {
      await request(apiServer.baseUrl, "POST", `/api/v1/customers/${firstId + (bulkCustomer++ % CUSTOMERS)}/eans/bulk`, token, {
        eans: Array.from({ length: 100 }, () => ({ ean: eanFields(eanNumber(++seq)) })),
      });
    }
    const feedLength = await lastEventId();
    const feedPage = (i) => Math.floor(feedLength / 2) + i * 25;
    const lifecycle = [
      ["GET /api/v1/customers/:id/eans/:id", "GET", () => `/api/v1/customers/${subject.id}/eans/${subjectEans[0].id}`, null],
      [
        "PATCH /api/v1/customers/:id/eans/:id",
        "PATCH",
        () => `/api/v1/customers/${subject.id}/eans/${subjectEans[0].id}`,
        (i) => ({ ean: { city: `City ${i}` } }),
      ],
      ["DELETE /api/v1/customers/:id/eans/:id", "DELETE", (i) => `/api/v1/customers/${subject.id}/eans/${subjectEans[i + 1].id}`, null],
      ["PATCH /api/v1/customers/:id", "PATCH", () => `/api/v1/customers/${subject.id}`, (i) => ({ customer: { profile: { city: `City ${i}` } } })],
      ["GET /api/v1/customers/:id/export (1 EAN)", "GET", () => `/api/v1/customers/${subject.id}/export`, null],
      ["GET /api/v1/customers?external_id=", "GET", () => "/api/v1/customers?external_id=nobody", null],
      [
        `GET /api/v1/events?limit=25 (a page halfway through a feed of ${feedLength.toLocaleString("en")} events)`,
        "GET",
        (i) => `/api/v1/events?after=${feedPage(i)}&limit=25`,
        null,
      ],
      [
        "POST /api/v1/customers (organisation with a webhook endpoint)",
        "POST",
        () => "/api/v1/customers",
        (i) => customerBody(`hooked-${i}@bench.example`),
        hooked.token.token,
      ],
      // The newest customers first: erasing the last one moves no other.
      ["DELETE /api/v1/customers/:id (the newest)", "DELETE", (i) => `/api/v1/customers/${erasable[erasable.length - 1 - i]}`, null],
    ];
    for (const [index, [name, method, makePath, makeBody, caller = token]] of lifecycle.entries()) {
      const label = `l${index}`;
      for (let i = 0; i < 60; i++) {
        const answer = await apiRequest(apiServer.baseUrl, method, makePath(i), {
          token: caller,
          body: makeBody?.(i),
          headers: { "x-request-id": `${label}-${i}` },
        });
        if (answer.status >= 300) throw new Error(`${name}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
      lifecycleCosts.push({ name, cost: costOf(label) });
    }

    // Erasure at scale: an organisation of ERASURE_CUSTOMERS customers, its first 60 erased one after another (each
    // the first that remains), then 1,000 more created and erasures spread over the rest up to 1,000 in all, so that
    // ERASURE_CUSTOMERS remain; then pages at the start, the middle and the end of the list.
    const { body: large } = await request(apiServer.baseUrl, "POST", "/admin/v1/organisations", apiServer.adminToken, { name: "Bench Org Erasure" });
    const largeToken = large.token.token;
    const largeIds = [];
    const createLarge = async (count) => {
      const start = largeIds.length;
      await pool(
        Array.from({ length: count }, (_, i) => async () => {
          const { status, body } = await request(apiServer.baseUrl, "POST", "/api/v1/customers", largeToken, customerBody(`large-${start + i}@bench.example`));
          if (status !== 201) throw new Error(`seeding the large organisation: ${status}`);
          largeIds[start + i] = body.id;
          if ((start + i + 1) % 10_000 === 0) console.log(`seeded ${start + i + 1}/${ERASURE_CUSTOMERS + 1000} customers of the large organisation`);
        }),
        16,
      );
      largeIds.sort((a, b) => a - b);
    };
    const measure = async (name, label, count, makePath, method = "GET") => {
      for (let i = 0; i < count; i++) {
        const answer = await apiRequest(apiServer.baseUrl, method, makePath(i), { token: largeToken, headers: { "x-request-id": `${label}-${i}` } });
        if (answer.status >= 300) throw new Error(`${name}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
      erasureCosts.push({ name, cost: costOf(label) });
    };
    await createLarge(ERASURE_CUSTOMERS);
    await measure(
      `DELETE /api/v1/customers/:id (the first of ${ERASURE_CUSTOMERS.toLocaleString("en")}, 60 times)`,
      "e0",
      60,
      (i) => `/api/v1/customers/${largeIds[i]}`,
      "DELETE",
    );
    await createLarge(1000);
    const spreadOut = Array.from({ length: 940 }, (_, k) => largeIds[60 + Math.floor(((k + 0.5) * (largeIds.length - 60)) / 940)]);
    await pool(
      spreadOut.map((id) => async () => {
        const { status } = await request(apiServer.baseUrl, "DELETE", `/api/v1/customers/${id}`, largeToken);
        if (status !== 204) throw new Error(`erasing ${id}: ${status}`);
      }),
      8,
    );
    const lastPage = ERASURE_CUSTOMERS / 25;
    for (const [index, page] of [1, lastPage / 2, lastPage].entries()) {
      const { body: list } = await request(apiServer.baseUrl, "GET", `/api/v1/customers?per=25&page=${page}`, largeToken);
      // Kaminari's exact pages: the last page holds the newest 25 customers.
      if (page === lastPage && list.records.at(-1)?.id !== largeIds.at(-1)) throw new Error(`page ${page} does not end with the newest customer`);
      await measure(
        `GET /api/v1/customers?per=25&page=${page.toLocaleString("en")} (after 1,000 erasures)`,
        `p${index}`,
        60,
        () => `/api/v1/customers?per=25&page=${page}`,
      );
    }

    // The largest answers: a customer at the 500-EAN cap with every field at its bound.
    const { body: supplier } = await request(apiServer.baseUrl, "POST", "/admin/v1/suppliers", apiServer.adminToken, { name: "x".repeat(255) });
    const { body: full } = await request(apiServer.baseUrl, "POST", "/api/v1/customers", token, customerBody("largest@bench.example"));
    for (let k = 0; k < 5; k++) {
      await request(apiServer.baseUrl, "POST", `/api/v1/customers/${full.id}/eans/bulk`, token, {
        eans: Array.from({ length: 100 }, () => ({ ean: largestEan(eanNumber(++seq), supplier.id) })),
      });
    }
    for (const [name, urlPath] of [
      ["GET /api/v1/customers/:id/eans", `/api/v1/customers/${full.id}/eans`],
      ["GET /api/mind/customer/byCustomerId/:id", `/api/mind/customer/byCustomerId/${full.id}`],
    ]) {
      const { text } = await request(apiServer.baseUrl, "GET", urlPath, token);
      largest[name] = Buffer.byteLength(text);
    }
  }
} finally {
  await Promise.all([apiServer.stop(), bareServer.stop(), costServer?.stop()]);
  receiver.close();
}

// Size and startup of the deployable Worker (minified, as deployed).
const sizeDir = path.join(ROOT, ".wrangler", "bench-size");
rmSync(sizeDir, { recursive: true, force: true });
// On this Node (22, from the `node` devDependency), whatever `node` is on PATH.
const wranglerJs = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const wrangler = (...args) => spawnSync(process.execPath, [wranglerJs, ...args], { cwd: ROOT, encoding: "utf8" });
const dryRun = wrangler("deploy", "--dry-run", "--outdir", sizeDir);
const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(dryRun.stdout + dryRun.stderr);
const profilePath = path.join(sizeDir, "startup.cpuprofile");
wrangler("check", "startup", "--outfile", profilePath);
let startupMs = null;
try {
  const profile = JSON.parse(readFileSync(profilePath, "utf8"));
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  startupMs = profile.samples.reduce((ms, id, i) => (idle.has(id) ? ms : ms + profile.timeDeltas[i] / 1000), 0);
} catch {
  // no profile: reported as unknown
}

// Report.
const fmt = (n, d = 0) => (n === null || n === undefined ? "–" : Number(n).toFixed(d));
const cpu = os.cpus();
const wranglerVersion = wrangler("--version").stdout.trim();
const throughputRows = results.map(
  ({ name, api, bare, ratio }) =>
    `| ${name} | ${fmt(api.reqPerSec)} | ${fmt(api.p50)} | ${fmt(api.p99)} | ${fmt(bare.reqPerSec)} | **${fmt(ratio, 2)}** | ${api.errors + bare.errors} |`,
);
const costRows = results.map(
  ({ name, cost }) => `| ${name} | ${fmt(cost?.roundTrips, 1)} | ${fmt(cost?.statements, 1)} | ${fmt(cost?.rowsRead, 1)} | ${fmt(cost?.rowsWritten, 1)} |`,
);
const goal = (r) => (r.name === "GET /api/v1/ping" ? 0.95 : 0.8);
const below = results.filter((r) => r.ratio < goal(r)).map((r) => `${r.name} (${fmt(r.ratio, 2)}×, goal ${goal(r)}×)`);
const lowest = Math.min(...results.map((r) => r.ratio));

// Chart: each endpoint's throughput as a share of the bare Worker's.
const barHeight = 26;
const chartWidth = 760;
const labelWidth = 300;
const scaleMax = Math.max(1.2, ...results.map((r) => r.ratio));
const x = (v) => labelWidth + (v / scaleMax) * (chartWidth - labelWidth - 60);
const bars = results
  .map((r, i) => {
    const y = 40 + i * (barHeight + 8);
    const colour = r.ratio >= goal(r) ? "#2e7d32" : "#c62828";
    return `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" font-size="12">${r.name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text><rect x="${labelWidth}" y="${y}" width="${x(r.ratio) - labelWidth}" height="${barHeight}" fill="${colour}"/><text x="${x(r.ratio) + 6}" y="${y + 17}" font-size="12">${r.ratio.toFixed(2)}×</text>`;
  })
  .join("\n  ");
const chartHeight = 60 + results.length * (barHeight + 8);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${chartHeight}" font-family="sans-serif">
  <rect width="100%" height="100%" fill="white"/>
  <text x="10" y="22" font-size="14" font-weight="bold">Throughput of each endpoint ÷ a bare Worker doing the same D1 and rate-limit calls (goal ≥ 0.8×, ping ≥ 0.95×)</text>
  <line x1="${x(0.8)}" y1="32" x2="${x(0.8)}" y2="${chartHeight - 10}" stroke="#555" stroke-dasharray="4 3"/>
  <line x1="${x(1)}" y1="32" x2="${x(1)}" y2="${chartHeight - 10}" stroke="#999"/>
  ${bars}
</svg>
`;
mkdirSync(REPORT_DIR, { recursive: true });
writeFileSync(CHART_PATH, svg);

const gzipKiB = upload ? Number(upload[2]) : null;
const kib = (bytes) => (bytes === undefined ? "–" : `${(bytes / 1024).toFixed(0)} KiB`);
const report = `# Benchmarks

Written by \`npm run bench -- --write\` (scripts/bench.mjs); do not edit by hand.

- **Date**: ${new Date().toISOString()}
- **Machine**: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}
- **Runtime**: ${wranglerVersion.split("\n").pop()} \`wrangler dev\` (workerd and local D1/SQLite) on 127.0.0.1, Node ${process.version}
- **Load**: autocannon, ${CONNECTIONS} connections, a bounded number of requests per row in ${ROUNDS} rounds, after an unmeasured warm-up of each side; each round drives the API and the bare Worker, the one first that went second in the round before (req/s and latencies: the API's median round; × bare: the median of the ${ROUNDS} paired ratios). Both databases hold ${CUSTOMERS.toLocaleString("en")} customers with two EANs each.

Everything runs on one 2-core machine — the load generator, wrangler's local
proxy, workerd and SQLite — so absolute figures are this machine's, not
Cloudflare's; the ratios are the point. **Bare** is a separate hand-written
Worker (bench/bare/: no framework, no \`[assets]\`, no log line, never
deployed) that answers the same paths with the same D1 statements in one
batch on a D1 session, and makes the same rate-limit call on authenticated
paths; it renders the rows as they come, with the API's answer headers
(the same bytes on the wire), and checks no token. What separates
the API from it is our whole stack: the platform's path to the Worker as we
configure it, routing, the token check (a SHA-256 and an isolate-cache hit),
zod validation, rendering and the request log line (every error, and the
share of successes \`LOG_SAMPLE_RATE\` sets, as in production) — with every
feature kept. Both run under the same wrangler log level, so both pay for
the dev server's own line per request.

## Throughput and latency

| endpoint | API req/s | p50 ms | p99 ms | bare req/s | **× bare** | non-2xx |
|---|---|---|---|---|---|---|
${throughputRows.join("\n")}

![ratios](bench/ratios.svg)

Goal: every endpoint ≥ 0.8× bare, ping ≥ 0.95× — ${below.length === 0 ? `**met** in this run (${fmt(lowest, 2)}× at the lowest).` : `not met in this run for: ${below.join("; ")}.`}

## The rate-limit call, locally

Both sides make it on every authenticated request. Locally wrangler emulates
the binding with a Durable Object that writes its counter to SQLite on every
call (Cloudflare answers it from a counter on the Worker's own machine):

| bare GET /me | req/s |
|---|---|
| with its rate-limit call | ${fmt(limiterProbe?.api.reqPerSec)} |
| without it | ${fmt(limiterProbe?.bare.reqPerSec)} |

## Cost per request (from the API's request log lines)

Averages per request, from a second API server, seeded the same way, that
logs every request (\`LOG_SAMPLE_RATE=1\`); 60 requests per endpoint, one at a time. D1 bills rows read and written; each database runs one
statement at a time. The bare Worker runs the same statements.

| endpoint | round trips | statements | rows read | rows written |
|---|---|---|---|---|
${costRows.join("\n")}
${lifecycleCosts.map(({ name, cost }) => `| ${name} | ${fmt(cost?.roundTrips, 1)} | ${fmt(cost?.statements, 1)} | ${fmt(cost?.rowsRead, 1)} | ${fmt(cost?.rowsWritten, 1)} |`).join("\n")}

The last ${lifecycleCosts.length} rows are the lifecycle endpoints, the event feed and webhooks,
measured one request at a time (no bare counterpart). Every write above
includes its events, written in the same batch (one more statement: one
\`ean.created\` statement per 96 EANs), and one more statement asking whether
the organisation has webhook endpoints (an index seek: no row read when it
has none, one when it has). When it has, the request then sends one message
to the dispatch queue (not a D1 cost; the second-to-last row). A page of the feed is one
indexed range read — 25 rows plus one to know whether there are more —
however long the feed. Erasing a customer writes its own rows and at most 25
nodes of its organisation's erasure tree, whatever the organisation's size.
A create (and a bulk) first claims its e-mail or EAN numbers in the directory
(its second round trip); an erasure or a deletion releases them there.
Every authenticated request reports its key's use (\`last_used_at\`) to a
queue at most once a minute per isolate, beside its own work: no D1 round
trip (\`GET /api/v1/me\`: one, its own read).

## Two shards against one

The same load — \`POST /api/v1/customers\` from two organisations in turn,
${CONNECTIONS} connections — once with both organisations on shard 0, once
with one on each shard, paired over ${ROUNDS} rounds as above:

| two organisations | req/s | p50 ms | p99 ms |
|---|---|---|---|
| on two shards | ${fmt(shardComparison?.api.reqPerSec)} | ${fmt(shardComparison?.api.p50)} | ${fmt(shardComparison?.api.p99)} |
| on one shard | ${fmt(shardComparison?.bare.reqPerSec)} | ${fmt(shardComparison?.bare.p50)} | ${fmt(shardComparison?.bare.p99)} |
| **two ÷ one** | **${fmt(shardComparison?.ratio, 2)}** | | |

Locally every database is a SQLite file served by the same workerd process
on this 2-core machine, so a second shard adds little here; on Cloudflare
each D1 database has its own primary, which runs one statement at a time,
so two shards take twice the writes one can.

## A create's claim

A create first claims its e-mail in the directory, then writes on the
organisation's shard: ${fmt(results.find((r) => r.name === "POST /api/v1/customers")?.cost?.roundTrips, 1)} round trips
against the bare Worker's one (the ratio ${fmt(results.find((r) => r.name === "POST /api/v1/customers")?.ratio, 2)}× in the
throughput table is with that round trip; the bare Worker has no directory).

## Erasure and pages at scale

An organisation of ${ERASURE_CUSTOMERS.toLocaleString("en")} customers: its first customer erased
60 times over (each time the first that remains), then, with 1,000 more
created and 1,000 erased in all (spread over the list), pages at the start,
the middle and the end; 60 requests each, one at a time.

| request | round trips | statements | rows read | rows written |
|---|---|---|---|---|
${erasureCosts.map(({ name, cost }) => `| ${name} | ${fmt(cost?.roundTrips, 1)} | ${fmt(cost?.statements, 1)} | ${fmt(cost?.rowsRead, 1)} | ${fmt(cost?.rowsWritten, 1)} |`).join("\n")}

An erasure writes its customer's rows, its event and at most 25 nodes of the
organisation's erasure tree (a Fenwick tree over the customers' sequence
numbers), and releases its claims in the directory. A page finds its first
customer by descending that tree (one node per level, 24 levels), then
reads \`per\` customers from there, and the organisation's count.

## The largest answers

A customer holds at most 500 EANs, each with at most 16 consumptions, every
string at most 255 characters and every decimal at most 12 + 10 digits. A
customer at every bound answers:

| endpoint | bytes |
|---|---|
${Object.entries(largest)
  .map(([name, bytes]) => `| ${name} | ${kib(bytes)} |`)
  .join("\n")}

A typical EAN (two consumptions, short address) renders in about 0.75 KiB:
500 of them are about 370 KiB.

## Size and startup

| | |
|---|---|
| Worker upload (minified, as deployed) | ${upload ? `${upload[1]} KiB, **${upload[2]} KiB gzip**` : "unknown"} |
| Startup CPU (\`wrangler check startup\`, this machine) | ${startupMs === null ? "unknown" : `${startupMs.toFixed(1)} ms`} |
| Worker ≤ 150 KiB gzip | ${gzipKiB === null ? "unknown" : gzipKiB <= 150 ? `met (${gzipKiB} KiB)` : `not met (${gzipKiB} KiB)`} |
`;
writeFileSync(REPORT_PATH, report);
console.log(
  `\n${path.relative(ROOT, REPORT_PATH)} and ${path.relative(ROOT, CHART_PATH)} written${WRITE ? "" : " (untracked; `npm run bench -- --write` records the run in BENCHMARKS.md)"}.`,
);
