/**
 * @module Enbro's customer in the peer platform's "customer and associated
 * contracts" shape (Enneo's byCustomerId view): one contract per EAN. The
 * field-by-field mapping is docs/peer-view.md. Fields the peer document has
 * and Enbro cannot know are present with `null`.
 */
import * as z from "zod";
import { sumDecimals } from "../../lib/decimal";
import { dateToUnixSeconds, isoToUnixSeconds } from "../../lib/time";
import type { CustomerRow, EanRow } from "../db/schema";
import type { OrganisationRef } from "../organisations/organisations.json";
import { named } from "../validation/registry";

const unknown = z.null().meta({ description: "Not known to Enbro." });
const nullableNumber = z.number().nullable();

export const peerContractJson = named(
  "PeerContract",
  z.object({
    id: z.int(),
    orderId: unknown,
    tenant: unknown,
    customerId: z.string(),
    signupDate: z.int().meta({ description: "Unix seconds" }),
    status: z.string(),
    statusCode: z.int().nullable(),
    statusCodeTitle: z.string(),
    energy: z.enum(["electricity", "gas"]),
    energyTypeId: z.int().nullable(),
    energySubTypeId: unknown,
    email: z.string(),
    firstname: z.string(),
    lastname: z.string(),
    deliveryAddress: z.string().nullable(),
    iban: unknown,
    monthlyDeposit: unknown,
    startDate: unknown,
    endDate: z.int().nullable().meta({ description: "contract_end_date at 00:00 UTC, Unix seconds" }),
    consumption: nullableNumber,
    counterNumber: z.string(),
    productId: unknown,
    productName: z.string().nullable(),
    productCode: z.string().nullable(),
    campaignId: unknown,
    salesChannelId: unknown,
    unpaidDebt: unknown,
    vatRate: unknown,
    basePrice: nullableNumber,
    workingPrice: nullableNumber,
    billingAddress: z.string().nullable(),
    business: z.boolean(),
    phone: z.number(),
    gridOperatorName: unknown,
    gridOperatorCode: unknown,
    registers: z.array(z.object({ name: z.string(), volume: nullableNumber, price: nullableNumber })),
    erpUrls: z.array(z.object({ url: z.string(), logo: z.string() })),
    rawData: unknown,
    agentPreview: z.array(z.object({ label: z.string(), value: z.string(), tooltip: z.string().nullable(), url: z.string().nullable() })),
    tabPreview: z.object({ color: z.string(), icon: z.string() }).nullable(),
  }),
);

export const peerCustomerJson = named(
  "PeerCustomer",
  z.object({
    id: z.int(),
    emailMatches: z.null(),
    business: z.boolean(),
    company: z.null(),
    firstname: z.string(),
    lastname: z.string(),
    address: z.string().nullable(),
    phone: z.number(),
    email: z.string(),
    tags: z.array(z.object({ id: z.int(), color: z.string(), name: z.string() })),
    contracts: z.array(peerContractJson),
    additionalData: z.object({
      organisation: z.object({ id: z.int(), name: z.string(), domain: z.string() }),
      language: z.string(),
      title: z.string(),
    }),
  }),
  "A customer and associated contracts, in the peer platform's shape (docs/peer-view.md).",
);

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

function toContractJson(ean: EanRow, customer: CustomerRow): z.infer<typeof peerContractJson> {
  const consumptions = ean.consumptions;
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

export function toPeerCustomerJson(customer: CustomerRow, organisation: OrganisationRef, eans: EanRow[]): z.infer<typeof peerCustomerJson> {
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
