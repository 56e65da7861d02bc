/**
 * README's endpoint table and docs/api.md list exactly the endpoints the
 * route records define (method and path, parameters by their names), so
 * neither can keep an endpoint that is gone or miss one that came.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ALL_ROUTES } from "../../src/routes";

const ROOT = path.resolve(import.meta.dirname, "../..");
const recorded = new Set(ALL_ROUTES.map((record) => `${record.method.toUpperCase()} ${record.path}`));

/** Every "`METHOD /path…`" a text names (its query left out). */
function endpointsIn(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(/`(GET|POST|PATCH|DELETE|PUT) (\/[^`?\s]*)/g)) found.add(`${match[1]} ${match[2]}`);
  return found;
}

describe("the endpoint lists of the docs", () => {
  it("README's endpoint table lists every record, and nothing else but /docs", () => {
    const text = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const table = text.slice(text.indexOf("| method and path |"), text.indexOf("\n\n", text.indexOf("| method and path |")));
    const listed = endpointsIn(table);
    listed.delete("GET /docs");
    expect([...listed].sort()).toEqual([...recorded].sort());
  });

  it("docs/api.md describes every record, and no endpoint that does not exist", () => {
    const listed = endpointsIn(readFileSync(path.join(ROOT, "docs/api.md"), "utf8"));
    expect([...recorded].filter((endpoint) => !listed.has(endpoint))).toEqual([]);
    expect([...listed].filter((endpoint) => !recorded.has(endpoint) && !endpoint.startsWith("GET /docs"))).toEqual([]);
  });
});
