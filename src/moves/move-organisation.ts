/**
 * @module The organisation-moves queue's consumer: one step of a move per
 * message (src/domain/moves/moves.queries.ts), the next step sent as the next
 * message — no step costs more than MOVE_ROWS_PER_STEP rows, whatever the
 * organisation's size. After the last copy step: the new shard opens, the
 * directory and every token's KV entry name it, the old copy is closed for
 * good, and its removal starts MOVE_CLEANUP_DELAY_S later (no cached route
 * reaches it by then). A row another organisation holds on the new shard
 * stops the move: the old shard serves again and the partial copy is removed.
 */
import { createDatabase, emptyCost } from "../domain/db/client";
import { shardOf } from "../domain/db/shards";
import { MOVE_CLEANUP_DELAY_S } from "../domain/limits";
import { beginMove, copyStep, MoveConflict, type MoveCursor, type MovedMaxIds, openOnTarget, removeStep, setMoving } from "../domain/moves/moves.queries";
import { moveInDirectory } from "../domain/organisations/organisations.queries";
import { tokenEntry } from "../domain/tokens/tokens.queries";
import type { Bindings, MoveMessage } from "../env";
import { putTokenEntry } from "../middleware/auth";

/**
 * Starts a move: the organisation's writes are refused from now on, and the
 * first step is queued. False when it is already moving.
 */
export async function startMove(env: Bindings, organisationId: number, from: number, to: number): Promise<boolean> {
  if (!(await beginMove(createDatabase(shardOf(env, from), emptyCost(), from), organisationId))) return false;
  await env.ORGANISATION_MOVES.send({ organisation_id: organisationId, from, to, kind: "copy", cursor: { phase: 0, after: 0 }, max_ids: {} });
  return true;
}

/** One step; the next one, when there is one, is sent to the queue. */
export async function runMoveStep(env: Bindings, message: MoveMessage): Promise<void> {
  const { organisation_id: organisationId, from, to } = message;
  if (message.kind === "remove") {
    const shard = message.shard ?? from;
    if (await removeStep(createDatabase(shardOf(env, shard), emptyCost(), shard), organisationId)) await env.ORGANISATION_MOVES.send(message);
    return;
  }
  const source = createDatabase(shardOf(env, from), emptyCost(), from);
  const target = createDatabase(shardOf(env, to), emptyCost(), to);
  const maxIds: MovedMaxIds = { ...message.max_ids };
  let next: MoveCursor | null;
  try {
    next = await copyStep(source, target, organisationId, message.cursor ?? { phase: 0, after: 0 }, maxIds);
  } catch (error) {
    if (!(error instanceof MoveConflict)) throw error;
    console.error(JSON.stringify({ error: "move_conflict", organisation_id: organisationId, from, to, table: error.table }));
    await setMoving(source, organisationId, 0);
    await env.ORGANISATION_MOVES.send({ organisation_id: organisationId, from, to, kind: "remove", shard: to });
    return;
  }
  if (next) {
    await env.ORGANISATION_MOVES.send({ ...message, cursor: next, max_ids: maxIds });
    return;
  }
  await openOnTarget(target, organisationId, maxIds);
  const keys = await moveInDirectory(createDatabase(env.DIRECTORY, emptyCost()), organisationId, to);
  await Promise.all(keys.map((key) => putTokenEntry(env.TOKENS, key.hash, tokenEntry(key, to))));
  await setMoving(source, organisationId, 2);
  await env.ORGANISATION_MOVES.send({ organisation_id: organisationId, from, to, kind: "remove", shard: from }, { delaySeconds: MOVE_CLEANUP_DELAY_S });
}
