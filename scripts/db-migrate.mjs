#!/usr/bin/env node
/**
 * @module `npm run db:migrate -- --local [--persist-to DIR] [-c wrangler.toml]`
 * or `-- --remote`: every D1 database of the configuration migrated in one
 * command — the directory (drizzle/directory/) and each shard (drizzle/),
 * whose first ids are then raised to its range (shard-sequences.mjs). The
 * databases are read from the configuration's `[[d1_databases]]`, so a new
 * shard needs no change here.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { shardSequenceStatements } from "./shard-sequences.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
// wrangler on this Node (22, from the `node` devDependency), whatever `node` is on PATH.
const WRANGLER_JS = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** The D1 bindings of a wrangler.toml, in file order. */
export function d1Bindings(configPath) {
  const text = readFileSync(configPath, "utf8");
  return text
    .split(/^\[\[d1_databases\]\]\s*$/m)
    .slice(1)
    .map((block) => /^binding\s*=\s*"([^"]+)"/m.exec(block)?.[1])
    .filter(Boolean);
}

function runWrangler(args, { cwd, quiet }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER_JS, ...args], { cwd, env: { ...process.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    // Captured (to recognise a locked file), and shown unless quiet.
    child.stdout.on("data", (chunk) => {
      output += chunk;
      if (!quiet) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
      if (!quiet) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args.join(" ")} failed:\n${output}`))));
  });
}

/**
 * wrangler, retried when its local runtime met a locked SQLite file (another
 * wrangler starting beside it on this machine: SQLITE_BUSY); an interrupted
 * start applied nothing, and applied migrations are skipped on the retry.
 */
async function wrangler(args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runWrangler(args, { ...options, quiet: options.quiet || attempt > 1 });
    } catch (error) {
      if (attempt >= 5 || !String(error.message).includes("SQLITE_BUSY")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

/**
 * Migrates the directory and every shard of `configPath`; `where` is
 * `["--local"]` (optionally with `--persist-to DIR`) or `["--remote"]`.
 */
export async function migrateAll({ configPath = path.join(ROOT, "wrangler.toml"), where = ["--local"], cwd = ROOT, quiet = false } = {}) {
  const bindings = d1Bindings(configPath);
  if (bindings.length === 0) throw new Error(`${configPath} binds no D1 database`);
  const shards = bindings.filter((binding) => /^SHARD_\d+$/.test(binding));
  // Each database on its own, side by side: its migrations, then (a shard) its first ids.
  await Promise.all(
    bindings.map(async (binding) => {
      await wrangler(["d1", "migrations", "apply", binding, ...where, "-c", configPath], { cwd, quiet });
      const statements = shards.includes(binding) ? shardSequenceStatements(Number(binding.slice("SHARD_".length))) : [];
      if (statements.length > 0)
        await wrangler(["d1", "execute", binding, ...where, "-c", configPath, "--command", statements.join("; ")], { cwd, quiet: true });
    }),
  );
  return { bindings, shards };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const configIndex = args.findIndex((arg) => arg === "-c" || arg === "--config");
  const configPath = configIndex >= 0 ? path.resolve(args[configIndex + 1]) : path.join(ROOT, "wrangler.toml");
  const where = args.filter((_, i) => configIndex < 0 || (i !== configIndex && i !== configIndex + 1));
  if (!where.includes("--local") && !where.includes("--remote")) {
    console.error("usage: npm run db:migrate -- --local [--persist-to DIR] | --remote [-c wrangler.toml]");
    process.exit(2);
  }
  try {
    const { bindings } = await migrateAll({ configPath, where });
    console.log(`Migrated ${bindings.join(", ")}.`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
