/**
 * @module Which URLs may receive webhooks: `https://` to a public host. Not
 * `localhost`, not loopback, private, link-local, unique-local or otherwise
 * reserved addresses (IPv4 and IPv6 literals, IPv4-mapped IPv6 too), not a
 * single-label or local-only name, no userinfo, no other scheme. A name that
 * resolves to a private address is not caught here; Workers' fetch does not
 * reach private networks. `WEBHOOKS_ALLOW_LOCAL_URLS="true"` (local work
 * only) also accepts `http://` and local hosts.
 */
import ipaddr from "ipaddr.js";

/** Suffixes of names that never leave a local network (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".lan", ".test", ".invalid", ".example"];

function isPublicHost(hostname: string): boolean {
  // WHATWG URL has already normalised IPv4 (0x7f.1 → 127.0.0.1) and bracketed IPv6.
  const literal = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (ipaddr.isValid(literal)) return ipaddr.process(literal).range() === "unicast";
  const name = hostname.replace(/\.$/, "");
  if (name === "localhost" || !name.includes(".")) return false;
  return !LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

export function isAcceptedWebhookUrl(text: string, allowLocal: boolean): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (allowLocal) return url.protocol === "https:" || url.protocol === "http:";
  return url.protocol === "https:" && isPublicHost(url.hostname);
}
