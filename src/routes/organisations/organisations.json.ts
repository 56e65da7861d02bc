/** @module The Organisation as the API renders it. */
import type { OrganisationRow } from "../../db/schema";

export type OrganisationRef = Pick<OrganisationRow, "id" | "name" | "domain" | "createdAt">;

export function toOrganisationJson(org: OrganisationRef) {
  return { id: org.id, name: org.name, domain: org.domain, created_at: org.createdAt };
}
