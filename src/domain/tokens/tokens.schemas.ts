/** @module Request rules for API keys: a name, a scope, an optional expiry in the future (at most three years ahead). */
import * as z from "zod";
import { TOKEN_SCOPES } from "../db/directory-schema";
import { MAX_TOKEN_LIFETIME_DAYS, MAX_TOKEN_NAME_LENGTH } from "../limits";
import * as f from "../validation/fields";
import { named, nullMeansAbsent } from "../validation/registry";

const DAY_MS = 24 * 3600 * 1000;

/**
 * An RFC 3339 date-time with its offset (`2027-01-31T00:00:00Z`,
 * `2027-01-31T01:00:00+01:00`), read as the instant it names (stored in UTC,
 * to the millisecond), after now and within MAX_TOKEN_LIFETIME_DAYS; null or
 * absent: the key never expires.
 */
const expiresAt = z.preprocess(
  (value) => (value === null ? undefined : value),
  z
    .string({ error: (issue) => (issue.input === null ? "must_be_filled" : "must_be_a_date_time") })
    .trim()
    .min(1, { message: "must_be_filled", abort: true })
    .refine((value) => z.iso.datetime({ offset: true }).safeParse(value).success, { message: "must_be_a_date_time", abort: true })
    .transform((value) => new Date(value).toISOString())
    .refine((value) => Date.parse(value) > Date.now(), { message: "must_be_in_the_future", abort: true })
    .superRefine((value, ctx) => {
      if (Date.parse(value) > Date.now() + MAX_TOKEN_LIFETIME_DAYS * DAY_MS)
        ctx.addIssue({ code: "custom", message: "must_be_within_days", params: { detail: MAX_TOKEN_LIFETIME_DAYS } });
    })
    .meta({
      format: "date-time",
      description: `When the key stops working (RFC 3339, with an offset); in the future, at most ${MAX_TOKEN_LIFETIME_DAYS} days ahead. Null or absent: never.`,
      example: "2027-06-30T00:00:00Z",
    })
    .optional(),
);
nullMeansAbsent.add(expiresAt);

export const createTokenBody = named(
  "TokenCreateRequest",
  f.envelope({
    token: f.object({
      name: f
        .requiredString(MAX_TOKEN_NAME_LENGTH)
        .meta({ description: `What the key is for; at most ${MAX_TOKEN_NAME_LENGTH} characters.`, example: "CRM sync" }),
      scope: f.enumOf(TOKEN_SCOPES).meta({ description: "`read`: every GET and nothing else; `write`: everything." }),
      expires_at: expiresAt.transform((value) => value ?? null),
    }),
  }),
);
