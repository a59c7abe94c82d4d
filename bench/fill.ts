/**
 * `npm run bench -- --fill N`: writes N varied messages straight into a Mailport SQLite store
 * through the Store API (the fast path: no SMTP, facts read alongside the raw bytes), then
 * starts Mailport on that data dir and measures, over HTTP: the first page of the list, full-text
 * search and message detail (p50/p99), Mailport's RSS, the store's size on disk against the raw
 * bytes, and the STARTTLS+AUTH ingest rate on the full store against an empty one.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../src/domain/ids.js';
import type { IncomingMessage } from '../src/domain/types.js';
import { messageFacts } from '../src/mime/message-facts.js';
import { openStore } from '../src/storage/open-store.js';
import type { NewMessage } from '../src/storage/store.js';
import { LoadGenerator, percentile } from './generator/load-generator.js';
import { PEERS_DIR } from './peers/install.js';
import { PEERS, type RunningPeer } from './peers/peers.js';
import { memory, ProcessSampler } from './proc-stats.js';
import { ensureTlsFixture } from './tls-fixture.js';

const BATCH = 2000;
const REQUESTS = 300;
/** Short ingest runs on each store, alternated; their medians are compared. */
const INGEST_ROUNDS = 3;
const MIB = 1024 * 1024;

/** Reproducible pseudo-words (consonant-vowel syllables), so search has common and rare terms. */
function vocabulary(size: number): string[] {
  const consonants = 'bcdfghjklmnprstvz';
  const vowels = 'aeiou';
  let seed = 7;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  return Array.from({ length: size }, () => {
    let word = '';
    const syllables = 2 + (next() % 3);
    for (let i = 0; i < syllables; i++) word += consonants[next() % 17] + (vowels[next() % 5] ?? 'a');
    return word;
  });
}

const WORDS = vocabulary(5000);

class Lcg {
  #state: number;
  constructor(seed: number) {
    this.#state = seed;
  }
  next(): number {
    this.#state = (this.#state * 1664525 + 1013904223) >>> 0;
    return this.#state;
  }
  /** Skewed pick: low indexes are common, high ones rare (like words in real mail). */
  word(): string {
    const u = this.next() / 2 ** 32;
    return WORDS[Math.floor(u * u * u * WORDS.length)] ?? 'word';
  }
}

function makeMessage(index: number, random: Lcg, receivedAt: Date): NewMessage {
  const subjectWords = Array.from({ length: 4 + (random.next() % 5) }, () => random.word());
  const subject = `Order ${index} ${subjectWords.join(' ')}`;
  const sender = { name: `Sender ${index % 5000}`, address: `sender${index % 5000}@shop${index % 50}.test` };
  const recipient = { name: `Customer ${index % 20000}`, address: `customer${index % 20000}@mail.test` };
  const lines: string[] = [];
  for (let line = 0; line < 12 + (random.next() % 12); line++) {
    lines.push(Array.from({ length: 10 }, () => random.word()).join(' '));
  }
  const text = `${lines.join('\r\n')}\r\n`;
  const messageId = `<fill-${index}@bench.test>`;
  const date = receivedAt.toUTCString().replace('GMT', '+0000');
  const headerPairs: [string, string][] = [
    ['From', `${sender.name} <${sender.address}>`],
    ['To', `${recipient.name} <${recipient.address}>`],
    ['Subject', subject],
    ['Date', date],
    ['Message-ID', messageId],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=utf-8'],
  ];
  const raw = Buffer.from(
    `${headerPairs.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${text}`,
  );
  const envelope = {
    mailFrom: { address: sender.address, params: {} },
    rcptTo: [{ address: recipient.address, params: {} }],
  };
  const incoming: IncomingMessage = {
    raw,
    envelope,
    inbox: 'bench',
    sessionId: 'fill',
    listener: { profile: 'submission', port: 1587 },
    client: { address: '127.0.0.1', port: 40000 + (index % 20000) },
    heloName: 'bench.test',
    tls: { mode: 'starttls', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', servername: 'localhost' },
    auth: { user: 'bench', mechanism: 'PLAIN' },
    receivedAt,
  };
  return { id: newId(receivedAt.getTime()), incoming, facts: messageFacts(raw, envelope) };
}

/** Size of every file under `dir` (the SQLite database, its WAL, TLS files...). */
function filesIn(dir: string, prefix = ''): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, filesIn(path, `${prefix}${entry.name}/`));
    else files[`${prefix}${entry.name}`] = statSync(path).size;
  }
  return files;
}

interface Timing {
  p50Ms: number | null;
  p99Ms: number | null;
  requests: number;
}

async function time(requests: string[]): Promise<Timing> {
  const latencies = new Float64Array(requests.length);
  for (const [index, url] of requests.entries()) {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    latencies[index] = performance.now() - started;
  }
  latencies.sort();
  return { p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), requests: requests.length };
}

interface IngestRun {
  messagesPerSecond: number;
  p99Ms: number | null;
}

/** The run with the median rate (INGEST_ROUNDS is odd). */
function medianRun(runs: IngestRun[]): IngestRun {
  const sorted = [...runs].sort((a, b) => a.messagesPerSecond - b.messagesPerSecond);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (!median) throw new Error('no ingest runs');
  return median;
}

async function ingestRate(generator: LoadGenerator, running: RunningPeer): Promise<IngestRun> {
  const result = await generator.run({
    target: running.target('starttls', true),
    size: '1k',
    connections: 10,
    reuse: true,
    maxMessages: 1_000_000,
    warmupMs: 500,
    durationMs: 3000,
    ratePerSecond: null,
    replyTimeoutMs: 10_000,
  });
  return { messagesPerSecond: result.messagesPerSecond, p99Ms: result.p99Ms };
}

export async function runFill(count: number, out: string, log: (line: string) => void): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mailport-fill-'));
  const tls = ensureTlsFixture(PEERS_DIR);
  const generator = new LoadGenerator();
  try {
    log(`Filling ${count.toLocaleString('en-US')} messages into ${dataDir}`);
    const store = await openStore(join(dataDir, 'mailport.db'));
    const random = new Lcg(42);
    const sampleIds: string[] = [];
    let rawBytes = 0;
    const fillStarted = performance.now();
    const start = Date.now() - count; // one message per millisecond, ending now
    for (let done = 0; done < count; ) {
      const batch: NewMessage[] = [];
      for (let i = 0; i < BATCH && done < count; i++, done++) {
        const message = makeMessage(done, random, new Date(start + done));
        rawBytes += message.incoming.raw.length;
        if (done % Math.max(1, Math.floor(count / 1000)) === 0) sampleIds.push(message.id);
        batch.push(message);
      }
      await store.addMessages(batch);
      if (done % 100_000 < BATCH) log(`  ${done.toLocaleString('en-US')} stored`);
    }
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    await store.close();
    const diskFiles = filesIn(dataDir);
    const diskBytes = Object.values(diskFiles).reduce((sum, size) => sum + size, 0);
    log(
      `Filled in ${fillSeconds.toFixed(0)} s; ${(diskBytes / MIB).toFixed(0)} MiB on disk for ${(rawBytes / MIB).toFixed(0)} MiB raw`,
    );

    // Both stores are served at once and driven in turns, so the machine's drift over the run hits
    // both alike; the medians of INGEST_ROUNDS short runs are compared.
    const mailport = PEERS.mailport;
    const empty = await mailport.start('starttls', { tls, cpuProfileDir: null });
    const running = await mailport
      .start('starttls', { tls, cpuProfileDir: null, dataDir })
      .catch(async (error: unknown) => {
        await empty.stop();
        throw error;
      });
    const sampler = new ProcessSampler(running.pid);
    try {
      const api = `${running.apiUrl}/api/v1/messages`;
      const rssIdle = memory(running.pid)?.rss ?? 0;
      sampler.start();
      const list = await time(Array.from({ length: REQUESTS }, () => `${api}?limit=50`));
      const searchWords = Array.from(
        { length: REQUESTS },
        (_, i) => WORDS[(i * 37) % WORDS.length] ?? 'word',
      );
      const search = await time(searchWords.map((word) => `${api}?limit=50&q=${encodeURIComponent(word)}`));
      const detail = await time(
        Array.from({ length: REQUESTS }, (_, i) => `${api}/${sampleIds[(i * 7) % sampleIds.length]}`),
      );
      const emptyRuns: IngestRun[] = [];
      const fullRuns: IngestRun[] = [];
      for (let round = 0; round < INGEST_ROUNDS; round++) {
        emptyRuns.push(await ingestRate(generator, empty));
        fullRuns.push(await ingestRate(generator, running));
      }
      const emptyIngest = medianRun(emptyRuns);
      const fullIngest = medianRun(fullRuns);
      sampler.stop();
      const report = {
        startedAt: new Date().toISOString(),
        messages: count,
        fillSeconds,
        rawBytes,
        diskBytes,
        diskFiles,
        diskToRaw: diskBytes / rawBytes,
        httpRequestsEach: REQUESTS,
        listFirstPage: list,
        search,
        detail,
        rssIdleMiB: rssIdle / MIB,
        rssPeakMiB: sampler.rssPeakBytes() / MIB,
        ingest: {
          emptyStore: emptyIngest,
          fullStore: fullIngest,
          emptyRuns,
          fullRuns,
          ratio: fullIngest.messagesPerSecond / emptyIngest.messagesPerSecond,
        },
        targets: [
          { target: 'list first page p99 <= 20 ms', pass: (list.p99Ms ?? Infinity) <= 20 },
          { target: 'full-text search p99 <= 100 ms', pass: (search.p99Ms ?? Infinity) <= 100 },
          { target: 'message detail p99 <= 10 ms', pass: (detail.p99Ms ?? Infinity) <= 10 },
          {
            target: 'ingest within 20% of the empty store',
            pass: fullIngest.messagesPerSecond >= 0.8 * emptyIngest.messagesPerSecond,
          },
          { target: 'RSS <= 300 MB', pass: sampler.rssPeakBytes() <= 300 * 1000 * 1000 },
          { target: 'on-disk size <= 1.5x raw bytes', pass: diskBytes <= 1.5 * rawBytes },
        ],
      };
      mkdirSync(join(out, '..'), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      const ms = (value: number | null): string => (value === null ? '-' : `${value.toFixed(1)} ms`);
      process.stdout.write(
        [
          `Store with ${count.toLocaleString('en-US')} messages (filled at ${Math.round(count / fillSeconds)} msg/s):`,
          `  list first page   p50 ${ms(list.p50Ms)}  p99 ${ms(list.p99Ms)}`,
          `  full-text search  p50 ${ms(search.p50Ms)}  p99 ${ms(search.p99Ms)}`,
          `  message detail    p50 ${ms(detail.p50Ms)}  p99 ${ms(detail.p99Ms)}`,
          `  ingest 587 1 KiB x10 (median of ${INGEST_ROUNDS}): ${Math.round(fullIngest.messagesPerSecond)} msg/s full vs ${Math.round(emptyIngest.messagesPerSecond)} empty (${report.ingest.ratio.toFixed(2)}x)`,
          `  RSS ${report.rssIdleMiB.toFixed(0)} MiB idle, ${report.rssPeakMiB.toFixed(0)} MiB peak`,
          `  disk ${(diskBytes / MIB).toFixed(0)} MiB for ${(rawBytes / MIB).toFixed(0)} MiB raw (${report.diskToRaw.toFixed(2)}x): ${Object.entries(
            diskFiles,
          )
            .map(([file, size]) => `${file} ${(size / MIB).toFixed(1)} MiB`)
            .join(', ')}`,
          ...report.targets.map((t) => `  ${t.pass ? 'PASS' : 'MISS'}  ${t.target}`),
          `JSON: ${out}`,
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      await running.stop();
      await empty.stop();
    }
  } finally {
    await generator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
