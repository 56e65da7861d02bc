#!/usr/bin/env node
/**
 * @module Adds to package-lock.json the platform builds of workerd that the
 * local npm registry mirror does not carry (recent darwin and windows
 * builds), so that `npm ci` on Linux finds the lock file complete.
 *
 * npm leaves an optional dependency out of the lock when it cannot fetch its
 * manifest, and `npm ci` then refuses the lock as out of sync. The entries
 * added here are for other platforms only: npm never installs them on Linux.
 * Run after `npm install` changes the lock: `node scripts/complete-lockfile.mjs`.
 */
import { readFileSync, writeFileSync } from "node:fs";

const LOCK = "package-lock.json";
const PLATFORMS = {
  "@cloudflare/workerd-darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "@cloudflare/workerd-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@cloudflare/workerd-windows-64": { os: ["win32"], cpu: ["x64"] },
  "@cloudflare/workerd-linux-64": { os: ["linux"], cpu: ["x64"] },
  "@cloudflare/workerd-linux-arm64": { os: ["linux"], cpu: ["arm64"] },
};

const lock = JSON.parse(readFileSync(LOCK, "utf8"));
const packages = lock.packages;
let added = 0;

for (const [path, entry] of Object.entries(packages)) {
  if (!path.endsWith("node_modules/workerd") || !entry.optionalDependencies) continue;
  const parent = path.slice(0, -"workerd".length); // ".../node_modules/"
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const platform = PLATFORMS[name];
    if (!platform) continue;
    // The platform build sits next to the workerd that wants it.
    const target = `${parent}${name}`;
    if (packages[target]) continue;
    packages[target] = {
      version,
      cpu: platform.cpu,
      dev: true,
      license: "Apache-2.0",
      optional: true,
      os: platform.os,
      engines: { node: ">=16" },
    };
    added += 1;
  }
}

// npm keeps the entries sorted by path, the root ("") first.
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: ${added} platform entr${added === 1 ? "y" : "ies"} added`);
