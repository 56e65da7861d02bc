/**
 * @module Shards: every organisation's data lives on one D1 database, bound
 * as `SHARD_0`, `SHARD_1`, … (any number: adding one is a binding, not a code
 * change); the `DIRECTORY` database says which (directory-schema.ts). Ids of
 * rows a shard creates start at `shard × SHARD_ID_STRIDE`
 * (scripts/shard-sequences.mjs, applied with the migrations), so an id names
 * one row across every shard and a moved organisation keeps its ids.
 */

const SHARD_BINDING = /^SHARD_(0|[1-9][0-9]{0,3})$/;

const shardsByEnv = new WeakMap<object, readonly D1Database[]>();

/** The shards bound to this Worker, by index (`SHARD_0` first); an index without its binding is a configuration error. */
export function shardsOf(env: object): readonly D1Database[] {
  let shards = shardsByEnv.get(env);
  if (!shards) {
    const indexes = Object.keys(env)
      .map((name) => SHARD_BINDING.exec(name)?.[1])
      .filter((index): index is string => index !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    if (indexes.length === 0 || indexes.some((index, position) => index !== position)) {
      throw new Error("The shards must be bound as SHARD_0, SHARD_1, … without gaps");
    }
    shards = indexes.map((index) => (env as Record<string, D1Database>)[`SHARD_${index}`]!);
    shardsByEnv.set(env, shards);
  }
  return shards;
}

/** Shard `index`'s database; a shard that is not bound is a configuration error (500), never someone else's data. */
export function shardOf(env: object, index: number): D1Database {
  const shard = shardsOf(env)[index];
  if (!shard) throw new Error(`Shard ${index} is not bound`);
  return shard;
}
