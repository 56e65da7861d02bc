/** @module Token primitives: hashing (the KV and D1 key), generation, the Authorization header. */
import { describe, expect, it } from "vitest";
import { bearerToken, generateToken, sha256Hex } from "../../src/lib/tokens";

describe("tokens", () => {
  it("hashes to SHA-256 in lowercase hex (FIPS 180-2 test vectors)", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("generates 256 random bits as 64 hex digits, never twice the same", () => {
    const tokens = new Set(Array.from({ length: 100 }, generateToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^enbro_[0-9a-f]{64}$/);
  });

  it.each([
    ["Bearer abc", "abc"],
    ["bearer   abc  ", "abc"],
    ["Basic abc", null],
    ["Bearer", null],
    ["Bearer a b", null],
  ])("reads %j as %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});
