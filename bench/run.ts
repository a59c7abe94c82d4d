/**
 * `npm run bench`: starts Mailport and its peers on loopback, one at a time and fresh for every
 * workload, drives the same load at each with one load generator, and prints a table and writes
 * JSON (bench/results/). See `npm run bench -- --help`.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type Subscribers, subscribe } from './event-subscribers.js';
import { runFill } from './fill.js';
import { LoadGenerator } from './generator/load-generator.js';
import { checkGenerator, type GeneratorCheck } from './generator-check.js';
import { PEERS_DIR } from './peers/install.js';
import { PEER_NAMES, PEERS, type Peer, type PeerName, REPO_ROOT, type RunningPeer } from './peers/peers.js';
import { ProcessSampler } from './proc-stats.js';
import { formatProfile, type ProfileSummary, profileStartUs, summarizeProfile } from './profile-summary.js';
import { addRatios, checkTargets, markdownTable, type RunResult, targetLines, textTable } from './report.js';
import { ensureTlsFixture } from './tls-fixture.js';
import { workloads as allWorkloads, type Workload } from './workloads.js';

const USAGE = `Usage: npm run bench -- [options]

Drives the same SMTP load at Mailport and its peers (Postfix smtp-sink, a minimal Node sink,
smtp-server + mailparser, MailDev) on 127.0.0.1 and reports messages/s, MiB/s, p50/p99 latency
(MAIL FROM to the 250 after DATA), peer CPU and RSS, and ratios to the ceilings of the same run.
Peers are installed on first use (apt package postfix; npm packages in bench/.peers).

Options:
  --quick            a few short workloads (under a minute)
  --only NAMES       run only these peers, comma-separated: ${PEER_NAMES.join(', ')}
  --workload IDS     run only workloads whose id contains one of these, comma-separated
  --fill N           write N messages into a Mailport store, then measure the HTTP API on it
  --cpu-prof         run Mailport with --cpu-prof and keep the profiles in bench/results/
  --out FILE         where to write the JSON (default bench/results/bench-<time>.json)
  --help             this text

Examples:
  npm run bench -- --quick
  npm run bench -- --only mailport,node-sink --workload starttls-1k-c10
  npm run bench -- --only mailport --workload starttls-1k-c10-reuse --cpu-prof
  npm run bench -- --fill 1000000
`;

const RESULTS_DIR = join(REPO_ROOT, 'bench/results');
const MIB = 1024 * 1024;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface Options {
  quick: boolean;
  only: PeerName[];
  workloadFilter: string[];
  fill: number | null;
  cpuProf: boolean;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      workload: { type: 'string' },
      fill: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const only = (values.only?.split(',') ?? [...PEER_NAMES]).map((name) => name.trim());
  const unknown = only.filter((name) => !(PEER_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`--only: unknown peer ${unknown.join(', ')}; the peers are ${PEER_NAMES.join(', ')}`);
  }
  const fill = values.fill === undefined ? null : Number(values.fill);
  if (fill !== null && (!Number.isInteger(fill) || fill < 1)) {
    throw new Error(`--fill takes a positive whole number of messages, not "${values.fill}"`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    quick: values.quick ?? false,
    only: only as PeerName[],
    workloadFilter: values.workload?.split(',').map((id) => id.trim()) ?? [],
    fill,
    cpuProf: values['cpu-prof'] ?? false,
    out: values.out ?? join(RESULTS_DIR, `${fill === null ? 'bench' : 'fill'}-${stamp}.json`),
  };
}

function machine(): Record<string, unknown> {
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverageAtStart: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

interface PeerStatus {
  name: PeerName;
  role: string;
  version: string | null;
  unavailable: string | null;
}

function preparePeers(names: PeerName[]): PeerStatus[] {
  return names.map((name) => {
    const peer = PEERS[name];
    const unavailable = peer.install(log);
    if (unavailable) log(`Skipping ${name}: ${unavailable}`);
    return { name, role: peer.role, version: unavailable ? null : peer.version(), unavailable };
  });
}

/** Events still in flight when the load stops: wait (bounded) until the count stops growing. */
async function settledCount(subscribers: Subscribers): Promise<number> {
  let count = subscribers.received();
  for (let round = 0; round < 20; round++) {
    await sleep(100);
    const now = subscribers.received();
    if (now === count) break;
    count = now;
  }
  return count;
}

async function runOne(
  generator: LoadGenerator,
  peer: Peer,
  workload: Workload,
  results: RunResult[],
  context: Parameters<Peer['start']>[1],
): Promise<{ result: RunResult; profileWindow: { fromMs: number; toMs: number } } | null> {
  let rate: number | null = null;
  if (workload.pace) {
    const base = results.find((r) => r.peer === peer.name && r.workload === workload.pace?.of);
    if (!base || base.messages === 0) return null;
    rate = base.messagesPerSecond * workload.pace.fraction;
  }
  const running: RunningPeer = await peer.start(workload.security, context);
  const sampler = new ProcessSampler(running.pid);
  const window = { fromMs: 0, toMs: 0 };
  let subscribers: Subscribers | null = null;
  try {
    if (workload.subscribers > 0 && running.apiUrl) {
      subscribers = await subscribe(running.apiUrl, workload.subscribers, 10_000);
    }
    const result = await generator.run(
      {
        target: running.target(workload.security, true),
        size: workload.size,
        connections: workload.connections,
        reuse: workload.reuse,
        maxMessages: workload.maxMessages,
        warmupMs: workload.warmupMs,
        durationMs: workload.durationMs,
        ratePerSecond: rate,
        replyTimeoutMs: workload.size === '10m' ? 30_000 : 10_000,
      },
      {
        windowStart: () => {
          sampler.start();
          window.fromMs = Date.now() - running.spawnedAt;
        },
        windowEnd: () => {
          sampler.stop();
          window.toMs = Date.now() - running.spawnedAt;
        },
      },
    );
    const eventsDelivered = subscribers
      ? (await settledCount(subscribers)) / (result.totalAccepted * workload.subscribers)
      : null;
    const figures: RunResult = {
      peer: peer.name,
      workload: workload.id,
      messages: result.messages,
      windowMs: result.windowMs,
      messagesPerSecond: result.messagesPerSecond,
      mibPerSecond: result.mibPerSecond,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      maxMs: result.maxMs,
      setupP50Ms: result.setupP50Ms,
      connectionsOpened: result.connectionsOpened,
      cpuPercent: sampler.cpuPercent(),
      rssPeakMiB: sampler.rssPeakBytes() / MIB,
      rssGrowthMiB: (sampler.rssPeakBytes() - sampler.rssStartBytes()) / MIB,
      errors: result.errors,
      firstError: result.firstError,
      generatorCpuPercent: result.generatorCpuPercent,
      pacedAtPerSecond: rate,
      subscribers: workload.subscribers,
      eventsDelivered,
      ratios: {},
    };
    return { result: figures, profileWindow: window };
  } finally {
    subscribers?.close();
    await running.stop();
  }
}

/**
 * Node writes one profile per thread (Mailport's worker threads, tsx's module-loader thread): keep
 * all, summarize over the measured window those that were busy in it, busiest first.
 */
function threadProfiles(dir: string, window: { fromMs: number; toMs: number }): ProfileSummary[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => join(dir, file));
  // The main thread's profile starts with the process, which is what `window` is measured from.
  const origin = Math.min(...files.map(profileStartUs));
  const summaries = files
    .map((file) => summarizeProfile(file, 25, window, origin))
    .sort((a, b) => b.busyMs - a.busyMs);
  if (summaries.length === 0) throw new Error(`Mailport wrote no CPU profile into ${dir}`);
  const windowMs = window.toMs - window.fromMs;
  return summaries.filter((summary, index) => index === 0 || summary.busyMs > windowMs * 0.02);
}

async function benchmark(options: Options, argv: string[]): Promise<number> {
  const started = Date.now();
  const peers = preparePeers(options.only);
  const ready = peers.filter((peer) => peer.unavailable === null).map((peer) => PEERS[peer.name]);
  const chosen = allWorkloads(options.quick).filter(
    (workload) =>
      options.workloadFilter.length === 0 || options.workloadFilter.some((id) => workload.id.includes(id)),
  );
  const tls = ensureTlsFixture(PEERS_DIR);
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  const profileDir = join(RESULTS_DIR, `profiles-${stamp}`);
  const generator = new LoadGenerator();
  const machineAtStart = machine();
  log(`Load generator: ${generator.threadCount} worker threads. Machine: ${JSON.stringify(machineAtStart)}`);

  const results: RunResult[] = [];
  const failures: string[] = [];
  const profiles: ProfileSummary[] = [];
  let check: GeneratorCheck | null = null;
  try {
    const sink = ready.find((peer) => peer.name === 'smtp-sink');
    if (sink && options.workloadFilter.length === 0) {
      log('Generator check: smtp-source and our generator against smtp-sink (1 KiB, 10 connections)');
      check = await checkGenerator(
        generator,
        sink,
        { tls, cpuProfileDir: null },
        {
          smtpSourceMessages: options.quick ? 10_000 : 30_000,
          durationMs: options.quick ? 1000 : 2000,
          rounds: options.quick ? 1 : 3,
          workDir: join(PEERS_DIR, 'work'),
        },
      );
      log(
        `  smtp-source ${Math.round(check.smtpSource.messagesPerSecond)} msg/s; ours without pipelining ${Math.round(check.ours.sequential.messagesPerSecond)} (${check.ratio.toFixed(2)}x), with pipelining ${Math.round(check.ours.pipelined.messagesPerSecond)}`,
      );
    }
    for (const workload of chosen) {
      const able = ready.filter(
        (candidate) =>
          candidate.securities.includes(workload.security) &&
          (workload.subscribers === 0 || candidate.liveEvents),
      );
      for (const peer of able) {
        const cpuProfileDir =
          options.cpuProf && peer.name === 'mailport' ? join(profileDir, workload.id) : null;
        if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
        try {
          const outcome = await runOne(generator, peer, workload, results, { tls, cpuProfileDir });
          if (!outcome) continue;
          const { result } = outcome;
          results.push(result);
          log(
            `  ${workload.id.padEnd(26)} ${peer.name.padEnd(12)} ${Math.round(result.messagesPerSecond).toString().padStart(6)} msg/s  p99 ${result.p99Ms?.toFixed(1) ?? '-'} ms${result.errors ? `  ${result.errors} errors: ${result.firstError}` : ''}`,
          );
          if (result.messages === 0) failures.push(`${peer.name} ${workload.id}: no message accepted`);
          if (cpuProfileDir) profiles.push(...threadProfiles(cpuProfileDir, outcome.profileWindow));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures.push(`${peer.name} ${workload.id}: ${message}`);
          log(`  ${workload.id} ${peer.name}: FAILED ${message}`);
        }
      }
    }
  } finally {
    await generator.close();
  }

  addRatios(results);
  const targets = checkTargets(results);
  const report = {
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 100) / 10,
    command: argv.length > 0 ? `npm run bench -- ${argv.join(' ')}` : 'npm run bench',
    machine: machineAtStart,
    generator: { threads: generator.threadCount, check },
    peers,
    workloads: chosen,
    results,
    targets,
    profiles,
    failures,
  };
  mkdirSync(join(options.out, '..'), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(options.out.replace(/\.json$/, '.md'), `${markdownTable(results, chosen)}\n`);

  process.stdout.write(`\n${textTable(results, chosen)}\n`);
  if (check) {
    process.stdout.write(
      `\nGenerator check (1 KiB, 10 connections, against smtp-sink): smtp-source ${Math.round(check.smtpSource.messagesPerSecond)} msg/s, ours without pipelining ${Math.round(check.ours.sequential.messagesPerSecond)} msg/s = ${check.ratio.toFixed(2)}x smtp-source, ours with pipelining ${Math.round(check.ours.pipelined.messagesPerSecond)} msg/s\n`,
    );
  }
  if (targets.length > 0) {
    // --quick warms up for 200 ms: Mailport is then still compiling its hot code (workloads.ts).
    const heading = options.quick
      ? 'Mailport targets (issue 6), from --quick: its short warm-up leaves Mailport below its steady rate; the full run decides'
      : 'Mailport targets (issue 6)';
    process.stdout.write(`\n${heading}:\n${targetLines(targets).join('\n')}\n`);
  }
  for (const summary of profiles) process.stdout.write(`\n${formatProfile(summary)}\n`);
  if (failures.length > 0) process.stdout.write(`\nFailures:\n  ${failures.join('\n  ')}\n`);
  process.stdout.write(`\nJSON: ${relative(process.cwd(), options.out)} (${report.durationSeconds} s)\n`);
  return failures.length > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  const code =
    options.fill === null ? await benchmark(options, argv) : await runFill(options.fill, options.out, log);
  process.exit(code);
}

await main();
