import { describe, expect, it } from "vitest";
import { createDatabase, emptyCost } from "../../src/domain/db/client";
import { findCustomerWithEans } from "../../src/domain/peer/peer.queries";
import { call, createCustomer, createOrganisation, createSupplier, eanFields, eanNumber, json, shardOf } from "../helpers";

const peerPath = (id: number | string) => `/api/mind/customer/byCustomerId/${id}`;

/** Every field of the peer document's customer and contract, in its order. */
const CUSTOMER_FIELDS = [
  "id",
  "emailMatches",
  "business",
  "company",
  "firstname",
  "lastname",
  "address",
  "phone",
  "email",
  "tags",
  "contracts",
  "additionalData",
];
const CONTRACT_FIELDS = [
  "id",
  "orderId",
  "tenant",
  "customerId",
  "signupDate",
  "status",
  "statusCode",
  "statusCodeTitle",
  "energy",
  "energyTypeId",
  "energySubTypeId",
  "email",
  "firstname",
  "lastname",
  "deliveryAddress",
  "iban",
  "monthlyDeposit",
  "startDate",
  "endDate",
  "consumption",
  "counterNumber",
  "productId",
  "productName",
  "productCode",
  "campaignId",
  "salesChannelId",
  "unpaidDebt",
  "vatRate",
  "basePrice",
  "workingPrice",
  "billingAddress",
  "business",
  "phone",
  "gridOperatorName",
  "gridOperatorCode",
  "registers",
  "erpUrls",
  "rawData",
  "agentPreview",
  "tabPreview",
];

describe("GET /api/mind/customer/byCustomerId/:customer_id", () => {
  it("a customer without EANs: every customer field, no contracts", async () => {
    const org = await createOrganisation("Peer Partner");
    const customer = await createCustomer(org);
    const response = await call("GET", peerPath(customer.id), { token: org.token });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(Object.keys(body)).toEqual(CUSTOMER_FIELDS);
    expect(body).toEqual({
      id: customer.id,
      emailMatches: null,
      business: false,
      company: null,
      firstname: "Danny",
      lastname: "Ocean",
      address: "10109 Rodriguez Mountains 8962 Suite 316, 84783 Huelborough",
      phone: 3256980144,
      email: customer.email,
      tags: [],
      contracts: [],
      additionalData: { organisation: { id: org.id, name: "Peer Partner", domain: org.domain }, language: "en", title: "mr" },
    });
  });

  it("a customer with electricity and gas EANs: one contract each, oldest first", async () => {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    const supplier = await createSupplier("Luminus");
    const [electricityNumber, gasNumber] = [eanNumber(), eanNumber()];
    const bulk = await call("POST", `/api/v1/customers/${customer.id}/eans/bulk`, {
      token: org.token,
      body: {
        eans: [
          {
            ean: eanFields({
              number: electricityNumber,
              supplier_id: supplier.id,
              tariff_group: "dual",
              consumptions: [
                { name: "day", volume: "2100.5", price: "0.31" },
                { name: "night", volume: "1400", price: "0.24" },
              ],
              fixed_fee: "97.50",
              contract_end_date: "2027-03-31",
              recording_period: "monthly",
            }),
          },
          { ean: { number: gasNumber, product: "gas" } },
        ],
      },
    });
    expect(bulk.status).toBe(201);
    const [electricity, gas] = await json(bulk);
    const body = await json(await call("GET", peerPath(customer.id), { token: org.token }));
    expect(body.contracts).toHaveLength(2);
    for (const contract of body.contracts) expect(Object.keys(contract)).toEqual(CONTRACT_FIELDS);
    expect(body.contracts[0]).toEqual({
      id: electricity.id,
      orderId: null,
      tenant: null,
      customerId: String(customer.id),
      signupDate: Math.floor(Date.parse(electricity.created_at) / 1000),
      status: "active",
      statusCode: 5000,
      statusCodeTitle: "active",
      energy: "electricity",
      energyTypeId: 1,
      energySubTypeId: null,
      email: customer.email,
      firstname: "Danny",
      lastname: "Ocean",
      deliveryAddress: "street name 15 A, 2443 Kiev",
      iban: null,
      monthlyDeposit: null,
      startDate: null,
      endDate: Date.UTC(2027, 2, 31) / 1000,
      consumption: 3500.5,
      counterNumber: electricityNumber,
      productId: null,
      productName: "Dual",
      productCode: "dual",
      campaignId: null,
      salesChannelId: null,
      unpaidDebt: null,
      vatRate: null,
      basePrice: 97.5,
      workingPrice: 0.31,
      billingAddress: "10109 Rodriguez Mountains 8962 Suite 316, 84783 Huelborough",
      business: false,
      phone: 3256980144,
      gridOperatorName: null,
      gridOperatorCode: null,
      registers: [
        { name: "day", volume: 2100.5, price: 0.31 },
        { name: "night", volume: 1400, price: 0.24 },
      ],
      erpUrls: [],
      rawData: null,
      agentPreview: [
        { label: "EAN", value: electricityNumber, tooltip: null, url: null },
        { label: "Supplier", value: "Luminus", tooltip: null, url: null },
        { label: "Tariff group", value: "dual", tooltip: null, url: null },
        { label: "Recording period", value: "monthly", tooltip: null, url: null },
        { label: "Solar panels", value: "yes", tooltip: null, url: null },
      ],
      tabPreview: { color: "green", icon: "electricity" },
    });
    expect(body.contracts[1]).toMatchObject({
      id: gas.id,
      energy: "gas",
      energyTypeId: 2,
      endDate: null,
      consumption: null,
      productName: null,
      productCode: null,
      basePrice: null,
      workingPrice: null,
      // No address on the EAN: delivered at the customer's address.
      deliveryAddress: "10109 Rodriguez Mountains 8962 Suite 316, 84783 Huelborough",
      registers: [],
      tabPreview: { color: "orange", icon: "gas" },
    });
    expect(body.contracts[1].agentPreview[1]).toEqual({ label: "Supplier", value: "unknown", tooltip: null, url: null });
  });

  it("reads customer, organisation and EANs in one round trip", async () => {
    const org = await createOrganisation();
    const customer = await createCustomer(org);
    await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } });
    const cost = emptyCost();
    const found = await findCustomerWithEans(createDatabase(await shardOf(org.id), cost), org.id, customer.id);
    expect(found?.eans).toHaveLength(1);
    expect(cost.roundTrips).toBe(1);
    expect(cost.rowsRead).toBeLessThanOrEqual(1 + 5);
  });

  it("404 for another organisation's customer, an unknown id, a non-numeric id; 401 without a token", async () => {
    const owner = await createOrganisation();
    const stranger = await createOrganisation();
    const customer = await createCustomer(owner);
    for (const path of [peerPath(customer.id), peerPath(987654), peerPath("abc")]) {
      const response = await call("GET", path, { token: stranger.token });
      expect(response.status, path).toBe(404);
      expect(await response.text()).toBe('"Not found"');
    }
    const anonymous = await call("GET", peerPath(customer.id));
    expect(anonymous.status).toBe(401);
    expect((await json(anonymous)).errors[0].error).toBe("not_authenticated");
  });
});
