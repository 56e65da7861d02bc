/**
 * @module A throwaway `wrangler dev` for load scripts and end-to-end tests: loopback
 * only, its own empty local D1/KV state, the migrations applied, and a rate
 * limit high enough not to be what is measured. The config is derived from
 * wrangler.toml at run time (nothing duplicated in the repository).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { migrateAll } from "./db-migrate.mjs";
import { waitUntilServing } from "./local.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Every server started by this process, stopped when it exits, fails or is interrupted. */
const running = new Set();

/** wrangler runs workerd in child processes: each server gets its own process group, killed whole. */
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
let cleanupInstalled = false;
function stopAllOnExit() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // A failure (an exception, a rejected top-level await) ends the process through "exit" too.
  process.on("exit", () => {
    for (const child of running) killGroup(child, "SIGKILL");
  });
  // Test runners handle their own signals.
  if (process.env.VITEST) return;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.once(signal, () => {
      for (const child of running) killGroup(child, "SIGKILL");
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/**
 * Starts the server; resolves to { baseUrl, adminToken, output, onOutput, stop }.
 * `config` is the Worker's wrangler config (the API's, or the benchmark's bare
 * reference), `alongside` the configs of the Workers it binds to (the API's
 * docs Worker); `logLevel` "log" lets the Worker's request log lines through;
 * `vars` go into its .dev.vars beside the ADMIN_TOKEN (e.g.
 * WEBHOOKS_ALLOW_LOCAL_URLS for a local webhook receiver).
 */
export async function startLoadtestServer(
  name,
  { config: configFile = "wrangler.toml", alongside = ["wrangler.docs.toml"], logLevel = "error", vars = {} } = {},
) {
  const dir = path.join(ROOT, ".wrangler", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  /** A config's text with its paths made absolute (it is written elsewhere). */
  const readConfig = (file) => {
    const configDir = path.dirname(path.join(ROOT, file));
    const absolute = (key) => (text) => text.replace(new RegExp(`^${key} = "(.*)"$`, "gm"), (_, value) => `${key} = "${path.resolve(configDir, value)}"`);
    return [absolute("main"), absolute("migrations_dir"), absolute("directory")].reduce(
      (text, rewrite) => rewrite(text),
      readFileSync(path.join(ROOT, file), "utf8"),
    );
  };
  // The first [[ratelimits]] is the per-token limit: high enough not to be what is measured.
  const config = readConfig(configFile).replace(/simple = \{ limit = \d+/, "simple = { limit = 100000000");
  const configPath = path.join(dir, "wrangler.toml");
  writeFileSync(configPath, config);
  // The Workers it calls through service bindings (the API: the docs Worker), run by the same wrangler dev.
  const companionPaths = alongside.map((file, i) => {
    const companionPath = path.join(dir, `companion-${i}.toml`);
    writeFileSync(companionPath, readConfig(file));
    return companionPath;
  });
  const adminToken = `loadtest-${randomBytes(16).toString("hex")}`;
  const devVars = { ADMIN_TOKEN: adminToken, ...vars };
  writeFileSync(
    path.join(dir, ".dev.vars"),
    Object.entries(devVars)
      .map(([key, value]) => `${key}="${value}"\n`)
      .join(""),
  );
  const state = path.join(dir, "state");
  // Run wrangler on this Node (22, from the `node` devDependency), whatever `node` is on PATH.
  const wranglerJs = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

  await migrateAll({ configPath, where: ["--local", "--persist-to", state], cwd: dir, quiet: true });

  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      wranglerJs,
      "dev",
      "-c",
      configPath,
      ...companionPaths.flatMap((p) => ["-c", p]),
      "--persist-to",
      state,
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--log-level",
      logLevel,
    ],
    {
      cwd: dir,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  running.add(child);
  stopAllOnExit();
  let output = "";
  child.stdout.on("data", (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr.on("data", (chunk) => (output = (output + chunk).slice(-20_000)));
  let alive = true;
  child.on("exit", () => {
    alive = false;
    running.delete(child);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  if (!(await waitUntilServing(baseUrl, { timeoutMs: 120_000, isAlive: () => alive }))) {
    killGroup(child, "SIGKILL");
    throw new Error(`wrangler dev did not start:\n${output}`);
  }
  return {
    baseUrl,
    adminToken,
    /** The worker's recent output (its request log lines). */
    output: () => output,
    onOutput: (listener) => {
      child.stdout.on("data", listener);
      child.stderr.on("data", listener);
    },
    stop: async () => {
      if (!alive) return;
      const exited = new Promise((resolve) => child.on("exit", resolve));
      killGroup(child, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      killGroup(child, "SIGKILL");
    },
  };
}
