/**
 * @module The benchmark's Worker (never deployed: `npm run bench` runs it
 * under wrangler dev). Everything goes to the real app, except /__bench/*:
 * - bare reference routes that make the platform calls an endpoint makes —
 *   the same D1 statements (same rows read and written) in one round trip on
 *   a D1 session, and one rate-limit check — with no routing, auth,
 *   validation or serialisation: the platform's own limit. `?limiter=0`
 *   leaves the rate-limit check out, to show what it costs;
 * - /__bench/seed, which fills organisation A with customers and EANs.
 */
import app from "../src/index";
import { sessionConstraint } from "../src/middleware/request-context";
import type { Bindings } from "../src/env";

let sequence = 0;

/** Logs a reference request's D1 cost the way the app logs its own. */
function logCost(request: Request, label: string, results: D1Result[]) {
  const sum = (key: "rows_read" | "rows_written") => results.reduce((n, r) => n + (r.meta[key] ?? 0), 0);
  console.log(
    JSON.stringify({
      request_id: request.headers.get("X-Request-Id") ?? label,
      method: request.method,
      route: label,
      status: 200,
      d1_round_trips: 1,
      d1_statements: results.length,
      d1_rows_read: sum("rows_read"),
      d1_rows_written: sum("rows_written"),
    }),
  );
}

const CUSTOMER_COLUMNS =
  "organisation_id, org_seq, email, registered_from_ip, title, first_name, last_name, birth_date, phone, city, street, building, building_addon, postal_code, language, created_at, updated_at";

const EAN_COLUMNS =
  "customer_id, supplier_id, supplier_name, number, product, reason, building, building_addon, street, city, state, postal_code, consumptions, solar_panels, inverter_max_power, contract_end_date, respect_contract_end_date, fixed_fee, tariff_group, recording_period, wkk, gsc, created_at, confirmed_at";


async function reference(request: Request, env: Bindings): Promise<Response> {
  const url = new URL(request.url);
  const org = Number(url.searchParams.get("org"));
  // On a D1 session, as the API's requests are (reads may use a replica; writes start at the primary).
  const db = env.DB.withSession(sessionConstraint(request.method));
  const parts = url.pathname.split("/").filter(Boolean); // ["__bench", ...]
  const now = new Date().toISOString();
  let statements: D1PreparedStatement[];
  let label: string;

  if (parts[1] === "seed") {
    const customers = Number(url.searchParams.get("customers"));
    await db.batch([
      db.prepare(
        `with recursive seq(n) as (select 1 union all select n + 1 from seq where n < ?2)
         insert into customers (${CUSTOMER_COLUMNS})
         select ?1, n, 'bench-' || cast(?1 as integer) || '-' || n || '@example.com', '203.0.113.1', 'mr', 'Bench', 'Customer', '1980-01-01',
           '+3256980144', 'Gent', 'Veldstraat', '1', null, '9000', 'nl', ?3, ?3 from seq`,
      ).bind(org, customers, now),
      db.prepare("update organisations set customers_count = ? where id = ?").bind(customers, org),
      db.prepare(
        `insert into eans (${EAN_COLUMNS})
         select c.id, null, null, '54' || printf('%016d', c.id * 2 + k.k), case k.k when 0 then 'electricity' else 'gas' end, 'normal',
           '15', 'A', 'street name', 'Kiev', 'ready', '2443', '[{"name":"mono","volume":"22.25","price":"0.15"}]', 1, 315, '2020-10-09', 1,
           '1.0', 'mono', 'february', '0.00341', '0.0214', ?2, ?2
         from customers c, (select 0 as k union all select 1) k where c.organisation_id = ?1`,
      ).bind(org, now),
    ]);
    return new Response("seeded");
  }

  if (parts[1] === "me") {
    label = "ref GET /me";
    statements = [db.prepare("select id, name, domain, created_at from organisations where id = ?").bind(org)];
  } else if (parts[1] === "customers" && parts.length === 2 && request.method === "GET") {
    const page = Number(url.searchParams.get("page") ?? 1);
    label = `ref GET /customers page ${page}`;
    statements = [
      db.prepare("select id, name, domain, created_at, customers_count from organisations where id = ?").bind(org),
      db.prepare("select * from customers where organisation_id = ? and org_seq > ? and org_seq <= ? order by org_seq").bind(org, (page - 1) * 25, page * 25),
    ];
  } else if (parts[1] === "customers" && parts.length === 2 && request.method === "POST") {
    label = "ref POST /customers";
    sequence += 1;
    const email = `ref-${crypto.randomUUID()}-${sequence}@example.com`;
    statements = [
      db.prepare(
        `insert into customers (${CUSTOMER_COLUMNS}) values (?, (select customers_count + 1 from organisations where id = ?), ?, ?, 'mr', 'Danny', 'Ocean', '2000-04-07', '+3256980144', 'Huelborough', 'Rodriguez', '8962', 'Suite 316', '84783', 'en', ?, ?) returning *`,
      ).bind(org, org, email, "44.132.61.13", now, now),
      db.prepare("update organisations set customers_count = customers_count + 1 where id = ? returning id, name, domain, created_at").bind(org),
    ];
  } else if (parts[1] === "customers" && parts.length === 3) {
    label = "ref GET /customers/:id";
    statements = [
      db.prepare("select * from customers where id = ? and organisation_id = ?").bind(Number(parts[2]), org),
      db.prepare("select id, name, domain, created_at, customers_count from organisations where id = ?").bind(org),
    ];
  } else if (parts[1] === "customers" && parts[3] === "eans" && parts.length === 4) {
    label = "ref GET /customers/:id/eans";
    statements = [
      db.prepare("select id from customers where id = ? and organisation_id = ?").bind(Number(parts[2]), org),
      db.prepare("select * from eans where customer_id = ? order by id").bind(Number(parts[2])),
    ];
  } else if (parts[1] === "customers" && parts[4] === "bulk") {
    const customerId = Number(parts[2]);
    const n = Number(url.searchParams.get("n") ?? 10);
    label = `ref POST /customers/:id/eans/bulk ${n}`;
    const numbers = Array.from({ length: n }, () => `59${String(Math.floor(Math.random() * 1e16)).padStart(16, "0")}`);
    // The API's statements: a VALUES list joined to the organisation's customer, the supplier's name looked up inline.
    const rowsPerStatement = Math.floor((100 - 4) / 20);
    statements = [];
    for (let i = 0; i < n; i += rowsPerStatement) {
      const chunk = numbers.slice(i, i + rowsPerStatement);
      const rows = chunk.map(() => `(${Array(20).fill("?").join(", ")})`).join(", ");
      statements.push(
        db
          .prepare(
            `insert into eans (${EAN_COLUMNS})
             select c.id, v.column2, (select s.name from suppliers s where s.id = v.column2), v.column3, v.column4, v.column5, v.column6,
               v.column7, v.column8, v.column9, 'ready', v.column10, v.column11, v.column12, v.column13, v.column14, v.column15,
               v.column16, v.column17, v.column18, v.column19, v.column20, ?, ?
             from (values ${rows}) v join customers c on c.id = ? and c.organisation_id = ?
             order by v.column1 returning *`,
          )
          // Placeholders in text order: the select list's two timestamps, the VALUES rows, then the customer and organisation.
          .bind(now, now, ...chunk.flatMap((num, j) => [i + j, null, num, "electricity", "normal", "15", "A", "street name", "Kiev", "2443", '[{"name":"mono","volume":"22.25","price":"0.15"}]', 1, 315, "2020-10-09", 1, "1.0", "mono", "february", "0.00341", "0.0214"]), customerId, org),
      );
    }
  } else {
    return new Response("no such reference", { status: 404 });
  }
  // The platform calls every API request makes besides D1: the rate-limit check (its key as the API's: one per token).
  if (url.searchParams.get("limiter") !== "0") await env.RATE_LIMITER.limit({ key: `token:bench-${org}` });
  const results = await db.batch(statements);
  logCost(request, label, results);
  return new Response("ok");
}

export default {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext) {
    if (new URL(request.url).pathname.startsWith("/__bench/")) return reference(request, env);
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Bindings>;
