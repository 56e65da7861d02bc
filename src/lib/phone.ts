/** @module Phone numbers, normalised to E.164 with Belgium as the default country. */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

/**
 * `"+32(0)56/98.01.44"`, `"056 98 01 44"` → `"+3256980144"`;
 * `"0032 460 12 34 56"` → `"+32460123456"`; `null` when it cannot be a phone number.
 */
export function normalisePhone(input: string): string | null {
  // libphonenumber drops the "(0)" trunk prefix written after a country code.
  const parsed = parsePhoneNumberFromString(input, "BE");
  if (!parsed?.isPossible()) return null;
  return parsed.number;
}
