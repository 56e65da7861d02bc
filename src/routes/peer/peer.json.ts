/**
 * @module Enbro's customer in the peer platform's "customer and associated
 * contracts" shape (../shared/spec/003_…): one contract per EAN. The
 * field-by-field mapping is docs/peer-view.md. Fields the peer document has
 * and Enbro cannot know are present with `null`.
 */
import type { CustomerRow, EanRow } from "../../db/schema";
import { sumDecimals } from "../../lib/decimal";
import { dateToUnixSeconds, isoToUnixSeconds } from "../../lib/time";
import { parseConsumptions } from "../eans/eans.json";
import type { OrganisationRef } from "../organisations/organisations.json";

/** An EAN's state as the peer's contract status. */
const STATUSES: Record<string, { status: string; statusCode: number; statusCodeTitle: string }> = {
  // A "ready" EAN is a supply contract running at its supplier.
  ready: { status: "active", statusCode: 5000, statusCodeTitle: "active" },
};

const ENERGY_TYPE_IDS: Record<string, number> = { electricity: 1, gas: 2 };

const TAB_PREVIEWS: Record<string, { color: string; icon: string }> = {
  electricity: { color: "green", icon: "electricity" },
  gas: { color: "orange", icon: "gas" },
};

const TARIFF_GROUP_NAMES: Record<string, string> = {
  mono: "Mono",
  dual: "Dual",
  monoExclusive: "Mono + exclusive night",
  dualExclusive: "Dual + exclusive night",
};

/** "street building addon, postal_code city", leaving out what is missing; null when nothing is known. */
export function oneLineAddress(parts: {
  street: string | null;
  building: string | null;
  buildingAddon: string | null;
  postalCode: string | null;
  city: string | null;
}): string | null {
  const streetLine = [parts.street, parts.building, parts.buildingAddon].filter(Boolean).join(" ");
  const cityLine = [parts.postalCode, parts.city].filter(Boolean).join(" ");
  return [streetLine, cityLine].filter(Boolean).join(", ") || null;
}

/** E.164 digits as a number: "+3256980144" → 3256980144. */
function phoneNumber(e164: string): number {
  return Number(e164.replace(/\D/g, ""));
}

const toNumber = (decimal: string | null | undefined) => (decimal === null || decimal === undefined ? null : Number(decimal));

function toContractJson(ean: EanRow, customer: CustomerRow) {
  const consumptions = parseConsumptions(ean.consumptions);
  const status = STATUSES[ean.state];
  const customerAddress = oneLineAddress(customer);
  return {
    id: ean.id,
    orderId: null,
    tenant: null,
    customerId: String(customer.id),
    signupDate: isoToUnixSeconds(ean.createdAt),
    status: status?.status ?? ean.state,
    statusCode: status?.statusCode ?? null,
    statusCodeTitle: status?.statusCodeTitle ?? ean.state,
    energy: ean.product,
    energyTypeId: ENERGY_TYPE_IDS[ean.product] ?? null,
    energySubTypeId: null,
    email: customer.email,
    firstname: customer.firstName,
    lastname: customer.lastName,
    deliveryAddress: oneLineAddress(ean) ?? customerAddress,
    iban: null,
    monthlyDeposit: null,
    startDate: null,
    endDate: ean.contractEndDate === null ? null : dateToUnixSeconds(ean.contractEndDate),
    consumption: consumptions === null ? null : sumDecimals(consumptions.map((c) => c.volume)).toNumber(),
    counterNumber: ean.number,
    productId: null,
    productName: ean.tariffGroup === null ? null : (TARIFF_GROUP_NAMES[ean.tariffGroup] ?? ean.tariffGroup),
    productCode: ean.tariffGroup,
    campaignId: null,
    salesChannelId: null,
    unpaidDebt: null,
    vatRate: null,
    basePrice: toNumber(ean.fixedFee),
    workingPrice: toNumber(consumptions?.[0]?.price),
    billingAddress: customerAddress,
    business: false,
    phone: phoneNumber(customer.phone),
    gridOperatorName: null,
    gridOperatorCode: null,
    registers: (consumptions ?? []).map((c) => ({ name: c.name, volume: toNumber(c.volume), price: toNumber(c.price) })),
    erpUrls: [],
    rawData: null,
    agentPreview: [
      { label: "EAN", value: ean.number, tooltip: null, url: null },
      { label: "Supplier", value: ean.supplierName ?? "unknown", tooltip: null, url: null },
      { label: "Tariff group", value: ean.tariffGroup ?? "unknown", tooltip: null, url: null },
      { label: "Recording period", value: ean.recordingPeriod ?? "unknown", tooltip: null, url: null },
      { label: "Solar panels", value: ean.solarPanels ? "yes" : "no", tooltip: null, url: null },
    ],
    tabPreview: TAB_PREVIEWS[ean.product] ?? null,
  };
}

export function toPeerCustomerJson(customer: CustomerRow, organisation: OrganisationRef, eans: EanRow[]) {
  return {
    id: customer.id,
    // Looked up by id, not from an e-mail: the peer document says null.
    emailMatches: null,
    business: false,
    company: null,
    firstname: customer.firstName,
    lastname: customer.lastName,
    address: oneLineAddress(customer),
    phone: phoneNumber(customer.phone),
    email: customer.email,
    tags: [],
    contracts: eans.map((ean) => toContractJson(ean, customer)),
    additionalData: {
      organisation: { id: organisation.id, name: organisation.name, domain: organisation.domain },
      language: customer.language,
      title: customer.title,
    },
  };
}
