/** @module The Customer as the API renders it: every field always present, `null` where empty. */
import type { CustomerRow } from "../../db/schema";
import { type OrganisationRef, toOrganisationJson } from "../organisations/organisations.json";

export function toCustomerJson(customer: CustomerRow, organisation: OrganisationRef) {
  return {
    id: customer.id,
    email: customer.email,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
    organisation: toOrganisationJson(organisation),
    profile: {
      // Customer and profile share one row, hence one id.
      id: customer.id,
      customer_id: customer.id,
      organisation_id: customer.organisationId,
      title: customer.title,
      first_name: customer.firstName,
      last_name: customer.lastName,
      birth_date: customer.birthDate,
      phone: customer.phone,
      city: customer.city,
      street: customer.street,
      building: customer.building,
      building_addon: customer.buildingAddon,
      postal_code: customer.postalCode,
      language: customer.language,
      created_at: customer.createdAt,
      updated_at: customer.updatedAt,
    },
  };
}

/** Kaminari's page envelope. */
export function toCustomerPageJson(
  page: number,
  per: number,
  total: number,
  records: ReturnType<typeof toCustomerJson>[],
) {
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
