#!/usr/bin/env node
/**
 * @module `npm run lint:openapi` (part of `npm test`): both OpenAPI documents
 * (public and operator) through the pinned Redocly CLI with redocly.yaml's
 * rules; any error or warning fails. Offline: telemetry and update checks off.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openApiDocument } from "./openapi-document.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "enbro-openapi-"));
try {
  const files = [];
  for (const audience of ["public", "operator"]) {
    const file = path.join(dir, `${audience}.json`);
    writeFileSync(file, JSON.stringify(await openApiDocument(audience), null, 2));
    files.push(file);
  }
  const cli = path.join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");
  const lint = spawnSync(process.execPath, [cli, "lint", "--config", path.join(ROOT, "redocly.yaml"), "--max-problems", "50", ...files], {
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  const output = `${lint.stdout}${lint.stderr}`;
  const clean = lint.status === 0 && !/warning/i.test(output.replace(/Woohoo[^\n]*/g, ""));
  if (!clean) {
    process.stderr.write(output);
    console.error("lint:openapi: the OpenAPI documents have problems (above)");
    process.exit(1);
  }
  console.log("lint:openapi: both OpenAPI documents pass Redocly's rules with no error and no warning");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
