/**
 * The `client` option of a chaos rule: one IPv4 or IPv6 network in CIDR notation, or one address.
 * Parsed here without Node (the web UI imports the rule modules); the server matches with
 * `net.BlockList` (rule-set.ts), which also takes IPv4-mapped IPv6 addresses for their IPv4 one.
 */

export interface ClientNetwork {
  /** The network address in its canonical form (`10.0.0.0`, `fd00::`). */
  address: string;
  /** Prefix length: 32 or 128 for a single address. */
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Only dotted decimal: the URL parser below also reads `127.1`, `0x7f.0.0.1` and octal `010.0.0.1`. */
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** Hex groups, colons and an embedded IPv4 tail; nothing that could end the `[...]` of a URL host. */
const IPV6_CHARACTERS = /^[0-9A-Fa-f:.]+$/;
const PREFIX = /^\d{1,3}$/;

/** The network `text` names, or null when it is not one (a zone such as `%eth0` included). */
export function parseClientNetwork(text: string): ClientNetwork | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  const family = address.includes(':') ? 'ipv6' : 'ipv4';
  const canonical =
    family === 'ipv6'
      ? IPV6_CHARACTERS.test(address)
        ? urlHost(`[${address}]`)?.slice(1, -1)
        : undefined
      : IPV4.test(address)
        ? urlHost(address)
        : undefined;
  // A dotted-decimal address the URL parser rewrites had a leading zero (octal there, decimal elsewhere).
  if (canonical === undefined || (family === 'ipv4' && canonical !== address)) return null;
  const bits = family === 'ipv4' ? 32 : 128;
  if (prefixText !== null && !PREFIX.test(prefixText)) return null;
  const prefix = prefixText === null ? bits : Number(prefixText);
  return prefix > bits ? null : { address: canonical, prefix, family };
}

/**
 * The host as the WHATWG URL parser (the same in browsers and Node) reads it: it validates IPv4
 * ranges and every IPv6 text form (RFC 4291 §2.2) and prints the canonical one (RFC 5952).
 */
function urlHost(host: string): string | undefined {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return undefined;
  }
}
