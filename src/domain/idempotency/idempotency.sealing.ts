/**
 * @module What an idempotency key protects: its lookup hash and the AES-GCM
 * key that seals the stored answer are both derived from the key, which only
 * the client holds; D1 alone reveals neither the key nor the answer.
 */
import { sha256Hex } from "../../lib/tokens";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function lookupHash(idempotencyKey: string): Promise<string> {
  return sha256Hex(`enbro-idempotency-lookup\0${idempotencyKey}`);
}

async function sealingKey(idempotencyKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", encoder.encode(`enbro-idempotency-seal\0${idempotencyKey}`));
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

export async function seal(idempotencyKey: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await sealingKey(idempotencyKey), encoder.encode(plaintext));
  const sealed = new Uint8Array(iv.length + ciphertext.byteLength);
  sealed.set(iv);
  sealed.set(new Uint8Array(ciphertext), iv.length);
  return toBase64(sealed);
}

export async function unseal(idempotencyKey: string, sealed: string): Promise<string> {
  const bytes = fromBase64(sealed);
  const plaintext = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.slice(0, 12) }, await sealingKey(idempotencyKey), bytes.slice(12));
  return decoder.decode(plaintext);
}
