/**
 * @module Zod builders for the contract's field rules.
 *
 * Every issue message is an `ErrorCode` of the catalogue (src/domain/errors.ts); the
 * validator hook turns issues into the Enbro `errors` array. Objects report
 * their issues in shape order, so a schema's key order is the order in which
 * errors are listed (the contract's table order).
 */
import Big from "big.js";
import * as z from "zod";
import { isNegativeDecimalText, toDecimalString } from "../../lib/decimal";
import { isValidEanNumber } from "../../lib/ean-number";
import { parseId } from "../../lib/ids";
import { normalisePhone } from "../../lib/phone";
import { isCalendarDate, todayUtc } from "../../lib/time";
import type { ErrorCode } from "../errors";
import { DECIMAL_FRACTION_DIGITS, DECIMAL_INTEGER_DIGITS, MAX_STRING_LENGTH } from "../limits";
import { accepts, nullMeansAbsent } from "./registry";

type Presence = { input?: unknown };

/** The error for a value of the wrong type: absent → is_missing, null → must_be_filled, else `code`. */
function presence(code: ErrorCode) {
  return (issue: Presence) => (issue.input === undefined ? "is_missing" : issue.input === null ? "must_be_filled" : code);
}

const trimIfString = (value: unknown) => (typeof value === "string" ? value.trim() : value);

/** Optional fields: absent, null and blank strings all mean "not given" (stored as NULL); documented as nullable. */
function optional<T extends z.ZodType>(schema: T) {
  const field = z.preprocess((value) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value), schema.optional());
  nullMeansAbsent.add(field);
  return field;
}

/**
 * Characters no text field may hold, because they are invisible or rewrite
 * how the text around them is shown: controls (C0, DEL, C1 such as U+0085 —
 * tabs and newlines included: trimmed at the ends, refused inside); format
 * characters (bidi embeddings, overrides and isolates such as U+202E,
 * zero-width space and joiners, the BOM, soft hyphen, tag characters);
 * line and paragraph separators (U+2028, U+2029); noncharacters (U+FFFF,
 * U+FDD0…); and UTF-16 surrogates without their pair, which are no
 * character at all.
 */
const INVISIBLE_OR_CONTROL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}]/u;

/** Text a person could have typed and will see as it is (see INVISIBLE_OR_CONTROL). */
export function isPrintableText(value: string): boolean {
  return !INVISIBLE_OR_CONTROL.test(value);
}

export function requiredString(max = MAX_STRING_LENGTH) {
  return z
    .string({ error: presence("must_be_a_string") })
    .trim()
    .min(1, { message: "must_be_filled", abort: true })
    .refine(isPrintableText, { message: "is_in_invalid_format", abort: true })
    .max(max, { message: "size_cannot_be_greater_than" });
}

export function optionalString(max = MAX_STRING_LENGTH) {
  return optional(requiredString(max)).transform((value) => value ?? null);
}

export function enumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(trimIfString, z.enum(values, { error: presence("must_be_one_of") }));
}

export function optionalEnumOf<const T extends readonly [string, ...string[]]>(values: T) {
  return optional(enumOf(values)).transform((value) => value ?? null);
}

/** Accepted: true, false, "true", "false", "1", "0", 1, 0. */
export function boolean() {
  return accepts(
    z
      .preprocess(trimIfString, z.union([z.boolean(), z.enum(["true", "false", "1", "0"]), z.literal([0, 1])], { error: presence("must_be_boolean") }))
      .transform((value) => value === true || value === "true" || value === "1" || value === 1),
    {
      anyOf: [{ type: "boolean" }, { type: "string", enum: ["true", "false", "1", "0"] }, { type: "integer", enum: [0, 1] }],
    },
  );
}

export function optionalBoolean(fallback: boolean) {
  return optional(boolean()).transform((value) => value ?? fallback);
}

/** `terms_and_conditions` and `privacy_policy`: a boolean that must be true. */
export function acceptance() {
  return accepts(
    boolean().refine((value) => value, { message: "must_be_true" }),
    {
      anyOf: [{ const: true }, { type: "string", enum: ["true", "1"] }, { const: 1 }],
      description: 'Must be true: `true`, `"true"`, `"1"` or `1`.',
    },
  );
}

/** Integers, or strings of digits; at least 0. */
export function nonNegativeInteger() {
  return accepts(
    z
      .union([z.number(), z.string()], { error: presence("must_be_an_integer") })
      .transform((value, ctx) => {
        const n = typeof value === "number" ? value : /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
        if (!Number.isSafeInteger(n)) {
          ctx.issues.push({ code: "custom", message: "must_be_an_integer", input: value });
          return z.NEVER;
        }
        return n;
      })
      .pipe(z.number().min(0, { message: "must_be_greater_than_or_equal_to" })),
    {
      anyOf: [
        { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        { type: "string", pattern: "^\\s*(-0+|[0-9]+)\\s*$" },
      ],
    },
  );
}

export function optionalNonNegativeInteger() {
  return optional(nonNegativeInteger()).transform((value) => value ?? null);
}

/**
 * Decimal strings are kept exact: "1.00" stays a decimal, never a binary
 * float. At most 12 digits before the point and 10 after, so that every
 * stored amount renders (and sums) exactly.
 */
const DECIMAL_TEXT = new RegExp(`^-?(\\d{1,${DECIMAL_INTEGER_DIGITS}}(\\.\\d{0,${DECIMAL_FRACTION_DIGITS}})?|\\.\\d{1,${DECIMAL_FRACTION_DIGITS}})$`);

/** What a decimal field accepts, as the document says it. */
const DECIMAL_DIGITS = `at most ${DECIMAL_INTEGER_DIGITS} digits before the point and ${DECIMAL_FRACTION_DIGITS} after`;
const DECIMAL_DESCRIPTION = `A decimal ≥ 0, as a string ("12.50") or a number: ${DECIMAL_DIGITS}.`;

/**
 * Finite numbers or strings like "1.00", at least 0, as exact decimal text:
 * a string as sent (trimmed), a number in plain notation (`1500.25` →
 * "1500.25", `1e-7` → "0.0000001").
 */
function nonNegativeDecimalText() {
  return z
    .union([z.number(), z.string()], { error: presence("must_be_a_decimal") })
    .meta({
      description: DECIMAL_DESCRIPTION,
    })
    .transform((value, ctx) => {
      const text = typeof value === "number" ? (Number.isFinite(value) ? new Big(value).toFixed() : "") : value.trim();
      if (!DECIMAL_TEXT.test(text)) {
        ctx.issues.push({ code: "custom", message: "must_be_a_decimal", input: value });
        return z.NEVER;
      }
      if (isNegativeDecimalText(text)) {
        ctx.issues.push({ code: "custom", message: "must_be_greater_than_or_equal_to", input: value, params: { detail: 0 } });
        return z.NEVER;
      }
      // Not negative, yet signed: a zero ("-0", "-0.00", the number -0). Zero has no sign.
      return text.startsWith("-") ? text.slice(1) : text;
    });
}

/** A decimal ≥ 0, normalised to the Rails rendering ("1.00" → "1.0"): `fixed_fee`, `wkk`, `gsc`. */
/** A decimal ≥ 0 as JSON Schema: a number, or decimal text (a zero may carry a sign). */
const DECIMAL_JSON = {
  anyOf: [
    { type: "number", minimum: 0 },
    {
      type: "string",
      pattern: `^\\s*(-?0*(\\.0*)?|(\\d{1,${DECIMAL_INTEGER_DIGITS}}(\\.\\d{0,${DECIMAL_FRACTION_DIGITS}})?|\\.\\d{1,${DECIMAL_FRACTION_DIGITS}}))\\s*$`,
    },
  ],
  description: DECIMAL_DESCRIPTION,
};

export function nonNegativeDecimal() {
  return accepts(
    nonNegativeDecimalText().transform((text) => toDecimalString(new Big(text))),
    DECIMAL_JSON,
  );
}

export function optionalNonNegativeDecimal() {
  return optional(nonNegativeDecimal()).transform((value) => value ?? null);
}

/** A decimal ≥ 0 kept as sent (`"1500.250"` stays "1500.250", `0` is "0"): consumptions' volume and price. */
export function optionalDecimalAsSent() {
  return optional(accepts(nonNegativeDecimalText(), DECIMAL_JSON)).transform((value) => value ?? null);
}

/** A real calendar date `YYYY-MM-DD`. */
export function date() {
  return z
    .string({ error: presence("must_be_a_date") })
    .trim()
    .min(1, { message: "must_be_filled", abort: true })
    .refine(isCalendarDate, { message: "must_be_a_date", abort: true })
    .meta({ format: "date", example: "2000-04-07" });
}

export function optionalDate() {
  return optional(date()).transform((value) => value ?? null);
}

export function pastDate() {
  return date()
    .refine((value) => value <= todayUtc(), { message: "must_be_in_the_past" })
    .meta({ format: "date", description: "Not in the future.", example: "2000-04-07" });
}

export function email() {
  return accepts(requiredString(), { type: "string", minLength: 1, maxLength: MAX_STRING_LENGTH, description: "An e-mail address; trimmed and lower-cased." })
    .transform((value) => value.toLowerCase())
    .refine((value) => z.regexes.email.test(value), { message: "is_in_invalid_format" });
}

/** A phone number, normalised to E.164 (`+3256980144`); Belgium is the default country. */
export function phone() {
  return requiredString().transform((value, ctx) => {
    const normalised = normalisePhone(value);
    if (!normalised) {
      ctx.issues.push({ code: "custom", message: "is_in_invalid_format", input: value });
      return z.NEVER;
    }
    return normalised;
  });
}

export function optionalIpAddress() {
  return optional(
    requiredString().refine((value) => z.regexes.ipv4.test(value) || z.regexes.ipv6.test(value), {
      message: "is_in_invalid_format",
    }),
  ).transform((value) => value ?? null);
}

/** 18 digits, GS1 Belgium & Luxembourg prefix 54, valid mod-10 check digit. */
export function eanNumber() {
  return requiredString()
    .refine(isValidEanNumber, { message: "is_in_invalid_format" })
    .meta({ pattern: "^\\s*54[0-9]{16}\\s*$", description: "18 digits starting with 54, with a valid GS1 check digit.", example: "542170967180397340" });
}

/** A JSON object; unknown keys are dropped. */
export function object<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: presence("must_be_a_hash") });
}

/**
 * An array of `item`, with at least `min` (`cannot_be_empty`) and at most
 * `max` items (`size_cannot_be_greater_than`). The size checks run on arrays
 * only: zod runs length checks on anything with a length, so a string sent
 * for an array would also be "too big" beside `must_be_an_array`.
 */
export function array<T extends z.ZodType>(item: T, bounds: { min?: number; max?: number } = {}) {
  const onArrays = { when: (payload: { value: unknown }) => Array.isArray(payload.value) };
  let schema = z.array(item, { error: presence("must_be_an_array") });
  if (bounds.min !== undefined) schema = schema.min(bounds.min, { message: "cannot_be_empty", ...onArrays });
  if (bounds.max !== undefined) schema = schema.max(bounds.max, { message: "size_cannot_be_greater_than", ...onArrays });
  return schema;
}

/**
 * An envelope (the request body, a bulk item): a JSON value that is not an
 * object is read as `{}`, so its keys are reported missing.
 */
export function envelope<T extends z.ZodRawShape>(shape: T) {
  return z.preprocess((value) => (value !== null && typeof value === "object" && !Array.isArray(value) ? value : {}), z.object(shape));
}

/** An optional array of at most `max` items. */
export function optionalArray<T extends z.ZodType>(item: T, max: number) {
  const field = z.preprocess((value) => (value === null ? undefined : value), array(item, { max }).optional());
  nullMeansAbsent.add(field);
  return field.transform((value) => value ?? null);
}

/**
 * A required field in a partial update: absent is allowed (the field is left
 * as it is); `null` or a blank string is `must_be_filled`; anything else
 * obeys `schema`.
 */
export function filledOrAbsent<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === "string" && value.trim() === "" ? null : value), schema).optional();
}

/** A path parameter that names a record by id: positive integers of at most 16 digits (the router admits digits only). */
export function pathId(description: string) {
  return accepts(
    z.string().transform((value, ctx) => {
      const id = parseId(value);
      if (id === null) {
        ctx.issues.push({ code: "custom", message: "not_found", input: value });
        return z.NEVER;
      }
      return id;
    }),
    { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description },
  );
}
