/**
 * @module The SET of a partial update (PATCH): only the fields sent, and an
 * `updated_at` that moves only when one of them changes a value — decided by
 * the UPDATE itself, which sees the row as it was.
 */
import { type Column, or, type SQL, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";

/**
 * `fields` maps a request field to its column; `changes` holds the fields
 * sent. Null when nothing was sent (no UPDATE to make). `previousUpdatedAt`
 * is what `updated_at` stays when nothing changes. `changed` is the test, on
 * the row as it is, that the update changes a value (its `*.updated` event
 * asks it too).
 */
export function partialUpdateSet(
  fields: Record<string, Column>,
  properties: Record<string, string>,
  changes: Record<string, unknown>,
  previousUpdatedAt: SQL | Column,
  now: string = nowIso(),
): { set: Record<string, unknown>; changed: SQL } | null {
  const set: Record<string, unknown> = {};
  const changed: SQL[] = [];
  for (const [field, column] of Object.entries(fields)) {
    if (!(field in changes)) continue;
    const value = changes[field] ?? null;
    set[properties[field]!] = value;
    // Compared as stored (JSON text, 0/1): `is not` treats NULLs as values.
    changed.push(sql`${column} is not ${value === null ? null : column.mapToDriverValue(value)}`);
  }
  if (changed.length === 0) return null;
  const anyChanged = or(...changed)!;
  set.updatedAt = sql`case when ${anyChanged} then ${now} else ${previousUpdatedAt} end`;
  return { set, changed: anyChanged };
}
