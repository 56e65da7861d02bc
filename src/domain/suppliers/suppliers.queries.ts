/** @module Suppliers' SQL: one statement per request. */
import { asc } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import type { Database } from "../db/client";
import { suppliers } from "../db/schema";

const supplierJson = { id: suppliers.id, name: suppliers.name };

export async function insertSupplier(db: Database, name: string) {
  const [[supplier]] = await db.run([db.insert(suppliers).values({ name, createdAt: nowIso() }).returning(supplierJson)]);
  return supplier!;
}

export async function listSuppliers(db: Database) {
  const [rows] = await db.run([db.select(supplierJson).from(suppliers).orderBy(asc(suppliers.id))]);
  return rows;
}
