/**
 * @module After a request whose batches wrote events for an organisation with
 * webhook endpoints (src/domain/db/events.ts says which): one "new events" message
 * per organisation to the dispatch queue, awaited before the answer. The
 * change has landed whatever happens here: a failed send is logged (no
 * personal data) and the five-minute sweep (src/webhooks/dispatch.ts) hands
 * those events over instead.
 */
import type { Bindings, DispatchMessage } from "../env";

export async function requestDispatch(env: Bindings, organisations: readonly DispatchMessage[], requestId: string): Promise<void> {
  try {
    await env.WEBHOOK_DISPATCH.sendBatch(organisations.map((body) => ({ body })));
  } catch (error) {
    console.error(JSON.stringify({ request_id: requestId, error: "webhook_dispatch_not_sent", type: error instanceof Error ? error.name : typeof error }));
  }
}
