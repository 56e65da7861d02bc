/**
 * @module Which methods a path takes, from the routes registered on the app:
 * the not-found handler answers 405 with `Allow` for a known path asked with
 * another method, and 404 only for a path no route has.
 */
import type { RouterRoute } from "hono/types";
import { pathRegExp } from "../routing/path-pattern";

/** `(path) → methods`, built once from the app's routes (middleware, registered for ALL, excluded). */
export function methodsOfPath(routes: readonly RouterRoute[]): (path: string) => string[] {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    // Hono answers HEAD with the GET handler.
    if (route.method === "GET") methods.add("HEAD");
    byPath.set(route.path, methods);
  }
  const patterns = [...byPath].map(([path, methods]) => ({ pattern: pathRegExp(path), methods }));
  return (path) => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of patterns) if (pattern.test(path)) for (const method of methods) allowed.add(method);
    return [...allowed].sort();
  };
}
