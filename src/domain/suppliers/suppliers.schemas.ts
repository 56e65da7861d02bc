/** @module Request rules for suppliers (operator API), and the Supplier as rendered. */
import * as z from "zod";
import * as f from "../validation/fields";
import { named } from "../validation/registry";

export const createSupplierBody = named("SupplierCreateRequest", f.envelope({ name: f.requiredString() }));

export const supplierJson = named("Supplier", z.object({ id: z.int(), name: z.string() }));
