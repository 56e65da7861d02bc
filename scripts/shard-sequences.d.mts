/** Types of shard-sequences.mjs (the tests' setup imports it). */
export declare const SHARD_ID_STRIDE: number;
export declare const SHARD_SEQUENCED_TABLES: readonly string[];
export declare function shardSequenceStatements(index: number): string[];
