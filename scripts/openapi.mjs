#!/usr/bin/env node
/**
 * @module `npm run openapi [-- path]`: writes the OpenAPI 3.1 document (the
 * one GET /api/v1/openapi.json serves) to openapi.json, for client generators.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");
const target = path.resolve(process.argv[2] ?? path.join(ROOT, "openapi.json"));

const { outputFiles } = await build({
  stdin: {
    contents: 'export { buildOpenApiDocument } from "./src/openapi/document.ts"; export { ALL_ROUTES } from "./src/openapi/openapi.routes.ts";',
    resolveDir: ROOT,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  mainFields: ["module", "main"],
  write: false,
  logLevel: "error",
});
const module = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString("base64")}`);
writeFileSync(target, `${JSON.stringify(module.buildOpenApiDocument(module.ALL_ROUTES, "public"), null, 2)}\n`);
console.log(`OpenAPI document written to ${path.relative(process.cwd(), target) || target}`);
