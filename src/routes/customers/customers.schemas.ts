/**
 * @module Request rules for customers (the contract's customer table, in its
 * order: errors are listed in this order).
 */
import * as z from "zod";
import { LANGUAGES, TITLES } from "../../db/schema";
import { MAX_PER_PAGE } from "../../limits";
import { named } from "../../validation/registry";
import * as f from "../../validation/fields";


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

export const createCustomerBody = named("CustomerCreateRequest", f.envelope({
  customer: f.object({
    email: f.email(),
    terms_and_conditions: f.acceptance(),
    privacy_policy: f.acceptance(),
    registered_from_ip: f.optionalIpAddress(),
    profile: profileSchema,
  }),
}));

export type CreateCustomerInput = z.output<typeof createCustomerBody>["customer"];


/** A query parameter as Rails reads it: the last value wins, leading digits only (`"2abc"` → 2). */
const leadingInteger = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    const n = Number.parseInt(last ?? "", 10);
    return Number.isSafeInteger(n) ? n : null;
  });

/** Kaminari's rules: page < 1 → 1; per absent, < 1 or > 25 → 25. Never an error. */
export const listCustomersQuery = z.object({
  page: leadingInteger.transform((page) => (page !== null && page > 0 ? page : 1)),
  per: leadingInteger.transform((per) => (per !== null && per > 0 && per <= MAX_PER_PAGE ? per : MAX_PER_PAGE)),
});
