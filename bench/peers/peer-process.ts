/**
 * A peer server running as a child process: started, awaited until it serves (a line it prints
 * or a port that accepts), and stopped with SIGTERM (SIGKILL if it lingers). Output is kept short
 * so a failing peer can be reported with its last words.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const KEEP_OUTPUT_LINES = 20;

/** Peers still running: killed when the bench exits, however it exits, so none is left behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killLeftoversOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  // Ctrl+C or a kill ends the process without 'exit' unless it exits on its own.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
}

export class PeerProcess {
  readonly #child: ChildProcess;
  readonly #output: string[] = [];
  readonly #lineListeners = new Set<(line: string) => void>();
  readonly #exited: Promise<number | null>;
  #exitCode: number | null | undefined;
  /** Wall clock (epoch ms) at spawn. */
  readonly spawnedAt = Date.now();

  constructor(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    this.#child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killLeftoversOnExit();
    live.add(this.#child);
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code) => {
        live.delete(this.#child);
        this.#exitCode = code;
        resolve(code);
      });
      this.#child.once('error', (error) => {
        this.#remember(`spawn failed: ${error.message}`);
        this.#exitCode = null;
        resolve(null);
      });
    });
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.#remember(line);
      });
    }
  }

  get pid(): number {
    if (this.#child.pid === undefined) throw new Error(`the peer did not start: ${this.output()}`);
    return this.#child.pid;
  }

  /** The last lines the process printed (stdout and stderr). */
  output(): string {
    return this.#output.join('\n');
  }

  /** Resolves with the first value `match` returns for a printed line (already printed ones count). */
  waitForLine<T>(match: (line: string) => T | null, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const finish = (error: Error | null, value?: T): void => {
        clearTimeout(timer);
        this.#lineListeners.delete(listener);
        if (error) reject(error);
        else resolve(value as T);
      };
      const listener = (line: string): void => {
        const value = match(line);
        if (value !== null) finish(null, value);
      };
      const timer = setTimeout(
        () => finish(new Error(`the peer printed no ready line within ${timeoutMs} ms:\n${this.output()}`)),
        timeoutMs,
      );
      this.#lineListeners.add(listener);
      for (const line of this.#output) listener(line);
      void this.#exited.then((code) =>
        finish(new Error(`the peer exited (code ${code}) before it was ready:\n${this.output()}`)),
      );
    });
  }

  /** Polls until `port` accepts a TCP connection (bounded by `timeoutMs`). */
  async waitForPort(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#exitCode !== undefined) {
        throw new Error(`the peer exited (code ${this.#exitCode}) before it listened:\n${this.output()}`);
      }
      if (await accepts(port)) return;
      await sleep(50);
    }
    throw new Error(`the peer did not listen on port ${port} within ${timeoutMs} ms:\n${this.output()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.#exitCode !== undefined) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #remember(line: string): void {
    this.#output.push(line);
    if (this.#output.length > KEEP_OUTPUT_LINES) this.#output.shift();
    for (const listener of this.#lineListeners) listener(line);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port that was free a moment ago, for peers that cannot bind port 0 and report it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
