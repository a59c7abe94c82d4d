/**
 * The DNS lookups of one report, bounded: each query gets `queryTimeoutMs`, and all of them
 * together `budgetMs`, after which every further lookup fails at once. A DNS server that never
 * answers therefore turns into `temperror` results within the budget, never a hang.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsFailure } from './types.js';

export interface DnsSettings {
  /** `HOST:PORT` (IPv6 as `[::1]:53`); null for the system resolver. */
  server: string | null;
  queryTimeoutMs: number;
  budgetMs: number;
}

export const DEFAULT_DNS_TIMEOUTS = { queryTimeoutMs: 2000, budgetMs: 5000 } as const;

/** The resolver signature mailauth takes: `(name, 'TXT')` resolves like `dns.promises.resolve`. */
export type DnsLookup = (name: string, rrtype: string) => Promise<string[][] | string[]>;

/** A lookup that got no answer in time; `ETIMEOUT` is the code mailauth maps to `temperror`. */
export class DnsTimeoutError extends Error {
  override readonly name = 'DnsTimeoutError';
  readonly code = 'ETIMEOUT';
}

/** Codes that mean the record does not exist: an answer, not a failure. */
const ABSENT = new Set(['ENOTFOUND', 'ENODATA']);

export interface BoundedDns {
  lookup: DnsLookup;
  /** Lookups that failed for another reason than an absent record. */
  failures: DnsFailure[];
  /** Cancels lookups still in flight. */
  close(): void;
}

export function boundedDns(settings: DnsSettings): BoundedDns {
  const resolver = new Resolver({ timeout: settings.queryTimeoutMs, tries: 1 });
  if (settings.server !== null) resolver.setServers([settings.server]);
  const serverName = settings.server ?? 'the system resolver';
  const deadline = Date.now() + settings.budgetMs;
  const failures: DnsFailure[] = [];

  const lookup: DnsLookup = async (name, rrtype) => {
    const remaining = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      if (remaining <= 0) {
        throw new DnsTimeoutError(
          `not asked: the ${settings.budgetMs} ms DNS budget of this check was spent on earlier lookups`,
        );
      }
      const waitMs = Math.min(remaining, settings.queryTimeoutMs);
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new DnsTimeoutError(`no answer from ${serverName} within ${waitMs} ms`)),
          waitMs,
        );
      });
      return (await Promise.race([resolver.resolve(name, rrtype), timeout])) as string[][] | string[];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!ABSENT.has(code) && failures.length < 50) {
        failures.push({ name, type: rrtype, error: describeDnsError(error, serverName) });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  return { lookup, failures, close: () => resolver.cancel() };
}

function describeDnsError(error: unknown, serverName: string): string {
  if (error instanceof DnsTimeoutError) return error.message;
  const { code, message } = error as NodeJS.ErrnoException;
  // c-ares messages read `queryTxt ESERVFAIL name`: the code alone, with the server, says more.
  return code === undefined ? message : `${code} from ${serverName}`;
}
