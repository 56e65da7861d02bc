/**
 * @module The schemas the OpenAPI document names (components.schemas): request
 * rules and response shapes register here under their component name, and
 * nested ones become `$ref`s.
 */
import * as z from "zod";

export const apiSchemas = z.registry<{ id: string; description?: string }>();

/** Registers `schema` as component `id` and returns it unchanged. */
export function named<T extends z.ZodType>(id: string, schema: T, description?: string): T {
  (schema as z.ZodType).register(apiSchemas, { id, description });
  return schema;
}

/** ISO 8601 UTC with milliseconds. */
export const timestamp = z.string().meta({ format: "date-time", example: "2020-04-09T15:01:20.929Z" });
/** YYYY-MM-DD. */
export const calendarDate = z.string().meta({ format: "date", example: "2020-04-09" });
/** A decimal rendered the Rails way: plain notation, at least one decimal digit. */
export const decimalString = z.string().meta({ pattern: "^\\d+\\.\\d+$", example: "1.0" });
/** A decimal as the client sent it (a JSON number in plain notation): consumptions' volume and price. */
export const sentDecimalString = z.string().meta({ pattern: "^-?(\\d+(\\.\\d*)?|\\.\\d+)$", example: "1500.250" });

/**
 * What a field accepts, as JSON Schema, where zod cannot say it from the
 * schema itself (a union read with its own rules, a refinement): the field
 * builders (src/domain/validation/fields.ts) declare it, the OpenAPI document
 * (src/openapi/document.ts) prints it instead of zod's guess.
 */
export const acceptedJson = new WeakMap<z.ZodType, Record<string, unknown>>();

/** Declares what `schema` accepts (see `acceptedJson`) and returns it unchanged. */
export function accepts<T extends z.ZodType>(schema: T, json: Record<string, unknown>): T {
  acceptedJson.set(schema, json);
  return schema;
}

/** Optional fields whose `null` (and blank string) means "not given" or "clear it": documented as nullable. */
export const nullMeansAbsent = new WeakSet<z.ZodType>();
