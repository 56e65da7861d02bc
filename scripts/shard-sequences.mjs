/**
 * @module Where each shard's ids start: shard n creates its rows' ids from
 * n × SHARD_ID_STRIDE + 1, so an id names one row across every shard and a
 * moved organisation keeps its ids (src/domain/db/shards.ts). Applied after the
 * migrations by `npm run db:migrate` and by the tests' setup; raising a
 * sequence is idempotent and never lowers one. Shard 0 starts at 1, as a
 * single database always did.
 */

/** 2^40 ids per shard: 8,191 shards stay below 2^53 (ids are JSON numbers) and within 16 digits. */
export const SHARD_ID_STRIDE = 2 ** 40;

/** The tables whose ids a shard allocates (AUTOINCREMENT); organisations and suppliers take the directory's ids. */
export const SHARD_SEQUENCED_TABLES = ["customers", "eans", "events", "webhook_endpoints", "idempotency_keys"];

/** SQL statements that raise shard `index`'s sequences to its first id (none for shard 0). */
export function shardSequenceStatements(index) {
  if (!Number.isInteger(index) || index < 0) throw new Error(`not a shard index: ${index}`);
  if (index === 0) return [];
  const base = index * SHARD_ID_STRIDE;
  return SHARD_SEQUENCED_TABLES.flatMap((table) => [
    `insert into sqlite_sequence (name, seq) select '${table}', ${base} where not exists (select 1 from sqlite_sequence where name = '${table}')`,
    `update sqlite_sequence set seq = ${base} where name = '${table}' and seq < ${base}`,
  ]);
}
