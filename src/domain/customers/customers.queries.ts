/**
 * @module Customers' SQL. Each function is one D1 round trip (one batch).
 *
 * Cost: create = the e-mail's claim (the directory), then 1 batch (insert +
 * counter update, atomic); show = 1 statement, 2 rows read; list = 1 batch,
 * at most `per` + 3 + 2 × (CUSTOMER_SEQ_BITS + 1) rows read whatever the page number,
 * the organisation's size or its erasures (pages address `org_seq` through
 * the erasure tree: no COUNT, no OFFSET); erasure = rows of its own + a
 * constant.
 */
import { and, asc, eq, gte, type SQLWrapper, sql } from "drizzle-orm";
import { nowIso } from "../../lib/time";
import { claimKey, KeysTaken, releaseClaims, withClaims } from "../claims/claims.queries";
import type { Database } from "../db/client";
import { mapped, rawStatement, writeOnly } from "../db/client";
import { compileQuery } from "../db/compiled";
import { isNotNullViolation } from "../db/errors";
import { customerCreatedEvent, customerDeletedEvent, customerEansDeletedEvents, customerUpdatedEvent, eraseCustomerEvents } from "../db/events";
import { partialUpdateSet } from "../db/partial-update";
import type { CustomerRow } from "../db/schema";
import { customerErasures, customers, eans, organisations } from "../db/schema";
import { forgetAnswersHolding } from "../idempotency/idempotency.queries";
import { subjectOf } from "../idempotency/idempotency.subjects";
import { MAX_CUSTOMER_SEQ } from "../limits";
import { joinedOrganisationRef, organisationRef } from "../organisations/organisations.queries";
import { OWNED_CUSTOMER_SQL, ownedCustomer, ownedCustomerId } from "../ownership";
import type { CreateCustomerInput } from "./customers.schemas";

/** The organisation as rendered, with its customer count (the list's total). */
export const organisationWithCount = compileQuery(["organisationId"], (db, $) =>
  db
    .select({ ...organisationRef, customersCount: organisations.customersCount })
    .from(organisations)
    .where(eq(organisations.id, $.organisationId)),
);

/** The customer's row, with the next `org_seq` of its organisation. */
const insertCustomerRow = compileQuery(
  [
    "organisationId",
    "email",
    "externalId",
    "registeredFromIp",
    "title",
    "firstName",
    "lastName",
    "birthDate",
    "phone",
    "city",
    "street",
    "building",
    "buildingAddon",
    "postalCode",
    "language",
    "now",
  ],
  (db, $) =>
    db
      .insert(customers)
      .values({
        organisationId: $.organisationId,
        orgSeq: sql`(select ${organisations.customersSeq} + 1 from ${organisations} where ${organisations.id} = ${$.organisationId})`,
        email: $.email,
        externalId: $.externalId,
        registeredFromIp: $.registeredFromIp,
        title: $.title,
        firstName: $.firstName,
        lastName: $.lastName,
        birthDate: $.birthDate,
        phone: $.phone,
        city: $.city,
        street: $.street,
        building: $.building,
        buildingAddon: $.buildingAddon,
        postalCode: $.postalCode,
        language: $.language,
        termsAcceptedAt: $.now,
        privacyAcceptedAt: $.now,
        createdAt: $.now,
        updatedAt: $.now,
      })
      .returning(),
);

/** One more customer on the organisation's counters (NULL, refused, past MAX_CUSTOMER_SEQ); the organisation as rendered. */
const countNewCustomer = compileQuery(["organisationId"], (db, $) =>
  db
    .update(organisations)
    .set({
      customersCount: sql`${organisations.customersCount} + 1`,
      customersSeq: sql`case when ${organisations.customersSeq} < ${MAX_CUSTOMER_SEQ} then ${organisations.customersSeq} + 1 end`,
    })
    .where(eq(organisations.id, $.organisationId))
    .returning(organisationRef),
);

/** The organisation has created MAX_CUSTOMER_SEQ customers: its counter refused the next. */
export function isOverCustomerCap(error: unknown): boolean {
  return isNotNullViolation(error, "organisations.customers_seq");
}

/**
 * Inserts the customer with the next `org_seq` of its organisation and bumps
 * the organisation's counter, atomically. A taken e-mail fails the batch with
 * a UNIQUE violation on `customers_email_unique`.
 */
export async function insertCustomer(db: Database, directory: Database, organisationId: number, input: CreateCustomerInput, clientIp: string | null) {
  return withClaims(directory, "email", organisationId, [input.email], db.dryRun, () => insertCustomerOnShard(db, organisationId, input, clientIp));
}

async function insertCustomerOnShard(db: Database, organisationId: number, input: CreateCustomerInput, clientIp: string | null) {
  const { profile } = input;
  const now = nowIso();
  const [[customer], [organisation]] = await db.run([
    insertCustomerRow.bind({
      organisationId,
      email: input.email,
      externalId: input.external_id,
      registeredFromIp: input.registered_from_ip ?? clientIp,
      title: profile.title,
      firstName: profile.first_name,
      lastName: profile.last_name,
      birthDate: profile.birth_date,
      phone: profile.phone,
      city: profile.city,
      street: profile.street,
      building: profile.building,
      buildingAddon: profile.building_addon,
      postalCode: profile.postal_code,
      language: profile.language,
      now,
    }),
    countNewCustomer.bind({ organisationId }),
    customerCreatedEvent(organisationId, now),
  ]);
  if (!customer || !organisation) throw new Error("customer insert returned no row");
  return { customer, organisation };
}

/** The customer with its organisation as rendered, only when it is the organisation's. */
export const customerById = compileQuery(["organisationId", "customerId"], (db, $) =>
  db
    .select({ customer: customers, organisation: joinedOrganisationRef })
    .from(customers)
    .innerJoin(organisations, eq(organisations.id, customers.organisationId))
    .where(ownedCustomer($.organisationId, $.customerId)),
);

/** One statement: 2 rows read (the customer and its organisation); 1 for another organisation's or an unknown id. */
export async function findCustomer(db: Database, organisationId: number, customerId: number) {
  const [[found]] = await db.run([customerById.bind({ organisationId, customerId })]);
  return found ?? null;
}

/**
 * The `org_seq` of the organisation's `k`-th remaining customer (k ≥ 1), by a
 * descent of the erasure tree from its top: one node (one primary-key lookup)
 * per level, CUSTOMER_SEQ_BITS levels, whatever the organisation's size. At
 * each level the half below `pos + step` is taken when it holds fewer than
 * the `rem` customers still to pass. (Integers throughout: a bound number may
 * arrive as REAL, and step / 2 must stay integer division.)
 */
const kthRemainingSeq = (organisationId: SQLWrapper, k: SQLWrapper) => sql`(
  -- No erasure yet (the usual case): the k-th customer is the k-th sequence, and the tree is not walked.
  select case when not exists (select 1 from ${customerErasures} e where e.organisation_id = ${organisationId}) then cast(${k} as integer) else (
  with recursive descent(step, pos, rem) as (
    select ${sql.raw(String(MAX_CUSTOMER_SEQ / 2))}, 0, cast(${k} as integer)
    union all
    select d.step / 2,
      d.pos + (case when d.step - coalesce(t.erased, 0) < d.rem then d.step else 0 end),
      d.rem - (case when d.step - coalesce(t.erased, 0) < d.rem then d.step - coalesce(t.erased, 0) else 0 end)
    from descent d
    left join ${customerErasures} t on t.organisation_id = ${organisationId} and t.node = d.pos + d.step
    where d.step >= 1
  )
  select pos + 1 from descent where step = 0
) end)`;

/** Kaminari's page: the remaining customers ranked `from` … `from + per − 1`, in `org_seq` (= id) order. */
const customersFromRank = compileQuery(["organisationId", "from", "per"], (db, $) =>
  db
    .select()
    .from(customers)
    .where(and(eq(customers.organisationId, $.organisationId), gte(customers.orgSeq, kthRemainingSeq($.organisationId, $.from))))
    .orderBy(asc(customers.orgSeq))
    .limit($.per),
);

/**
 * Page `page` of `per` customers, by id (= by `org_seq`), and the
 * organisation's total: `per` + 2 rows read without erasures, and at most
 * `per` + 3 + 2 × (CUSTOMER_SEQ_BITS + 1) at any page however many customers
 * were erased (the descent reads a step and a node per level).
 */
export async function listCustomers(db: Database, organisationId: number, page: number, per: number) {
  // Past the last customer, the descent points past the last sequence given: no row.
  const [[organisation], records] = await db.run([
    organisationWithCount.bind({ organisationId }),
    customersFromRank.bind({ organisationId, from: (page - 1) * per + 1, per }),
  ]);
  if (!organisation) throw new Error(`organisation ${organisationId} of a valid token does not exist`);
  return { organisation, records, total: organisation.customersCount };
}

/** The customer with an external id, with its organisation as rendered: one indexed read. */
const customerByExternalId = compileQuery(["organisationId", "externalId"], (db, $) =>
  db
    .select({ customer: customers, organisation: joinedOrganisationRef })
    .from(customers)
    .innerJoin(organisations, eq(organisations.id, customers.organisationId))
    .where(and(eq(customers.organisationId, $.organisationId), eq(customers.externalId, $.externalId))),
);

export async function findCustomerByExternalId(db: Database, organisationId: number, externalId: string) {
  const [[found]] = await db.run([customerByExternalId.bind({ organisationId, externalId })]);
  return found ?? null;
}

/** Request field → the customers column (Drizzle's property) it sets. */
const UPDATABLE = {
  email: "email",
  external_id: "externalId",
  first_name: "firstName",
  last_name: "lastName",
  city: "city",
  street: "street",
  building: "building",
  postal_code: "postalCode",
  building_addon: "buildingAddon",
  title: "title",
  phone: "phone",
  birth_date: "birthDate",
  language: "language",
} as const satisfies Record<string, keyof CustomerRow>;

const UPDATABLE_COLUMNS = Object.fromEntries(Object.entries(UPDATABLE).map(([field, property]) => [field, customers[property]]));

export type CustomerChanges = { [K in keyof typeof UPDATABLE]?: string | null };

/**
 * Applies `changes` to the organisation's customer in one batch (the update
 * between its event's two statements, then the customer as rendered);
 * `updated_at` moves, and the event is written, only when a value changes. null when the customer is not the organisation's. A taken e-mail
 * or external id fails the batch (unique indexes).
 */
/**
 * A new e-mail is claimed in the directory before the shard's update, and
 * the old one released after it (read in the same batch, before the update).
 */
export async function updateCustomer(db: Database, directory: Database, organisationId: number, customerId: number, changes: CustomerChanges) {
  const now = nowIso();
  const partial = partialUpdateSet(UPDATABLE_COLUMNS, UPDATABLE, changes, customers.updatedAt, now);
  const read = customerById.bind({ organisationId, customerId });
  if (!partial) {
    const [[found]] = await db.run([read]);
    return found ?? null;
  }
  const update = db.update(customers).set(partial.set).where(ownedCustomer(organisationId, customerId));
  const event = customerUpdatedEvent(db, organisationId, customerId, now, partial.changed);
  const newEmail = typeof changes.email === "string" ? changes.email : undefined;
  const write = () =>
    db.run([
      db.select({ email: customers.email }).from(customers).where(ownedCustomer(organisationId, customerId)),
      event.before,
      writeOnly(update),
      event.after,
      read,
    ]);
  let results: Awaited<ReturnType<typeof write>>;
  try {
    results =
      newEmail === undefined
        ? await write()
        : await withClaims(directory, "email", organisationId, [newEmail], db.dryRun, write, ([[found]]) => found !== undefined);
  } catch (error) {
    // Taken elsewhere, but for a customer that is not the organisation's: 404, as any id it does not own.
    if (error instanceof KeysTaken && !(await db.run([read]))[0][0]) return null;
    throw error;
  }
  const [[before], , , , [after]] = results;
  if (after && before && newEmail !== undefined && !db.dryRun && claimKey("email", before.email) !== claimKey("email", newEmail)) {
    await releaseClaims(directory, "email", organisationId, [claimKey("email", before.email)]);
  }
  return after ?? null;
}

/**
 * The erased customer's sequence, added to the erasure tree: one to each node
 * that covers it (seq, seq + lowbit(seq), … ≤ MAX_CUSTOMER_SEQ: at most
 * CUSTOMER_SEQ_BITS + 1).
 * Nothing for a customer that is not the organisation's. Runs before its row
 * is deleted (it reads the sequence there).
 */
function countErasure(organisationId: number, customerId: number) {
  return rawStatement(
    `with recursive nodes(n) as (
       select org_seq from customers where ${OWNED_CUSTOMER_SQL.text}
       union all
       select n + (n & -n) from nodes where n + (n & -n) <= ${MAX_CUSTOMER_SEQ}
     )
     insert into customer_erasures (organisation_id, node, erased)
     select ?, n, 1 from nodes where true
     on conflict (organisation_id, node) do update set erased = erased + 1`,
    [...OWNED_CUSTOMER_SQL.params(organisationId, customerId), organisationId],
    { writes: true },
  );
}

/**
 * Erases the organisation's customer (GDPR Art. 17) in one atomic batch: its
 * EANs, its row (profile and consents with it), and every stored
 * Idempotency-Key answer about it (kept as a bare 404, so a retry of its
 * creation answers "Not found" and creates nothing). The organisation's
 * count drops and its sequence is counted in the erasure tree (at most
 * CUSTOMER_SEQ_BITS + 1 rows), which keeps pages exact: rows written are the
 * customer's own (its row, EANs, events, claims) plus a constant, whatever
 * the organisation's size. False when the customer is not the organisation's.
 * Then, in the directory, the operator's stored answers about it, and its
 * claims on its e-mail and EAN numbers.
 */
export async function eraseCustomer(db: Database, directory: Database, organisationId: number, customerId: number): Promise<boolean> {
  const owned = ownedCustomer(organisationId, customerId);
  const now = nowIso();
  const [[customer], numbers, , , , , , , erased] = await db.run([
    // What it held that must be unique across shards: released in the directory once it is gone.
    db.select({ email: customers.email }).from(customers).where(owned),
    db
      .select({ number: eans.number })
      .from(eans)
      .where(eq(eans.customerId, ownedCustomerId(organisationId, customerId))),
    writeOnly(
      db
        .update(organisations)
        .set({ customersCount: sql`${organisations.customersCount} - 1` })
        .where(and(eq(organisations.id, organisationId), sql`exists (select 1 from ${customers} where ${owned})`)),
    ),
    countErasure(organisationId, customerId),
    eraseCustomerEvents(organisationId, customerId),
    customerEansDeletedEvents(organisationId, customerId, now),
    writeOnly(db.delete(eans).where(eq(eans.customerId, ownedCustomerId(organisationId, customerId)))),
    // The subject only when the customer is the organisation's: another organisation's id reads nothing here.
    writeOnly(forgetAnswersHolding(db, sql`(select 'customer:' || ${customers.id} from ${customers} where ${owned})`)),
    mapped(db.delete(customers).where(owned).returning({ id: customers.id }), (result) => result.results),
    customerDeletedEvent(organisationId, customerId, now),
  ]);
  if (erased.length === 0) return false;
  // The operator's stored answers about it (its EANs' state moves) are the directory's: emptied once the erasure proved it the caller's.
  await directory.run([forgetAnswersHolding(directory, subjectOf("customer", customerId))]);
  await Promise.all([
    releaseClaims(directory, "email", organisationId, [claimKey("email", customer!.email)]),
    releaseClaims(
      directory,
      "ean_number",
      organisationId,
      numbers.map((row) => row.number),
    ),
  ]);
  return true;
}
