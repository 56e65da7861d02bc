#!/usr/bin/env node
/**
 * @module `npm run soak [-- --requests N]`: a bounded soak against a
 * throwaway `wrangler dev` on loopback. Two organisations, every endpoint
 * mixed, 32 requests in flight; then it checks and prints: 5xx answers (must
 * be 0), writes acknowledged but not listable (must be 0), duplicates (must
 * be 0), unexpected statuses, and p50/p99 per endpoint. Exits non-zero when a
 * check fails. Not part of `npm test`.
 */
import { performance } from "node:perf_hooks";
import { startLoadtestServer } from "./loadtest-server.mjs";
import { apiRequest, eanNumber as validEanNumber } from "./local.mjs";

const eanNumber = (n) => validEanNumber("54", n);

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const TOTAL = option("requests", 20_000);
const CONCURRENCY = option("concurrency", 32);
const DEADLINE_MS = 10 * 60 * 1000;

const server = await startLoadtestServer("soak");
const { baseUrl, adminToken } = server;
let sequence = 0;
const next = () => ++sequence;

async function send(method, path, token, body, headers = {}) {
  const answer = await apiRequest(baseUrl, method, path, { token, body, headers });
  return { ...answer, replayed: answer.headers.get("Idempotent-Replayed") };
}

function customerBody(email) {
  return {
    customer: {
      email,
      terms_and_conditions: true,
      privacy_policy: true,
      profile: {
        first_name: "Soak",
        last_name: "Test",
        title: "mrs",
        phone: "056 98 01 44",
        birth_date: "1985-05-05",
        city: "Gent",
        street: "Veldstraat",
        building: "1",
        postal_code: "9000",
      },
    },
  };
}
const ean = (number, supplierId) => ({
  number,
  product: number.endsWith("0") ? "gas" : "electricity",
  supplier_id: supplierId,
  consumptions: [{ name: "mono", volume: "3500", price: "0.31" }],
  fixed_fee: "97.50",
});

try {
  const suppliers = [];
  for (const name of ["Soak Supplier A", "Soak Supplier B"]) {
    const created = await send("POST", "/admin/v1/suppliers", adminToken, { name });
    if (created.status !== 201) throw new Error(`supplier ${name}: ${created.status}`);
    suppliers.push(created.body);
  }
  const orgs = [];
  for (const name of ["Soak Org A", "Soak Org B"]) {
    const created = (await send("POST", "/admin/v1/organisations", adminToken, { name })).body;
    orgs.push({ id: created.organisation.id, token: created.token.token, customers: [], eans: new Map() });
  }
  for (const org of orgs) {
    const email = `seed-${org.id}@soak.example`;
    org.customers.push({ id: (await send("POST", "/api/v1/customers", org.token, customerBody(email))).body.id, email });
  }

  const latencies = new Map();
  const counts = { fiveXX: 0, unexpected: [], total: 0 };
  const pick = (list) => list[Math.floor(Math.random() * list.length)];

  // [name, weight, run(org) → expected statuses]
  const operations = [
    ["GET /api/v1/ping", 4, async () => [await send("GET", "/api/v1/ping"), [200]]],
    ["GET /api/v1/me", 5, async (org) => [await send("GET", "/api/v1/me", org.token), [200]]],
    ["GET /api/v1/suppliers", 4, async (org) => [await send("GET", "/api/v1/suppliers", org.token), [200]]],
    [
      "POST /api/v1/customers",
      14,
      async (org) => {
        const email = `c${next()}-${org.id}@soak.example`;
        const result = await send("POST", "/api/v1/customers", org.token, customerBody(email));
        if (result.status === 201) org.customers.push({ id: result.body.id, email });
        return [result, [201]];
      },
    ],
    [
      "POST /api/v1/customers (taken e-mail)",
      3,
      async (org) => [await send("POST", "/api/v1/customers", org.token, customerBody(pick(orgs).customers[0].email)), [422]],
    ],
    [
      "POST /api/v1/customers (idempotent retry)",
      3,
      async (org) => {
        const email = `i${next()}-${org.id}@soak.example`;
        const key = `soak-${email}`;
        const first = await send("POST", "/api/v1/customers", org.token, customerBody(email), { "Idempotency-Key": key });
        const retry = await send("POST", "/api/v1/customers", org.token, customerBody(email), { "Idempotency-Key": key });
        if (first.status === 201) org.customers.push({ id: first.body.id, email });
        const replayedSame = retry.status === 201 && retry.replayed === "true" && retry.body.id === first.body.id;
        return [first, [201], replayedSame ? null : `retry ${retry.status} replayed=${retry.replayed}`];
      },
    ],
    ["GET /api/v1/customers", 8, async (org) => [await send("GET", `/api/v1/customers?page=${1 + Math.floor(Math.random() * 5)}&per=25`, org.token), [200]]],
    ["GET /api/v1/customers/:id", 12, async (org) => [await send("GET", `/api/v1/customers/${pick(org.customers).id}`, org.token), [200]]],
    [
      "GET /api/v1/customers/:id (other organisation)",
      3,
      async (org) => {
        const other = orgs.find((o) => o !== org);
        return [await send("GET", `/api/v1/customers/${pick(other.customers).id}`, org.token), [404]];
      },
    ],
    [
      "POST /api/v1/customers/:id/eans",
      12,
      async (org) => {
        const customer = pick(org.customers);
        const number = eanNumber(next());
        const result = await send("POST", `/api/v1/customers/${customer.id}/eans`, org.token, { ean: ean(number, pick(suppliers).id) });
        if (result.status === 201) org.eans.set(number, customer.id);
        return [result, [201]];
      },
    ],
    [
      "POST /api/v1/customers/:id/eans/bulk",
      5,
      async (org) => {
        const customer = pick(org.customers);
        const numbers = Array.from({ length: 10 }, () => eanNumber(next()));
        const result = await send("POST", `/api/v1/customers/${customer.id}/eans/bulk`, org.token, {
          eans: numbers.map((n) => ({ ean: ean(n, pick(suppliers).id) })),
        });
        if (result.status === 201) for (const n of numbers) org.eans.set(n, customer.id);
        return [result, [201]];
      },
    ],
    ["GET /api/v1/customers/:id/eans", 10, async (org) => [await send("GET", `/api/v1/customers/${pick(org.customers).id}/eans`, org.token), [200]]],
    [
      "GET /api/mind/customer/byCustomerId/:id",
      5,
      async (org) => [await send("GET", `/api/mind/customer/byCustomerId/${pick(org.customers).id}`, org.token), [200]],
    ],
  ];
  const weighted = operations.flatMap((op) => Array(op[1]).fill(op));

  const started = performance.now();
  let issued = 0;
  // Progress every 5 s: done/total, the rate so far, errors (5xx and unexpected statuses).
  const progress = setInterval(() => {
    const seconds = (performance.now() - started) / 1000;
    console.log(`${counts.total}/${TOTAL} done, ${(counts.total / seconds).toFixed(0)} req/s, ${counts.fiveXX} 5xx, ${counts.unexpected.length} unexpected`);
  }, 5_000);
  async function lane() {
    while (issued < TOTAL && performance.now() - started < DEADLINE_MS) {
      issued += 1;
      const [name, , run] = pick(weighted);
      const org = pick(orgs);
      const t0 = performance.now();
      let outcome;
      try {
        outcome = await run(org);
      } catch (error) {
        counts.unexpected.push(`${name}: ${error.message}`);
        continue;
      }
      const ms = performance.now() - t0;
      const [result, expected, problem] = outcome;
      counts.total += 1;
      if (!latencies.has(name)) latencies.set(name, []);
      latencies.get(name).push(ms);
      if (result.status >= 500) counts.fiveXX += 1;
      if (!expected.includes(result.status) || problem) counts.unexpected.push(`${name}: ${result.status}${problem ? ` (${problem})` : ""}`);
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, lane)).finally(() => clearInterval(progress));
  const elapsed = (performance.now() - started) / 1000;

  // Every acknowledged write must be listable, once.
  let missing = 0;
  let duplicates = 0;
  const seenEmails = new Set();
  const seenNumbers = new Set();
  for (const org of orgs) {
    const listed = new Set();
    for (let page = 1; ; page++) {
      const { body } = await send("GET", `/api/v1/customers?page=${page}&per=25`, org.token);
      for (const record of body.records) {
        if (listed.has(record.id) || seenEmails.has(record.email)) duplicates += 1;
        listed.add(record.id);
        seenEmails.add(record.email);
      }
      if (body.next_page === null) break;
    }
    missing += org.customers.filter((c) => !listed.has(c.id)).length;
    const byCustomer = new Map();
    for (const [number, customerId] of org.eans) byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), number]);
    for (const customer of org.customers) {
      const { body } = await send("GET", `/api/v1/customers/${customer.id}/eans`, org.token);
      const numbers = body.map((e) => e.number);
      for (const n of numbers) {
        if (seenNumbers.has(n)) duplicates += 1;
        seenNumbers.add(n);
      }
      missing += (byCustomer.get(customer.id) ?? []).filter((n) => !numbers.includes(n)).length;
    }
  }

  const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const rows = [...latencies.entries()].map(([name, values]) => {
    const sorted = values.sort((a, b) => a - b);
    return `| ${name} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} |`;
  });
  const acknowledged = orgs.reduce((n, o) => n + o.customers.length + o.eans.size, 0);
  console.log(`
## Soak run — ${new Date().toISOString()}

${counts.total} requests (${TOTAL} asked), concurrency ${CONCURRENCY}, two organisations, ${elapsed.toFixed(1)} s (${(counts.total / elapsed).toFixed(0)} req/s), wrangler dev on loopback.

| check | result |
|---|---|
| 5xx answers | ${counts.fiveXX} |
| writes acknowledged (customers + EANs) | ${acknowledged} |
| acknowledged but not listable | ${missing} |
| duplicates (ids, e-mails, EAN numbers) | ${duplicates} |
| unexpected statuses | ${counts.unexpected.length} |

| endpoint | requests | p50 ms | p99 ms |
|---|---|---|---|
${rows.join("\n")}
`);
  if (counts.unexpected.length) console.log(`Unexpected: ${counts.unexpected.slice(0, 20).join("; ")}`);
  process.exitCode = counts.fiveXX || missing || duplicates || counts.unexpected.length ? 1 : 0;
} finally {
  await server.stop();
}
