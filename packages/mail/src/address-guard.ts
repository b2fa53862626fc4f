import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { MailError } from "./errors.ts";

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** The exceptions of MAIL_ALLOWED_PRIVATE_HOSTS: exact host names, and addresses or CIDR ranges. */
export interface AllowedPrivateHosts {
  names: ReadonlySet<string>;
  ranges: ReadonlyArray<[Address, number]>;
}

export const noPrivateHosts: AllowedPrivateHosts = { names: new Set(), ranges: [] };

/** Reads the MAIL_ALLOWED_PRIVATE_HOSTS entries: "127.0.0.1", "10.1.0.0/16", "bridge.internal". */
export function parseAllowedPrivateHosts(entries: readonly string[]): AllowedPrivateHosts {
  const names = new Set<string>();
  const ranges: Array<[Address, number]> = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    if (ipaddr.isValidCIDR(entry)) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      ranges.push(normalizeRange(address, bits));
    } else if (isIP(entry)) {
      const address = canonical(ipaddr.parse(entry));
      ranges.push([address, address.kind() === "ipv4" ? 32 : 128]);
    } else if (isHostName(entry)) {
      names.add(normalizeName(entry));
    } else {
      throw new Error(`MAIL_ALLOWED_PRIVATE_HOSTS: "${entry}" is neither a host name, an address nor a CIDR range`);
    }
  }
  return { names, ranges };
}

/**
 * Why an address must not be connected to (loopback, private, link-local and so cloud metadata,
 * CGNAT, multicast, reserved, ...), or undefined for a public unicast address. IPv4 written inside
 * IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
 */
export function refusedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "not-an-address";
  const parsed = canonical(ipaddr.parse(address));
  const range = parsed.range();
  return range === "unicast" ? undefined : range;
}

/** Whether the address may be connected to: public, or inside an allowed exception. */
export function isAddressAllowed(address: string, allowed: AllowedPrivateHosts, host?: string): boolean {
  if (refusedRange(address) === undefined) return true;
  if (host !== undefined && allowed.names.has(normalizeName(host))) return true;
  const parsed = canonical(ipaddr.parse(address));
  return allowed.ranges.some(([base, bits]) => base.kind() === parsed.kind() && parsed.match(base, bits));
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((answer) => answer.address);

/**
 * Resolves `host` once and answers the address to connect to, so that a DNS answer changing between
 * this check and the connection gains nothing: callers connect to this address (with `host` as the
 * TLS server name). Every answer must be allowed, not only the first.
 */
export async function resolveAllowedAddress(
  host: string,
  allowed: AllowedPrivateHosts,
  resolve: Resolver = systemResolver,
): Promise<string> {
  const trimmed = host.trim().replace(/^\[(.*)\]$/, "$1");
  if (!isIP(trimmed) && !isHostName(trimmed)) {
    throw new MailError("HOST_NOT_ALLOWED", `"${host}" is not a valid host name or address`, "invalid-host");
  }
  let addresses: string[];
  if (isIP(trimmed)) {
    addresses = [trimmed];
  } else {
    try {
      addresses = await resolve(trimmed);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "ENOTFOUND";
      throw new MailError("MAIL_CONNECTION_FAILED", `${host} could not be resolved (${code})`, code);
    }
  }
  if (!addresses.length) throw new MailError("MAIL_CONNECTION_FAILED", `${host} has no address`, "ENOTFOUND");
  for (const address of addresses) {
    if (!isAddressAllowed(address, allowed, trimmed)) {
      throw new MailError(
        "HOST_NOT_ALLOWED",
        `${host} resolves to a ${refusedRange(address)} address, which this server does not connect to`,
        refusedRange(address),
      );
    }
  }
  return canonical(ipaddr.parse(addresses[0] as string)).toString();
}

function canonical(address: Address): Address {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (address as ipaddr.IPv6).toIPv4Address();
  }
  return address;
}

function normalizeRange(address: Address, bits: number): [Address, number] {
  if (address.kind() === "ipv6" && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

function normalizeName(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * A DNS name of letters, digits and hyphens whose last label is not all digits: "127.1",
 * "0x7f.1" or "2130706433" are other spellings of addresses that resolvers accept, so they are refused.
 */
function isHostName(host: string): boolean {
  const name = normalizeName(host);
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split(".");
  if (!labels.every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label))) return false;
  const last = labels[labels.length - 1] as string;
  return !/^(?:\d+|0x[0-9a-f]+)$/.test(last);
}
