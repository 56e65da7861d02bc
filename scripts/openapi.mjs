#!/usr/bin/env node
/**
 * @module `npm run openapi [-- path]`: writes the OpenAPI 3.1 document (the
 * one GET /api/v1/openapi.json serves) to openapi.json, for client generators.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { openApiDocument } from "./openapi-document.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const target = path.resolve(process.argv[2] ?? path.join(ROOT, "openapi.json"));

writeFileSync(target, `${JSON.stringify(await openApiDocument("public"), null, 2)}\n`);
console.log(`OpenAPI document written to ${path.relative(process.cwd(), target) || target}`);
