/** @module Request rules for suppliers (operator API). */
import * as f from "../../validation/fields";

export const createSupplierBody = f.envelope({ name: f.requiredString() });
