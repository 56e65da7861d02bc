/**
 * @module The Worker's queue consumer: the dispatch queue (organisations with
 * new events), the delivery queue (one attempt each), the moves queue (one
 * step of an organisation's move between shards) and the key usage queue
 * (`last_used_at`, one directory batch per message batch). A message that
 * throws is retried by Queues; the others are acknowledged one by one.
 */
import { createDatabase, type Database, emptyCost } from "../domain/db/client";
import { shardOf } from "../domain/db/shards";
import { MOVE_RETRY_AFTER_S } from "../domain/limits";
import { findDirectoryEntry, organisationMoving } from "../domain/organisations/organisations.queries";
import { recordTokenUses } from "../domain/tokens/tokens.queries";
import type { Bindings, DeliveryMessage, DispatchMessage, MoveMessage, TokenUsageMessage } from "../env";
import { runMoveStep } from "../moves/move-organisation";
import { deliver } from "./deliver";
import { dispatchEvents } from "./dispatch";

function isDispatch(batch: MessageBatch<unknown>): batch is MessageBatch<DispatchMessage> {
  return batch.queue.endsWith("-webhook-dispatch");
}

export async function consumeQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  if (batch.queue.endsWith("-token-usage")) {
    // The latest use of each key in the batch; a failed write retries the whole batch (it is idempotent).
    const uses = new Map<number, string>();
    for (const { body } of (batch as MessageBatch<TokenUsageMessage>).messages) {
      if (body.at > (uses.get(body.token_id) ?? "")) uses.set(body.token_id, body.at);
    }
    await recordTokenUses(createDatabase(env.DIRECTORY, emptyCost()), uses);
    batch.ackAll();
    return;
  }
  if (batch.queue.endsWith("-organisation-moves")) {
    // One step at a time (max_concurrency 1); a step that throws is retried by Queues, and re-running one is safe.
    for (const message of (batch as MessageBatch<MoveMessage>).messages) {
      await runMoveStep(env, message.body);
      message.ack();
    }
    return;
  }
  // Each message names its shard: one database per shard the batch touches.
  const databases = new Map<number, Database>();
  const databaseOf = (shard: number) => {
    let db = databases.get(shard);
    if (!db) {
      db = createDatabase(shardOf(env, shard), emptyCost(), shard);
      databases.set(shard, db);
    }
    return db;
  };
  // An organisation that is moving waits (its rows must not change under the copy); one that has moved is served where it went.
  const whereIs = async (organisationId: number | undefined, shard: number): Promise<number | null> => {
    if (organisationId === undefined) return shard;
    const moving = await organisationMoving(databaseOf(shard), organisationId);
    if (moving === 0) return shard;
    if (moving === 1) return null;
    const entry = await findDirectoryEntry(createDatabase(env.DIRECTORY, emptyCost()), organisationId);
    if (!entry) return shard;
    return entry.shard !== shard ? entry.shard : null;
  };
  if (isDispatch(batch)) {
    // Several messages for one organisation: one dispatch covers them all.
    const byOrganisation = new Map<number, Array<Message<DispatchMessage>>>();
    for (const message of batch.messages) {
      const messages = byOrganisation.get(message.body.organisation_id);
      if (messages) messages.push(message);
      else byOrganisation.set(message.body.organisation_id, [message]);
    }
    for (const [organisationId, messages] of byOrganisation) {
      try {
        const shard = await whereIs(organisationId, messages[0]!.body.shard);
        if (shard === null) {
          for (const message of messages) message.retry({ delaySeconds: MOVE_RETRY_AFTER_S });
          continue;
        }
        await dispatchEvents(databaseOf(shard), env, organisationId);
        for (const message of messages) message.ack();
      } catch (error) {
        console.error(
          JSON.stringify({ error: "webhook_dispatch_failed", organisation_id: organisationId, type: error instanceof Error ? error.name : typeof error }),
        );
        for (const message of messages) message.retry();
      }
    }
    return;
  }
  await Promise.all(
    (batch as MessageBatch<DeliveryMessage>).messages.map(async (message) => {
      try {
        const shard = await whereIs(message.body.organisation_id, message.body.shard);
        if (shard === null) {
          message.retry({ delaySeconds: MOVE_RETRY_AFTER_S });
          return;
        }
        await deliver(databaseOf(shard), env, { ...message.body, shard });
        message.ack();
      } catch (error) {
        console.error(
          JSON.stringify({
            error: "webhook_delivery_failed",
            endpoint_id: message.body.endpoint_id,
            event_id: message.body.event_id,
            type: error instanceof Error ? error.name : typeof error,
          }),
        );
        message.retry();
      }
    }),
  );
}
