/**
 * Mistakes a user makes on the command line, run through the real `mailport` executable: each
 * error names what was wrong, says what to do next, shows no stack trace, hides passwords and
 * exits with the documented status.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  BIN,
  failRun,
  RELAY_ONLY_EPHEMERAL,
  type ServeProcess,
  startServeProcess,
  waitForExit,
} from '../helpers/cli-process.js';

const STACK_FRAME = /^\s+at /m;

/** A web server that is not Mailport: every path answers `status` with an HTML page. */
async function htmlServer(status: number): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': 'text/html' });
    response.end('<html><body><h1>Welcome to nginx</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function assertClearError(stderr: string, what: RegExp): void {
  assert.match(stderr, what);
  assert.match(stderr, /what to do: \S/);
  assert.doesNotMatch(stderr, STACK_FRAME);
  assert.doesNotMatch(stderr, /unexpected error/);
}

describe('CLI errors against an API URL that is not the Mailport API', () => {
  for (const status of [404, 200]) {
    it(`an HTML page with ${status} is named as not the Mailport API, with where --api should point`, async () => {
      const { server, url } = await htmlServer(status);
      try {
        for (const args of [
          ['messages', 'list'],
          ['sessions', 'show', 'some-id'],
          ['messages', 'show', 'some-id', '--raw'],
        ]) {
          const { code, stderr } = await failRun(['--api', url, ...args]);
          assert.equal(code, 1, stderr);
          assertClearError(stderr, /is not the Mailport API \(it answered with text\/html/);
          assert.match(stderr, /what to do: Point --api .*\(e\.g\. http:\/\/127\.0\.0\.1:8025/);
          assert.doesNotMatch(stderr, /Check the id/);
        }
      } finally {
        server.close();
      }
    });
  }

  describe('with a running sandbox', () => {
    let serve: ServeProcess;
    before(async () => {
      serve = await startServeProcess([...RELAY_ONLY_EPHEMERAL, '--http-port', '0']);
    });
    after(async () => {
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    });

    it('an --api URL with a path gets the base URL to use, not advice about ids', async () => {
      const { code, stderr } = await failRun(['--api', `${serve.httpUrl}/api/v1`, 'messages', 'list']);
      assert.equal(code, 1, stderr);
      assertClearError(stderr, /No route GET \/api\/v1\/api\/v1\/messages/);
      assert.ok(stderr.includes(`with no path (e.g. ${serve.httpUrl})`), stderr);
    });

    it('a --q term it cannot use gets a note on stderr saying why and what to write; the output is unchanged', async () => {
      const q = 'reset after:zzz';
      const text = await runAsync(['--api', `${serve.httpUrl}`, 'messages', 'list', '--q', q]);
      assert.equal(text.status, 0, text.stderr);
      assert.equal(text.stdout, `No messages match ${JSON.stringify(q)}.\n`);
      assert.equal(
        text.stderr,
        'mailport: note: after:zzz is not a date, so it was searched as text: use YYYY-MM-DD, an ISO 8601 date-time, or an age like 30m, 2h, 1d, 1w.\n',
      );
      const json = await runAsync(['--api', `${serve.httpUrl}`, 'messages', 'list', '--q', q, '--json']);
      assert.equal(json.stderr, text.stderr);
      const page = JSON.parse(json.stdout) as { items: unknown[]; queryNotes: string[] };
      assert.deepEqual(page.items, []);
      assert.deepEqual(page.queryNotes, [text.stderr.replace(/^mailport: note: /, '').trimEnd()]);
    });

    it('an id that does not exist still says to check the id', async () => {
      const { code, stderr } = await failRun(['--api', `${serve.httpUrl}`, 'messages', 'show', 'nope']);
      assert.equal(code, 1, stderr);
      assertClearError(stderr, /No message with id nope/);
      assert.match(stderr, /Check the id/);
    });
  });
});

describe('CLI errors of the SMTP client commands', () => {
  it('send --server HOST:PORT with a port that is not a number is a usage error that says so', async () => {
    const { code, stderr } = await failRun(['send', '--server', '127.0.0.1:abc', '--to', 'a@example.com']);
    assert.equal(code, 2, stderr);
    assertClearError(stderr, /"127\.0\.0\.1:abc" is not a server: "abc" is not a port/);
  });

  it('sendmail -S with a bad port or an unreadable --ca exits 64 (EX_USAGE) and says why', async () => {
    for (const [args, what] of [
      [['-S', '127.0.0.1:abc'], /"127\.0\.0\.1:abc" is not a server/],
      [
        ['-S', '127.0.0.1:1025', '--ca', '/nonexistent/ca.pem'],
        /Cannot read --ca \/nonexistent\/ca\.pem: ENOENT/,
      ],
      [['-S', '127.0.0.1:1025', '--ca', tmpdir()], /Cannot read --ca .*EISDIR/],
    ] as const) {
      const result = spawnSync(process.execPath, [BIN, 'sendmail', ...args, 'a@example.com'], {
        input: 'Subject: hi\n\nhello\n',
        encoding: 'utf8',
      });
      assert.equal(result.status, 64, result.stderr);
      assertClearError(result.stderr, what);
    }
  });
});

describe('CLI errors of mailport serve', () => {
  it('a PostgreSQL URL that does not parse is a config error that hides its password', async () => {
    const { code, stderr } = await failRun([
      'serve',
      ...RELAY_ONLY_EPHEMERAL,
      '--http-port',
      'off',
      '--storage',
      'postgres://mailport:s3cret-pass@[127.0.0.1/mailport',
    ]);
    assert.equal(code, 2, stderr);
    assertClearError(
      stderr,
      /"postgres:\/\/mailport:\*\*\*@\[127\.0\.0\.1\/mailport" is not a valid PostgreSQL URL/,
    );
    assert.doesNotMatch(stderr, /s3cret-pass/);
  });

  it('a config error whose message has no advice of its own still says what to do', async () => {
    const { code, stderr } = await failRun(['serve', ...RELAY_ONLY_EPHEMERAL, '--http-port', 'abc']);
    assert.equal(code, 2, stderr);
    assertClearError(stderr, /--http-port must be a port number from 0 to 65535/);
  });

  describe('as a user without privileges', () => {
    // Root may bind any port and write any file; the mistakes below are those of everyone else.
    const asNobody =
      process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const serveAsNobody = (args: string[]): { status: number | null; stderr: string } => {
      const [command = process.execPath, ...rest] = [...asNobody, process.execPath, BIN, 'serve', ...args];
      const result = spawnSync(command, rest, {
        encoding: 'utf8',
        env: { ...process.env, HOME: tmpdir() },
        timeout: 20_000,
      });
      return { status: result.status, stderr: result.stderr };
    };

    it('a privileged --relay-port names that flag as the way out', () => {
      const { status, stderr } = serveAsNobody([
        ...RELAY_ONLY_EPHEMERAL.slice(0, 1),
        '--relay-port',
        '25',
        ...RELAY_ONLY_EPHEMERAL.slice(3),
        '--http-port',
        'off',
      ]);
      assert.equal(status, 1, stderr);
      assertClearError(stderr, /Binding the relay listener to 127\.0\.0\.1:25 needs privileges/);
      assert.match(stderr, /choose a port from 1024 up with --relay-port PORT/);
    });

    it('a SQLite file it may not write gets advice even for an extended SQLite code', () => {
      const dir = mkdtempSync(join(tmpdir(), 'mailport-readonly-'));
      try {
        const storeDir = join(dir, 'store');
        mkdirSync(storeDir);
        // A store Mailport has used is in WAL mode: SQLite then fails with SQLITE_READONLY_DIRECTORY.
        const database = new Database(join(storeDir, 'mailport.db'));
        database.pragma('journal_mode = WAL');
        database.close();
        chmodSync(storeDir, 0o555);
        chmodSync(dir, 0o755);
        const { status, stderr } = serveAsNobody([
          ...RELAY_ONLY_EPHEMERAL,
          '--http-port',
          'off',
          '--storage',
          join(storeDir, 'mailport.db'),
        ]);
        assert.equal(status, 1, stderr);
        assertClearError(stderr, /Could not open the SQLite database at .*readonly database/);
        assert.match(stderr, /what to do: The database file is read-only for this user/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

/** Runs `mailport ARGS` without blocking this process; resolves with its status and output. */
function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

describe('CLI errors of --json commands', () => {
  it('are also printed on stdout as JSON: the API problem with its fix, or the code, detail and fix', async () => {
    const { server, url } = await htmlServer(404);
    const closed = await closedUrl();
    const serve = await startServeProcess([...RELAY_ONLY_EPHEMERAL, '--http-port', '0']);
    try {
      const cases = [
        [[`--api=${serve.httpUrl}`, 'messages', 'show', 'nope', '--json'], 1, null],
        [[`--api=${closed}`, 'sessions', 'list', '--json'], 1, 'MP_ERR_API_UNREACHABLE'],
        [[`--api=${url}`, 'assert', '--to', 'a@example.com', '--within', '1s', '--json'], 1, 'MP_ERR_API'],
        [['doctor', '127.0.0.1', '--ca', '/nonexistent/ca.pem', '--json'], 2, 'MP_ERR_USAGE'],
      ] as const;
      for (const [args, exitCode, errorCode] of cases) {
        // Not spawnSync: the HTML server above answers from this process.
        const result = await runAsync([...args]);
        assert.equal(result.status, exitCode, result.stderr);
        const printed = JSON.parse(result.stdout) as Record<string, unknown>;
        assert.equal(typeof printed.detail, 'string', result.stdout);
        assert.equal(typeof printed.fix, 'string', result.stdout);
        if (errorCode === null) assert.equal(printed.type, 'urn:mailport:problem:not-found');
        else assert.equal(printed.code, errorCode);
        assertClearError(result.stderr, /^mailport: /);
      }
    } finally {
      server.close();
      serve.child.kill('SIGTERM');
      await waitForExit(serve.child);
    }
  });
});

describe("Commander's own usage errors with --json", () => {
  const USAGE_JSON = { code: 'MP_ERR_USAGE', fix: /^correct it and run again; add --help/ };

  it('are printed on stdout as JSON too, exit 2, and leave stderr as it is without --json', () => {
    for (const [args, detail] of [
      [['messages', 'list', '--bogus'], /^unknown option '--bogus'/],
      [['messages', 'show'], /^missing required argument 'id'$/],
      [['messages', 'list', 'extra'], /^too many arguments for 'list'/],
      [['assert'], /^required option '--to <address>' not specified$/],
      [['sessions', 'list', '--diagnostic', 'nope'], /argument 'nope' is invalid\. Allowed choices are /],
      [['messages', 'list', '--limit', '0'], /argument '0' is invalid\. Give a whole number from 1 to 500\./],
      [
        ['sessions', 'show', ''],
        /is invalid for argument 'id'\. Give an id, as `mailport sessions list` prints them\.$/,
      ],
    ] as const) {
      const json = spawnSync(process.execPath, [BIN, ...args, '--json'], { encoding: 'utf8' });
      assert.equal(json.status, 2, json.stderr);
      assertClearError(json.stderr, /^error: /);
      const printed = JSON.parse(json.stdout) as Record<string, string>;
      assert.deepEqual(Object.keys(printed), ['code', 'detail', 'fix']);
      assert.equal(printed.code, USAGE_JSON.code);
      assert.match(printed.detail ?? '', detail);
      assert.match(printed.fix ?? '', USAGE_JSON.fix);
    }
  });

  it('stay plain text without --json, after --, and for a command without --json', () => {
    const withJson = spawnSync(process.execPath, [BIN, 'messages', 'list', '--bogus', '--json'], {
      encoding: 'utf8',
    });
    for (const args of [
      ['messages', 'list', '--bogus'],
      ['messages', 'list', '--', '--json'],
      ['messages', 'delete', '--json'],
    ]) {
      const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
      assert.equal(result.status, 2, result.stderr);
      assert.equal(result.stdout, '', `${args.join(' ')}: ${result.stdout}`);
      assertClearError(result.stderr, /^error: /);
      if (args.includes('--bogus'))
        assert.equal(withJson.stderr, result.stderr, 'stderr is the same with --json');
    }
  });
});

describe('CLI errors of mailport assert', () => {
  it('a --to that is not an address fails at once, naming the option and the value, before any API call', async () => {
    // Nothing listens at --api: a valid --to gets as far as calling it, an invalid one never does.
    const api = `--api=${await closedUrl()}`;
    const reached = await runAsync([api, 'assert', '--to', 'a@example.com', '--within', '1s']);
    assert.equal(reached.status, 1, reached.stderr);
    assert.match(reached.stderr, /Cannot reach the Mailport API/);
    for (const value of ['not an address', 'Alice <alice@example.com>']) {
      const started = Date.now();
      const result = await runAsync([api, 'assert', '--to', value, '--within', '30s']);
      assert.ok(Date.now() - started < 10_000, 'it does not wait out --within');
      assert.equal(result.status, 2, result.stderr);
      assertClearError(
        result.stderr,
        new RegExp(
          `option '--to <address>' argument '${value}' is invalid\\. It is not an e-mail address: give the address alone`,
        ),
      );
      assert.doesNotMatch(result.stderr, /Cannot reach/);
    }
    const pattern = await runAsync([api, 'assert', '--to', '/@example\\.com$/i', '--within', '1s']);
    assert.equal(pattern.status, 1, 'a /RE/ is no address and is taken');
  });
});

/** The URL of a loopback port nothing listens on. */
function closedUrl(): Promise<string> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(`http://127.0.0.1:${port}`));
    });
  });
}
