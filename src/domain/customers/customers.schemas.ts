/**
 * @module Request rules for customers (the contract's customer table, in its
 * order: errors are listed in this order).
 */
import * as z from "zod";
import { LANGUAGES, TITLES } from "../db/schema";
import { MAX_PER_PAGE } from "../limits";
import * as f from "../validation/fields";
import { named } from "../validation/registry";

export const profileSchema = f.object({
  first_name: f.requiredString(),
  last_name: f.requiredString(),
  city: f.requiredString(),
  street: f.requiredString(),
  building: f.requiredString(),
  postal_code: f.requiredString(),
  building_addon: f.optionalString(),
  title: f.enumOf(TITLES),
  phone: f.phone(),
  birth_date: f.pastDate(),
  language: f.optionalEnumOf(LANGUAGES).transform((language) => language ?? "nl"),
});

export const createCustomerBody = named(
  "CustomerCreateRequest",
  f.envelope({
    customer: f.object({
      email: f.email(),
      external_id: f.optionalString(),
      terms_and_conditions: f.acceptance(),
      privacy_policy: f.acceptance(),
      registered_from_ip: f.optionalIpAddress(),
      profile: profileSchema,
    }),
  }),
);

export type CreateCustomerInput = z.output<typeof createCustomerBody>["customer"];

/**
 * A customer update: `email`, `external_id` and any profile field, each with
 * its create rule; an absent key is left as it is (which keys were sent is
 * read from the body itself); `null` clears `building_addon` and
 * `external_id`, resets `language` to `nl`, and is `must_be_filled` for a
 * required field. Consents and `registered_from_ip` cannot be updated
 * (ignored, as unknown keys are).
 */
export const updateCustomerBody = named(
  "CustomerUpdateRequest",
  f.envelope({
    customer: f.object({
      email: f.filledOrAbsent(f.email()),
      external_id: f.optionalString(),
      profile: f
        .object({
          first_name: f.filledOrAbsent(f.requiredString()),
          last_name: f.filledOrAbsent(f.requiredString()),
          city: f.filledOrAbsent(f.requiredString()),
          street: f.filledOrAbsent(f.requiredString()),
          building: f.filledOrAbsent(f.requiredString()),
          postal_code: f.filledOrAbsent(f.requiredString()),
          building_addon: profileSchema.shape.building_addon,
          title: f.filledOrAbsent(profileSchema.shape.title),
          phone: f.filledOrAbsent(f.phone()),
          birth_date: f.filledOrAbsent(f.pastDate()),
          language: profileSchema.shape.language,
        })
        .optional(),
    }),
  }),
);

export type UpdateCustomerInput = z.output<typeof updateCustomerBody>["customer"];

/** A query parameter as Rails reads it: the last value wins, leading digits only (`"2abc"` → 2). */
const leadingInteger = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    const n = Number.parseInt(last ?? "", 10);
    return Number.isSafeInteger(n) ? n : null;
  });

/** Kaminari's rules: page < 1 → 1; per absent, < 1 or > 25 → 25. Never an error. `external_id` looks one customer up. */
export const listCustomersQuery = z.object({
  external_id: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (Array.isArray(value) ? value[value.length - 1] : value)?.trim() || null),
  page: leadingInteger.transform((page) => (page !== null && page > 0 ? page : 1)),
  per: leadingInteger.transform((per) => (per !== null && per > 0 && per <= MAX_PER_PAGE ? per : MAX_PER_PAGE)),
});

/** The customer a path names: one name, `customer_id`, in every path that holds one. */
export const customerIdParam = z.object({ customer_id: f.pathId("Customer id") });
