/**
 * CPU time and memory of a peer process, read from /proc (Linux): utime+stime from
 * /proc/PID/stat, resident memory from /proc/PID/status (VmRSS now, VmHWM the peak so far).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | null = null;

/** Clock ticks per second of /proc/PID/stat times (`getconf CLK_TCK`, almost always 100). */
function ticksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }), 10) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) the process has used so far, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces: state is
    // field 3, utime field 14 and stime field 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return null;
  }
}

/** Resident memory in bytes: `VmRSS` (now) and `VmHWM` (peak), or null once the process is gone. */
export function memory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string): number =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kib('VmRSS') * 1024, peak: kib('VmHWM') * 1024 };
  } catch {
    return null;
  }
}

/** Samples a process over a window: CPU used and the highest RSS seen. */
export class ProcessSampler {
  readonly #pid: number;
  #cpuStart: number | null = null;
  #cpuEnd: number | null = null;
  #startedAt = 0;
  #endedAt = 0;
  #rssStart = 0;
  #rssPeak = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(pid: number) {
    this.#pid = pid;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#cpuStart = cpuSeconds(this.#pid);
    this.#rssStart = memory(this.#pid)?.rss ?? 0;
    this.#rssPeak = this.#rssStart;
    this.#timer = setInterval(() => this.#sample(), 50);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sample();
    this.#endedAt = performance.now();
    this.#cpuEnd = cpuSeconds(this.#pid);
  }

  /** CPU used in the window as % of one core (200% = both cores of a 2-core machine). */
  cpuPercent(): number | null {
    if (this.#cpuStart === null || this.#cpuEnd === null) return null;
    const seconds = (this.#endedAt - this.#startedAt) / 1000;
    return seconds > 0 ? ((this.#cpuEnd - this.#cpuStart) / seconds) * 100 : null;
  }

  rssStartBytes(): number {
    return this.#rssStart;
  }

  rssPeakBytes(): number {
    return this.#rssPeak;
  }

  #sample(): void {
    const rss = memory(this.#pid)?.rss ?? 0;
    if (rss > this.#rssPeak) this.#rssPeak = rss;
  }
}
