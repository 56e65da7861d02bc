/**
 * @module Which URLs may receive webhooks, and the form they are stored and
 * called in: `https://` to a public host, normalised by WHATWG URL
 * (`new URL(u).href`), so that what was checked is exactly what is called.
 *
 * Refused: any scheme but https (`https:host/` too: the slashes are
 * required); userinfo, even empty (`https://@host/`); a backslash anywhere
 * (`https://host\@127.0.0.1/` reads as 127.0.0.1 to other parsers);
 * `localhost`, single-label and local-only names; IPv4 literals that are not
 * public unicast (loopback, private, link-local, CGNAT, unspecified, …);
 * IPv6 literals outside global unicast 2000::/3 (so `[::127.0.0.1]`,
 * IPv4-mapped, unique-local and link-local are out) or reserved within it
 * (documentation, 6to4, Teredo); ports other than 443 and 1024–65535, and
 * within those the well-known internal services' (`INTERNAL_SERVICE_PORTS`).
 * A name that resolves to a private address is not caught here (Workers'
 * fetch does not reach private networks). `WEBHOOKS_ALLOW_LOCAL_URLS="true"`
 * (local work only) also accepts `http://`, local hosts and any port.
 */
import ipaddr from "ipaddr.js";

/** Suffixes of names that never leave a local network (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".lan", ".test", ".invalid", ".example"];

/**
 * Ports of services that live inside networks, never webhook receivers:
 * databases, caches, brokers, cluster control planes, remote desktops.
 */
export const INTERNAL_SERVICE_PORTS: ReadonlyMap<number, string> = new Map([
  [1433, "Microsoft SQL Server"],
  [1521, "Oracle"],
  [2049, "NFS"],
  [2375, "Docker"],
  [2376, "Docker (TLS)"],
  [2379, "etcd"],
  [2380, "etcd peers"],
  [3306, "MySQL"],
  [3389, "RDP"],
  [4369, "Erlang port mapper"],
  [5432, "PostgreSQL"],
  [5672, "AMQP"],
  [5900, "VNC"],
  [5984, "CouchDB"],
  [6379, "Redis"],
  [6443, "Kubernetes API"],
  [8500, "Consul"],
  [9042, "Cassandra"],
  [9092, "Kafka"],
  [9200, "Elasticsearch"],
  [9300, "Elasticsearch nodes"],
  [10250, "kubelet"],
  [11211, "memcached"],
  [15672, "RabbitMQ management"],
  [27017, "MongoDB"],
]);

const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");

function isPublicHost(hostname: string): boolean {
  // WHATWG URL has already normalised IPv4 (0x7f.1 → 127.0.0.1) and bracketed IPv6.
  if (hostname.startsWith("[")) {
    const address = ipaddr.IPv6.parse(hostname.slice(1, -1));
    return address.range() === "unicast" && address.match(GLOBAL_UNICAST as [ipaddr.IPv6, number]);
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) return ipaddr.IPv4.parse(hostname).range() === "unicast";
  const name = hostname.replace(/\.$/, "");
  if (name === "localhost" || !name.includes(".")) return false;
  return !LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

function isAllowedPort(port: string): boolean {
  if (port === "") return true;
  const number = Number(port);
  return number === 443 || (number >= 1024 && number <= 65535 && !INTERNAL_SERVICE_PORTS.has(number));
}

/** `scheme://authority`, as sent: what the scheme's slashes and the authority's `@` are read from. */
const SCHEME_AND_AUTHORITY = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i;

/** The URL as it is stored and called, or null when it may not receive webhooks. */
export function webhookUrl(text: string, allowLocal: boolean): string | null {
  if (text.includes("\\")) return null;
  const sent = SCHEME_AND_AUTHORITY.exec(text);
  if (!sent || sent[2]!.includes("@")) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (allowLocal) return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  return url.protocol === "https:" && isAllowedPort(url.port) && isPublicHost(url.hostname) ? url.href : null;
}

export function isAcceptedWebhookUrl(text: string, allowLocal: boolean): boolean {
  return webhookUrl(text, allowLocal) !== null;
}
