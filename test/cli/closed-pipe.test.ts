/**
 * `mailport … | head`: the reader closes the pipe before the output ends. The command must stop
 * quietly, as other Unix tools do, not print a stack trace about EPIPE.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { assertBuilt, BIN } from '../helpers/cli-process.js';

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  assertBuilt();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before the process has started, so every write to stdout meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('output into a closed pipe', () => {
  for (const args of [['--help'], ['serve', '--help'], ['explain', 'Error: wrong version number']]) {
    it(`mailport ${args.join(' ')} stops quietly`, async () => {
      const { code, stderr } = await runWithClosedStdout(args);
      assert.equal(stderr, '');
      assert.equal(code, 0);
    });
  }
});
