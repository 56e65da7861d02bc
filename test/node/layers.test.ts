/**
 * The layers of src/, and the direction of their imports: lib → domain →
 * http → app, never back up, and no import cycle anywhere.
 *
 * - lib:    src/lib (pure helpers: phones, decimals, EAN digits, tokens, time, ids)
 * - domain: src/domain (each resource's schemas, queries, rules and rendering; the
 *           database, the error catalogue, the limits, idempotency's storage)
 * - http:   src/routes (records and handlers), src/routing, src/middleware,
 *           src/openapi, src/webhooks and src/moves (the queue consumers: entry points too)
 * - app:    src/app.ts, src/index.ts
 * src/env.ts declares the Worker's bindings and context types; it is imported
 * for types only (`import type`), which leave nothing at run time.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
const LAYERS = ["lib", "domain", "http", "app"] as const;

function layerOf(file: string): (typeof LAYERS)[number] | "types" {
  const relative = path.relative(SRC, file);
  if (relative === "env.ts") return "types";
  if (relative === "app.ts" || relative === "index.ts") return "app";
  const top = relative.split(path.sep)[0]!;
  if (top === "lib") return "lib";
  if (top === "domain") return "domain";
  if (["routes", "routing", "middleware", "openapi", "webhooks", "moves"].includes(top)) return "http";
  throw new Error(`src/${relative} is in no layer: add its folder to test/node/layers.test.ts`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The project files a file imports at run time (type-only imports leave nothing behind and are skipped). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const imports: string[] = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)) {
    if (match[2]) continue;
    const target = path.resolve(path.dirname(file), match[3]!);
    const candidates = target.endsWith(".ts") ? [target] : [`${target}.ts`, path.join(target, "index.ts")];
    imports.push(candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!);
  }
  return imports;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
const name = (file: string) => `src/${path.relative(SRC, file)}`;

describe("layers", () => {
  it("every import points down (lib → domain → http → app) or stays in its layer", () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file);
      for (const target of imports) {
        const to = layerOf(target);
        if (to === "types" || from === "types") continue;
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) upward.push(`${name(file)} (${from}) imports ${name(target)} (${to})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("no import cycle", () => {
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(name).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("src/routes holds records files only", () => {
    const others = sourceFiles(path.join(SRC, "routes")).filter((file) => !/\.routes\.ts$|[/\\]index\.ts$/.test(file));
    expect(others.map(name)).toEqual([]);
  });

  it("the test sees every import (a file that imports nothing of the project would be suspicious here)", () => {
    expect(graph.get(path.join(SRC, "app.ts"))!.length).toBeGreaterThan(3);
  });
});
