/** @module The Ean as the API renders it (and its OpenAPI schema): every field always present, `null` where empty. */
import * as z from "zod";
import type { EanRow } from "../db/schema";
import { EAN_STATES, PRODUCTS, REASONS, RECORDING_PERIODS, TARIFF_GROUPS } from "../db/schema";
import { booleanColumn, column, type Fields, jsonColumn, render } from "../rendering";
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

/** An Ean, key by key: the API's answers and the events' SQL (src/domain/db/events.ts) are both rendered from it. */
export const EAN_FIELDS: Fields<EanRow> = [
  ["id", column("id", "id")],
  ["customer_id", column("customerId", "customer_id")],
  ["supplier_id", column("supplierId", "supplier_id")],
  ["number", column("number", "number")],
  ["product", column("product", "product")],
  ["reason", column("reason", "reason")],
  ["building", column("building", "building")],
  ["building_addon", column("buildingAddon", "building_addon")],
  ["street", column("street", "street")],
  ["city", column("city", "city")],
  ["state", column("state", "state")],
  ["postal_code", column("postalCode", "postal_code")],
  ["consumptions", jsonColumn("consumptions", "consumptions")],
  ["solar_panels", booleanColumn("solarPanels", "solar_panels")],
  ["inverter_max_power", column("inverterMaxPower", "inverter_max_power")],
  ["contract_end_date", column("contractEndDate", "contract_end_date")],
  ["respect_contract_end_date", booleanColumn("respectContractEndDate", "respect_contract_end_date")],
  ["fixed_fee", column("fixedFee", "fixed_fee")],
  ["tariff_group", column("tariffGroup", "tariff_group")],
  ["recording_period", column("recordingPeriod", "recording_period")],
  ["wkk", column("wkk", "wkk")],
  ["gsc", column("gsc", "gsc")],
  ["created_at", column("createdAt", "created_at")],
  ["updated_at", { js: (ean) => ean.updatedAt ?? ean.createdAt, sql: (e) => `coalesce(${e}.updated_at, ${e}.created_at)` }],
  ["confirmed_at", column("confirmedAt", "confirmed_at")],
  [
    "supplier",
    {
      js: (ean) => (ean.supplierId === null ? null : { id: ean.supplierId, name: ean.supplierName }),
      sql: (e) => `case when ${e}.supplier_id is null then null else json_object('id', ${e}.supplier_id, 'name', ${e}.supplier_name) end`,
    },
  ],
];

export function toEanJson(ean: EanRow): EanJson {
  return render(EAN_FIELDS, ean, undefined) as EanJson;
}
