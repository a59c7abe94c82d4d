/**
 * stop() leaves no handles: a child process starts a sandbox, sends, waits, stops, and must then
 * exit on its own within a few seconds (a leaked socket, timer or stream would keep it alive).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { REPO_ROOT, repoPath } from '../helpers/repo-paths.js';

const FIXTURE = repoPath('test', 'testing', 'fixtures', 'start-send-stop.ts');

test('a process that starts, sends to, and stops a sandbox exits by itself', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stoppedAt = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (stoppedAt === 0 && output.includes('stopped\n')) stoppedAt = Date.now();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal });
    });
  });
  assert.deepEqual(exit, { code: 0, signal: null }, output);
  assert.match(output, /pending wait ended with MailportNetworkError\nstopped\n/);
  const lingered = Date.now() - stoppedAt;
  assert.ok(lingered < 3_000, `the process lingered ${lingered} ms after stop():\n${output}`);
});
