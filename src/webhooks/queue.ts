/**
 * @module The Worker's queue consumer: the dispatch queue (organisations with
 * new events) and the delivery queue (one attempt each). A message that
 * throws is retried by Queues; the others are acknowledged one by one.
 */
import { createDatabase, type Database, emptyCost } from "../domain/db/client";
import { shardOf } from "../domain/db/shards";
import type { Bindings, DeliveryMessage, DispatchMessage } from "../env";
import { deliver } from "./deliver";
import { dispatchEvents } from "./dispatch";

function isDispatch(batch: MessageBatch<unknown>): batch is MessageBatch<DispatchMessage> {
  return batch.queue.endsWith("-webhook-dispatch");
}

export async function consumeQueue(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
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
        await dispatchEvents(databaseOf(messages[0]!.body.shard), env, organisationId);
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
        await deliver(databaseOf(message.body.shard), env, message.body);
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
