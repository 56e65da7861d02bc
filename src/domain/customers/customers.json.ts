/** @module The Customer as the API renders it (and its OpenAPI schema): every field always present, `null` where empty. */
import * as z from "zod";
import type { CustomerRow, EanRow } from "../db/schema";
import { LANGUAGES, TITLES } from "../db/schema";
import { eanJson, toEanJson } from "../eans/eans.json";
import { type OrganisationRef, organisationJson, toOrganisationJson } from "../organisations/organisations.json";
import { column, type Fields, nested, render } from "../rendering";
import { calendarDate, named, timestamp } from "../validation/registry";

export const customerJson = named(
  "Customer",
  z.object({
    id: z.int(),
    email: z.string(),
    external_id: z.string().nullable().meta({ description: "The partner's own id for the customer (unique within the organisation), or null." }),
    created_at: timestamp,
    updated_at: timestamp,
    organisation: organisationJson,
    profile: z.object({
      id: z.int(),
      customer_id: z.int(),
      organisation_id: z.int(),
      title: z.enum(TITLES),
      first_name: z.string(),
      last_name: z.string(),
      birth_date: calendarDate,
      phone: z.string().meta({ description: "E.164: + country code and digits", example: "+3256980144" }),
      city: z.string(),
      street: z.string(),
      building: z.string(),
      building_addon: z.string().nullable(),
      postal_code: z.string(),
      language: z.enum(LANGUAGES),
      created_at: timestamp,
      updated_at: timestamp,
    }),
  }),
);

export type CustomerJson = z.infer<typeof customerJson>;

export const customerPageJson = named(
  "CustomerPage",
  z.object({
    current_page: z.int(),
    limit_value: z.int(),
    next_page: z.int().nullable(),
    prev_page: z.int().nullable(),
    total_pages: z.int(),
    records: z.array(customerJson),
  }),
  "A Kaminari page of customers, by id.",
);

/** The profile: the customer's own row (customer and profile share one row, hence one id). */
const PROFILE_FIELDS: Fields<CustomerRow, OrganisationRef> = [
  ["id", column("id", "id")],
  ["customer_id", column("id", "id")],
  ["organisation_id", column("organisationId", "organisation_id")],
  ["title", column("title", "title")],
  ["first_name", column("firstName", "first_name")],
  ["last_name", column("lastName", "last_name")],
  ["birth_date", column("birthDate", "birth_date")],
  ["phone", column("phone", "phone")],
  ["city", column("city", "city")],
  ["street", column("street", "street")],
  ["building", column("building", "building")],
  ["building_addon", column("buildingAddon", "building_addon")],
  ["postal_code", column("postalCode", "postal_code")],
  ["language", column("language", "language")],
  ["created_at", column("createdAt", "created_at")],
  ["updated_at", column("updatedAt", "updated_at")],
];

/** A Customer, key by key: the API's answers and the events' SQL (src/domain/db/events.ts) are both rendered from it. */
export const CUSTOMER_FIELDS: Fields<CustomerRow, OrganisationRef> = [
  ["id", column("id", "id")],
  ["email", column("email", "email")],
  ["external_id", column("externalId", "external_id")],
  ["created_at", column("createdAt", "created_at")],
  ["updated_at", column("updatedAt", "updated_at")],
  [
    "organisation",
    {
      js: (_, organisation) => toOrganisationJson(organisation),
      sql: (c) =>
        `json((select json_object('id', o.id, 'name', o.name, 'domain', o.domain, 'created_at', o.created_at)
          from organisations o where o.id = ${c}.organisation_id))`,
    },
  ],
  ["profile", nested(PROFILE_FIELDS)],
];

export function toCustomerJson(customer: CustomerRow, organisation: OrganisationRef): CustomerJson {
  return render(CUSTOMER_FIELDS, customer, organisation) as CustomerJson;
}

/** Kaminari's page envelope. */
export function toCustomerPageJson(page: number, per: number, total: number, records: CustomerJson[]): z.infer<typeof customerPageJson> {
  const totalPages = Math.ceil(total / per);
  return {
    current_page: page,
    limit_value: per,
    next_page: page < totalPages ? page + 1 : null,
    prev_page: page > 1 && page <= totalPages ? page - 1 : null,
    total_pages: totalPages,
    records,
  };
}

const consentJson = z.object({ accepted: z.boolean(), at: timestamp.nullable().meta({ description: "When it was given." }) });

export const customerExportJson = named(
  "CustomerExport",
  z.object({
    customer: customerJson,
    eans: z.array(eanJson),
    registered_from_ip: z.string().nullable(),
    consents: z.object({ terms_and_conditions: consentJson, privacy_policy: consentJson }),
    exported_at: timestamp,
  }),
  "Everything Enbro holds about a customer (GDPR Art. 15 and 20).",
);

export function toCustomerExportJson(
  customer: CustomerRow,
  organisation: OrganisationRef,
  eans: EanRow[],
  exportedAt: string,
): z.infer<typeof customerExportJson> {
  return {
    customer: toCustomerJson(customer, organisation),
    eans: eans.map(toEanJson),
    registered_from_ip: customer.registeredFromIp,
    // Consent is required to create a customer, so a stored customer has given both.
    consents: {
      terms_and_conditions: { accepted: true, at: customer.termsAcceptedAt },
      privacy_policy: { accepted: true, at: customer.privacyAcceptedAt },
    },
    exported_at: exportedAt,
  };
}
