/**
 * examples/node-test runs as a user would run it: importing the built `mailport` package by its
 * name (the package's own `exports`, dist/src/index.js), under node:test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, repoPath } from '../helpers/repo-paths.js';

test('examples/node-test passes against the built package', async () => {
  assert.ok(
    existsSync(repoPath('dist', 'src', 'index.js')),
    'dist/src/index.js is missing: run `npm run build` (npm test does it first).',
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', join('examples', 'node-test', 'password-reset.test.ts')],
    // Without NODE_TEST_CONTEXT the inner runner reports in TAP, not to this runner's protocol.
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /^# pass 1$/m);
  assert.match(output, /^# fail 0$/m);
});
