#!/usr/bin/env node
/**
 * @module Copies Swagger UI's bundle from node_modules into public/docs/vendor
 * (git-ignored), so /docs works offline and needs no CDN. Runs on npm install
 * (postinstall).
 */
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const source = path.join(ROOT, "node_modules", "swagger-ui-dist");
const target = path.join(ROOT, "public", "docs", "vendor");

if (!existsSync(source)) {
  console.warn("vendor-docs: swagger-ui-dist is not installed; /docs will have no assets");
  process.exit(0);
}
mkdirSync(target, { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(path.join(source, file), path.join(target, file));
