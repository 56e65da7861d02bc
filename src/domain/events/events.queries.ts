/**
 * @module The feed's SQL: one indexed range read per page — rows read ≤ limit
 * + 1 whatever the feed's length ((organisation, id) or (organisation, type,
 * id)); the daily purge of events older than 30 days.
 */
import { and, asc, eq, gt, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { compileQuery } from "../db/compiled";
import { type EVENT_TYPES, events } from "../db/schema";
import { EVENT_RETENTION_MS } from "../limits";

const eventsAfter = compileQuery(["organisationId", "after", "take"], (db, $) =>
  db
    .select()
    .from(events)
    .where(and(eq(events.organisationId, $.organisationId), gt(events.id, $.after)))
    .orderBy(asc(events.id))
    .limit($.take),
);

const eventsOfTypeAfter = compileQuery(["organisationId", "type", "after", "take"], (db, $) =>
  db
    .select()
    .from(events)
    .where(and(eq(events.organisationId, $.organisationId), eq(events.type, $.type), gt(events.id, $.after)))
    .orderBy(asc(events.id))
    .limit($.take),
);

/** The page of `limit` events after `after`; one more is read to know whether there are more. */
export async function listEvents(db: Database, organisationId: number, after: number, limit: number, type: (typeof EVENT_TYPES)[number] | undefined) {
  const take = limit + 1;
  const [rows] = await db.run([
    type === undefined ? eventsAfter.bind({ organisationId, after, take }) : eventsOfTypeAfter.bind({ organisationId, type, after, take }),
  ]);
  return { events: rows.slice(0, limit), hasMore: rows.length > limit };
}

const eventById = compileQuery(["organisationId", "eventId"], (db, $) =>
  db
    .select()
    .from(events)
    .where(and(eq(events.id, $.eventId), eq(events.organisationId, $.organisationId))),
);

export async function findEvent(db: Database, organisationId: number, eventId: number) {
  const [[row]] = await db.run([eventById.bind({ organisationId, eventId })]);
  return row ?? null;
}

export async function purgeExpiredEvents(db: Database) {
  await db.run([db.delete(events).where(lt(events.createdAt, new Date(Date.now() - EVENT_RETENTION_MS).toISOString()))]);
}
