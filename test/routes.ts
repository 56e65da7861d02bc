/**
 * @module Every route the API serves, with what it needs to be called: the
 * shared table behind the authentication and tenant-isolation tests.
 */
import { createCustomer, createOrganisation, createSupplier, customerBody, eanFields, type TestOrganisation } from "./helpers";

export interface Fixture {
  owner: TestOrganisation;
  stranger: TestOrganisation;
  customerId: number;
  supplierId: number;
  tokenId: number;
}

export interface RouteCase {
  method: string;
  /** The path with the owner's ids filled in. */
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  auth: "organisation" | "admin" | "none";
  /** Addresses a record of the owner by id: another organisation must get 404. */
  ownedId: boolean;
  /** Status of a successful call by the right caller. */
  ok: number;
}

export async function createFixture(): Promise<Fixture> {
  const owner = await createOrganisation();
  const stranger = await createOrganisation();
  const customer = await createCustomer(owner);
  const supplier = await createSupplier();
  return { owner, stranger, customerId: customer.id, supplierId: supplier.id, tokenId: owner.tokenId };
}

export const ROUTES: RouteCase[] = [
  { method: "GET", path: () => "/api/v1/ping", auth: "none", ownedId: false, ok: 200 },
  { method: "GET", path: () => "/api/v1/me", auth: "organisation", ownedId: false, ok: 200 },
  { method: "GET", path: () => "/api/v1/suppliers", auth: "organisation", ownedId: false, ok: 200 },
  { method: "GET", path: () => "/api/v1/customers", auth: "organisation", ownedId: false, ok: 200 },
  { method: "POST", path: () => "/api/v1/customers", body: () => customerBody(), auth: "organisation", ownedId: false, ok: 201 },
  { method: "GET", path: (f) => `/api/v1/customers/${f.customerId}`, auth: "organisation", ownedId: true, ok: 200 },
  { method: "GET", path: (f) => `/api/v1/customers/${f.customerId}/eans`, auth: "organisation", ownedId: true, ok: 200 },
  {
    method: "POST",
    path: (f) => `/api/v1/customers/${f.customerId}/eans`,
    body: (f) => ({ ean: eanFields({ supplier_id: f.supplierId }) }),
    auth: "organisation",
    ownedId: true,
    ok: 201,
  },
  {
    method: "POST",
    path: (f) => `/api/v1/customers/${f.customerId}/eans/bulk`,
    body: () => ({ eans: [{ ean: eanFields() }, { ean: eanFields() }] }),
    auth: "organisation",
    ownedId: true,
    ok: 201,
  },
  { method: "GET", path: (f) => `/api/mind/customer/byCustomerId/${f.customerId}`, auth: "organisation", ownedId: true, ok: 200 },
  { method: "POST", path: () => "/admin/v1/organisations", body: () => ({ name: "Matrix Org" }), auth: "admin", ownedId: false, ok: 201 },
  { method: "POST", path: (f) => `/admin/v1/organisations/${f.owner.id}/tokens`, auth: "admin", ownedId: false, ok: 201 },
  { method: "DELETE", path: (f) => `/admin/v1/tokens/${f.tokenId}`, auth: "admin", ownedId: false, ok: 204 },
  { method: "POST", path: () => "/admin/v1/suppliers", body: () => ({ name: "Matrix Supplier" }), auth: "admin", ownedId: false, ok: 201 },
  { method: "GET", path: () => "/admin/v1/suppliers", auth: "admin", ownedId: false, ok: 200 },
  { method: "GET", path: () => "/admin/v1/openapi.json", auth: "admin", ownedId: false, ok: 200 },
];

export const routeName = (route: RouteCase) => `${route.method} ${route.path({ customerId: ":id", owner: { id: ":id" }, tokenId: ":id" } as never)}`;
