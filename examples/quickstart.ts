/**
 * The whole flow through Hono's typed client (`hc<AppType>`), against a
 * running `wrangler dev`: the operator creates an organisation, which creates
 * a customer, adds EANs one by one and in bulk, and lists them.
 *
 *   npm run dev                       # in one terminal
 *   npx node examples/quickstart.ts   # in another (the project's Node 22 runs TypeScript as is)
 *
 * ENBRO_URL (default http://localhost:8787) and ENBRO_ADMIN_TOKEN (default:
 * ADMIN_TOKEN from .dev.vars) say where and as whom:
 *
 *   ENBRO_URL=http://localhost:9000 npx node examples/quickstart.ts
 *
 * It can run again and again: it reuses its supplier, and each run creates a
 * new organisation (tokens are shown once, so a run cannot take over an
 * earlier run's organisation).
 */
import { readFileSync } from "node:fs";
import { hc } from "hono/client";
import type { AppType } from "../src/app";
import { gs1CheckDigit } from "../src/lib/ean-number.ts";

const baseUrl = process.env.ENBRO_URL ?? "http://localhost:8787";
const adminToken = process.env.ENBRO_ADMIN_TOKEN ?? /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(".dev.vars", "utf8"))?.[1] ?? "";

function step(title: string, value: unknown) {
  console.log(`\n▶ ${title}\n${JSON.stringify(value, null, 2)}`);
}

/** A valid Belgian EAN number (GS1 mod-10 check digit) from a 15-digit seed. */
function eanNumber(seed: number): string {
  const payload = `54${String(seed).padStart(15, "0")}`;
  return payload + gs1CheckDigit(payload);
}

const operator = hc<AppType>(baseUrl, { headers: { Authorization: `Bearer ${adminToken}` } });

// Supplier names are unique: a second run finds the first run's supplier.
const SUPPLIER_NAME = "Quickstart Energy";
const suppliers = await (await operator.admin.v1.suppliers.$get()).json();
let supplier = Array.isArray(suppliers) ? suppliers.find((s) => s.name === SUPPLIER_NAME) : undefined;
if (supplier) {
  step("Operator finds its supplier (created by an earlier run)", supplier);
} else {
  const supplierResponse = await operator.admin.v1.suppliers.$post({ json: { name: SUPPLIER_NAME } });
  const created = await supplierResponse.json();
  if (supplierResponse.status !== 201 || !("id" in created)) throw new Error(`supplier: ${supplierResponse.status}`);
  supplier = created;
  step("Operator creates a supplier", supplier);
}

const created = await operator.admin.v1.organisations.$post({ json: { name: "Quickstart Brokers" } });
const organisation = await created.json();
if (created.status !== 201 || !("token" in organisation)) throw new Error(`organisation: ${created.status}`);
step("Operator creates an organisation (its token is shown once)", organisation);

const api = hc<AppType>(baseUrl, { headers: { Authorization: `Bearer ${organisation.token.token}` } });
const seed = Date.now() % 1e12;

const customerResponse = await api.api.v1.customers.$post({
  json: {
    customer: {
      email: `danny.${seed}@example.com`,
      terms_and_conditions: true,
      privacy_policy: true,
      profile: {
        first_name: "Danny",
        last_name: "Ocean",
        title: "mr",
        phone: "056 98 01 44",
        birth_date: "1980-04-07",
        city: "Kortrijk",
        street: "Grote Markt",
        building: "54",
        postal_code: "8500",
        language: "nl",
      },
    },
  },
});
const customer = await customerResponse.json();
if (customerResponse.status !== 201 || !("profile" in customer)) throw new Error(`customer: ${customerResponse.status}`);
step("Organisation creates a customer", customer);

const customerId = String(customer.id);
const eanResponse = await api.api.v1.customers[":customer_id"].eans.$post({
  param: { customer_id: customerId },
  json: {
    ean: {
      number: eanNumber(seed * 10),
      product: "electricity",
      supplier_id: supplier.id,
      tariff_group: "dual",
      consumptions: [{ name: "day", volume: "2100", price: "0.31" }],
    },
  },
});
step("…adds an EAN", await eanResponse.json());

const bulkResponse = await api.api.v1.customers[":customer_id"].eans.bulk.$post({
  param: { customer_id: customerId },
  json: {
    eans: [
      { ean: { number: eanNumber(seed * 10 + 1), product: "gas" } },
      { ean: { number: eanNumber(seed * 10 + 2), product: "electricity", reason: "moved" } },
    ],
  },
});
const bulk = await bulkResponse.json();
if (bulkResponse.status !== 201) throw new Error(`bulk: ${bulkResponse.status} ${JSON.stringify(bulk)}`);
step("…adds two EANs in bulk", bulk);

const listed = await (await api.api.v1.customers[":customer_id"].eans.$get({ param: { customer_id: customerId } })).json();
step("…lists the customer's EANs", listed);

const page = await (await api.api.v1.customers.$get({ query: { page: "1", per: "25" } })).json();
step("…lists its customers", page);
if (!Array.isArray(listed) || listed.length !== 3) throw new Error("expected 3 EANs");

// A read-only key for a customer-service tool: it reads, and its writes are refused (403).
const keyResponse = await api.api.v1.tokens.$post({ json: { token: { name: "Customer service", scope: "read", expires_at: null } } });
const key = await keyResponse.json();
if (keyResponse.status !== 201 || !("token" in key)) throw new Error(`key: ${keyResponse.status}`);
step("…makes a read-only key (its secret is shown once)", { ...key, token: `${key.token.slice(0, 10)}…` });
const reader = hc<AppType>(baseUrl, { headers: { Authorization: `Bearer ${key.token}` } });
const readable = await reader.api.v1.customers[":customer_id"].$get({ param: { customer_id: customerId } });
// The typed client knows the endpoint's own answers; 403 is the key's.
const refused: number = (await reader.api.v1.customers[":customer_id"].$delete({ param: { customer_id: customerId } })).status;
step("…which reads the customer, and may not erase it", { read: readable.status, erase: refused });
if (readable.status !== 200 || refused !== 403) throw new Error("the read key should read and not write");
console.log("\n✔ quickstart done");
