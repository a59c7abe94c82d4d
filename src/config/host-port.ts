/**
 * `HOST[:PORT]` values of the configuration (the DNS server, spamd, the release server): one
 * parser, so each flag accepts the same forms — a name or an IP address, IPv6 in brackets when a
 * port follows.
 */
import { isIP } from 'node:net';

export interface HostPort {
  host: string;
  /** null when the value named no port. */
  port: number | null;
}

/** A DNS name of letters, digits, hyphens and dots, e.g. a container's name. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `HOST[:PORT]` split into its parts, or null when it is not one (a bad name, a port out of range). */
export function splitHostPort(value: string, namesAllowed: boolean): HostPort | null {
  const trimmed = value.trim();
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed) ?? /^([^:]+)(?::(\d+))?$/.exec(trimmed);
  const host = match?.[1] ?? (isIP(trimmed) === 6 ? trimmed : '');
  const port = match?.[2] === undefined ? null : Number(match[2]);
  const hostValid = isIP(host) !== 0 || (namesAllowed && HOST_NAME.test(host));
  if (!hostValid || (port !== null && (port < 1 || port > 65535))) return null;
  return { host, port };
}

/** `host:port`, with an IPv6 address in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The address a client on this machine connects to for a listener bound to `host`: a wildcard
 * (`0.0.0.0`, `::`) is where the server listens, not where anyone can connect on every system.
 */
export function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/** True when the host is reachable only from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
