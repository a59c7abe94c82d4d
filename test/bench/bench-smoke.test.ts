/**
 * Keeps the benchmark harness working: `npm run bench -- --quick --only mailport` against Mailport
 * alone (no Postfix, no MailDev needed) exits 0 and writes JSON whose figures are sane.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../helpers/repo-paths.js';

const run = promisify(execFile);

interface BenchJson {
  peers: { name: string; unavailable: string | null }[];
  workloads: { id: string; size: string }[];
  results: {
    peer: string;
    workload: string;
    messages: number;
    messagesPerSecond: number;
    mibPerSecond: number;
    p50Ms: number | null;
    p99Ms: number | null;
    cpuPercent: number | null;
    rssPeakMiB: number;
    errors: number;
    firstError: string | null;
  }[];
  failures: string[];
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mailport-bench-smoke-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('the quick bench against Mailport alone exits 0 and reports sane figures', {
  timeout: 55_000,
}, async () => {
  const out = join(dir, 'bench.json');
  await run(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'mailport', '--out', out],
    {
      cwd: REPO_ROOT,
      timeout: 50_000,
    },
  );
  const report = JSON.parse(await readFile(out, 'utf8')) as BenchJson;

  assert.deepEqual(report.failures, []);
  assert.deepEqual(
    report.peers.map((peer) => [peer.name, peer.unavailable]),
    [['mailport', null]],
  );
  // Every quick workload ran against Mailport, and nothing else ran.
  assert.deepEqual(
    report.results.map((result) => [result.peer, result.workload]),
    report.workloads.map((workload) => ['mailport', workload.id]),
  );
  assert.ok(report.results.length >= 3);
  for (const result of report.results) {
    const label = `${result.workload}: ${JSON.stringify(result)}`;
    assert.equal(result.errors, 0, label);
    assert.ok(result.messages > 0, label);
    assert.ok(Number.isFinite(result.messagesPerSecond) && result.messagesPerSecond > 0, label);
    assert.ok(result.mibPerSecond > 0, label);
    assert.ok(result.p50Ms !== null && result.p99Ms !== null && result.p50Ms > 0, label);
    assert.ok(result.p50Ms <= result.p99Ms, label);
    assert.ok(result.cpuPercent !== null && result.cpuPercent > 0 && result.cpuPercent < 400, label);
    // A Node process serving SMTP and HTTP holds tens of MiB at least, and far less than a GiB here.
    assert.ok(result.rssPeakMiB > 20 && result.rssPeakMiB < 1024, label);
  }
});
