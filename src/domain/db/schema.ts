/**
 * @module A shard's D1 schema (Drizzle): every organisation's data lives on
 * one shard (src/domain/db/shards.ts); the directory's tables are in
 * directory-schema.ts. `npm run db:generate` turns changes here into a SQL
 * migration under drizzle/.
 *
 * Timestamps are stored as the ISO 8601 strings the API renders
 * (`2020-04-07T13:51:11.880Z`), decimals as their canonical decimal strings
 * (`"0.00341"`), so nothing is converted on the way out.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** The values of the enum-like columns: the request rules and the renderings take them from here. */
export const TITLES = ["mr", "mrs"] as const;
export const LANGUAGES = ["nl", "fr", "en"] as const;
export const PRODUCTS = ["gas", "electricity"] as const;
export const REASONS = ["normal", "new", "reopened", "dropped", "moved"] as const;
export const TARIFF_GROUPS = ["mono", "dual", "monoExclusive", "dualExclusive"] as const;
export const RECORDING_PERIODS = [
  "automatic",
  "monthly",
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
] as const;
/** An EAN's switching lifecycle: `ready` on creation; the operator moves it (EAN_STATE_MOVES). */
export const EAN_STATES = ["ready", "offered", "switch_requested", "switched", "rejected", "cancelled"] as const;
export type EanState = (typeof EAN_STATES)[number];

/** One consumption line of an EAN, its decimals as the client sent them. */
export interface Consumption {
  name: string;
  volume: string | null;
  price: string | null;
}

/** An organisation's own row on its shard; its id and domain are the directory's (directoryOrganisations). */
export const organisations = sqliteTable(
  "organisations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    domain: text("domain").notNull(),
    /** Number of customers (the list's total), written in the same batch as every customer insert and erasure: no COUNT(*). */
    customersCount: integer("customers_count").notNull().default(0),
    /**
     * The last `customers.org_seq` given: a new customer takes the next one
     * (never reused). NULL past MAX_CUSTOMER_SEQ, which its NOT NULL refuses.
     */
    customersSeq: integer("customers_seq").notNull().default(0),
    /**
     * Webhook delivery messages of this organisation in the shared delivery
     * queue (src/webhooks): the dispatcher hands over no more than
     * WEBHOOK_IN_FLIGHT_PER_ORGANISATION, a finished delivery gives its slot back.
     */
    webhookInFlight: integer("webhook_in_flight").notNull().default(0),
    /** When the dispatcher last handed deliveries over: the daily purge resets a count no message can still hold. */
    webhookDispatchedAt: text("webhook_dispatched_at"),
    /**
     * 0: its data is written here. 1: it is being copied to another shard;
     * 2: it has moved away (this copy is removed shortly). Either way every
     * write batch for it fails on the write guard (MOVING).
     */
    moving: integer("moving").notNull().default(0),
    createdAt: text("created_at").notNull(),
  },
  // One domain names one organisation.
  (t) => [uniqueIndex("organisations_domain_unique").on(t.domain)],
);

/**
 * The organisation's erased customers, as a Fenwick tree over `org_seq`
 * (1 … MAX_CUSTOMER_SEQ): `node` counts the erasures of the sequences
 * (node − lowbit(node), node]; absent nodes count none. An erasure adds one
 * to at most log2(MAX_CUSTOMER_SEQ) + 1 nodes, and the list finds where page N
 * starts by descending as many levels: both a constant number of rows,
 * whatever the organisation's size (src/domain/customers/customers.queries.ts).
 */
export const customerErasures = sqliteTable(
  "customer_erasures",
  {
    organisationId: integer("organisation_id").notNull(),
    node: integer("node").notNull(),
    erased: integer("erased").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organisationId, t.node] })],
);

export const suppliers = sqliteTable(
  "suppliers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull(),
  },
  // A supplier's name names one supplier, case-insensitively.
  (t) => [uniqueIndex("suppliers_name_unique").on(sql`lower(${t.name})`)],
);

/**
 * A customer and its profile in one row: the API shows them as two objects,
 * but they are created together and never apart, so one row halves the rows
 * read and written. The profile's `id` is the customer's id.
 */
export const customers = sqliteTable(
  "customers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id),
    /** 1-based position of the customer within its organisation, in creation order (erasures leave gaps: customerErasures). */
    orgSeq: integer("org_seq").notNull(),
    email: text("email").notNull(),
    /** The partner's own id for the customer, unique within the organisation. */
    externalId: text("external_id"),
    registeredFromIp: text("registered_from_ip"),
    title: text("title", { enum: TITLES }).notNull(),
    firstName: text("first_name").notNull(),
    lastName: text("last_name").notNull(),
    birthDate: text("birth_date").notNull(),
    phone: text("phone").notNull(),
    city: text("city").notNull(),
    street: text("street").notNull(),
    building: text("building").notNull(),
    buildingAddon: text("building_addon"),
    postalCode: text("postal_code").notNull(),
    language: text("language", { enum: LANGUAGES }).notNull(),
    /**
     * Number of EANs, written in the same batch as every EAN insert. The
     * insert batch sets it to NULL when it would pass the cap, so the NOT
     * NULL constraint refuses the whole batch: the cap holds under races.
     */
    eansCount: integer("eans_count").notNull().default(0),
    /** When the customer accepted the terms and conditions and the privacy policy (GDPR Art. 7: consent is demonstrable). */
    termsAcceptedAt: text("terms_accepted_at"),
    privacyAcceptedAt: text("privacy_accepted_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    // E-mail is unique in the whole system, case-insensitively.
    uniqueIndex("customers_email_unique").on(sql`lower(${t.email})`),
    uniqueIndex("customers_organisation_seq_unique").on(t.organisationId, t.orgSeq),
    // Two organisations may use the same external id; one organisation, once.
    uniqueIndex("customers_organisation_external_id_unique").on(t.organisationId, t.externalId),
  ],
);

export const eans = sqliteTable(
  "eans",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    customerId: integer("customer_id")
      .notNull()
      .references(() => customers.id),
    supplierId: integer("supplier_id").references(() => suppliers.id),
    /** Copied from suppliers at insert (suppliers are never renamed): lists read no supplier rows. */
    supplierName: text("supplier_name"),
    number: text("number").notNull(),
    product: text("product", { enum: PRODUCTS }).notNull(),
    reason: text("reason", { enum: REASONS }).notNull(),
    building: text("building"),
    buildingAddon: text("building_addon"),
    street: text("street"),
    city: text("city"),
    state: text("state", { enum: EAN_STATES }).notNull(),
    postalCode: text("postal_code"),
    /** JSON array of {name, volume, price} with decimal strings, or NULL. */
    consumptions: text("consumptions", { mode: "json" }).$type<Consumption[]>(),
    solarPanels: integer("solar_panels", { mode: "boolean" }).notNull(),
    inverterMaxPower: integer("inverter_max_power"),
    contractEndDate: text("contract_end_date"),
    respectContractEndDate: integer("respect_contract_end_date", { mode: "boolean" }).notNull(),
    fixedFee: text("fixed_fee"),
    tariffGroup: text("tariff_group", { enum: TARIFF_GROUPS }),
    recordingPeriod: text("recording_period", { enum: RECORDING_PERIODS }),
    wkk: text("wkk"),
    gsc: text("gsc"),
    createdAt: text("created_at").notNull(),
    confirmedAt: text("confirmed_at"),
    /** Equal to created_at until the first update that changes something (older rows: backfilled by migration). */
    updatedAt: text("updated_at"),
  },
  (t) => [uniqueIndex("eans_number_unique").on(t.number), index("eans_customer_idx").on(t.customerId)],
);

/**
 * Idempotency keys (Stripe's semantics): the first answer to a POST, replayed
 * to retries with the same key. Scoped to the caller (an organisation, or the
 * operator). Neither the key nor the answer is stored in the clear: the row is
 * found by SHA-256 of the key, and the answer is AES-GCM encrypted under a key
 * derived from the idempotency key, which only the client holds (answers
 * carry personal data, and the operator's carry tokens).
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    scope: text("scope").notNull(),
    keyHash: text("key_hash").notNull(),
    /** SHA-256 of method, path and body: the same key with another request is refused. */
    fingerprint: text("fingerprint").notNull(),
    /**
     * A random id the server gave the claim (never anything the client sent):
     * completing or releasing the key addresses this claim and no other.
     */
    claimId: text("claim_id").notNull(),
    status: integer("status"),
    /** base64(iv ‖ AES-GCM ciphertext) of the answer's body; NULL with a status when the answer was erased (GDPR). */
    body: text("body"),
    /** The customer the request wrote (`customer:<id>`): erasing the customer erases the stored answer too. */
    subject: text("subject"),
    createdAt: text("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_scope_key_unique").on(t.scope, t.keyHash),
    index("idempotency_keys_created_idx").on(t.createdAt),
    index("idempotency_keys_subject_idx").on(t.subject),
  ],
);

export const EVENT_TYPES = [
  "customer.created",
  "customer.updated",
  "customer.deleted",
  "ean.created",
  "ean.updated",
  "ean.deleted",
  "ean.state_changed",
  "webhook_endpoint.disabled",
] as const;

/**
 * The change feed (a transactional outbox): every change of an
 * organisation's data writes its event in the same D1 batch as the change.
 * `data` is `{"object": …}`, the resource as the API rendered it after the
 * change (rendered in SQL by the batch itself: src/domain/db/events.ts). Ids
 * increase (AUTOINCREMENT), so per organisation too.
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organisationId: integer("organisation_id").notNull(),
    type: text("type", { enum: EVENT_TYPES }).notNull(),
    /** The customer the event is about: erasing it reduces its events to ids. */
    customerId: integer("customer_id"),
    createdAt: text("created_at").notNull(),
    data: text("data", { mode: "json" }).$type<{ object: Record<string, unknown>; previous_state?: string }>().notNull(),
  },
  (t) => [
    index("events_organisation_id_idx").on(t.organisationId, t.id),
    index("events_organisation_type_id_idx").on(t.organisationId, t.type, t.id),
    index("events_customer_idx").on(t.customerId),
    index("events_created_idx").on(t.createdAt),
  ],
);

/** An endpoint's `events`: event types, or `["*"]` for every type. */
export type WebhookEventFilter = Array<(typeof EVENT_TYPES)[number] | "*">;

/**
 * Where an organisation's events are POSTed (src/webhooks). `cursor` is the
 * last event id handed to the delivery queue: the dispatcher moves it by
 * compare-and-set, so an event is handed over once. It starts at the
 * organisation's last event: an endpoint gets the events after its creation.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organisationId: integer("organisation_id")
      .notNull()
      .references(() => organisations.id),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<WebhookEventFilter>().notNull(),
    /** `whsec_…`: the HMAC key of the signatures; shown once, at creation. */
    secret: text("secret").notNull(),
    cursor: integer("cursor").notNull(),
    /** Attempts failed in a row (0 while healthy): the endpoint's backoff grows with it. */
    failures: integer("failures").notNull().default(0),
    /**
     * While failing: until when its deliveries wait (no attempt, no fetch) —
     * one delivery at a time probes it, the others are delayed until then.
     */
    retryAt: text("retry_at"),
    createdAt: text("created_at").notNull(),
    /**
     * False while paused (PATCH) or after failing every attempt for
     * WEBHOOK_DISABLE_AFTER_MS: nothing is dispatched to it and its cursor
     * stays, so that once enabled it catches up in order.
     */
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** When its current run of failed attempts began; NULL while healthy. */
    failingSince: text("failing_since"),
    /** The secret before the last rotation: deliveries carry its signature too until `previous_secret_expires_at`. */
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: text("previous_secret_expires_at"),
  },
  (t) => [index("webhook_endpoints_organisation_idx").on(t.organisationId, t.id)],
);

/** One attempt to deliver an event to an endpoint (the delivery log); kept 30 days like events. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    // A rowid, not AUTOINCREMENT: ids only order the log, and every AUTOINCREMENT table costs each insert a row read.
    id: integer("id").primaryKey(),
    endpointId: integer("endpoint_id").notNull(),
    eventId: integer("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    /** The HTTP status answered; NULL when none came (timeout, refused connection). */
    status: integer("status"),
    succeeded: integer("succeeded", { mode: "boolean" }).notNull(),
    at: text("at").notNull(),
  },
  (t) => [index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.id), index("webhook_deliveries_at_idx").on(t.at)],
);

/**
 * Never holds a row. A dry run ends each batch that writes with an insert
 * here that always fails — on `changed` when the batch's writes changed
 * rows, on `unchanged` when they changed none — so D1 rolls the batch back
 * after every constraint has run (src/domain/db/dry-run.ts).
 */
/**
 * Never holds a row: every write batch of an organisation's request starts
 * with an insert here of NULL when the organisation is moving or has moved
 * (`organisations.moving`), which NOT NULL refuses, failing the whole batch
 * (answered 503 with Retry-After); otherwise it inserts nothing (one row read).
 * A stale token cache that still routes to the old shard cannot write there.
 */
export const writeGuard = sqliteTable("write_guard", {
  open: integer("open").notNull(),
});

export const dryRunSentinel = sqliteTable("dry_run_sentinel", {
  changed: integer("changed").notNull(),
  unchanged: integer("unchanged").notNull(),
});

/**
 * Never holds a row either: a dry run's batch starts with an insert here of
 * the connection's `total_changes()`, so its sentinel can tell whether any of
 * the batch's writes changed a row (the batch rolls back, taking it along).
 */
export const dryRunMarks = sqliteTable("dry_run_marks", {
  totalChanges: integer("total_changes").notNull(),
});

export type OrganisationRow = typeof organisations.$inferSelect;
export type CustomerRow = typeof customers.$inferSelect;
export type EanRow = typeof eans.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
