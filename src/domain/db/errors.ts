/** @module Recognising D1 constraint failures (Drizzle may wrap them; the cause chain is searched). */

function messages(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    if (current instanceof Error) found.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return found;
}

/** True when `error` is a UNIQUE constraint failure on the named index (or `table.column`). */
export function isUniqueViolation(error: unknown, indexOrColumn: string): boolean {
  return messages(error).some((m) => m.includes("UNIQUE constraint failed") && m.includes(indexOrColumn));
}

/** True when `error` is a UNIQUE or FOREIGN KEY constraint failure. */
export function isConstraintViolation(error: unknown): boolean {
  return messages(error).some((m) => m.includes("UNIQUE constraint failed") || m.includes("FOREIGN KEY constraint failed"));
}

/** True when the write guard refused the batch: the organisation is moving between shards. */
export function isMovingOrganisation(error: unknown): boolean {
  return isNotNullViolation(error, "write_guard.open");
}

/** True when `error` is a NOT NULL constraint failure on `table.column`. */
export function isNotNullViolation(error: unknown, tableColumn: string): boolean {
  return messages(error).some((m) => m.includes("NOT NULL constraint failed") && m.includes(tableColumn));
}
