/**
 * @module Every endpoint's record, in one ordered list — the order of the
 * OpenAPI documents: what the app mounts, the documents describe, the typed
 * client sees and the test matrix calls.
 */
import { openApiRoutes } from "../openapi/openapi.routes";
import type { AnyRouteRecord } from "../routing/route";
import { createCustomer, eraseCustomerRoute, exportCustomer, getCustomer, listCustomersRoute, updateCustomerRoute } from "./customers.routes";
import { createEan, createEansInBulk, deleteEanRoute, getEan, listEansRoute, moveEanStateRoute, updateEanRoute } from "./eans.routes";
import { getEvent, listEventsRoute } from "./events.routes";
import { createOrganisation, getMe, getOrganisationForOperator, issueToken, moveOrganisation, revokeTokenRoute } from "./organisations.routes";
import { getPeerCustomer } from "./peer.routes";
import { createSupplier, listSuppliersForClients, listSuppliersForOperator } from "./suppliers.routes";
import { ping } from "./system.routes";
import { createTokenRoute, deleteTokenRoute, listTokensForOperator, listTokensRoute } from "./tokens.routes";
import {
  createWebhookEndpoint,
  deleteWebhookEndpointRoute,
  listWebhookDeliveries,
  listWebhookEndpointsRoute,
  retryWebhookDelivery,
  rotateWebhookSecretRoute,
  testWebhookEndpoint,
  updateWebhookEndpointRoute,
} from "./webhooks.routes";

// The documents' two records read the list they are in, once a request asks.
const { publicOpenApi, operatorOpenApi } = openApiRoutes((): readonly AnyRouteRecord[] => ALL_ROUTES);

export const ALL_ROUTES = [
  ping,
  publicOpenApi,
  getMe,
  listSuppliersForClients,
  createCustomer,
  listCustomersRoute,
  getCustomer,
  updateCustomerRoute,
  eraseCustomerRoute,
  exportCustomer,
  createEan,
  createEansInBulk,
  listEansRoute,
  getEan,
  updateEanRoute,
  deleteEanRoute,
  moveEanStateRoute,
  getPeerCustomer,
  listEventsRoute,
  getEvent,
  createWebhookEndpoint,
  listWebhookEndpointsRoute,
  updateWebhookEndpointRoute,
  deleteWebhookEndpointRoute,
  listWebhookDeliveries,
  rotateWebhookSecretRoute,
  testWebhookEndpoint,
  retryWebhookDelivery,
  listTokensRoute,
  createTokenRoute,
  deleteTokenRoute,
  createOrganisation,
  getOrganisationForOperator,
  moveOrganisation,
  issueToken,
  listTokensForOperator,
  revokeTokenRoute,
  createSupplier,
  listSuppliersForOperator,
  operatorOpenApi,
] as const;
