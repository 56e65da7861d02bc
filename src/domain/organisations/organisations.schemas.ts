/** @module Request rules for organisations (operator API). */
import * as z from "zod";
import { MAX_STRING_LENGTH } from "../limits";
import { named, nullMeansAbsent } from "../validation/registry";

/** `null` means "the default": documented as allowed. */
function nullable<T extends z.ZodType>(schema: T): T {
  nullMeansAbsent.add(schema);
  return schema;
}

import * as f from "../validation/fields";

/** A domain: a lowercase slug, runs of a-z0-9 joined by single hyphens ("leuschke-okonfadel-1"). */
export const DOMAIN_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const createOrganisationBody = named(
  "OrganisationCreateRequest",
  f.envelope({
    name: f.requiredString(),
    // Absent or null: the default. Blank is must_be_filled; anything but a slug is_in_invalid_format.
    domain: nullable(
      z.preprocess(
        (value) => (value === null ? undefined : value),
        f
          .requiredString(MAX_STRING_LENGTH)
          .refine((domain) => DOMAIN_PATTERN.test(domain), { message: "is_in_invalid_format" })
          .meta({
            description: "A lowercase slug (`a-z`, `0-9`, single hyphens between), unique; default `<slug of the name>-<id>`.",
            pattern: DOMAIN_PATTERN.source,
          })
          .optional(),
      ),
    ).transform((value) => value ?? null),
    // Absent or null: the emptiest shard. The handler checks it names a bound shard.
    shard: nullable(f.optionalNonNegativeInteger().meta({ description: "The shard to place it on (`0` … shards − 1); default: the emptiest." })),
  }),
);

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

export const moveOrganisationBody = named(
  "OrganisationMoveRequest",
  f.envelope({
    shard: f.nonNegativeInteger().meta({ description: "The shard to move it to (`0` … shards − 1), not its own." }),
  }),
);
