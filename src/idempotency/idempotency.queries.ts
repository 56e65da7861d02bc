/**
 * @module Idempotency keys' SQL. Claiming a key is one round trip (drop it if
 * expired, insert unless present, read it back); completing or releasing it is
 * one statement.
 */
import { and, eq, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import { nowIso } from "../lib/time";

/** Keys are kept at least this long; older ones are purged and may be reused. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

function expiredBefore(): string {
  return new Date(Date.now() - IDEMPOTENCY_KEY_TTL_MS).toISOString();
}

/** Claims `keyHash` for this request, unless a live claim exists; returns the claim that holds. */
export async function claimKey(
  db: Database,
  claim: { scope: string; keyHash: string; fingerprint: string; requestId: string },
): Promise<IdempotencyRecord> {
  const sameKey = and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.keyHash, claim.keyHash));
  const [, , [record]] = await db.batch([
    db.delete(idempotencyKeys).where(and(sameKey, lt(idempotencyKeys.createdAt, expiredBefore()))),
    db.insert(idempotencyKeys).values({ ...claim, createdAt: nowIso() }).onConflictDoNothing(),
    db.select().from(idempotencyKeys).where(sameKey),
  ]);
  return record!;
}

export async function completeKey(db: Database, id: number, status: number, sealedBody: string) {
  await db.batch([db.update(idempotencyKeys).set({ status, body: sealedBody }).where(eq(idempotencyKeys.id, id))]);
}

/** Forgets a claim whose request did not succeed, so that a retry runs again. */
export async function releaseKey(db: Database, id: number) {
  await db.batch([db.delete(idempotencyKeys).where(eq(idempotencyKeys.id, id))]);
}

export async function purgeExpiredKeys(db: Database) {
  await db.batch([db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, expiredBefore()))]);
}
