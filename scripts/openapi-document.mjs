/**
 * @module The OpenAPI documents as the Worker builds them (src/openapi/document.ts
 * from the route records), bundled with esbuild so that Node can run the
 * TypeScript: for `npm run openapi` and the lint in `npm test`.
 */
import path from "node:path";
import { build } from "esbuild";

const ROOT = path.resolve(import.meta.dirname, "..");

/** `audience` "public" (GET /api/v1/openapi.json) or "operator" (GET /admin/v1/openapi.json). */
export async function openApiDocument(audience) {
  const { outputFiles } = await build({
    stdin: {
      contents: 'export { buildOpenApiDocument } from "./src/openapi/document.ts"; export { ALL_ROUTES } from "./src/routes/index.ts";',
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
  return module.buildOpenApiDocument(module.ALL_ROUTES, audience);
}
