/**
 * EHLO reply parsing (RFC 5321 §4.1.1.1): the first line names the server, each following line is
 * an extension keyword with optional parameters.
 */
import type { ServerReply } from './reply.js';

export interface EhloCapabilities {
  /** The domain the server named in the first EHLO line. */
  serverName: string;
  /** Every extension keyword (upper-case) with its parameters. */
  extensions: Record<string, string[]>;
  /** SASL mechanisms from `AUTH` (RFC 4954 §3), upper-case; empty when AUTH is not offered. */
  authMechanisms: string[];
  /** `SIZE` limit in bytes (RFC 1870), 0 when the server states no limit, null when not advertised. */
  size: number | null;
  starttls: boolean;
  pipelining: boolean;
  smtputf8: boolean;
  eightBitMime: boolean;
  enhancedStatusCodes: boolean;
}

export function parseEhlo(reply: ServerReply): EhloCapabilities {
  const [first = '', ...rest] = reply.raw.split('\n').map((line) => line.slice(4).trim());
  const extensions: Record<string, string[]> = {};
  for (const line of rest) {
    const [keyword, ...params] = line.split(/\s+/);
    if (!keyword) continue;
    const name = keyword.toUpperCase();
    // Some servers still send the pre-RFC 4954 `AUTH=PLAIN LOGIN` form as well.
    if (name.startsWith('AUTH=')) {
      extensions.AUTH = [...(extensions.AUTH ?? []), name.slice(5), ...params];
      continue;
    }
    extensions[name] = [...(extensions[name] ?? []), ...params];
  }
  const auth = [...new Set((extensions.AUTH ?? []).map((mechanism) => mechanism.toUpperCase()))];
  const sizeParam = extensions.SIZE?.[0];
  return {
    serverName: first.split(/\s+/)[0] ?? '',
    extensions,
    authMechanisms: 'AUTH' in extensions ? auth : [],
    size: 'SIZE' in extensions ? Number(sizeParam ?? 0) || 0 : null,
    starttls: 'STARTTLS' in extensions,
    pipelining: 'PIPELINING' in extensions,
    smtputf8: 'SMTPUTF8' in extensions,
    eightBitMime: '8BITMIME' in extensions,
    enhancedStatusCodes: 'ENHANCEDSTATUSCODES' in extensions,
  };
}
