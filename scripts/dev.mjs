#!/usr/bin/env node
/**
 * @module `npm run dev [-- wrangler dev args]`: a local ADMIN_TOKEN (and
 * WEBHOOKS_ALLOW_LOCAL_URLS="true") in .dev.vars, the migrations applied to
 * the local directory and shards (`npm run db:migrate -- --local`), `wrangler dev` started (arguments after `--` are passed on, e.g. `--port 9000`), and once
 * it answers, the demo data seeded and a ready-to-paste curl printed.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { migrateAll } from "./db-migrate.mjs";
import { baseUrlFrom, ensureAdminToken, ensureLocalWebhooks, waitUntilServing } from "./local.mjs";
import { seed } from "./seed.mjs";

const args = process.argv.slice(2);
ensureAdminToken();
ensureLocalWebhooks();

// wrangler on this Node (22, from the `node` devDependency), whatever `node` is on PATH.
const wranglerJs = path.resolve(import.meta.dirname, "..", "node_modules", "wrangler", "bin", "wrangler.js");
try {
  await migrateAll({ where: ["--local"] });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// The API and, beside it, the docs Worker it forwards /docs to (the first config is the one that answers).
const wrangler = spawn(process.execPath, [wranglerJs, "dev", "-c", "wrangler.toml", "-c", "wrangler.docs.toml", ...args], { stdio: "inherit" });
let alive = true;
wrangler.on("exit", (code) => {
  alive = false;
  process.exit(code ?? 0);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => wrangler.kill(signal));

const baseUrl = baseUrlFrom(args);
if (await waitUntilServing(baseUrl, { timeoutMs: 120_000, isAlive: () => alive })) {
  try {
    await seed(baseUrl);
  } catch (error) {
    console.error(`Seeding failed: ${error.message}`);
  }
}
