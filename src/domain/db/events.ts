/**
 * @module The events of the change feed, written by the same D1 batch as the
 * change (a transactional outbox: neither can exist without the other). Each
 * statement renders the resource in SQL exactly as the API renders it
 * (customers.json.ts, eans.json.ts: a test holds the two to each other), so
 * an event's `object` is the resource after the change even for a create,
 * whose id exists only inside the batch.
 */
import { and, type SQL, sql } from "drizzle-orm";
import { CUSTOMER_FIELDS } from "../customers/customers.json";
import { EAN_FIELDS } from "../eans/eans.json";
import { D1_MAX_BOUND_PARAMETERS } from "../limits";
import { OWNED_CUSTOMER_ID_SQL, ownedCustomer } from "../ownership";
import { sqlObject } from "../rendering";
import { type Database, rawStatement, type Statement } from "./client";
import { customers, eans, events } from "./schema";

/** A Customer over the row `c`, and an Ean over the row `e`: rendered from the same field maps as the API's answers. */
const CUSTOMER_JSON = sqlObject(CUSTOMER_FIELDS, "c");
const EAN_JSON = sqlObject(EAN_FIELDS, "e");

const INSERT = "insert into events (organisation_id, type, customer_id, created_at, data)";
/** The SQL of the probe a batch that writes events for an organisation gets: one row when it has webhook endpoints, none (nothing read) else. */
export const WEBHOOK_PROBE_SQL = "select organisation_id from webhook_endpoints where organisation_id = ? limit 1";
/** The same for the organisation of an EAN (the operator's state moves). */
const EAN_WEBHOOK_PROBE_SQL = `select c.organisation_id from eans e join customers c on c.id = e.customer_id
  where e.id = ? and exists (select 1 from webhook_endpoints w where w.organisation_id = c.organisation_id)`;

/** The probe of an organisation's webhook endpoints: one row when it has some (read with the event insert, no extra round trip). */
function organisationProbe(organisationId: number): Statement<{ organisation_id: number }> {
  return { sql: WEBHOOK_PROBE_SQL, params: [organisationId], writes: false, rows: (result: D1Result) => result.results as Array<{ organisation_id: number }> };
}

/** A statement of this module's SQL. */
function statement(text: string, params: unknown[]): Statement<never> {
  return rawStatement(text, params, { writes: true });
}

/** An event insert, with its webhook probe. */
function eventStatement(text: string, params: unknown[], probe: Statement<{ organisation_id: number }>): Statement<never> {
  return rawStatement(text, params, { writes: true, probe });
}

/** The SQL of `customer.created` for the customer the batch has just inserted (last_insert_rowid()); the bench's bare Worker runs it too. */
export const CUSTOMER_CREATED_SQL = `${INSERT} select c.organisation_id, 'customer.created', c.id, ?, json_object('object', ${CUSTOMER_JSON})
     from customers c where c.id = last_insert_rowid() and c.organisation_id = ?`;

/** `customer.created` for the customer the batch has just inserted. */
export function customerCreatedEvent(organisationId: number, now: string) {
  return eventStatement(CUSTOMER_CREATED_SQL, [now, organisationId], organisationProbe(organisationId));
}

/** What a `*.updated` event holds between its two statements: never seen outside its batch. */
const PENDING_DATA = "{}";

/**
 * Fills the `*.updated` event the batch inserted before its update (the last
 * row it inserted, still pending) with the resource rendered after the update.
 * No row pending (the update changed nothing): nothing.
 */
function fillUpdatedEvent(renderedFrom: string, params: unknown[]) {
  return statement(`update events set data = (${renderedFrom}) where id = last_insert_rowid() and data = '${PENDING_DATA}'`, params);
}

/**
 * `customer.updated`, in two statements around the batch's update: `before`
 * inserts it (its object pending) only when the update will change a value —
 * `changed`, evaluated on the row as it is, the same test that moves
 * updated_at —; `after` renders the customer as changed into it. So an
 * update that changes nothing writes no event, even in the same millisecond
 * as one that does.
 */
export function customerUpdatedEvent(db: Database, organisationId: number, customerId: number, now: string, changed: SQL) {
  const query = db.insert(events).select(
    db
      .select({
        id: sql`null`.as("id"),
        organisationId: customers.organisationId,
        type: sql`'customer.updated'`.as("type"),
        customerId: customers.id,
        createdAt: sql`${now}`.as("created_at"),
        data: sql`${PENDING_DATA}`.as("data"),
      })
      .from(customers)
      .where(and(ownedCustomer(organisationId, customerId), changed)),
  );
  const { sql: text, params } = query.toSQL();
  return {
    before: eventStatement(text, params, organisationProbe(organisationId)),
    after: fillUpdatedEvent(`select json_object('object', ${CUSTOMER_JSON}) from customers c where c.id = ?`, [customerId]),
  };
}

/** Numbers per `ean.created` statement: D1's bound-parameter limit, less the statement's other four. */
export const NUMBERS_PER_STATEMENT = D1_MAX_BOUND_PARAMETERS - 4;

/** The SQL of `ean.created` for `count` numbers; parameters: organisation, now, the ownership condition's, the numbers. */
export function eansCreatedSql(count: number): string {
  return `${INSERT} select ?, 'ean.created', e.customer_id, ?, json_object('object', ${EAN_JSON})
         from eans e where e.customer_id = ${OWNED_CUSTOMER_ID_SQL.text} and e.number in (${Array(count).fill("?").join(", ")}) order by e.id`;
}

/** One `ean.created` per EAN the batch has just inserted for the customer (found by their numbers), in id order. */
export function eansCreatedEvents(organisationId: number, customerId: number, numbers: readonly string[], now: string) {
  const statements = [];
  for (let i = 0; i < numbers.length; i += NUMBERS_PER_STATEMENT) {
    const chunk = numbers.slice(i, i + NUMBERS_PER_STATEMENT);
    statements.push(
      eventStatement(
        eansCreatedSql(chunk.length),
        [organisationId, now, ...OWNED_CUSTOMER_ID_SQL.params(organisationId, customerId), ...chunk],
        organisationProbe(organisationId),
      ),
    );
  }
  return statements;
}

/** `ean.updated`, in two statements around the batch's update, as `customer.updated`; `target` is the update's own WHERE. */
export function eanUpdatedEvent(db: Database, organisationId: number, eanId: number, now: string, target: SQL | undefined, changed: SQL) {
  const query = db.insert(events).select(
    db
      .select({
        id: sql`null`.as("id"),
        organisationId: sql`${organisationId}`.as("organisation_id"),
        type: sql`'ean.updated'`.as("type"),
        customerId: eans.customerId,
        createdAt: sql`${now}`.as("created_at"),
        data: sql`${PENDING_DATA}`.as("data"),
      })
      .from(eans)
      .where(and(target, changed)),
  );
  const { sql: text, params } = query.toSQL();
  return {
    before: eventStatement(text, params, organisationProbe(organisationId)),
    after: fillUpdatedEvent(`select json_object('object', ${EAN_JSON}) from eans e where e.id = ?`, [eanId]),
  };
}

/** `ean.deleted`, right after the delete statement: only when it deleted a row (changes()). */
export function eanDeletedEvent(organisationId: number, customerId: number, eanId: number, now: string) {
  return eventStatement(
    `${INSERT} select ?, 'ean.deleted', ?, ?, json_object('object', json_object('id', ?, 'customer_id', ?)) where changes() > 0`,
    [organisationId, customerId, now, eanId, customerId],
    organisationProbe(organisationId),
  );
}

/** Before an erasure deletes them: one `ean.deleted` per EAN of the organisation's customer. */
export function customerEansDeletedEvents(organisationId: number, customerId: number, now: string) {
  return eventStatement(
    `${INSERT} select ?, 'ean.deleted', e.customer_id, ?, json_object('object', json_object('id', e.id, 'customer_id', e.customer_id))
     from eans e where e.customer_id = ${OWNED_CUSTOMER_ID_SQL.text} order by e.id`,
    [organisationId, now, ...OWNED_CUSTOMER_ID_SQL.params(organisationId, customerId)],
    organisationProbe(organisationId),
  );
}

/** `customer.deleted`, right after the customer's delete statement: only when it deleted the row. */
export function customerDeletedEvent(organisationId: number, customerId: number, now: string) {
  return eventStatement(
    `${INSERT} select ?, 'customer.deleted', ?, ?, json_object('object', json_object('id', ?)) where changes() > 0`,
    [organisationId, customerId, now, customerId],
    organisationProbe(organisationId),
  );
}

/**
 * Erasure reaches the feed: the customer's earlier events, and its EANs',
 * keep id, type and time, and their object becomes ids only; everything
 * beside the object (`previous_state`) stays. Runs before the customer's row
 * is deleted: the organisation check reads it.
 */
export function eraseCustomerEvents(organisationId: number, customerId: number) {
  return statement(
    `update events set data = json_set(data, '$.object', case when type like 'ean.%'
        then json_object('id', json_extract(data, '$.object.id'), 'customer_id', customer_id)
        else json_object('id', customer_id) end)
     where customer_id = ${OWNED_CUSTOMER_ID_SQL.text}`,
    OWNED_CUSTOMER_ID_SQL.params(organisationId, customerId),
  );
}

/**
 * `ean.state_changed` with `previous_state`, right after the compare-and-set:
 * only when it moved the EAN (changes()). Its state and time alone would not
 * do: a concurrent move that lost, in the same clock tick, would see the
 * winner's.
 */
export function eanStateChangedEvent(eanId: number, from: string, to: string, now: string) {
  return eventStatement(
    `${INSERT} select c.organisation_id, 'ean.state_changed', e.customer_id, ?, json_object('object', ${EAN_JSON}, 'previous_state', ?)
     from eans e join customers c on c.id = e.customer_id where e.id = ? and e.state = ? and changes() > 0`,
    [now, from, eanId, to],
    { sql: EAN_WEBHOOK_PROBE_SQL, params: [eanId], writes: false, rows: (result: D1Result) => result.results as Array<{ organisation_id: number }> },
  );
}
