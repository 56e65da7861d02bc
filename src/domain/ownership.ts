/**
 * @module Ownership: "customer `customerId` belongs to organisation
 * `organisationId`", written once. Drizzle queries use the conditions; the
 * few statements written as SQL text (the events', the multi-row EAN insert)
 * use the same conditions compiled to text, with their parameters in the
 * text's order.
 */
import { and, eq, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { customers } from "./db/schema";

/** A value or a placeholder of a compiled query. */
type Bound = number | SQLWrapper;

/**
 * Every statement that reads by a customer id carries this condition, so
 * another organisation's id costs what an unknown id costs (one row looked at).
 */
export function ownedCustomer(organisationId: Bound, customerId: Bound) {
  return and(eq(customers.id, customerId), eq(customers.organisationId, organisationId));
}

/** The customer's id when it is the organisation's, else NULL: the key for its child rows (none for another organisation's id). */
export function ownedCustomerId(organisationId: Bound, customerId: Bound) {
  return sql`(select ${customers.id} from ${customers} where ${ownedCustomer(organisationId, customerId)})`;
}

/** An ownership fragment as SQL text, and its parameters in the text's order. */
export interface OwnershipText {
  text: string;
  params(organisationId: number, customerId: number): number[];
}

const dialect = new SQLiteSyncDialect();

/** Compiles `fragment(organisation, customer)` with named placeholders, so the parameters' order is read, not assumed. */
function compileOwnership(fragment: (organisationId: SQLWrapper, customerId: SQLWrapper) => SQL | undefined): OwnershipText {
  const compiled = fragment(sql.placeholder("organisationId"), sql.placeholder("customerId"));
  if (!compiled) throw new Error("ownership fragment is empty");
  const { sql: text, params } = dialect.sqlToQuery(compiled);
  const names = params.map((param) => (param as { name: string }).name);
  return {
    text,
    params: (organisationId, customerId) => names.map((name) => (name === "organisationId" ? organisationId : customerId)),
  };
}

/** `ownedCustomer` over the `customers` table, as text. */
export const OWNED_CUSTOMER_SQL = compileOwnership(ownedCustomer);
/** `ownedCustomerId`, as text. */
export const OWNED_CUSTOMER_ID_SQL = compileOwnership(ownedCustomerId);
