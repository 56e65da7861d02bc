/** @module Examples for the OpenAPI document, taken from the original API docs (newest edition). */
import { UNAUTHENTICATED_BODY } from "../domain/errors";

export const customerCreateRequest = {
  customer: {
    email: "kiersten@zemlakbergnaum.name",
    terms_and_conditions: true,
    privacy_policy: true,
    profile: {
      first_name: "Danny",
      last_name: "Ocean",
      title: "mr",
      phone: "+32(0)56/98.01.44",
      birth_date: "2000-04-09",
      city: "West Foster",
      street: "8725 Morissette Crossing",
      building: "9335",
      building_addon: "Suite 946",
      postal_code: "98001",
      language: "fr",
    },
  },
};

const organisation = { id: 17, name: "Yost-Schamberger", domain: "kuphalhackett-blickblanda-11", created_at: "2020-04-09T15:01:20.882Z" };

export const customer = {
  id: 22,
  email: "kiersten@zemlakbergnaum.name",
  external_id: null,
  created_at: "2020-04-09T15:01:20.929Z",
  updated_at: "2020-04-09T15:01:20.929Z",
  organisation,
  profile: {
    id: 22,
    customer_id: 22,
    organisation_id: 17,
    title: "mr",
    first_name: "Danny",
    last_name: "Ocean",
    birth_date: "2000-04-09",
    phone: "+3256980144",
    city: "West Foster",
    street: "8725 Morissette Crossing",
    building: "9335",
    building_addon: "Suite 946",
    postal_code: "98001",
    language: "fr",
    created_at: "2020-04-09T15:01:20.929Z",
    updated_at: "2020-04-09T15:01:20.929Z",
  },
};

export const eanFields = {
  number: "542170967180397340",
  product: "electricity",
  reason: "normal",
  supplier_id: 5,
  building: "15",
  building_addon: "A",
  street: "street name",
  city: "Kiev",
  postal_code: "2443",
  consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }],
  recording_period: "february",
  solar_panels: "true",
  inverter_max_power: "315",
  contract_end_date: "2020-10-09",
  respect_contract_end_date: true,
  fixed_fee: "1.00",
  tariff_group: "mono",
  wkk: "0.00341",
  gsc: "0.0214",
};

export const ean = {
  id: 3,
  customer_id: 32,
  supplier_id: 5,
  number: "542170967180397340",
  product: "electricity",
  reason: "normal",
  building: "15",
  building_addon: "A",
  street: "street name",
  city: "Kiev",
  state: "ready",
  postal_code: "2443",
  consumptions: [{ name: "mono", volume: "22.25", price: "0.15" }],
  solar_panels: true,
  inverter_max_power: 315,
  contract_end_date: "2020-10-09",
  respect_contract_end_date: true,
  fixed_fee: "1.0",
  tariff_group: "mono",
  recording_period: "february",
  wkk: "0.00341",
  gsc: "0.0214",
  created_at: "2020-04-09T15:01:21.758Z",
  updated_at: "2020-04-09T15:01:21.758Z",
  confirmed_at: "2020-04-09T15:01:21.758Z",
  supplier: { id: 5, name: "Terry and Sons 5" },
};

/** `ean.state_changed`, as the feed renders it and webhooks POST it. */
export const stateChangedEvent = {
  id: 42,
  type: "ean.state_changed",
  created_at: "2020-04-10T09:12:03.101Z",
  data: { object: { ...ean, state: "offered", updated_at: "2020-04-10T09:12:03.101Z" }, previous_state: "ready" },
};

export const customerValidationErrors = {
  errors: [{ path: "customer.profile.first_name", error: "must_be_filled", message: "must be filled", type: "params" }],
};

export const eanTakenErrors = {
  errors: [
    { path: "ean.number", error: "has_already_been_added_to_customer", message: "has already been added to customer", type: "params" },
    { path: "ean.number", error: "has_already_been_taken", message: "has already been taken", type: "params" },
  ],
};

export const bulkErrors = {
  errors: [{ path: "ean.number", error: "has_already_been_taken", message: "has already been taken", type: "params", index: 0 }],
};

export const unauthenticated = UNAUTHENTICATED_BODY;

export const customerPage = { current_page: 1, limit_value: 2, next_page: 2, prev_page: null, total_pages: 2, records: [customer] };

export const me = { id: 1, name: "Runolfsdottir-Cassin", domain: "leuschke-okonfadel-1", created_at: "2020-04-07T13:51:10.654Z" };
