/** @module The feed's query: `after` (an event id, default 0), `limit` (1–100, default 25), `type` (one of the event types). */
import * as z from "zod";
import { EVENT_TYPES } from "../db/schema";
import { DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT } from "../limits";
import * as f from "../validation/fields";

/** A query parameter's last value, trimmed; absent → undefined. */
const lastValue = (value: unknown) => (Array.isArray(value) ? value[value.length - 1] : value);

export const listEventsQuery = f.object({
  after: z.preprocess(lastValue, f.nonNegativeInteger().optional()).transform((after) => after ?? 0),
  limit: z
    .preprocess(
      lastValue,
      f
        .nonNegativeInteger()
        .pipe(z.number().min(1, { message: "must_be_greater_than_or_equal_to" }).max(MAX_EVENTS_LIMIT, { message: "size_cannot_be_greater_than" }))
        .optional(),
    )
    .transform((limit) => limit ?? DEFAULT_EVENTS_LIMIT),
  type: z.preprocess(lastValue, f.enumOf(EVENT_TYPES).optional()),
});
