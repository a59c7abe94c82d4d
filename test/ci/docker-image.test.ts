/**
 * The Dockerfile, without a Docker daemon: its runtime stage is read (non-root user, ports,
 * volume, environment), and its ENTRYPOINT + CMD and HEALTHCHECK commands run here as plain
 * processes from the checkout (the image's /app), with the image's environment. Only the bind
 * address, ports and data dir are changed, to stay on loopback and off ports other runs hold.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PORT_PROFILES, PROFILE_NAMES } from '../../src/profiles/port-profiles.js';
import { assertBuilt } from '../helpers/cli-process.js';
import { REPO_ROOT, repoPath } from '../helpers/repo-paths.js';
import { freePorts } from './free-ports.js';

interface RuntimeStage {
  env: Record<string, string>;
  user: string;
  expose: number[];
  volumes: string[];
  healthcheck: string[];
  entrypoint: string[];
  cmd: string[];
  copiedFromContext: string[];
}

/** The last stage of the Dockerfile: instructions with `\` continuations joined. */
function readRuntimeStage(dockerfile: string): RuntimeStage {
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const stage = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
  const argsOf = (keyword: string): string[] =>
    stage
      .filter((line) => line.startsWith(`${keyword} `))
      .map((line) => line.slice(keyword.length + 1).trim());
  const json = (text: string | undefined): string[] => JSON.parse(text ?? '[]') as string[];
  const env: Record<string, string> = {};
  for (const args of argsOf('ENV')) {
    for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key as string] = value as string;
  }
  return {
    env,
    user: argsOf('USER').at(-1) ?? 'root',
    expose: argsOf('EXPOSE').flatMap((args) => args.split(/\s+/).map(Number)),
    volumes: argsOf('VOLUME').flatMap((args) => json(args)),
    healthcheck: json(/CMD (\[.*\])$/.exec(argsOf('HEALTHCHECK')[0] ?? '')?.[1]),
    entrypoint: json(argsOf('ENTRYPOINT')[0]),
    cmd: json(argsOf('CMD')[0]),
    copiedFromContext: argsOf('COPY')
      .filter((args) => !args.startsWith('--from'))
      .map((args) => args.split(/\s+/)[0] as string),
  };
}

function run(command: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const [file, ...args] = command;
  const child = spawn(file === 'node' ? process.execPath : (file as string), args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('Dockerfile', () => {
  let stage: RuntimeStage;
  let dataDir: string;

  before(async () => {
    stage = readRuntimeStage(await readFile(repoPath('Dockerfile'), 'utf8'));
    dataDir = await mkdtemp(join(tmpdir(), 'mailport-docker-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('runs as a non-root user and documents its ports, volume and settings', async () => {
    assert.equal(stage.user, 'node');
    const ports = [...PROFILE_NAMES.map((name) => PORT_PROFILES[name].defaultPort), 8025];
    assert.deepEqual(stage.expose, ports);
    assert.deepEqual(
      [
        stage.env.MAILPORT_RELAY_PORT,
        stage.env.MAILPORT_SUBMISSIONS_PORT,
        stage.env.MAILPORT_SUBMISSION_PORT,
        stage.env.MAILPORT_ALT_PORT,
        stage.env.MAILPORT_HTTP_PORT,
      ].map(Number),
      ports,
    );
    assert.deepEqual(stage.volumes, [stage.env.MAILPORT_DATA_DIR]);
    assert.equal(stage.env.MAILPORT_HOST, '0.0.0.0');
    for (const source of stage.copiedFromContext) await access(repoPath(source));
    const docs = await readFile(repoPath('docs', 'ci.md'), 'utf8');
    for (const port of ports)
      assert.ok(docs.includes(`-p ${port}:${port}`), `docs/ci.md does not publish ${port}`);
  });

  test('the entrypoint serves, the healthcheck follows it, and SIGTERM stops it cleanly', async () => {
    assertBuilt();
    const [http, relay, submissions, submission, alternate] = await freePorts(5);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...stage.env,
      MAILPORT_HOST: '127.0.0.1',
      MAILPORT_DATA_DIR: dataDir,
      MAILPORT_HTTP_PORT: String(http),
      MAILPORT_RELAY_PORT: String(relay),
      MAILPORT_SUBMISSIONS_PORT: String(submissions),
      MAILPORT_SUBMISSION_PORT: String(submission),
      MAILPORT_ALT_PORT: String(alternate),
    };

    const before = await run(stage.healthcheck, env);
    assert.equal(before.code, 1);
    assert.match(
      before.stderr,
      new RegExp(`unhealthy: http://127\\.0\\.0\\.1:${http}/healthz did not answer \\(ECONNREFUSED\\)`),
    );

    const [file, ...args] = [...stage.entrypoint, ...stage.cmd];
    assert.equal(file, 'node');
    const server: ChildProcess = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const collect = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes('Press Ctrl+C to stop.')) resolve();
        };
        server.stdout?.on('data', collect);
        server.stderr?.on('data', collect);
        server.once('exit', (code) => reject(new Error(`the entrypoint exited with ${code}:\n${output}`)));
      });
      assert.match(output, new RegExp(`submission +127\\.0\\.0\\.1:${submission} `));
      assert.deepEqual(await run(stage.healthcheck, env), { code: 0, stderr: '' });
      // The data lives in the volume's directory.
      await access(join(dataDir, 'tls', 'ca.pem'));
      await access(join(dataDir, 'mailport.db'));
    } finally {
      if (server.exitCode === null) {
        const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
        server.kill('SIGTERM');
        assert.equal(await exited, 0, output);
      }
    }
    assert.equal((await run(stage.healthcheck, env)).code, 1);
  });
});
