/**
 * The CLI starts without loading what its command does not use: `sendmail` runs once per message
 * from PHP's mail() or cron, and `--version`, `--help` or `explain` should answer at once. Each
 * command loads its implementation when it runs (the server's HTTP, storage and parsing stack, the
 * doctor's TLS and certificate code); this checks which modules a start-up actually resolved.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { assertBuilt, BIN } from '../helpers/cli-process.js';
import { repoPath } from '../helpers/repo-paths.js';

const LOG_MODULES = pathToFileURL(repoPath('test', 'helpers', 'log-module-urls.mjs'));

/** Loaded only by the commands that need them: the packages, and our modules that load them. */
const HEAVY = [
  /node_modules\/(fastify|@fastify|better-sqlite3|pg|mailparser|mailauth|@peculiar|undici)\//,
  /dist\/src\/(app\/mailport|storage\/open-store|http\/app|doctor\/doctor|deliverability\/report)\.js$/,
];

function modulesResolved(args: string[], input = ''): string[] {
  const result = spawnSync(process.execPath, ['--import', LOG_MODULES.href, BIN, ...args], {
    encoding: 'utf8',
    input,
  });
  const line = result.stderr.split('\n').find((text) => text.startsWith('MODULES '));
  assert.ok(line, `no module list from ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(line.slice('MODULES '.length)) as string[];
}

describe('CLI start-up', () => {
  it('--version, --help and explain resolve none of the server, storage or doctor modules', () => {
    assertBuilt();
    for (const args of [['--version'], ['serve', '--help'], ['explain', '535 5.7.8 Authentication failed']]) {
      const modules = modulesResolved(args);
      assert.ok(
        modules.some((url) => url.includes('/dist/src/cli/main.js')),
        'the hook saw the CLI load',
      );
      const heavy = modules.filter((url) => HEAVY.some((pattern) => pattern.test(url)));
      assert.deepEqual(heavy, [], `mailport ${args.join(' ')}`);
    }
  });

  it('a command that runs still loads what it needs: doctor its probe', () => {
    // An unreachable port refuses at once: the doctor's probe code must have been loaded to say so.
    const modules = modulesResolved(['doctor', '127.0.0.1', '--ports', '9', '--timeout', '2', '--json']);
    assert.ok(modules.some((url) => /dist\/src\/doctor\/doctor\.js$/.test(url)));
  });
});
