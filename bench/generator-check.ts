/**
 * Shows the load generator is not the bottleneck: Postfix's `smtp-source` (C) and our generator
 * drive the same Postfix `smtp-sink` with the same 1 KiB message over 10 reused plaintext
 * connections. smtp-source cannot pipeline, so ours runs once without PIPELINING (like for like)
 * and once with it (as in every other workload).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadGenerator, LoadResult } from './generator/load-generator.js';
import { benchMessage, ENVELOPE } from './messages.js';
import { SMTP_SOURCE } from './peers/install.js';
import type { Peer, PeerContext } from './peers/peers.js';
import { ProcessSampler } from './proc-stats.js';

const CONNECTIONS = 10;

export interface GeneratorCheck {
  connections: number;
  /** Interleaved rounds; each figure is the best round. */
  rounds: number;
  smtpSource: { messagesPerSecond: number; sinkCpuPercent: number | null };
  ours: { sequential: Measured; pipelined: Measured };
  /** Our sequential rate / smtp-source's rate against the same sink (>= 1: not the bottleneck). */
  ratio: number;
}

function runSmtpSource(
  port: number,
  messageFile: string,
  messages: number,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      SMTP_SOURCE,
      [
        '-d',
        '-s',
        String(CONNECTIONS),
        '-m',
        String(messages),
        '-F',
        messageFile,
        '-f',
        ENVELOPE.from,
        '-t',
        ENVELOPE.to,
        '-M',
        'bench.test',
        `127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`smtp-source exited with ${code ?? signal}: ${stderr.trim()}`));
    });
  });
}

interface Measured {
  messagesPerSecond: number;
  generatorCpuPercent: number | null;
  sinkCpuPercent: number | null;
}

/** The best of several rounds: noise on a shared machine only ever lowers a throughput. */
function best(rounds: Measured[]): Measured {
  return rounds.reduce((a, b) => (b.messagesPerSecond > a.messagesPerSecond ? b : a));
}

export async function checkGenerator(
  generator: LoadGenerator,
  sink: Peer,
  context: PeerContext,
  options: { smtpSourceMessages: number; durationMs: number; rounds: number; workDir: string },
): Promise<GeneratorCheck> {
  // smtp-source -F sends a file's lines with CRLF appended: the same 1 KiB message, with LF.
  mkdirSync(options.workDir, { recursive: true });
  const messageFile = join(options.workDir, 'message-1k.eml');
  writeFileSync(
    messageFile,
    benchMessage('1k').payload.subarray(0, -3).toString('latin1').replace(/\r\n/g, '\n'),
  );

  const smtpSource = async (): Promise<Measured> => {
    const running = await sink.start('plain', context);
    const sampler = new ProcessSampler(running.pid);
    try {
      sampler.start();
      const seconds = await runSmtpSource(
        running.target('plain', false).port,
        messageFile,
        options.smtpSourceMessages,
        60_000,
      );
      sampler.stop();
      return {
        messagesPerSecond: options.smtpSourceMessages / seconds,
        generatorCpuPercent: null,
        sinkCpuPercent: sampler.cpuPercent(),
      };
    } finally {
      await running.stop();
    }
  };

  const ours = async (pipelining: boolean): Promise<Measured> => {
    const running = await sink.start('plain', context);
    const sampler = new ProcessSampler(running.pid);
    let result: LoadResult;
    try {
      result = await generator.run(
        {
          target: running.target('plain', pipelining),
          size: '1k',
          connections: CONNECTIONS,
          reuse: true,
          maxMessages: 10_000_000,
          warmupMs: 300,
          durationMs: options.durationMs,
          ratePerSecond: null,
          replyTimeoutMs: 10_000,
        },
        { windowStart: () => sampler.start(), windowEnd: () => sampler.stop() },
      );
    } finally {
      await running.stop();
    }
    return {
      messagesPerSecond: result.messagesPerSecond,
      generatorCpuPercent: result.generatorCpuPercent,
      sinkCpuPercent: sampler.cpuPercent(),
    };
  };

  // Interleaved, so a burst of load from elsewhere hits every contender alike.
  const rounds = { source: [] as Measured[], sequential: [] as Measured[], pipelined: [] as Measured[] };
  for (let round = 0; round < options.rounds; round++) {
    rounds.source.push(await smtpSource());
    rounds.sequential.push(await ours(false));
    rounds.pipelined.push(await ours(true));
  }
  const source = best(rounds.source);
  const sequential = best(rounds.sequential);
  return {
    connections: CONNECTIONS,
    rounds: options.rounds,
    smtpSource: { messagesPerSecond: source.messagesPerSecond, sinkCpuPercent: source.sinkCpuPercent },
    ours: { sequential, pipelined: best(rounds.pipelined) },
    ratio: sequential.messagesPerSecond / source.messagesPerSecond,
  };
}
