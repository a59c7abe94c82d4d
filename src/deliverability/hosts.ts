/**
 * Facts about host names and addresses that the checks share: which hosts only exist on a
 * developer's machine or network, and the organizational domain DMARC aligns on (RFC 7489 §3.2).
 */
import { BlockList, isIP } from 'node:net';
import { getDomain, parse } from 'tldts';

const LOCAL_ADDRESSES = new BlockList();
LOCAL_ADDRESSES.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network" (RFC 1122)
LOCAL_ADDRESSES.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
LOCAL_ADDRESSES.addSubnet('10.0.0.0', 8, 'ipv4'); // RFC 1918
LOCAL_ADDRESSES.addSubnet('172.16.0.0', 12, 'ipv4'); // RFC 1918
LOCAL_ADDRESSES.addSubnet('192.168.0.0', 16, 'ipv4'); // RFC 1918
LOCAL_ADDRESSES.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local
LOCAL_ADDRESSES.addAddress('::', 'ipv6');
LOCAL_ADDRESSES.addAddress('::1', 'ipv6'); // loopback
LOCAL_ADDRESSES.addSubnet('fc00::', 7, 'ipv6'); // unique local (RFC 4193)
LOCAL_ADDRESSES.addSubnet('fe80::', 10, 'ipv6'); // link-local

/** Names reserved for local use: RFC 6761 (`.test`), RFC 6762 (`.local`), ICANN (`.internal`). */
const LOCAL_SUFFIXES = ['local', 'test', 'internal'];

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** True for loopback, private (RFC 1918, RFC 4193), link-local and unspecified addresses. */
export function isLocalAddress(address: string): boolean {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 0) return false;
  return LOCAL_ADDRESSES.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why a URL host can only be reached from a developer's machine or network, or null when it is a
 * public name or address. `hostname` is as `URL.hostname` gives it (IPv6 in brackets).
 */
export function localHostReason(hostname: string): string | null {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(unmapped(host)) !== 0) {
    return isLocalAddress(host) ? `${host} is a loopback or private address` : null;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return `${host} is the reader's own machine (RFC 6761 §6.3)`;
  }
  const suffix = LOCAL_SUFFIXES.find((name) => host === name || host.endsWith(`.${name}`));
  if (suffix !== undefined) return `.${suffix} names exist only on local networks`;
  if (!host.includes('.')) return `${host} is a single-label name that resolves only inside a local network`;
  return null;
}

/** The organizational domain (`mail.example.co.uk` -> `example.co.uk`); the name itself when unknown. */
export function organizationalDomain(domain: string): string {
  const name = domain.toLowerCase().replace(/\.$/, '');
  return getDomain(name, { allowPrivateDomains: false }) ?? name;
}

/** DMARC relaxed alignment: both names share an organizational domain. */
export function alignedDomains(a: string, b: string): boolean {
  return organizationalDomain(a) === organizationalDomain(b);
}

/** The domain of an address (`user@Example.com` -> `example.com`); null without one. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  const domain = at < 0 ? '' : address.slice(at + 1).trim();
  return domain === '' ? null : domain.toLowerCase();
}

/**
 * The host a link text displays when it reads as a URL or a bare domain (`www.example.com`,
 * `https://example.com/reset`), else null. A bare word with a dot counts only when it ends in a
 * public suffix, so `README.txt` is not taken for a domain.
 */
export function displayedHost(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '' || /\s/.test(trimmed) || trimmed.includes('@')) return null;
  const withScheme = /^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  if (!URL.canParse(withScheme)) return null;
  const host = new URL(withScheme).hostname;
  const parsed = parse(host, { allowPrivateDomains: false });
  return parsed.isIcann === true && parsed.domain !== null ? host : null;
}
