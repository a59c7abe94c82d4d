/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and lists where the time went: self time
 * per function and per source file, largest first. Also runnable on its own:
 * `node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]`.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  name: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Thread id from Node's profile file name (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`); 0 is the main thread. */
  thread: number | null;
  /** The part of the profile summarized, in ms from its start (null: all of it). */
  window: { fromMs: number; toMs: number } | null;
  totalMs: number;
  /** Sampled time that was not idle. */
  busyMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

const REPO = fileURLToPath(new URL('../', import.meta.url));

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const inRepo = path.startsWith(REPO) ? relative(REPO, path) : path;
  return inRepo.replace(/^.*node_modules\//, 'npm:');
}

function top(times: Map<string, number>, busyMs: number, count: number): SelfTime[] {
  return [...times.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({ name, selfMs, percent: busyMs > 0 ? (selfMs / busyMs) * 100 : 0 }));
}

/**
 * Summarizes `file`; with `window`, only the samples taken between `fromMs` and `toMs` after
 * `originUs` (default: the profile's own start), e.g. the measured window of a workload. Every
 * thread of a process stamps its profile on the same monotonic clock, so one origin (the main
 * thread's start) lines up the profiles of worker threads that started later.
 */
export function summarizeProfile(
  file: string,
  count = 25,
  window: { fromMs: number; toMs: number } | null = null,
  originUs: number | null = null,
): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let busyUs = 0;
  let totalUs = 0;
  let elapsedUs = profile.startTime - (originUs ?? profile.startTime);
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsedUs += delta;
    if (window && (elapsedUs < window.fromMs * 1000 || elapsedUs > window.toMs * 1000)) return;
    totalUs += delta;
    const frame = nodes.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    busyUs += delta;
    const location = where(frame.url);
    const name = `${frame.functionName || '(anonymous)'} ${location}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta / 1000);
    byFile.set(location, (byFile.get(location) ?? 0) + delta / 1000);
  });
  const busyMs = busyUs / 1000;
  const thread = /\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1];
  return {
    file,
    thread: thread === undefined ? null : Number(thread),
    window,
    totalMs: totalUs / 1000,
    busyMs,
    functions: top(byFunction, busyMs, count),
    files: top(byFile, busyMs, Math.ceil(count / 2)),
  };
}

/** When profiling of `file` started, on the process-wide monotonic clock (µs). */
export function profileStartUs(file: string): number {
  return (JSON.parse(readFileSync(file, 'utf8')) as CpuProfile).startTime;
}

export function formatProfile(summary: ProfileSummary): string {
  const line = (entry: SelfTime): string =>
    `  ${entry.percent.toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(7)} ms  ${entry.name}`;
  return [
    `${summary.thread === 0 ? 'main thread' : summary.thread === null ? 'profile' : `thread ${summary.thread}`} ${summary.file}${summary.window ? ` (${summary.window.fromMs.toFixed(0)}-${summary.window.toMs.toFixed(0)} ms)` : ''}: ${summary.busyMs.toFixed(0)} ms busy of ${summary.totalMs.toFixed(0)} ms`,
    'Self time by function (share of busy time):',
    ...summary.functions.map(line),
    'Self time by file:',
    ...summary.files.map(line),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, count] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfile(summarizeProfile(file, Number(count ?? 25)))}\n`);
}
