/**
 * A real SpamAssassin spamd on a free loopback port, for one test file: local tests only (`-L`,
 * no network), one child, its log on stderr kept for failures, its pidfile in a temp dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../ci/free-ports.js';

export interface TestSpamd {
  /** `127.0.0.1:PORT`, as `--spamassassin` takes it. */
  server: string;
  port: number;
  /** Stops spamd and waits until its port is closed; idempotent. */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;

export async function startSpamd(): Promise<TestSpamd> {
  // spamd cannot bind port 0: take a port the kernel just handed out and released.
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error('no free loopback port for spamd');
  const dir = mkdtempSync(join(tmpdir(), 'mailport-spamd-'));
  const args = [
    '-L',
    `--listen=127.0.0.1:${port}`,
    '--max-children=1',
    '--syslog=stderr',
    '--nouser-config',
    `--pidfile=${join(dir, 'spamd.pid')}`,
    // spamd refuses to scan as root.
    ...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []),
  ];
  const child = spawn('spamd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(port, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { server: `127.0.0.1:${port}`, port, stop };
}

async function waitUntilAnswering(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`spamd exited with ${child.exitCode}:\n${log()}`);
    if (await pongs(port)) return;
    await sleep(50);
  }
  throw new Error(
    `spamd did not answer PING on 127.0.0.1:${port} within ${STARTUP_TIMEOUT_MS} ms:\n${log()}`,
  );
}

/** True when a PING gets spamd's PONG (spamd/PROTOCOL). */
function pongs(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.on('connect', () => socket.end('PING SPAMC/1.5\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(/^SPAMD\/[\d.]+ 0 PONG/.test(answer)));
    socket.on('error', () => resolve(false));
  });
}
