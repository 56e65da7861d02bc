/**
 * @module Path parameters. Every parameter of a record's path names a record
 * by id, and ids are digits: a record's path is mounted with each `:name`
 * constrained to `[0-9]+`, so `/eans/bulk` is never read as an EAN id (it
 * allows exactly POST) and a non-numeric id matches no route (404).
 */

/** `:name` (optionally already `:name{re}`) in a Hono path. */
const PARAMETER = /:([A-Za-z_]+)(\{[^}]*\})?/g;

/** The path as mounted on the router: each parameter digits only. */
export function mountedPath(path: string): string {
  return path.replace(PARAMETER, ":$1{[0-9]+}");
}

/** The path as OpenAPI writes it: `{name}`. */
export function openApiPath(path: string): string {
  return path.replace(PARAMETER, "{$1}");
}

/** The path with each parameter's value filled in (tests, scripts). */
export function fillPath(path: string, values: (name: string) => string | number): string {
  return path.replace(PARAMETER, (_, name: string) => String(values(name)));
}

/** The route pattern as logs and readers see it: `:name`, without its constraint. */
export function readablePath(path: string): string {
  return path.replace(PARAMETER, ":$1");
}

/**
 * A Hono route path as a regular expression over request paths: `:name` is
 * one segment (`:name{re}` one segment matching re), `*` anything, and a
 * trailing slash is allowed, as the router allows it.
 */
export function pathRegExp(path: string): RegExp {
  const segmentPattern = (segment: string) => {
    if (segment.startsWith(":")) return /\{(.*)\}$/.exec(segment)?.[1] ?? "[^/]+";
    return segment === "*" ? ".*" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  };
  return new RegExp(`^${path.split("/").map(segmentPattern).join("/")}/?$`);
}
