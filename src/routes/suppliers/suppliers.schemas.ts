/** @module Request rules for suppliers (operator API), and the Supplier as rendered. */
import * as z from "zod";
import { named } from "../../validation/registry";
import * as f from "../../validation/fields";

export const createSupplierBody = named("SupplierCreateRequest", f.envelope({ name: f.requiredString() }));

export const supplierJson = named("Supplier", z.object({ id: z.int(), name: z.string() }));
