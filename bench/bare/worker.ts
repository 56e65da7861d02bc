/**
 * @module The bare reference for `npm run bench`: a hand-written Worker with
 * no framework, no [assets] and no log line, answering the API's own paths
 * with the same D1 statements in one batch on a D1 session, and the same
 * rate-limit call on authenticated paths — the writes' event inserts and
 * webhook probe included (their SQL text is the API's, src/domain/db/events.ts). It
 * trusts every request (no token check: the API's is an isolate-cache hit)
 * and renders the rows as they come, with the API's answer headers. What the
 * API costs beyond it is the API's stack: routing, auth, validation,
 * rendering, its log line. Organisation 1 is the caller.
 */
import { CUSTOMER_CREATED_SQL, eansCreatedSql, NUMBERS_PER_STATEMENT, WEBHOOK_PROBE_SQL } from "../../src/domain/db/events";

interface Env {
  DB: D1Database;
  RATE_LIMITER: RateLimit;
}

const ORG = 1;
/**
 * The headers every API answer carries (src/middleware/answer-headers.ts, request-id.ts), written
 * out: the same bytes on the wire, which the dev server's proxy and the load generator handle too.
 */
const ANSWER_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cross-origin-resource-policy": "same-origin",
  "referrer-policy": "no-referrer",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};

const CUSTOMER_COLUMNS =
  "organisation_id, org_seq, email, registered_from_ip, title, first_name, last_name, birth_date, phone, city, street, building, building_addon, postal_code, language, created_at, updated_at";
const EAN_VALUE_COLUMNS =
  "supplier_id, number, product, reason, building, building_addon, street, city, postal_code, consumptions, solar_panels, inverter_max_power, contract_end_date, respect_contract_end_date, fixed_fee, tariff_group, recording_period, wkk, gsc";
const EAN_ROWS_PER_STATEMENT = 4;

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: { ...ANSWER_HEADERS, "x-request-id": crypto.randomUUID() } });
}

/** The seed: `customers` customers of organisation 1, two EANs each, as the bench seeds the API through its endpoints. */
async function seed(db: D1Database, customers: number): Promise<Response> {
  const now = new Date().toISOString();
  await db.batch([
    db.prepare("insert into organisations (id, name, domain, customers_count, created_at) values (1, 'Bench Org A', 'bench-org-a-1', 0, ?)").bind(now),
    db
      .prepare(
        `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ?1)
         insert into customers (${CUSTOMER_COLUMNS}, eans_count)
         select 1, n, 'seed-' || n || '@bench.example', '44.132.61.13', 'mr', 'Danny', 'Ocean', '2000-04-07', '+3256980144',
           'Huelborough', 'Rodriguez', '8962', 'Suite 316', '84783', 'en', ?2, ?2, 2 from seq`,
      )
      .bind(customers, now),
    db.prepare("update organisations set customers_count = ?1 where id = 1").bind(customers),
    db
      .prepare(
        `insert into eans (customer_id, ${EAN_VALUE_COLUMNS}, supplier_name, state, created_at, confirmed_at)
         select c.id, null, '54' || printf('%016d', c.id * 2 + k.k), 'electricity', 'normal', '15', 'A', 'street name', 'Kiev', '2443',
           '[{"name":"mono","volume":"22.25","price":"0.15"}]', 1, 315, '2020-10-09', 1, '1.0', 'mono', 'february', '0.00341', '0.0214',
           null, 'ready', ?1, ?1
         from customers c, (select 0 as k union all select 1) k`,
      )
      .bind(now),
  ]);
  return json({ seeded: customers });
}

async function handle(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const parts = url.pathname.split("/").filter(Boolean); // ["api", "v1", …]
  const method = request.method;
  if (parts[0] === "__seed") return seed(env.DB, Number(url.searchParams.get("customers")));
  if (parts[0] !== "api" || parts[1] !== "v1") return json("Not found", 404);
  if (parts[2] === "ping") return json({});

  const db = env.DB.withSession(method === "GET" ? "first-unconstrained" : "first-primary");
  if (url.searchParams.get("limiter") !== "0") await env.RATE_LIMITER.limit({ key: `token:${ORG}` });

  if (parts[2] === "me") {
    const [org] = await db.batch([db.prepare("select id, name, domain, created_at from organisations where id = ?").bind(ORG)]);
    return json(org!.results[0]);
  }
  if (parts[2] === "customers" && parts.length === 3 && method === "GET") {
    const page = Math.max(1, Number.parseInt(url.searchParams.get("page") ?? "1", 10) || 1);
    const [org, rows] = await db.batch([
      db.prepare("select id, name, domain, created_at, customers_count from organisations where id = ?").bind(ORG),
      db.prepare("select * from customers where organisation_id = ? and org_seq > ? and org_seq <= ? order by org_seq").bind(ORG, (page - 1) * 25, page * 25),
    ]);
    return json({ organisation: org!.results[0], records: rows!.results });
  }
  if (parts[2] === "customers" && parts.length === 3 && method === "POST") {
    const body = (await request.json()) as { customer: { email: string } };
    const now = new Date().toISOString();
    const [customer, org] = await db.batch([
      db
        .prepare(
          `insert into customers (${CUSTOMER_COLUMNS}) values (?1, (select customers_count + 1 from organisations where id = ?1), ?2, '44.132.61.13',
            'mr', 'Danny', 'Ocean', '2000-04-07', '+3256980144', 'Huelborough', 'Rodriguez', '8962', 'Suite 316', '84783', 'en', ?3, ?3) returning *`,
        )
        .bind(ORG, body.customer.email, now),
      db.prepare("update organisations set customers_count = customers_count + 1 where id = ? returning id, name, domain, created_at").bind(ORG),
      // Its event, as the API writes it in the same batch.
      db.prepare(CUSTOMER_CREATED_SQL).bind(now, ORG),
      // The API's webhook probe: does the organisation have endpoints?
      db.prepare(WEBHOOK_PROBE_SQL).bind(ORG),
    ]);
    return json({ customer: customer!.results[0], organisation: org!.results[0] }, 201);
  }
  const customerId = Number(parts[3]);
  if (parts[2] === "customers" && parts.length === 4) {
    const [rows] = await db.batch([
      db
        .prepare(
          "select c.*, o.id as org_id, o.name as org_name, o.domain as org_domain, o.created_at as org_created_at from customers c join organisations o on o.id = c.organisation_id where c.id = ? and c.organisation_id = ?",
        )
        .bind(customerId, ORG),
    ]);
    return rows!.results.length ? json(rows!.results[0]) : json("Not found", 404);
  }
  if (parts[2] === "customers" && parts[4] === "eans" && parts.length === 5 && method === "GET") {
    const [owner, rows] = await db.batch([
      db.prepare("select id from customers where id = ? and organisation_id = ?").bind(customerId, ORG),
      db.prepare("select * from eans where customer_id = (select id from customers where id = ? and organisation_id = ?) order by id").bind(customerId, ORG),
    ]);
    return owner!.results.length ? json(rows!.results) : json("Not found", 404);
  }
  if (parts[2] === "customers" && parts[4] === "eans" && parts[5] === "bulk" && method === "POST") {
    const body = (await request.json()) as { eans: Array<{ ean: Record<string, unknown> }> };
    const items = body.eans.map(({ ean }) => ean);
    const now = new Date().toISOString();
    const statements = [
      db
        .prepare(
          "update customers set eans_count = case when eans_count + ?1 <= 500 then eans_count + ?1 end where id = ?2 and organisation_id = ?3 returning eans_count",
        )
        .bind(items.length, customerId, ORG),
    ];
    const columns = EAN_VALUE_COLUMNS.split(", ");
    for (let i = 0; i < items.length; i += EAN_ROWS_PER_STATEMENT) {
      const chunk = items.slice(i, i + EAN_ROWS_PER_STATEMENT);
      const row = `(${Array(columns.length + 1)
        .fill("?")
        .join(", ")})`;
      const v = (column: string) => `v.column${columns.indexOf(column) + 2}`;
      statements.push(
        db
          .prepare(
            `insert into eans (customer_id, supplier_id, supplier_name, ${columns.slice(1).join(", ")}, state, created_at, confirmed_at)
             select c.id, ${v("supplier_id")}, (select s.name from suppliers s where s.id = ${v("supplier_id")}), ${columns.slice(1).map(v).join(", ")}, 'ready', ?, ?
             from (values ${Array(chunk.length).fill(row).join(", ")}) v join customers c on c.id = ? and c.organisation_id = ?
             order by v.column1 returning *`,
          )
          .bind(
            now,
            now,
            ...chunk.flatMap((item, j) => [
              i + j,
              ...columns.map((column) => {
                const value = item[column] ?? null;
                if (column === "consumptions") return value === null ? null : JSON.stringify(value);
                return typeof value === "boolean" ? Number(value) : value;
              }),
            ]),
            customerId,
            ORG,
          ),
      );
    }
    const inserts = statements.length - 1;
    // Their events, as the API writes them in the same batch.
    const numbers = items.map((item) => String(item.number));
    for (let i = 0; i < numbers.length; i += NUMBERS_PER_STATEMENT) {
      const chunk = numbers.slice(i, i + NUMBERS_PER_STATEMENT);
      statements.push(db.prepare(eansCreatedSql(chunk.length)).bind(ORG, now, customerId, ORG, ...chunk));
    }
    // The API's webhook probe: does the organisation have endpoints?
    statements.push(db.prepare(WEBHOOK_PROBE_SQL).bind(ORG));
    const results = await db.batch(statements);
    return json(
      results.slice(1, 1 + inserts).flatMap((result) => result.results),
      201,
    );
  }
  return json("Not found", 404);
}

export default { fetch: handle } satisfies ExportedHandler<Env>;
