/**
 * Runs a process under strace and reads back the system calls it made, with their data, so a test
 * can check the order of what reached the disk and the network: e.g. that a reply went out only
 * after an fdatasync. Output is requested with `-xx` (every string byte as \xHH, file paths too),
 * `-ttt -T` (entry time and duration) and `-y` (the path behind each descriptor).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Syscall {
  pid: number;
  name: string;
  /** Seconds, at entry and at return. */
  start: number;
  end: number;
  /** The path (or socket:[inode]) behind the first argument, when it is a descriptor. */
  path: string | null;
  /** Every string argument, decoded and joined: the data written, for write/pwrite64/writev. */
  data: Buffer;
  result: string;
}

function unavailableReason(): string | false {
  const probe = spawnSync('strace', ['-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (probe.error) return 'strace is not installed (apt-get install strace; .ci/run does)';
  if (probe.status !== 0) return `strace cannot trace here: ${probe.stderr.trim()}`;
  return false;
}

/** Why strace-based tests cannot run on this machine, or false when they can. */
export const STRACE_UNAVAILABLE = unavailableReason();

/** The command line prefix that traces `syscalls` into `outputFile`, following every thread. */
export function straceCommand(outputFile: string, syscalls: string[]): string[] {
  return [
    'strace',
    '-f',
    '-xx',
    '-ttt',
    '-T',
    '-y',
    '-s',
    '8192',
    '-e',
    `trace=${syscalls.join(',')}`,
    '-o',
    outputFile,
  ];
}

/**
 * The process strace started. Signal it rather than strace, which on SIGTERM stops tracing and
 * leaves it running.
 */
export function tracedProcess(stracePid: number): number {
  const children = readFileSync(`/proc/${stracePid}/task/${stracePid}/children`, 'utf8').trim().split(' ');
  const pid = Number(children[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`strace (pid ${stracePid}) has no child process`);
  return pid;
}

const LINE = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/;
const COMPLETE = /^(\w+)\((.*)\) = (.+?) <(\d+\.\d+)>$/;
const UNFINISHED = /^(\w+)\((.*) <unfinished \.\.\.>$/;
const RESUMED = /^<\.\.\. (\w+) resumed>.*\) = (.+?) <(\d+\.\d+)>$/;

/** The completed system calls of a trace, in order of entry. */
export function parseTrace(text: string): Syscall[] {
  const calls: Syscall[] = [];
  const open = new Map<number, Omit<Syscall, 'end' | 'result'>>();
  for (const line of text.split('\n')) {
    const [, pidText, timeText, body] = LINE.exec(line) ?? [];
    if (body === undefined) continue;
    const pid = Number(pidText);
    const time = Number(timeText);
    const complete = COMPLETE.exec(body);
    if (complete) {
      const [, name = '', args = '', result = '', duration] = complete;
      calls.push({ ...entry(pid, time, name, args), end: time + Number(duration), result });
      continue;
    }
    const unfinished = UNFINISHED.exec(body);
    if (unfinished) {
      open.set(pid, entry(pid, time, unfinished[1] ?? '', unfinished[2] ?? ''));
      continue;
    }
    const resumed = RESUMED.exec(body);
    const started = open.get(pid);
    if (resumed && started !== undefined && started.name === resumed[1]) {
      open.delete(pid);
      calls.push({ ...started, end: started.start + Number(resumed[3]), result: resumed[2] ?? '' });
    }
  }
  return calls.sort((a, b) => a.start - b.start);
}

function entry(pid: number, start: number, name: string, args: string): Omit<Syscall, 'end' | 'result'> {
  const descriptor = /^\d+<((?:\\x[0-9a-f]{2})*)>/.exec(args);
  const strings = [...args.matchAll(/"((?:\\x[0-9a-f]{2})*)"/g)].map((match) => hexBytes(match[1] ?? ''));
  return {
    pid,
    name,
    start,
    path: descriptor ? hexBytes(descriptor[1] ?? '').toString() : null,
    data: Buffer.concat(strings),
  };
}

function hexBytes(escaped: string): Buffer {
  return Buffer.from(escaped.replaceAll('\\x', ''), 'hex');
}
