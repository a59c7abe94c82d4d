/**
 * Results of one bench run: every figure per (workload, peer), its ratio to the ceilings measured
 * in the same run (Node sink for every mode, smtp-sink for plaintext), Mailport's targets from
 * issue 6, a terminal table, a Markdown table (for README) and the JSON file.
 */
import type { PeerName } from './peers/peers.js';
import type { Workload } from './workloads.js';

export interface Figures {
  messagesPerSecond: number;
  mibPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Peer CPU over the window, % of one core. */
  cpuPercent: number | null;
  rssPeakMiB: number;
}

export interface RunResult extends Figures {
  peer: PeerName;
  workload: string;
  messages: number;
  windowMs: number;
  maxMs: number | null;
  setupP50Ms: number | null;
  connectionsOpened: number;
  /** RSS growth over the window (peak minus RSS at its start). */
  rssGrowthMiB: number;
  errors: number;
  firstError: string | null;
  generatorCpuPercent: number;
  /** Paced workloads: the total rate asked for. */
  pacedAtPerSecond: number | null;
  /** Live event subscribers held open during the run. */
  subscribers: number;
  /** Share of the expected `message.received` events (messages x subscribers) that arrived. */
  eventsDelivered: number | null;
  /** Each figure divided by the same figure of a ceiling in this run (null where not comparable). */
  ratios: Partial<Record<'node-sink' | 'smtp-sink', Record<keyof Figures, number | null>>>;
}

export interface TargetCheck {
  target: string;
  measured: string;
  pass: boolean | null;
}

const FIGURE_KEYS: (keyof Figures)[] = [
  'messagesPerSecond',
  'mibPerSecond',
  'p50Ms',
  'p99Ms',
  'cpuPercent',
  'rssPeakMiB',
];

function ratio(value: number | null, base: number | null): number | null {
  if (value === null || base === null || base === 0) return null;
  return value / base;
}

export function addRatios(results: RunResult[]): void {
  for (const result of results) {
    for (const ceiling of ['node-sink', 'smtp-sink'] as const) {
      const base = results.find((other) => other.peer === ceiling && other.workload === result.workload);
      if (!base || base.messages === 0) continue;
      result.ratios[ceiling] = Object.fromEntries(
        FIGURE_KEYS.map((key) => [key, ratio(result[key], base[key])]),
      ) as Record<keyof Figures, number | null>;
    }
  }
}

function find(results: RunResult[], peer: PeerName, workload: string): RunResult | undefined {
  return results.find(
    (result) => result.peer === peer && result.workload === workload && result.messages > 0,
  );
}

const times = (value: number): string => `${value.toFixed(2)}x`;

/** Mailport's targets from issue 6, checked against this run (null: not measured in this run). */
export function checkTargets(results: RunResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const compare = (
    target: string,
    workload: string,
    base: PeerName,
    key: 'messagesPerSecond' | 'mibPerSecond',
    minimum: number,
  ): void => {
    const ours = find(results, 'mailport', workload);
    const theirs = find(results, base, workload);
    if (!ours || !theirs) return;
    const value = ours[key] / theirs[key];
    checks.push({ target, measured: times(value), pass: value >= minimum });
  };
  compare(
    '587 1 KiB x10: >= 0.40x Node sink msg/s',
    'starttls-1k-c10-reuse',
    'node-sink',
    'messagesPerSecond',
    0.4,
  );
  compare(
    '587 1 KiB x10: >= 2x smtp-server+mailparser+SQLite msg/s',
    'starttls-1k-c10-reuse',
    'smtp-server-sqlite',
    'messagesPerSecond',
    2,
  );
  compare(
    '100 KiB x10 (587): >= 0.30x Node sink MiB/s',
    'starttls-100k-c10-reuse',
    'node-sink',
    'mibPerSecond',
    0.3,
  );
  compare(
    '100 KiB x10 (587): >= 10x smtp-server+mailparser MiB/s',
    'starttls-100k-c10-reuse',
    'smtp-server',
    'mibPerSecond',
    10,
  );
  compare(
    '1 msg/conn implicit TLS: >= 0.50x Node sink handshakes/s',
    'implicit-1k-c10-perconn',
    'node-sink',
    'messagesPerSecond',
    0.5,
  );

  const maildevRatios = results
    .filter((result) => result.peer === 'maildev' && result.messages > 0)
    .flatMap((theirs) => {
      const ours = find(results, 'mailport', theirs.workload);
      return ours
        ? [{ workload: theirs.workload, value: ours.messagesPerSecond / theirs.messagesPerSecond }]
        : [];
    });
  if (maildevRatios.length > 0) {
    const worst = maildevRatios.reduce((a, b) => (b.value < a.value ? b : a));
    checks.push({
      target: '>= 6x MailDev on every workload MailDev supports',
      measured: `lowest ${times(worst.value)} (${worst.workload})`,
      pass: worst.value >= 6,
    });
  }
  const paced = find(results, 'mailport', 'starttls-1k-c10-paced');
  if (paced?.p99Ms != null) {
    checks.push({
      target: '587 1 KiB x10 at half the max rate: p99 <= 20 ms',
      measured: `${paced.p99Ms.toFixed(1)} ms at ${Math.round(paced.pacedAtPerSecond ?? 0)} msg/s asked, ${Math.round(paced.messagesPerSecond)} done`,
      pass: paced.p99Ms <= 20,
    });
  }
  const plain = find(results, 'mailport', 'starttls-1k-c10-reuse');
  const watched = find(results, 'mailport', 'starttls-1k-c10-sse100');
  if (plain && watched) {
    const value = watched.messagesPerSecond / plain.messagesPerSecond;
    const delivered =
      watched.eventsDelivered === null
        ? ''
        : `, ${(watched.eventsDelivered * 100).toFixed(1)}% of events delivered`;
    checks.push({
      target: '100 live event subscribers cost <= 10% of ingest (587 1 KiB x10)',
      measured: `${times(value)} of the rate without subscribers${delivered}`,
      pass: value >= 0.9,
    });
  }
  const big = find(results, 'mailport', 'starttls-10m-c1-reuse');
  if (big?.maxMs != null) {
    checks.push({
      target: '10 MiB with attachments accepted in < 1 s (587)',
      measured: `slowest of ${big.messages}: ${big.maxMs.toFixed(0)} ms`,
      pass: big.maxMs < 1000,
    });
    checks.push({
      target: '10 MiB: RSS growth < 3x its size (30 MiB)',
      measured: `${big.rssGrowthMiB.toFixed(1)} MiB`,
      pass: big.rssGrowthMiB < 30,
    });
  }
  return checks;
}

function cell(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const HEADERS = [
  'workload',
  'peer',
  'msg/s',
  'MiB/s',
  'p50 ms',
  'p99 ms',
  'CPU %',
  'RSS MiB',
  'vs node-sink',
  'vs smtp-sink',
  'errors',
];

function rows(results: RunResult[], workloads: Workload[]): string[][] {
  return workloads.flatMap((workload) =>
    results
      .filter((result) => result.workload === workload.id)
      .map((result) => [
        workload.id,
        result.peer,
        cell(result.messagesPerSecond),
        cell(result.mibPerSecond, 1),
        cell(result.p50Ms, 2),
        cell(result.p99Ms, 2),
        cell(result.cpuPercent),
        cell(result.rssPeakMiB),
        result.ratios['node-sink'] ? times(result.ratios['node-sink'].messagesPerSecond ?? 0) : '-',
        result.ratios['smtp-sink'] ? times(result.ratios['smtp-sink'].messagesPerSecond ?? 0) : '-',
        String(result.errors),
      ]),
  );
}

export function textTable(results: RunResult[], workloads: Workload[]): string {
  const body = rows(results, workloads);
  const widths = HEADERS.map((header, i) =>
    Math.max(header.length, ...body.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]): string =>
    row.map((value, i) => (i < 2 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0))).join('  ');
  return [line(HEADERS), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

/** A Markdown table with padded columns (the shape the formatter keeps). */
export function markdownTable(results: RunResult[], workloads: Workload[]): string {
  const body = rows(results, workloads);
  const widths = HEADERS.map((header, i) =>
    Math.max(header.length, ...body.map((row) => (row[i] ?? '').length)),
  );
  const line = (row: string[]): string =>
    `| ${row.map((value, i) => (i < 2 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const align = widths.map((width, i) => (i < 2 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`));
  return [line(HEADERS), `| ${align.join(' | ')} |`, ...body.map(line)].join('\n');
}

export function targetLines(checks: TargetCheck[]): string[] {
  return checks.map(
    (check) =>
      `${check.pass === null ? '  ?  ' : check.pass ? ' PASS' : ' MISS'}  ${check.target}: ${check.measured}`,
  );
}
