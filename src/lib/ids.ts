/** @module Ids in paths: positive integers of at most 16 digits; anything else names nothing. */

/** The id, or null when the value names nothing. */
export function parseId(value: string | undefined): number | null {
  const id = /^\d{1,16}$/.test(value ?? "") ? Number(value) : 0;
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}
