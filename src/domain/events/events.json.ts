/** @module The Event as the API renders it (and its OpenAPI schema), and the feed's page. */
import * as z from "zod";
import { EVENT_TYPES, type EventRow } from "../db/schema";
import { named, timestamp } from "../validation/registry";

export const eventJson = named(
  "Event",
  z.object({
    id: z.int().meta({ description: "Increasing within the organisation." }),
    type: z.enum(EVENT_TYPES),
    created_at: timestamp,
    data: z.object({
      object: z.record(z.string(), z.unknown()).meta({
        description: "The Customer or Ean as the API rendered it after the change; for *.deleted (and after the customer's erasure) its ids only.",
      }),
      previous_state: z.string().optional(),
    }),
  }),
);

export const eventPageJson = named(
  "EventPage",
  z.object({
    data: z.array(eventJson),
    has_more: z.boolean(),
    next_after: z.int().meta({ description: "The last id in data, or `after` when data is empty: send it back as `after`." }),
  }),
);

export function toEventJson(event: EventRow): z.infer<typeof eventJson> {
  return { id: event.id, type: event.type, created_at: event.createdAt, data: event.data };
}
