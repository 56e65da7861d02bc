/**
 * @module Webhook secrets and signatures (Standard Webhooks): the secret is
 * `whsec_` + base64 of random bytes; a delivery's `webhook-signature` is
 * `v1,` + base64 HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`,
 * keyed with the secret's decoded bytes.
 */
import { WEBHOOK_SECRET_BYTES } from "../limits";

const SECRET_PREFIX = "whsec_";
const encoder = new TextEncoder();

function toBase64(bytes: ArrayBuffer | Uint8Array): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** A new endpoint's signing secret. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(WEBHOOK_SECRET_BYTES)));
}

/**
 * The `webhook-signature` header of one attempt: one `v1,…` per secret,
 * space-separated (Standard Webhooks), the current secret's first; a
 * receiver that knows either secret accepts it.
 */
export async function signatureHeader(secrets: readonly string[], webhookId: string, timestamp: number, body: string): Promise<string> {
  return (await Promise.all(secrets.map((secret) => signWebhook(secret, webhookId, timestamp, body)))).join(" ");
}

/** One secret's signature of one attempt. */
export async function signWebhook(secret: string, webhookId: string, timestamp: number, body: string): Promise<string> {
  const keyBytes = Uint8Array.from(atob(secret.slice(SECRET_PREFIX.length)), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(`${webhookId}.${timestamp}.${body}`));
  return `v1,${toBase64(signature)}`;
}
