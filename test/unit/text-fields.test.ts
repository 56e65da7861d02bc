/**
 * Every text field refuses what a person cannot see or that rewrites how the
 * text around it is shown, and accepts what people write in any script.
 * Property tests over the field builders (src/domain/validation/fields.ts) that
 * every text field of every body is made of; test/api/error-catalogue.test.ts
 * sends a few through the API.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as f from "../../src/domain/validation/fields";

const FORBIDDEN = [
  ["U+0085 next line (C1)", "\u0085"],
  ["U+009B CSI (C1)", "\u009b"],
  ["U+007F delete", "\u007f"],
  ["U+0009 tab inside", "\t"],
  ["U+202E right-to-left override", "\u202e"],
  ["U+202A left-to-right embedding", "\u202a"],
  ["U+2066 left-to-right isolate", "\u2066"],
  ["U+061C Arabic letter mark", "\u061c"],
  ["U+2028 line separator", "\u2028"],
  ["U+2029 paragraph separator", "\u2029"],
  ["U+200B zero-width space", "\u200b"],
  ["U+200D zero-width joiner", "\u200d"],
  ["U+2060 word joiner", "\u2060"],
  ["U+FEFF byte order mark", "\ufeff"],
  ["U+00AD soft hyphen", "\u00ad"],
  ["U+FFFF noncharacter", "\uffff"],
  ["U+FDD0 noncharacter", "\ufdd0"],
  ["U+10FFFF noncharacter", "\u{10ffff}"],
  ["U+E0041 tag latin capital A", "\u{e0041}"],
  ["U+E007F cancel tag", "\u{e007f}"],
  ["lone high surrogate", "\ud800"],
  ["lone low surrogate", "\udc00"],
] as const;

/** What people write: letters with accents, other scripts, digits, punctuation, emoji (no joiners). */
const WRITTEN = fc.string({
  unit: fc.constantFrom(..."aéÀçøßłĳ Ωжשاأ中文한글ไทย0123456789-'.,&/()#", "🇧🇪", "😀", "👍🏽", "e\u0301"),
  minLength: 1,
  maxLength: 60,
});

const text = f.requiredString();

describe("text fields", () => {
  it.each(FORBIDDEN)("refuse %s anywhere inside the text: is_in_invalid_format", (_, character) => {
    fc.assert(
      fc.property(WRITTEN, WRITTEN, (before, after) => {
        const result = text.safeParse(`x${before}${character}${after}x`);
        expect(result.success).toBe(false);
        expect(result.error!.issues.map((issue) => issue.message)).toEqual(["is_in_invalid_format"]);
      }),
      { numRuns: 50 },
    );
  });

  it("accept what people write in any script, emoji included, as sent (trimmed)", () => {
    fc.assert(
      fc.property(
        WRITTEN.filter((value) => value.trim() !== ""),
        (value) => {
          expect(text.safeParse(value)).toEqual({ success: true, data: value.trim() });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("decimals", () => {
  it.each([["-0"], ["-0.00"], ["-.0"]])("%s is a zero: no sign, no error", (sent) => {
    expect(f.optionalDecimalAsSent().parse(sent)).toBe(sent.slice(1));
    expect(f.nonNegativeDecimal().parse(sent)).toBe("0.0");
  });

  it("the number -0 is 0", () => {
    expect(f.optionalDecimalAsSent().parse(-0)).toBe("0");
    expect(f.nonNegativeDecimal().parse(-0)).toBe("0.0");
  });

  it("a negative decimal is must_be_greater_than_or_equal_to, whatever its form", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 9 }), fc.integer({ min: 0, max: 6 }), (units, scale) => {
        const sent = `-${(units / 10 ** scale).toFixed(scale)}`;
        const result = f.optionalDecimalAsSent().safeParse(sent);
        expect(result.success).toBe(false);
        expect(result.error!.issues[0]!.message).toBe("must_be_greater_than_or_equal_to");
      }),
      { numRuns: 200 },
    );
  });
});
