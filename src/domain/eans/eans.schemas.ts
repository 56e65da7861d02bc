/**
 * @module Request rules for EANs (the contract's EAN table, in its order:
 * errors are listed in this order).
 */
import type * as z from "zod";
import { EAN_STATES, PRODUCTS, REASONS, RECORDING_PERIODS, TARIFF_GROUPS } from "../db/schema";
import { MAX_BULK_EANS, MAX_CONSUMPTIONS } from "../limits";
import * as f from "../validation/fields";
import { named } from "../validation/registry";

export const consumptionSchema = f.object({
  name: f.requiredString(),
  volume: f.optionalDecimalAsSent(),
  price: f.optionalDecimalAsSent(),
});

export const eanSchema = named(
  "EanFields",
  f.object({
    number: f.eanNumber(),
    product: f.enumOf(PRODUCTS),
    reason: f.optionalEnumOf(REASONS).transform((reason) => reason ?? "normal"),
    supplier_id: f.optionalNonNegativeInteger(),
    street: f.optionalString(),
    building: f.optionalString(),
    building_addon: f.optionalString(),
    postal_code: f.optionalString(),
    city: f.optionalString(),
    consumptions: f.optionalArray(consumptionSchema, MAX_CONSUMPTIONS),
    fixed_fee: f.optionalNonNegativeDecimal(),
    wkk: f.optionalNonNegativeDecimal(),
    gsc: f.optionalNonNegativeDecimal(),
    solar_panels: f.optionalBoolean(false),
    inverter_max_power: f.optionalNonNegativeInteger(),
    recording_period: f.optionalEnumOf(RECORDING_PERIODS),
    contract_end_date: f.optionalDate(),
    respect_contract_end_date: f.optionalBoolean(false),
    tariff_group: f.optionalEnumOf(TARIFF_GROUPS),
  }),
);

export type EanInput = z.output<typeof eanSchema>;

export const createEanBody = named("EanCreateRequest", f.envelope({ ean: eanSchema }));

export const bulkEansBody = named(
  "EanBulkRequest",
  f.envelope({
    eans: f.array(f.envelope({ ean: eanSchema }), { min: 1, max: MAX_BULK_EANS }),
  }),
);

/**
 * An EAN update: any subset of the create fields, each checked with the
 * create rule (an absent key leaves the field as it is; which keys were sent
 * is read from the body itself). `null` or blank clears an optional field or
 * resets it to its default; for `product` it is `must_be_filled`. `number`
 * cannot change: the handler compares it with the stored one.
 */
export const eanPatchSchema = named(
  "EanPatch",
  f.object({
    ...eanSchema.shape,
    number: eanSchema.shape.number.optional(),
    product: f.filledOrAbsent(eanSchema.shape.product),
  }),
);

export const updateEanBody = named("EanUpdateRequest", f.envelope({ ean: eanPatchSchema }));

export type EanPatch = z.output<typeof eanPatchSchema>;

/** The operator's move of an EAN's state. */
export const moveEanStateBody = named("EanStateMoveRequest", f.envelope({ state: f.enumOf(EAN_STATES) }));
