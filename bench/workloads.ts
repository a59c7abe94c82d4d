/**
 * The workloads of issue 6 as data: message size x connections x security (relay plaintext,
 * 587-style STARTTLS+AUTH, 465-style implicit TLS+AUTH) x connection reuse. `--quick` runs a few
 * short ones; the full run covers the matrix in well under 15 minutes.
 */
import type { Security } from './generator/load-connection.js';
import { type MessageSize, SIZE_LABEL } from './messages.js';

export interface Workload {
  id: string;
  title: string;
  security: Security;
  size: MessageSize;
  connections: number;
  /** true: many messages per connection; false: one message per connection (handshake cost). */
  reuse: boolean;
  maxMessages: number;
  warmupMs: number;
  durationMs: number;
  /** Paced at a fraction of the same peer's rate in another workload of this run. */
  pace: { of: string; fraction: number } | null;
  /** Live event subscribers (`GET /api/v1/events`) held open during the run; peers without an event stream skip it. */
  subscribers: number;
}

const SECURITY_TITLE: Record<Security, string> = {
  plain: 'relay plaintext',
  starttls: '587 STARTTLS+AUTH',
  implicit: '465 implicit TLS+AUTH',
};

interface Timing {
  warmupMs: number;
  durationMs: number;
}

/**
 * The warm-up lets V8 finish compiling each peer's hot code before the window opens. A fresh
 * Mailport still spends its first two seconds under load tiering up (its compiler threads took a
 * third of a core meanwhile): after 500 ms of warm-up 587 1 KiB x10 measured 1,620–2,161 msg/s,
 * after 3 s 2,578–2,901, and no later window was faster beyond the noise. Small peers such as the
 * Node sink are warm within the first half second either way.
 */
const FULL: Timing = { warmupMs: 3000, durationMs: 3000 };
const QUICK: Timing = { warmupMs: 200, durationMs: 1000 };
/** Far above what any peer reaches in the window: time, not count, ends these workloads. */
const OPEN_BUDGET = 1_000_000;

function workload(
  security: Security,
  size: MessageSize,
  connections: number,
  reuse: boolean,
  timing: Timing,
  variant: { pace?: Workload['pace']; subscribers?: number } = {},
): Workload {
  const pace = variant.pace ?? null;
  const subscribers = variant.subscribers ?? 0;
  const mode = pace
    ? `paced at ${pace.fraction * 100}% of max`
    : subscribers > 0
      ? `reused, ${subscribers} live event subscribers`
      : reuse
        ? 'reused'
        : '1 msg/conn';
  const kind = pace ? 'paced' : subscribers > 0 ? `sse${subscribers}` : reuse ? 'reuse' : 'perconn';
  const id = `${security}-${size}-c${connections}-${kind}`;
  if (size === '10m') {
    // A few sequential messages on one connection: the time to accept one, and the RSS it costs.
    return {
      id,
      title: `${SECURITY_TITLE[security]}, ${SIZE_LABEL[size]} with attachments, 3 in a row`,
      security,
      size,
      connections,
      reuse,
      maxMessages: 3,
      warmupMs: 0,
      durationMs: 60_000,
      pace: null,
      subscribers: 0,
    };
  }
  return {
    id,
    title: `${SECURITY_TITLE[security]}, ${SIZE_LABEL[size]}, ${connections} conn, ${mode}`,
    security,
    size,
    connections,
    reuse,
    maxMessages: OPEN_BUDGET,
    ...timing,
    pace,
    subscribers,
  };
}

const SECURITIES: Security[] = ['plain', 'starttls', 'implicit'];

/** The workload whose rate the target "p99 <= 20 ms at half that rate" refers to. */
export const HEADLINE_WORKLOAD = 'starttls-1k-c10-reuse';

export function workloads(quick: boolean): Workload[] {
  if (quick) {
    return [
      workload('plain', '1k', 10, true, QUICK),
      workload('starttls', '1k', 10, true, QUICK),
      workload('implicit', '1k', 10, false, QUICK),
      workload('starttls', '100k', 10, true, QUICK),
    ];
  }
  return [
    ...SECURITIES.flatMap((security) => [1, 10, 50].map((c) => workload(security, '1k', c, true, FULL))),
    workload('starttls', '1k', 10, true, FULL, { pace: { of: HEADLINE_WORKLOAD, fraction: 0.5 } }),
    workload('starttls', '1k', 10, true, FULL, { subscribers: 100 }),
    ...SECURITIES.map((security) => workload(security, '100k', 10, true, FULL)),
    workload('starttls', '100k', 1, true, FULL),
    workload('starttls', '100k', 50, true, FULL),
    ...SECURITIES.map((security) => workload(security, '1k', 10, false, FULL)),
    ...SECURITIES.map((security) => workload(security, '10m', 1, true, FULL)),
  ];
}
