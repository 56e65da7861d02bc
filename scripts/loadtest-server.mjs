/**
 * @module A throwaway `wrangler dev` for load scripts and end-to-end tests: loopback
 * only, its own empty local D1/KV state, the migrations applied, and a rate
 * limit high enough not to be what is measured. The config is derived from
 * wrangler.toml at run time (nothing duplicated in the repository).
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
/**
 * Copies into `state` a local state with every D1 database of the config
 * migrated. The migrated state is built once per set of databases and
 * migrations (a key over both) and copied from then on: servers started side
 * by side (the node tests) share one build instead of each running wrangler
 * once per database.
 */
async function migratedState(configPath, state, cwd) {
  const config = readFileSync(configPath, "utf8");
  const databases = config
    .split(/^\[\[d1_databases\]\]\s*$/m)
    .slice(1)
    .map((block) => block.split(/^\[/m)[0])
    .join("\n");
  const hash = createHash("sha256").update(databases);
  for (const dir of [...new Set([...databases.matchAll(/^migrations_dir = "(.*)"$/gm)].map((match) => match[1]))]) {
    for (const file of readdirSync(dir)
      .filter((name) => name.endsWith(".sql"))
      .sort())
      hash.update(file).update(readFileSync(path.join(dir, file)));
  }
  const templates = path.join(ROOT, ".wrangler", "migrated-states");
  const template = path.join(templates, hash.digest("hex").slice(0, 16));
  const ready = path.join(template, "ready");
  mkdirSync(templates, { recursive: true });
  if (!existsSync(ready)) {
    let building = false;
    // A lock left by a run that died is taken over after three minutes.
    if (existsSync(`${template}.lock`) && Date.now() - statSync(`${template}.lock`).mtimeMs > 180_000)
      rmSync(`${template}.lock`, { recursive: true, force: true });
    try {
      mkdirSync(`${template}.lock`);
      building = true;
    } catch {}
    if (building) {
      try {
        rmSync(template, { recursive: true, force: true });
        await migrateAll({ configPath, where: ["--local", "--persist-to", path.join(template, "state")], cwd, quiet: true });
        writeFileSync(ready, "");
      } finally {
        rmSync(`${template}.lock`, { recursive: true, force: true });
      }
    } else {
      // Another server is building it: wait for it (or take over if it gave up).
      const deadline = Date.now() + 180_000;
      while (!existsSync(ready)) {
        if (!existsSync(`${template}.lock`)) return migratedState(configPath, state, cwd);
        if (Date.now() > deadline) throw new Error("the migrated state was not built in time");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  cpSync(path.join(template, "state"), state, { recursive: true });
}

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

  await migratedState(configPath, state, dir);

  // Two servers starting side by side (the node tests run two files at a time) can race for a port that was free
  // when chosen: a start that meets "Address already in use" is tried again on fresh ports.
  let started;
  for (let attempt = 1; ; attempt++) {
    started = await spawnServer(wranglerJs, configPath, companionPaths, state, logLevel, dir);
    if (started.ok) break;
    killGroup(started.child, "SIGKILL");
    if (attempt >= 3 || !started.output().includes("Address already in use")) throw new Error(`wrangler dev did not start:\n${started.output()}`);
  }
  const { child, baseUrl, output: currentOutput, alive: isAlive } = started;
  return {
    baseUrl,
    adminToken,
    /** The worker's recent output (its request log lines). */
    output: currentOutput,
    onOutput: (listener) => {
      child.stdout.on("data", listener);
      child.stderr.on("data", listener);
    },
    stop: async () => {
      if (!isAlive()) return;
      const exited = new Promise((resolve) => child.on("exit", resolve));
      killGroup(child, "SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      killGroup(child, "SIGKILL");
    },
  };
}

/** One `wrangler dev` on a free port: its child, its URL, its output so far, whether it runs, and whether it served. */
async function spawnServer(wranglerJs, configPath, companionPaths, state, logLevel, dir) {
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
  const ok = await waitUntilServing(baseUrl, { timeoutMs: 120_000, isAlive: () => alive });
  return { ok, child, baseUrl, output: () => output, alive: () => alive };
}
