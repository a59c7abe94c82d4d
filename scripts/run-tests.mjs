#!/usr/bin/env node
// Type-checks the whole tree and compiles it into .test-build/ (tsconfig.test.json, incremental),
// then runs every test/**/*.test.ts file, compiled, with node's test runner. The suite is CPU-bound
// on two cores, and a test file's process uses a third to two fifths less CPU compiled than through
// tsx's module hooks; a single file still runs from source with `node --import tsx --test FILE`.
// Usage: node scripts/run-tests.mjs [path-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// The browser suites are the longest files: started first, they run beside the short ones, which
// then fill both cores to the end instead of one long file finishing alone.
const BROWSER_SUITES = join('test', 'ui');
const runsLong = (file) => file.startsWith(BROWSER_SUITES);
const filters = process.argv.slice(2);
const files = findTests('test')
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort((a, b) => Number(runsLong(b)) - Number(runsLong(a)) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`No test files match ${filters.join(' ')}.`);
  process.exit(1);
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.test.json'], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('The type check failed: fix the errors above, then run the tests again.');
  process.exit(compiled.status ?? 1);
}

const concurrency = process.env.MAILPORT_TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  [
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=300000',
    ...files.map((file) => join('.test-build', file.replace(/\.ts$/, '.js'))),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
