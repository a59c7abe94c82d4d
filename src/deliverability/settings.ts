/**
 * The deliverability checks' server-wide settings, apart from the checks themselves: the HTTP
 * layer and the app load this at start, and the checks (mailauth, htmlparser2, tldts: about
 * 40 MiB of RSS) only on the first report asked for.
 */
import { DEFAULT_DNS_TIMEOUTS, type DnsSettings } from './dns.js';
import type { SpamAssassinSettings } from './spamassassin.js';

export interface ProbeSettings {
  /** Distinct URLs probed at most; the rest are reported as `skipped`. */
  maxLinks: number;
  /** Time for one URL, redirects included. */
  timeoutMs: number;
  maxRedirects: number;
  concurrency: number;
}

export const DEFAULT_PROBE_SETTINGS: ProbeSettings = {
  maxLinks: 50,
  timeoutMs: 5000,
  maxRedirects: 5,
  concurrency: 4,
};

/** Server-wide settings (`mailport serve --sending-ip`, `--dns-server`, `--spamassassin`). */
export interface DeliverabilitySettings {
  /** The production sending IP SPF is evaluated for when a request names none. */
  sendingIp: string | null;
  dns: DnsSettings;
  probe: ProbeSettings;
  /** spamd to score messages with; null when SpamAssassin is not configured. */
  spamAssassin: SpamAssassinSettings | null;
}

export const DEFAULT_DELIVERABILITY_SETTINGS: DeliverabilitySettings = {
  sendingIp: null,
  dns: { server: null, ...DEFAULT_DNS_TIMEOUTS },
  probe: DEFAULT_PROBE_SETTINGS,
  spamAssassin: null,
};
