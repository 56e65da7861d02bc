/** @module Every endpoint's record, by resource: what the app mounts, the OpenAPI document describes and the test matrix calls. */
import { customerRoutes } from "./customers/customers.routes";
import { eanRoutes } from "./eans/eans.routes";
import { eventRoutes } from "./events/events.routes";
import { organisationRoutes } from "./organisations/organisations.routes";
import { peerRoutes } from "./peer/peer.routes";
import { supplierRoutes } from "./suppliers/suppliers.routes";
import { systemRoutes } from "./system/system.routes";
import { webhookRoutes } from "./webhooks/webhooks.routes";

const [getMe, ...operatorOrganisationRoutes] = organisationRoutes;
const [listSuppliersForClients, ...operatorSupplierRoutes] = supplierRoutes;

export const API_ROUTES = [
  ...systemRoutes,
  getMe,
  listSuppliersForClients,
  ...customerRoutes,
  ...eanRoutes,
  ...peerRoutes,
  ...eventRoutes,
  ...webhookRoutes,
  ...operatorOrganisationRoutes,
  ...operatorSupplierRoutes,
] as const;
