/**
 * The servers the benchmark drives, as data: what each one is for, which security modes it
 * supports, how to install it and how to start it (fresh, for every workload, so no peer carries
 * the messages of an earlier workload). Every peer runs as its own process on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Security, SmtpTarget } from '../generator/load-connection.js';
import type { TlsFixture } from '../tls-fixture.js';
import {
  ensureNpmPeers,
  ensurePostfixTools,
  type Log,
  npmPeerVersion,
  PEERS_DIR,
  postfixVersion,
  SMTP_SINK,
} from './install.js';
import { freePort, PeerProcess } from './peer-process.js';

export const PEER_NAMES = [
  'smtp-sink',
  'node-sink',
  'smtp-server',
  'smtp-server-sqlite',
  'maildev',
  'mailport',
] as const;
export type PeerName = (typeof PEER_NAMES)[number];

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const START_TIMEOUT_MS = 30_000;
const BENCH_AUTH = { user: 'bench', pass: 'bench-password' } as const;

export interface PeerContext {
  tls: TlsFixture;
  /** Directory where Mailport writes its CPU profiles (`--cpu-prof`, one file per thread), or null. */
  cpuProfileDir: string | null;
  /** Mailport only: serve this data dir instead of a fresh `--ephemeral` one. */
  dataDir?: string;
}

export interface RunningPeer {
  pid: number;
  /** Wall clock (epoch ms) when the process was spawned: where its CPU profile starts. */
  spawnedAt: number;
  /** Where the generator connects for a security mode. */
  target(security: Security, pipelining: boolean): SmtpTarget;
  /** Extra facts about the running peer (e.g. Mailport's HTTP API). */
  apiUrl: string | null;
  stop(): Promise<void>;
}

export interface Peer {
  name: PeerName;
  role: string;
  securities: readonly Security[];
  /** Serves Mailport's live event stream (`GET /api/v1/events`). */
  liveEvents: boolean;
  /** Installs what the peer needs; null when ready, otherwise why it cannot run. */
  install(log: Log): string | null;
  version(): string | null;
  start(security: Security, context: PeerContext): Promise<RunningPeer>;
}

interface Ports {
  plain: number;
  starttls: number;
  implicit: number;
}

function running(
  child: PeerProcess,
  ports: Partial<Ports>,
  ca: string | null,
  auth: { user: string; pass: string },
  apiUrl: string | null = null,
): RunningPeer {
  return {
    pid: child.pid,
    spawnedAt: child.spawnedAt,
    apiUrl,
    target(security, pipelining) {
      const port = ports[security];
      if (port === undefined) throw new Error(`this peer has no ${security} listener`);
      return {
        host: '127.0.0.1',
        port,
        security,
        // Relay-style plaintext sends no AUTH; both submission styles authenticate.
        auth: security === 'plain' ? null : auth,
        ca: security === 'plain' ? null : ca,
        servername: 'localhost',
        pipelining,
      };
    },
    stop: () => child.stop(),
  };
}

/** Starts a bench-owned TypeScript peer that prints `{"plainPort":N,"implicitPort":M}`. */
async function startNodePeer(entry: string, context: PeerContext, args: string[] = []): Promise<RunningPeer> {
  const child = new PeerProcess(
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench/peers', entry),
      '--cert',
      context.tls.certFile,
      '--key',
      context.tls.keyFile,
      ...args,
    ],
    { cwd: REPO_ROOT },
  );
  const ports = await child.waitForLine((line) => {
    if (!line.startsWith('{')) return null;
    return JSON.parse(line) as { plainPort: number; implicitPort: number };
  }, START_TIMEOUT_MS);
  return running(
    child,
    { plain: ports.plainPort, starttls: ports.plainPort, implicit: ports.implicitPort },
    context.tls.certPem,
    BENCH_AUTH,
  );
}

const smtpSink: Peer = {
  name: 'smtp-sink',
  role: 'ceiling, plaintext (Postfix smtp-sink, C)',
  securities: ['plain'],
  liveEvents: false,
  install: ensurePostfixTools,
  version: () => postfixVersion(),
  async start() {
    const port = await freePort();
    // smtp-sink refuses to run as root without -u (a user to drop to); it only listens and discards.
    const asRoot = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    const child = new PeerProcess(SMTP_SINK, [...asRoot, '-m', '1024', `127.0.0.1:${port}`, '1024']);
    await child.waitForPort(port, START_TIMEOUT_MS);
    return running(child, { plain: port }, null, BENCH_AUTH);
  },
};

const nodeSink: Peer = {
  name: 'node-sink',
  role: 'ceiling, Node + TLS (discards)',
  securities: ['plain', 'starttls', 'implicit'],
  liveEvents: false,
  install: () => null,
  version: () => process.version,
  start: (_security, context) => startNodePeer('node-sink.ts', context),
};

const smtpServer: Peer = {
  name: 'smtp-server',
  role: 'floor (npm smtp-server + mailparser)',
  securities: ['plain', 'starttls', 'implicit'],
  liveEvents: false,
  install: ensureNpmPeers,
  version: () => `smtp-server ${npmPeerVersion('smtp-server')}, mailparser ${npmPeerVersion('mailparser')}`,
  start: (_security, context) => startNodePeer('smtp-server-floor.ts', context),
};

const smtpServerSqlite: Peer = {
  name: 'smtp-server-sqlite',
  role: 'smtp-server + mailparser + SQLite (one durable INSERT per message, no index)',
  securities: ['plain', 'starttls', 'implicit'],
  liveEvents: false,
  install: ensureNpmPeers,
  version: () => smtpServer.version(),
  async start(_security, context) {
    const dir = mkdtempSync(join(tmpdir(), 'mailport-bench-sqlite-'));
    const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
    const peer = await startNodePeer('smtp-server-floor.ts', context, [
      '--sqlite',
      join(dir, 'messages.db'),
    ]).catch((error: unknown) => {
      removeDir();
      throw error;
    });
    return {
      ...peer,
      async stop() {
        await peer.stop();
        removeDir();
      },
    };
  },
};

const maildev: Peer = {
  name: 'maildev',
  role: 'MailDev (npm maildev 3.x, in memory)',
  // MailDev serves one mode per process: plaintext, or implicit TLS with --incoming-secure.
  securities: ['plain', 'implicit'],
  liveEvents: false,
  install: ensureNpmPeers,
  version: () => npmPeerVersion('maildev'),
  async start(security, context) {
    const [port, webPort] = [await freePort(), await freePort()];
    const args = [
      join(PEERS_DIR, 'node_modules/maildev/dist/bin/maildev.js'),
      '--smtp',
      String(port),
      '--ip',
      '127.0.0.1',
      '--web',
      String(webPort),
      '--web-ip',
      '127.0.0.1',
      '--silent',
    ];
    if (security === 'implicit') {
      args.push(
        '--incoming-secure',
        '--incoming-cert',
        context.tls.certFile,
        '--incoming-key',
        context.tls.keyFile,
        '--incoming-user',
        BENCH_AUTH.user,
        '--incoming-pass',
        BENCH_AUTH.pass,
      );
    }
    const child = new PeerProcess(process.execPath, args, { cwd: PEERS_DIR });
    await child.waitForPort(port, START_TIMEOUT_MS);
    return running(child, { [security]: port }, context.tls.certPem, BENCH_AUTH);
  },
};

interface MailportInfo {
  listeners: { profile: string; port: number }[];
  tls: { caPem: string };
}

const mailport: Peer = {
  name: 'mailport',
  role: 'Mailport (durable, parsed, searchable before 250)',
  securities: ['plain', 'starttls', 'implicit'],
  liveEvents: true,
  install: () => null,
  version: () =>
    (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
  async start(_security, context) {
    const profile = context.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', context.cpuProfileDir] : [];
    const child = new PeerProcess(
      process.execPath,
      [
        ...profile,
        '--import',
        'tsx',
        join(REPO_ROOT, 'bench/peers/mailport-serve.ts'),
        'serve',
        ...(context.dataDir ? ['--data-dir', context.dataDir] : ['--ephemeral']),
        '--host',
        '127.0.0.1',
        '--relay-port',
        '0',
        '--submissions-port',
        '0',
        '--submission-port',
        '0',
        '--alt-port',
        'off',
        '--http-port',
        '0',
        '--auth',
        `${BENCH_AUTH.user}:${BENCH_AUTH.pass}`,
        // The same certificate as every other peer (see tls-fixture.ts).
        '--tls-cert',
        context.tls.certFile,
        '--tls-key',
        context.tls.keyFile,
        '--log-level',
        'warn',
      ],
      { cwd: REPO_ROOT },
    );
    const apiUrl = await child.waitForLine(
      (line) => /Web UI \+ API:\s+(http:\/\/\S+)/.exec(line)?.[1] ?? null,
      START_TIMEOUT_MS,
    );
    const response = await fetch(`${apiUrl}/api/v1/info`);
    if (!response.ok) throw new Error(`GET ${apiUrl}/api/v1/info answered ${response.status}`);
    const info = (await response.json()) as MailportInfo;
    const port = (profile: string): number | undefined =>
      info.listeners.find((l) => l.profile === profile)?.port;
    const ports: Partial<Ports> = {};
    for (const [security, profileName] of [
      ['plain', 'relay'],
      ['starttls', 'submission'],
      ['implicit', 'submissions'],
    ] as const) {
      const found = port(profileName);
      if (found !== undefined) ports[security] = found;
    }
    return running(child, ports, info.tls.caPem, BENCH_AUTH, apiUrl);
  },
};

export const PEERS: Record<PeerName, Peer> = {
  'smtp-sink': smtpSink,
  'node-sink': nodeSink,
  'smtp-server': smtpServer,
  'smtp-server-sqlite': smtpServerSqlite,
  maildev,
  mailport,
};
