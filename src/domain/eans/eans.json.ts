/** @module The Ean as the API renders it (and its OpenAPI schema): every field always present, `null` where empty. */
import * as z from "zod";
import type { EanRow } from "../db/schema";
import { EAN_STATES, PRODUCTS, REASONS, RECORDING_PERIODS, TARIFF_GROUPS } from "../db/schema";
import { calendarDate, decimalString, named, sentDecimalString, timestamp } from "../validation/registry";

const consumptionJson = z.object({ name: z.string(), volume: sentDecimalString.nullable(), price: sentDecimalString.nullable() });

export const eanJson = named(
  "Ean",
  z.object({
    id: z.int(),
    customer_id: z.int(),
    supplier_id: z.int().nullable(),
    number: z.string().meta({ example: "542170967180397340" }),
    product: z.enum(PRODUCTS),
    reason: z.enum(REASONS),
    building: z.string().nullable(),
    building_addon: z.string().nullable(),
    street: z.string().nullable(),
    city: z.string().nullable(),
    state: z.enum(EAN_STATES).meta({ example: "ready" }),
    postal_code: z.string().nullable(),
    consumptions: z.array(consumptionJson).nullable(),
    solar_panels: z.boolean(),
    inverter_max_power: z.int().nullable(),
    contract_end_date: calendarDate.nullable(),
    respect_contract_end_date: z.boolean(),
    fixed_fee: decimalString.nullable(),
    tariff_group: z.enum(TARIFF_GROUPS).nullable(),
    recording_period: z.enum(RECORDING_PERIODS).nullable(),
    wkk: decimalString.nullable(),
    gsc: decimalString.nullable(),
    created_at: timestamp,
    updated_at: timestamp.meta({ description: "Equal to created_at until the first update that changes something." }),
    confirmed_at: timestamp.nullable(),
    supplier: z.object({ id: z.int(), name: z.string().nullable() }).nullable(),
  }),
);

export type EanJson = z.infer<typeof eanJson>;

export function toEanJson(ean: EanRow): EanJson {
  return {
    id: ean.id,
    customer_id: ean.customerId,
    supplier_id: ean.supplierId,
    number: ean.number,
    product: ean.product,
    reason: ean.reason,
    building: ean.building,
    building_addon: ean.buildingAddon,
    street: ean.street,
    city: ean.city,
    state: ean.state,
    postal_code: ean.postalCode,
    consumptions: ean.consumptions,
    solar_panels: ean.solarPanels,
    inverter_max_power: ean.inverterMaxPower,
    contract_end_date: ean.contractEndDate,
    respect_contract_end_date: ean.respectContractEndDate,
    fixed_fee: ean.fixedFee,
    tariff_group: ean.tariffGroup,
    recording_period: ean.recordingPeriod,
    wkk: ean.wkk,
    gsc: ean.gsc,
    created_at: ean.createdAt,
    updated_at: ean.updatedAt ?? ean.createdAt,
    confirmed_at: ean.confirmedAt,
    supplier: ean.supplierId === null ? null : { id: ean.supplierId, name: ean.supplierName },
  };
}
