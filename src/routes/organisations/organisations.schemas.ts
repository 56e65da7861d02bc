/** @module Request rules for organisations (operator API). */
import { named } from "../../validation/registry";
import * as f from "../../validation/fields";

export const createOrganisationBody = named("OrganisationCreateRequest", f.envelope({
  name: f.requiredString(),
  domain: f.optionalString(),
}));

/**
 * The default domain's stem: lower case, runs of anything but a-z0-9 become
 * one "-", trimmed of "-" ("Acceptance Org 7" → "acceptance-org-7"). The id is
 * appended by the insert. A name with no such character gives "organisation".
 */
export function slugify(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "organisation";
}
