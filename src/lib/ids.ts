/** @module Ids in paths: positive integers; anything else names nothing (404). */
import { ApiError } from "../errors";

export function parseId(value: string | undefined): number {
  const id = /^\d{1,16}$/.test(value ?? "") ? Number(value) : 0;
  if (!Number.isSafeInteger(id) || id < 1) throw ApiError.notFound();
  return id;
}
