/** @module Which keys a request body sent: a partial update changes those and leaves the rest (zod's output has every key). */

/** The keys of `value` when it is an object; none otherwise. */
export function sentKeys(value: unknown): Set<string> {
  return new Set(value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : []);
}
