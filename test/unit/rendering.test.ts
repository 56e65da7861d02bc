/** Unit tests of the contract's rendering rules: phones, decimals, EAN check digits, dates. */
import Big from "big.js";
import { describe, expect, it } from "vitest";
import { isNegativeDecimalText, toDecimalString } from "../../src/lib/decimal";
import { gs1CheckDigit, isValidEanNumber } from "../../src/lib/ean-number";
import { normalisePhone } from "../../src/lib/phone";
import { isCalendarDate } from "../../src/lib/time";
import docExamples from "../fixtures/doc-examples.json";

describe("phone numbers", () => {
  it.each([
    ["+32(0)56/98.01.44", "+3256980144"],
    ["056 98 01 44", "+3256980144"],
    ["0032 460 12 34 56", "+32460123456"],
    ["+3256980144", "+3256980144"],
    ["0470 12 34 56", "+32470123456"],
    ["+49 123 456789", "+49123456789"],
  ])("%s → %s", (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  it.each(["12", "call me", "+32", "0032"])("%s cannot be a phone number", (input) => {
    expect(normalisePhone(input)).toBeNull();
  });
});

describe("decimals, rendered the Rails way", () => {
  it.each([
    ["1.00", "1.0"],
    ["19", "19.0"],
    ["12.50", "12.5"],
    ["0.00341", "0.00341"],
    ["0", "0.0"],
    ["-0", "0.0"],
    ["007.10", "7.1"],
    ["1e-7", "0.0000001"],
    ["1e21", "1000000000000000000000.0"],
    ["123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"],
  ])("%s → %s", (input, expected) => {
    expect(toDecimalString(new Big(input))).toBe(expected);
  });

  it.each([
    ["-0.001", true],
    ["-12.5", true],
    ["-.5", true],
    ["-0", false],
    ["-0.000", false],
    ["-.0", false],
    ["0", false],
    ["0.001", false],
  ])("%s is negative: %s", (input, expected) => {
    expect(isNegativeDecimalText(input)).toBe(expected);
  });
});

describe("EAN numbers", () => {
  it("every EAN number in the three doc editions has a valid check digit", () => {
    const numbers = new Set(
      JSON.stringify(docExamples)
        .match(/"54\d{16}"/g)!
        .map((n) => n.slice(1, -1)),
    );
    expect(numbers.size).toBeGreaterThanOrEqual(5);
    for (const number of numbers) expect(isValidEanNumber(number), number).toBe(true);
  });

  it("computes the GS1 mod-10 check digit", () => {
    expect(gs1CheckDigit("54217096718039734")).toBe(0);
    expect(gs1CheckDigit("54239429190683655")).toBe(3);
  });

  it("rejects a wrong check digit, a foreign prefix and a wrong length", () => {
    expect(isValidEanNumber("542170967180397341")).toBe(false);
    expect(isValidEanNumber("872170967180397340")).toBe(false);
    expect(isValidEanNumber("54217096718039734")).toBe(false);
    expect(isValidEanNumber("5421709671803973400")).toBe(false);
  });
});

describe("calendar dates", () => {
  it.each([
    ["2020-02-29", true],
    ["2021-02-29", false],
    ["2020-04-31", false],
    ["2020-4-1", false],
    ["2000-04-07", true],
  ])("%s → %s", (input, valid) => {
    expect(isCalendarDate(input)).toBe(valid);
  });
});
