#!/usr/bin/env node
/**
 * @module `npm run seed`: against a running `wrangler dev`, makes sure the
 * demo suppliers and a demo organisation exist (through the operator API),
 * then prints the demo token, the suppliers and a ready-to-paste curl.
 * The demo token is kept in .wrangler/enbro-demo.json (git-ignored).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { apiRequest, baseUrlFrom, ensureAdminToken, waitUntilServing } from "./local.mjs";

const DEMO_FILE = ".wrangler/enbro-demo.json";
const DEMO_SUPPLIERS = ["Engie Electrabel", "Luminus", "TotalEnergies", "Mega", "Bolt"];

const request = (baseUrl, method, path, token, body) => apiRequest(baseUrl, method, path, { token, body });

async function ensureSuppliers(baseUrl, adminToken) {
  const listed = await request(baseUrl, "GET", "/admin/v1/suppliers", adminToken);
  if (listed.status !== 200) throw new Error(`listing suppliers failed (${listed.status}): is ADMIN_TOKEN in .dev.vars the one wrangler dev loaded?`);
  const names = new Set(listed.body.map((s) => s.name));
  for (const name of DEMO_SUPPLIERS.filter((n) => !names.has(n))) {
    await request(baseUrl, "POST", "/admin/v1/suppliers", adminToken, { name });
  }
  return (await request(baseUrl, "GET", "/admin/v1/suppliers", adminToken)).body;
}

async function ensureDemoOrganisation(baseUrl, adminToken) {
  if (existsSync(DEMO_FILE)) {
    const saved = JSON.parse(readFileSync(DEMO_FILE, "utf8"));
    const me = await request(baseUrl, "GET", "/api/v1/me", saved.token);
    if (me.status === 200) return { organisation: me.body, token: saved.token };
  }
  const created = await request(baseUrl, "POST", "/admin/v1/organisations", adminToken, { name: "Demo Broker" });
  if (created.status !== 201) throw new Error(`creating the demo organisation failed (${created.status})`);
  mkdirSync(".wrangler", { recursive: true });
  writeFileSync(DEMO_FILE, JSON.stringify({ organisation_id: created.body.organisation.id, token: created.body.token.token }, null, 2));
  return { organisation: created.body.organisation, token: created.body.token.token };
}

export async function seed(baseUrl) {
  const adminToken = ensureAdminToken();
  const suppliers = await ensureSuppliers(baseUrl, adminToken);
  const { organisation, token } = await ensureDemoOrganisation(baseUrl, adminToken);
  const lines = [
    "",
    "──────────────── Enbro API — ready to curl ────────────────",
    `API            ${baseUrl}/api/v1`,
    `Operator token ${adminToken}   (ADMIN_TOKEN in .dev.vars)`,
    `Organisation   #${organisation.id} ${organisation.name} (${organisation.domain})`,
    `Demo token     ${token}`,
    `Suppliers      ${suppliers.map((s) => `${s.id} ${s.name}`).join(", ")}`,
    "",
    "Try:",
    `  export TOKEN=${token}`,
    `  curl -s ${baseUrl}/api/v1/me -H "Authorization: Bearer $TOKEN"`,
    `  curl -s -X POST ${baseUrl}/api/v1/customers -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\`,
    `    -d '{"customer":{"email":"danny.${Date.now()}@example.com","terms_and_conditions":true,"privacy_policy":true,"profile":{"first_name":"Danny","last_name":"Ocean","title":"mr","phone":"056 98 01 44","birth_date":"1980-04-07","city":"Kortrijk","street":"Grote Markt","building":"1","postal_code":"8500","language":"nl"}}}'`,
    "───────────────────────────────────────────────────────────",
    "",
  ];
  console.log(lines.join("\n"));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const baseUrl = baseUrlFrom(process.argv.slice(2));
  if (!(await waitUntilServing(baseUrl, { timeoutMs: 5_000 }))) {
    console.error(`Nothing answers at ${baseUrl}: start it with \`npm run dev\` first.`);
    process.exit(1);
  }
  await seed(baseUrl);
}
