/**
 * @module Bearer tokens: generation, hashing, and the KV entry that maps a
 * token's SHA-256 to its organisation and its shard. KV never holds a token, D1 never holds
 * one either: both keep the hash.
 */

export interface TokenEntry {
  organisation_id: number;
  token_id: number;
  /** The organisation's shard (`SHARD_<n>`): routing a request costs no read beyond this entry. */
  shard: number;
  /** `read` or `write`; absent in entries written before scopes existed: `write`. */
  scope?: "read" | "write";
  /** ISO time after which the key is refused as an unknown one; absent: never. */
  expires_at?: string | null;
}

/**
 * New keys start with it, so that secret scanners (GitHub's, GitGuardian's)
 * can recognise a leaked one; keys issued before it carry none and keep working.
 */
export const TOKEN_PREFIX = "enbro_";

const encoder = new TextEncoder();

/** "00" … "ff": a token is hashed on every request, and a lookup beats formatting each byte. */
const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = "";
  for (const b of new Uint8Array(bytes)) hex += HEX_BYTES[b];
  return hex;
}

/** `enbro_` + 256 random bits in hex: the plaintext token, shown once. */
export function generateToken(): string {
  return TOKEN_PREFIX + toHex(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sha256Hex(value: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(value)));
}

export function tokenKvKey(hash: string): string {
  return `token:${hash}`;
}

/** `Bearer <token>`, scheme name case-insensitive; anything else is no token. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer +(\S+) *$/i.exec(header ?? "");
  return match ? match[1]! : null;
}

/** Constant-time comparison of two secrets (their digests, so lengths never leak). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([crypto.subtle.digest("SHA-256", encoder.encode(given)), crypto.subtle.digest("SHA-256", encoder.encode(expected))]);
  return crypto.subtle.timingSafeEqual(a, b);
}
