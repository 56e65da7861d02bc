/** @module The Organisation as the API renders it (and its OpenAPI schema). */
import * as z from "zod";
import type { OrganisationRow } from "../db/schema";
import { named, timestamp } from "../validation/registry";

export type OrganisationRef = Pick<OrganisationRow, "id" | "name" | "domain" | "createdAt">;

export const organisationJson = named("Organisation", z.object({ id: z.int(), name: z.string(), domain: z.string(), created_at: timestamp }));

export function toOrganisationJson(org: OrganisationRef): z.infer<typeof organisationJson> {
  return { id: org.id, name: org.name, domain: org.domain, created_at: org.createdAt };
}

export const createdOrganisationJson = named(
  "CreatedOrganisation",
  z.object({
    organisation: organisationJson,
    token: z.object({ id: z.int(), token: z.string().meta({ description: "The bearer token; shown only in this answer." }) }),
  }),
);

export const issuedTokenJson = named(
  "IssuedToken",
  z.object({ id: z.int(), token: z.string().meta({ description: "The bearer token; shown only in this answer." }) }),
);

/** The operator's view: the organisation and the shard that holds it. */
export const operatorOrganisationJson = named(
  "OperatorOrganisation",
  z.object({ id: z.int(), name: z.string(), domain: z.string(), created_at: timestamp, shard: z.int().meta({ description: "Its shard (`SHARD_<n>`)." }) }),
);

/** A move started: where from, where to. */
export const organisationMoveJson = named("OrganisationMove", z.object({ id: z.int(), from: z.int(), to: z.int(), state: z.literal("moving") }));
