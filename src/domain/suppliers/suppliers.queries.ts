/** @module Suppliers' SQL: the directory's list is the record, each shard holds a copy. */
import { asc } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { suppliers } from "../db/schema";

const supplierJson = { id: suppliers.id, name: suppliers.name };

/**
 * The directory allocates the supplier (its id, its name unique
 * case-insensitively), then every shard gets its copy with that id (EANs
 * refer to it there); a copy already there (a retry) is kept.
 */
export async function insertSupplier(directory: Database, shards: readonly Database[], name: string) {
  const [[supplier]] = await directory.run([directory.insert(suppliers).values({ name, createdAt: nowIso() }).returning()]);
  await Promise.all(shards.map((shard) => shard.run([shard.insert(suppliers).values(supplier!).onConflictDoNothing()])));
  return { id: supplier!.id, name: supplier!.name };
}

export async function listSuppliers(db: Database) {
  const [rows] = await db.run([db.select(supplierJson).from(suppliers).orderBy(asc(suppliers.id))]);
  return rows;
}
