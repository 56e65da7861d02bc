/** @module A path parameter that names a record by id: the id, or 404 "Not found" (the contract's answer for any id that names nothing). */
import { ApiError } from "../domain/errors";
import { parseId } from "../lib/ids";

export function pathId(value: string | undefined): number {
  const id = parseId(value);
  if (id === null) throw ApiError.notFound();
  return id;
}
