/** @module Exact decimals, rendered the Rails way. */
import Big from "big.js";

/**
 * Plain notation with at least one decimal digit and no trailing zeros, as
 * Rails renders a BigDecimal: "1.00" → "1.0", "19" → "19.0", "12.50" → "12.5".
 */
export function toDecimalString(value: Big): string {
  // Big's documented fields: `c` the coefficient's digits ([0] for zero), `s` the sign.
  const plain = isZero(value) ? "0" : value.toFixed();
  if (!plain.includes(".")) return `${plain}.0`;
  const trimmed = plain.replace(/0+$/, "");
  return trimmed.endsWith(".") ? `${trimmed}0` : trimmed;
}

/** Zero, "-0" included; read off the coefficient instead of allocating a Big to compare with. */
function isZero(value: Big): boolean {
  return value.c[0] === 0;
}

/**
 * Decimal text in plain notation (as validated) below zero: a minus sign and
 * a non-zero digit ("-0.00" is zero). No Big to allocate: a bulk of 100 EANs
 * checks about 800 decimals.
 */
export function isNegativeDecimalText(text: string): boolean {
  return text.startsWith("-") && /[1-9]/.test(text);
}

/** Sum of decimal strings, exact; `null`s count as zero. */
export function sumDecimals(values: Array<string | null | undefined>): Big {
  return values.reduce<Big>((total, value) => (value ? total.plus(value) : total), new Big(0));
}
