/**
 * @module The change feed: `GET /api/v1/events` (the caller's events in id
 * order after `after`) and `GET /api/v1/events/:id`. Events are written by
 * the batches that change data (src/domain/db/events.ts).
 */
import * as z from "zod";
import { EVENT_TYPES } from "../domain/db/schema";
import { ApiError, errorsJson } from "../domain/errors";
import { eventJson, eventPageJson, toEventJson } from "../domain/events/events.json";
import { findEvent, listEvents } from "../domain/events/events.queries";
import { listEventsQuery } from "../domain/events/events.schemas";
import { DEFAULT_EVENTS_LIMIT, MAX_EVENTS_LIMIT } from "../domain/limits";
import * as f from "../domain/validation/fields";
import { defineRoute } from "../routing/route";

export const listEventsRoute = defineRoute("get", "/api/v1/events", {
  operationId: "listEvents",
  tag: "Events",
  summary: "The organisation's events, in id order after `after`",
  description: "Send `next_after` back as `after` to read on; `has_more` says whether there are more now. Events are kept 30 days.",
  auth: "organisation",
  scope: "global",
  query: {
    schema: listEventsQuery,
    parameters: [
      {
        name: "after",
        description: "An event id: the events after it (default 0).",
        example: "0",
        schema: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
      {
        name: "limit",
        description: `Events per page, 1 to ${MAX_EVENTS_LIMIT} (default ${DEFAULT_EVENTS_LIMIT}).`,
        example: String(DEFAULT_EVENTS_LIMIT),
        schema: { type: "integer", minimum: 1, maximum: MAX_EVENTS_LIMIT },
      },
      { name: "type", description: "Only events of this type.", example: "ean.created", schema: { type: "string", enum: [...EVENT_TYPES] } },
    ],
  },
  responses: { 200: { schema: eventPageJson }, 422: { schema: errorsJson, description: "`after`, `limit` or `type` out of its range: every error at once." } },
  handler: async (c) => {
    const { after, limit, type } = c.req.valid("query");
    const page = await listEvents(c.get("database")(), c.get("organisationId"), after, limit, type);
    const data = page.events.map(toEventJson);
    return c.json({ data, has_more: page.hasMore, next_after: data.at(-1)?.id ?? after }, 200);
  },
});

export const getEvent = defineRoute("get", "/api/v1/events/:id", {
  operationId: "getEvent",
  tag: "Events",
  summary: "One event of the organisation",
  auth: "organisation",
  scope: "tenant",
  params: z.object({ id: f.pathId("Event id") }),
  responses: { 200: { schema: eventJson } },
  handler: async (c) => {
    const event = await findEvent(c.get("database")(), c.get("organisationId"), c.req.valid("param").id);
    if (!event) throw ApiError.notFound();
    return c.json(toEventJson(event), 200);
  },
});
