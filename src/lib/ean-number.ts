/** @module EAN (GSRN) numbers of Belgian and Luxembourg connection points. */

const EAN_FORMAT = /^54\d{16}$/;

/**
 * The GS1 mod-10 check digit of the digits before it: weights 3 and 1
 * alternate from the rightmost digit.
 */
export function gs1CheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    const digit = payload.charCodeAt(payload.length - 1 - i) - 48;
    sum += i % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** 18 digits, prefix 54 (GS1 Belgium & Luxembourg), valid check digit. */
export function isValidEanNumber(value: string): boolean {
  return EAN_FORMAT.test(value) && gs1CheckDigit(value.slice(0, 17)) === Number(value[17]);
}
