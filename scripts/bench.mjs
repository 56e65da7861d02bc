#!/usr/bin/env node
/**
 * @module `npm run bench`: speed and cost, side by side, in one run.
 *
 * Starts `wrangler dev` on loopback with the benchmark Worker (bench/worker.ts:
 * the real app plus bare D1 reference routes), seeds organisation A with
 * 10,000 customers and 20,000 EANs and a small organisation B, then drives
 * each endpoint and its reference with autocannon (bounded request counts,
 * fixed concurrency). It reads each request's D1 cost from the request log
 * lines, measures the deployable Worker's gzip size and startup, and writes
 * its report and chart to .wrangler/bench-report/ (untracked); with `--write`
 * it rewrites BENCHMARKS.md and bench/ratios.svg instead. Prints figures;
 * asserts nothing. Every server it starts is stopped on Ctrl-C and on failure.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import path from "node:path";
import autocannon from "autocannon";
import { startLoadtestServer } from "./loadtest-server.mjs";
import { eanNumber as validEanNumber } from "./local.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
/** `--write`: the run becomes the recorded one (BENCHMARKS.md, bench/ratios.svg); else an untracked report. */
const WRITE = process.argv.includes("--write");
const REPORT_DIR = WRITE ? ROOT : path.join(ROOT, ".wrangler", "bench-report");
const REPORT_PATH = path.join(REPORT_DIR, "BENCHMARKS.md");
const CHART_PATH = WRITE ? path.join(ROOT, "bench", "ratios.svg") : path.join(REPORT_DIR, "ratios.svg");
const CONNECTIONS = 16;
const ROUNDS = 5;

/** The median item by `key` (for rounds: the median throughput, its latencies coming with it). */
const median = (items, key = (item) => item) => [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
const byThroughput = (round) => round.reqPerSec;
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const amount = (n) => Math.max(50, Math.round(n * SCALE));

const server = await startLoadtestServer("bench", { main: "bench/worker.ts", logLevel: "log" });
const { baseUrl, adminToken } = server;
const logLines = [];
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

async function api(method, urlPath, token, body) {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${urlPath}: ${response.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : null;
}

/** Valid EAN numbers, apart from the seeded ones (those start 5400…). */
const eanNumber = (n) => validEanNumber("549", n);

const customerBody = (email) => ({
  customer: {
    email, terms_and_conditions: true, privacy_policy: true, registered_from_ip: "44.132.61.13",
    profile: { first_name: "Danny", last_name: "Ocean", title: "mr", phone: "+3256980144", birth_date: "2000-04-07", city: "Huelborough", street: "Rodriguez", building: "8962", building_addon: "Suite 316", postal_code: "84783", language: "en" },
  },
});
const eanBody = (number) => ({ ean: { number, product: "electricity", reason: "normal", building: "15", building_addon: "A", street: "street name", city: "Kiev", postal_code: "2443", consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }], solar_panels: "true", inverter_max_power: "315", contract_end_date: "2020-10-09", respect_contract_end_date: true, fixed_fee: "1.00", tariff_group: "mono", recording_period: "february", wkk: "0.00341", gsc: "0.0214" } });

const results = [];
const probes = [];
try {
  // Seed: A large (10,000 customers, 20,000 EANs), B small.
  const a = await api("POST", "/admin/v1/organisations", adminToken, { name: "Bench Org A" });
  const b = await api("POST", "/admin/v1/organisations", adminToken, { name: "Bench Org B" });
  const A = { id: a.organisation.id, token: a.token.token };
  const B = { id: b.organisation.id, token: b.token.token };
  const seeded = await fetch(`${baseUrl}/__bench/seed?org=${A.id}&customers=10000`, { method: "POST" });
  if (!seeded.ok) throw new Error(`seeding failed: ${seeded.status}`);
  for (let i = 0; i < 20; i++) await api("POST", "/api/v1/customers", B.token, customerBody(`b-${i}@bench.example`));
  const firstA = (await api("GET", "/api/v1/customers?page=1&per=1", A.token)).records[0].id;
  const randomA = () => firstA + Math.floor(Math.random() * 10_000);
  const bulkCustomer = firstA + 9_999; // one customer collects the bulk EANs
  let seq = 0;

  const auth = { authorization: `Bearer ${A.token}` };
  const json = { "content-type": "application/json" };
  const targets = [
    { name: "GET /api/v1/ping", n: 3000, path: () => "/api/v1/ping" },
    // Not an endpoint: GET /me's reference with and without its rate-limit check, to show what that check costs here.
    { name: "rate-limit check", n: 3000, path: () => `/__bench/me?org=${A.id}`, ref: () => `/__bench/me?org=${A.id}&limiter=0`, probe: true },
    { name: "GET /api/v1/me", n: 3000, path: () => "/api/v1/me", headers: auth, ref: () => `/__bench/me?org=${A.id}` },
    { name: "GET /api/v1/customers?per=25 (page 1)", n: 2000, path: () => "/api/v1/customers?per=25", headers: auth, ref: () => `/__bench/customers?org=${A.id}&page=1` },
    { name: "GET /api/v1/customers?per=25 (page 400)", n: 2000, path: () => "/api/v1/customers?page=400&per=25", headers: auth, ref: () => `/__bench/customers?org=${A.id}&page=400` },
    { name: "GET /api/v1/customers/:id", n: 3000, path: () => `/api/v1/customers/${randomA()}`, headers: auth, ref: () => `/__bench/customers/${randomA()}?org=${A.id}` },
    { name: "GET /api/v1/customers/:id/eans", n: 3000, path: () => `/api/v1/customers/${randomA()}/eans`, headers: auth, ref: () => `/__bench/customers/${randomA()}/eans?org=${A.id}` },
    { name: "POST /api/v1/customers", n: 1500, method: "POST", path: () => "/api/v1/customers", headers: { ...auth, ...json }, body: () => JSON.stringify(customerBody(`p-${++seq}-${Date.now()}@bench.example`)), ref: () => `/__bench/customers?org=${A.id}` },
    { name: "POST …/eans/bulk (10)", n: 1000, method: "POST", path: () => `/api/v1/customers/${randomA()}/eans/bulk`, headers: { ...auth, ...json }, body: () => JSON.stringify({ eans: Array.from({ length: 10 }, () => eanBody(eanNumber(++seq))) }), ref: () => `/__bench/customers/${randomA()}/eans/bulk?org=${A.id}&n=10` },
    { name: "POST …/eans/bulk (100)", n: 300, method: "POST", path: () => `/api/v1/customers/${bulkCustomer}/eans/bulk`, headers: { ...auth, ...json }, body: () => JSON.stringify({ eans: Array.from({ length: 100 }, () => eanBody(eanNumber(++seq))) }), ref: () => `/__bench/customers/${bulkCustomer}/eans/bulk?org=${A.id}&n=100` },
  ];

  async function drive(label, n, method, makePath, headers, makeBody) {
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
          setupRequest: (request) => ({
            ...request,
            path: makePath(),
            headers: { ...headers, "x-request-id": `${label}-${++i}` },
            ...(makeBody ? { body: makeBody() } : {}),
          }),
        },
      ],
    });
    instance.on("response", () => {
      finished = performance.now();
    });
    const result = await instance;
    const seconds = (finished - started) / 1000;
    return {
      reqPerSec: result.requests.total / seconds,
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

  // Warm the isolate and D1 before measuring.
  await drive("warmup", 500, "GET", () => "/api/v1/me", auth);
  for (const [index, target] of targets.entries()) {
    const label = `t${index}`;
    // API and reference alternate, ROUNDS times each, and each keeps its median round: this
    // machine's throughput drifts by ±15% between runs, and alternating cancels most of it.
    const apiRounds = [];
    const refRounds = [];
    for (let round = 0; round < ROUNDS; round++) {
      apiRounds.push(await drive(label, target.n / ROUNDS, target.method ?? "GET", target.path, target.headers ?? {}, target.body));
      // The reference receives the same request body (and ignores it): moving it costs the same for both.
      if (target.ref) refRounds.push(await drive(`${label}ref`, target.n / ROUNDS, target.method ?? "GET", target.ref, target.body ? json : {}, target.body));
    }
    const errorsOf = (rounds) => rounds.reduce((n, r) => n + r.errors, 0);
    const api = { ...median(apiRounds, byThroughput), errors: errorsOf(apiRounds) };
    const ref = target.ref ? { ...median(refRounds, byThroughput), errors: errorsOf(refRounds) } : null;
    // Each round's API run is timed next to its reference run; the median of those paired ratios cancels the drift.
    const ratio = target.ref ? median(apiRounds.map((r, i) => r.reqPerSec / refRounds[i].reqPerSec)) : null;
    const entry = { name: target.name, api, ref, ratio, apiCost: costOf(label), refCost: costOf(`${label}ref`) };
    if (target.probe) probes.push(entry);
    else results.push(entry);
    console.log(`${target.name}: ${api.reqPerSec.toFixed(0)} req/s, p50 ${api.p50} ms, p99 ${api.p99} ms${ref ? ` | reference ${ref.reqPerSec.toFixed(0)} req/s, × ${ratio.toFixed(2)}` : ""}${api.errors ? ` | ${api.errors} non-2xx` : ""}`);
  }
} finally {
  await server.stop();
}

// Size and startup of the deployable Worker (the real one, minified as deployed).
const sizeDir = path.join(ROOT, ".wrangler", "bench-size");
rmSync(sizeDir, { recursive: true, force: true });
const dryRun = spawnSync(path.join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", sizeDir], { cwd: ROOT, encoding: "utf8" });
const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(dryRun.stdout + dryRun.stderr);
const profilePath = path.join(sizeDir, "startup.cpuprofile");
spawnSync(path.join(ROOT, "node_modules/.bin/wrangler"), ["check", "startup", "--outfile", profilePath], { cwd: ROOT, encoding: "utf8" });
let startupMs = null;
try {
  const profile = JSON.parse(readFileSync(profilePath, "utf8"));
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
  startupMs = profile.samples.reduce((ms, id, i) => (idle.has(id) ? ms : ms + profile.timeDeltas[i] / 1000), 0);
} catch {
  // no profile: reported as unknown
}

// Report.
const ping = results[0].api.reqPerSec;
const fmt = (n, d = 0) => (n === null || n === undefined ? "–" : Number(n).toFixed(d));
const ratio = (x, y) => (x && y ? x / y : null);
const cpu = os.cpus();
const wranglerVersion = execFileSync(path.join(ROOT, "node_modules/.bin/wrangler"), ["--version"], { encoding: "utf8" }).trim();
const throughputRows = results.map(({ name, api, ref, ratio: toRef }) =>
  `| ${name} | ${fmt(api.reqPerSec)} | ${fmt(api.p50)} | ${fmt(api.p99)} | ${fmt(ratio(api.reqPerSec, ping), 2)} | ${ref ? fmt(ref.reqPerSec) : "–"} | ${ref ? fmt(toRef, 2) : "–"} | ${api.errors + (ref?.errors ?? 0)} |`,
);
const costRows = results.map(({ name, apiCost, refCost }) =>
  `| ${name} | ${fmt(apiCost?.roundTrips, 1)} | ${fmt(apiCost?.statements, 1)} | ${fmt(apiCost?.rowsRead, 1)} | ${fmt(apiCost?.rowsWritten, 1)} | ${fmt(refCost?.statements, 1)} | ${fmt(refCost?.rowsRead, 1)} | ${fmt(refCost?.rowsWritten, 1)} |`,
);
const withRef = results.filter((r) => r.ref);
const below = withRef.filter((r) => r.ratio < 0.8).map((r) => r.name);
const lowestRatio = Math.min(...withRef.map((r) => r.ratio));
const limiter = probes[0];

// Chart: the API's throughput as a share of its bare reference, per endpoint.
const barHeight = 26;
const chartWidth = 760;
const labelWidth = 300;
const scaleMax = Math.max(1.2, ...withRef.map((r) => r.ratio));
const x = (v) => labelWidth + (v / scaleMax) * (chartWidth - labelWidth - 60);
const bars = withRef
  .map((r, i) => {
    const v = r.ratio;
    const y = 40 + i * (barHeight + 8);
    const colour = v >= 0.8 ? "#2e7d32" : "#c62828";
    return `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" font-size="12">${r.name.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</text><rect x="${labelWidth}" y="${y}" width="${x(v) - labelWidth}" height="${barHeight}" fill="${colour}"/><text x="${x(v) + 6}" y="${y + 17}" font-size="12">${v.toFixed(2)}×</text>`;
  })
  .join("\n  ");
const chartHeight = 60 + withRef.length * (barHeight + 8);
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${chartWidth}" height="${chartHeight}" font-family="sans-serif">
  <rect width="100%" height="100%" fill="white"/>
  <text x="10" y="22" font-size="14" font-weight="bold">Throughput of each endpoint ÷ its bare reference (target ≥ 0.8×)</text>
  <line x1="${x(0.8)}" y1="32" x2="${x(0.8)}" y2="${chartHeight - 10}" stroke="#555" stroke-dasharray="4 3"/>
  <line x1="${x(1)}" y1="32" x2="${x(1)}" y2="${chartHeight - 10}" stroke="#999"/>
  ${bars}
</svg>
`;
mkdirSync(REPORT_DIR, { recursive: true });
writeFileSync(CHART_PATH, svg);

const gzipKiB = upload ? Number(upload[2]) : null;
const report = `# Benchmarks

Rewritten by \`npm run bench\` (scripts/bench.mjs); do not edit by hand.

- **Date**: ${new Date().toISOString()}
- **Machine**: ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}
- **Runtime**: ${wranglerVersion.split("\n").pop()} \`wrangler dev\` (workerd and local D1/SQLite) on 127.0.0.1, Node ${process.version}
- **Load**: autocannon, ${CONNECTIONS} connections, a bounded number of requests per row, in ${ROUNDS} rounds, each endpoint's round run next to its reference's (req/s and latencies: the median round; × reference: the median of the ${ROUNDS} paired ratios); organisation A holds 10,000 customers and 20,000 EANs, organisation B 20 customers.

Everything runs on one 2-core machine — the load generator, wrangler's local
proxy, workerd and SQLite — so absolute figures are this machine's, not
Cloudflare's; the ratios are the point. The *reference* for an endpoint is a
bare route (bench/worker.ts, never deployed) that makes the platform calls
the endpoint makes — the same D1 statements (the same rows read and written)
in one round trip on a D1 session, and one rate-limit check — with no
routing, authentication, validation or serialisation (it receives the same
request body, and answers \`ok\`). What separates an endpoint from its
reference is the API's own work: routing, the token check (a SHA-256 and an
isolate-cache hit), zod validation, rendering and the log line.

The rate-limit check is in both because every request must make it and
neither side can do it cheaper; locally it is expensive (wrangler emulates the
binding with a Durable Object that writes its counter to SQLite on every
call), whereas Cloudflare answers it from a counter on the Worker's own
machine. Its local cost is measured on its own below.

## Throughput and latency

| endpoint | req/s | p50 ms | p99 ms | × ping | reference req/s | × reference | non-2xx |
|---|---|---|---|---|---|---|---|
${throughputRows.join("\n")}

![ratios](bench/ratios.svg)

## The rate-limit check, locally

| | req/s |
|---|---|
| GET /me's reference, with its rate-limit check | ${fmt(limiter?.api.reqPerSec)} |
| the same without it | ${fmt(limiter?.ref?.reqPerSec)} |
| share of the reference's throughput the local check costs | ${limiter?.ratio ? `${fmt((1 - limiter.ratio) * 100)}%` : "–"} |
${limiter?.ratio ? `
Counted as the API's own work instead, the check would scale every ratio
above by ${fmt(limiter.ratio, 2)}: the lowest would be ${fmt(limiter.ratio * lowestRatio, 2)}×.
` : ""}
## Cost per request (from the request log lines)

Averages per request. D1 bills rows read and written; each database runs one
statement at a time.

| endpoint | round trips | statements | rows read | rows written | reference statements | reference rows read | reference rows written |
|---|---|---|---|---|---|---|---|
${costRows.join("\n")}

## Size and startup

| | |
|---|---|
| Worker upload (minified, as deployed) | ${upload ? `${upload[1]} KiB, **${upload[2]} KiB gzip**` : "unknown"} |
| Startup CPU (\`wrangler check startup\`, this machine) | ${startupMs === null ? "unknown" : `${startupMs.toFixed(1)} ms`} |

## Targets

| target | result |
|---|---|
| every endpoint ≥ 0.8× its bare reference | ${below.length === 0 ? `met: ${fmt(lowestRatio, 2)}× at the lowest` : `not met in this run for: ${below.join("; ")}`} |
| one D1 round trip for reads, one batch for writes | ${results.filter((r) => r.apiCost && r.name !== "GET /api/v1/ping").every((r) => r.apiCost.roundTrips <= 1) ? "met: every endpoint above is one round trip (writes: one atomic batch, no read before it)" : "not met (see costs)"} |
| no KV read for a token the isolate has seen | met by design: tokens are cached in the isolate for 30 s (test/api/authentication.test.ts counts KV reads) |
| rows read ≤ rows returned + 5 (every read endpoint, any size); page 400 no dearer than page 1 | list: ${fmt(results[2].apiCost?.rowsRead, 1)} rows (page 1) vs ${fmt(results[3].apiCost?.rowsRead, 1)} (page 400) for 25 returned |
| a bulk of 100 EANs in one batch | ${results[8].apiCost ? `${results[8].apiCost.roundTrips <= 1 ? "met" : "not met"}: ${fmt(results[8].apiCost.roundTrips, 1)} round trip, a batch of ${fmt(results[8].apiCost.statements, 0)} insert statements (≤ 100 bound parameters each)` : "–"} |
| Worker ≤ 150 KiB gzip | ${gzipKiB === null ? "unknown" : gzipKiB <= 150 ? `met (${gzipKiB} KiB)` : `not met (${gzipKiB} KiB)`} |
`;
writeFileSync(REPORT_PATH, report);
console.log(`\n${path.relative(ROOT, REPORT_PATH)} and ${path.relative(ROOT, CHART_PATH)} written${WRITE ? "" : " (untracked; `npm run bench -- --write` records the run in BENCHMARKS.md)"}.`);
