/**
 * @module Shared by the local scripts: the dev secret (and local webhooks) in .dev.vars, the base
 * URL of `wrangler dev`, and waiting for it to answer.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { gs1CheckDigit } from "../src/lib/ean-number.ts";

export const DEV_VARS = ".dev.vars";

/** A variable of .dev.vars (git-ignored), added with `create()`'s value when absent; its value. */
function ensureDevVar(name, create) {
  const existing = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const match = new RegExp(`^${name}\\s*=\\s*"?([^"\\n]+)"?\\s*$`, "m").exec(existing);
  if (match) return match[1];
  const value = create();
  writeFileSync(DEV_VARS, `${existing}${existing && !existing.endsWith("\n") ? "\n" : ""}${name}="${value}"\n`);
  return value;
}

/** The local ADMIN_TOKEN, created in .dev.vars on first use. */
export function ensureAdminToken() {
  return ensureDevVar("ADMIN_TOKEN", () => `dev-admin-${randomBytes(16).toString("hex")}`);
}

/** Locally, webhooks may go to a receiver on this machine (http://, localhost): never set in wrangler.toml. */
export function ensureLocalWebhooks() {
  return ensureDevVar("WEBHOOKS_ALLOW_LOCAL_URLS", () => "true");
}

/** `--port N` / `--port=N` and `--ip X` among wrangler's arguments, else 8787 on localhost. */
export function baseUrlFrom(args) {
  const value = (name) => {
    const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (i === -1) return undefined;
    return args[i].includes("=") ? args[i].split("=")[1] : args[i + 1];
  };
  const ip = value("ip");
  const host = !ip || ip === "0.0.0.0" || ip === "*" ? "localhost" : ip;
  return process.env.ENBRO_URL ?? `http://${host}:${value("port") ?? 8787}`;
}

export async function waitUntilServing(baseUrl, { timeoutMs = 60_000, isAlive = () => true } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    try {
      const response = await fetch(`${baseUrl}/api/v1/ping`);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * The scripts' one HTTP client: a JSON request with an optional bearer token;
 * resolves to the status, the headers, the text and the parsed body.
 */
export async function apiRequest(baseUrl, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

/** A valid EAN number (GS1 mod-10 check digit): `prefix` then `n`, 17 digits, then the check digit. */
export function eanNumber(prefix, n) {
  const payload = `${prefix}${String(n).padStart(17 - prefix.length, "0")}`;
  return payload + gs1CheckDigit(payload);
}
