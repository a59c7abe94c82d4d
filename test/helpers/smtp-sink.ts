/**
 * Postfix's smtp-sink: an independent, real SMTP server whose faults are switched on by flags
 * (-e no ESMTP, -a no AUTH, -f/-r CMD hard/soft reject, -q CMD hang up, -w N slow DATA reply...),
 * so Mailport's client is checked against someone else's implementation, not only our own
 * throwaway servers. Debian's postfix package ships it (.ci/run installs it);
 * SMTP_SINK_UNAVAILABLE says why not otherwise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../ci/free-ports.js';
import type { RunningServer } from '../smtp-client/test-servers.js';

/** Where distributions install it: Debian in sbin, others with Postfix's own daemons. */
const KNOWN_PATHS = [
  '/usr/sbin/smtp-sink',
  '/usr/lib/postfix/sbin/smtp-sink',
  '/usr/libexec/postfix/smtp-sink',
];

function findSmtpSink(): string | null {
  const searchPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'smtp-sink'));
  for (const candidate of [...KNOWN_PATHS, ...searchPath]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const SMTP_SINK = findSmtpSink();

export const SMTP_SINK_UNAVAILABLE: string | null = SMTP_SINK
  ? null
  : 'smtp-sink is not installed (Debian package postfix; .ci/run installs it)';

/**
 * Starts smtp-sink with these fault flags on a free loopback port and resolves once it accepts
 * connections. As root it must drop privileges (-u), which it refuses to skip.
 */
export async function startSmtpSink(flags: readonly string[]): Promise<RunningServer> {
  if (!SMTP_SINK) throw new Error(SMTP_SINK_UNAVAILABLE ?? 'smtp-sink not found');
  const [port] = (await freePorts(1)) as [number];
  const privileges = userInfo().uid === 0 ? ['-u', 'nobody'] : [];
  const child = spawn(SMTP_SINK, [...privileges, ...flags, `127.0.0.1:${port}`, '16'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let tries = 0; tries < 100; tries++) {
    if (child.exitCode !== null) break;
    if (await accepts(port)) return { port, close: () => stop(child, exited) };
    await sleep(20);
  }
  await stop(child, exited);
  throw new Error(`smtp-sink ${flags.join(' ')} did not start on port ${port}: ${stderr.trim()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
