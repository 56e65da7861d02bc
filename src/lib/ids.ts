/** @module Ids in paths: positive integers; anything else names nothing (404). */
import { ApiError } from "../errors";

/** The id, or null when the value names nothing. */
export function tryParseId(value: string | undefined): number | null {
  const id = /^\d{1,16}$/.test(value ?? "") ? Number(value) : 0;
  return Number.isSafeInteger(id) && id >= 1 ? id : null;
}

/** The id, or 404. */
export function parseId(value: string | undefined): number {
  const id = tryParseId(value);
  if (id === null) throw ApiError.notFound();
  return id;
}
