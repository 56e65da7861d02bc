/** @module Every endpoint's record, by resource: what the app mounts, the OpenAPI document describes and the test matrix calls. */
import { customerRoutes } from "./customers.routes";
import { eanRoutes } from "./eans.routes";
import { eventRoutes } from "./events.routes";
import { organisationRoutes } from "./organisations.routes";
import { peerRoutes } from "./peer.routes";
import { supplierRoutes } from "./suppliers.routes";
import { systemRoutes } from "./system.routes";
import { webhookRoutes } from "./webhooks.routes";

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
