/** @module The Ean as the API renders it: every field always present, `null` where empty. */
import type { EanRow } from "../../db/schema";

export interface ConsumptionJson {
  name: string;
  volume: string | null;
  price: string | null;
}

export function parseConsumptions(stored: string | null): ConsumptionJson[] | null {
  return stored === null ? null : (JSON.parse(stored) as ConsumptionJson[]);
}

export function toEanJson(ean: EanRow) {
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
    consumptions: parseConsumptions(ean.consumptions),
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
    confirmed_at: ean.confirmedAt,
    supplier: ean.supplierId === null ? null : { id: ean.supplierId, name: ean.supplierName },
  };
}
