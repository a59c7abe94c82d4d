/**
 * `mailport assert`, the real command line against a real sandbox: exit 0 when the messages
 * arrive (already stored or during the wait), 1 with the nearest messages and the failed sessions
 * when they do not, 2 for usage errors.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { type Sandbox, startSandbox } from '../../src/index.js';
import { runCli } from './fixtures/run-cli.js';

describe('mailport assert', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox();
    await send({ to: 'reset@example.com', subject: 'Reset your password', text: 'token' });
    // A failed session for the diagnostics part of the report.
    // Twice, as a client retrying with the same wrong password does.
    for (let attempt = 0; attempt < 2; attempt++)
      await assert.rejects(send({ to: 'x@example.com', text: 'x' }, 'wrong-password'), { code: 'EAUTH' });
    // Sessions are saved as they close: wait until both are listed.
    const deadline = Date.now() + 10_000;
    while ((await sandbox.client.listSessions({ diagnostic: 'auth-failed' })).items.length < 2) {
      assert.ok(Date.now() < deadline, 'the two sessions with a wrong password are saved');
      await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
  });
  after(() => sandbox.stop());

  async function send(mail: SendMailOptions, pass = sandbox.auth.pass): Promise<void> {
    const options = sandbox.transportOptions('submission');
    const transport = nodemailer.createTransport({ ...options, auth: { user: sandbox.auth.user, pass } });
    try {
      await transport.sendMail({ from: 'app@example.com', ...mail });
    } finally {
      transport.close();
    }
  }

  const api = (): string[] => ['--api', sandbox.apiUrl];

  test('exits 0 and names the port, TLS and AUTH facts when the message is there', async () => {
    const run = await runCli(['assert', ...api(), '--to', 'RESET@example.com', '--subject', '/^reset/i']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^OK: 1 message\(s\) to "RESET@example\.com", subject \/\^reset\/i arrived/);
    assert.match(
      run.stdout,
      new RegExp(
        `via submission port ${sandbox.ports.submission}, STARTTLS TLSv1\\.[23], AUTH PLAIN as mailport`,
      ),
    );
    const json = await runCli(['assert', ...api(), '--to', 'reset@example.com', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const outcome = JSON.parse(json.stdout) as { ok: boolean; messages: Array<{ subject: string }> };
    assert.equal(outcome.ok, true);
    assert.equal(outcome.messages[0]?.subject, 'Reset your password');
  });

  test('waits for messages that arrive after it starts', async () => {
    // The CLI talks to the sandbox through a pass-through proxy that reports when the event stream
    // is open, so the mail below is provably sent while the CLI is waiting.
    let streamOpened!: () => void;
    const subscribed = new Promise<void>((resolve) => {
      streamOpened = resolve;
    });
    const proxy = http.createServer((request, response) => {
      const upstream = http.request(
        `${sandbox.apiUrl}${request.url}`,
        { method: request.method, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          response.flushHeaders();
          if (request.url?.startsWith('/api/v1/events')) streamOpened();
          answer.pipe(response);
        },
      );
      response.once('close', () => upstream.destroy());
      request.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = proxy.address() as { port: number };
      const running = runCli(['assert', '--to', 'late@example.com', '--count', '2', '--within', '20s'], {
        MAILPORT_API: `http://127.0.0.1:${port}`,
      });
      await subscribed;
      assert.equal((await sandbox.client.listMessages({ q: 'to:late@example.com' })).total, 0);
      await send({ to: 'late@example.com', subject: 'one', text: '1' });
      await send({ to: 'late@example.com', subject: 'two', text: '2' });
      const run = await running;
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /OK: 2 message\(s\) to "late@example\.com" arrived/);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  test('exits 1 listing the nearest messages and the failed sessions with their diagnostics', async () => {
    const run = await runCli([
      'assert',
      ...api(),
      '--to',
      'reset@example.com',
      '--subject',
      'Welcome',
      '--within',
      '300ms',
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /^FAILED: expected 1 message\(s\) to "reset@example\.com", subject "Welcome" within 300 ms; 0 arrived\./,
    );
    assert.match(
      run.stdout,
      /- "Reset your password" from app@example\.com to reset@example\.com via submission port \d+ at .*\n {4}subject "Reset your password" does not match "Welcome"/,
    );
    assert.match(
      run.stdout,
      /Failed SMTP sessions \(newest first\):\n {2}- submission port \d+ from 127\.0\.0\.1/,
    );
    assert.match(run.stdout, / {4}auth-failed: .*\n {6}fix: /);
    // The second session with the same mistake points at the fix instead of repeating it.
    assert.equal(run.stdout.match(/ {4}auth-failed: /g)?.length, 1);
    assert.match(run.stdout, / {4}auth-failed \(see above\)\n/);

    const quiet = await runCli([
      'assert',
      ...api(),
      '--to',
      'nobody@example.com',
      '--within',
      '200ms',
      '--no-diagnostics',
    ]);
    assert.equal(quiet.code, 1);
    assert.doesNotMatch(quiet.stdout, /SMTP sessions/);
    assert.match(quiet.stdout, /sent to reset@example\.com, not "nobody@example\.com"/);
  });

  test('--json on failure has the nearest messages with their mismatches and the failed sessions', async () => {
    const run = await runCli([
      'assert',
      ...api(),
      '--to',
      'nobody@example.com',
      '--within',
      '200ms',
      '--json',
    ]);
    assert.equal(run.code, 1, run.stderr);
    const outcome = JSON.parse(run.stdout) as {
      ok: boolean;
      expected: { to: string; count: number; withinMs: number };
      nearest: Array<{ envelopeTo: string[]; mismatches: string[] }>;
      failedSessions: Array<{ diagnostics: Array<{ code: string }> }>;
    };
    assert.equal(outcome.ok, false);
    assert.deepEqual(outcome.expected, { to: 'nobody@example.com', subject: null, count: 1, withinMs: 200 });
    assert.ok(outcome.nearest.length > 0);
    assert.ok(outcome.nearest.every((message) => message.mismatches.length === 1));
    assert.ok(
      outcome.failedSessions.some((session) => session.diagnostics.some((d) => d.code === 'auth-failed')),
    );
  });

  test('lists a session chaos failed on purpose as the reason, though it is no problem of the client', async () => {
    await sandbox.client.setChaos(['message:554,match=*@bounced.test,id=bounce']);
    try {
      await assert.rejects(send({ to: 'new-user@bounced.test', subject: 'Welcome', text: 'x' }), {
        responseCode: 554,
      });
      const session = await sandbox.client.waitForSession((s) => s.chaos?.rules[0] === 'bounce', {
        timeout: 10_000,
      });
      assert.equal(session.chaos?.failedOnPurpose, true);
      const run = await runCli(['assert', ...api(), '--to', 'new-user@bounced.test', '--within', '200ms']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(
        run.stdout,
        /Failed SMTP sessions \(newest first\):\n {2}- submission port \d+ from 127\.0\.0\.1 at .*: failed, last reply 554 5\.7\.1 Permanent failure injected on purpose by Mailport chaos rule bounce \(stage message\)\n {4}chaos rule bounce fired; the session failed on purpose, not through the client\n/,
      );
      assert.match(run.stdout, / {4}auth-failed: /, 'the sessions with problems are still listed');
    } finally {
      await sandbox.client.clearChaos();
    }
  });

  test('exits 2 on usage errors and 1 when the API is unreachable', async () => {
    const usage = await Promise.all([
      runCli(['assert', ...api()]),
      runCli(['assert', ...api(), '--to', 'a@example.com', '--within', 'soon']),
      runCli(['assert', ...api(), '--to', 'a@example.com', '--subject', '/[/']),
      runCli(['assert', ...api(), '--to', 'a@example.com', '--count', '0']),
    ]);
    for (const run of usage) assert.equal(run.code, 2, run.stderr);
    assert.match(usage[0]?.stderr ?? '', /required option '--to <address>' not specified/);
    assert.match(usage[1]?.stderr ?? '', /"soon" is not a duration/);

    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const unreachable = await runCli([
      'assert',
      '--api',
      `http://127.0.0.1:${port}`,
      '--to',
      'a@example.com',
    ]);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /Cannot reach the Mailport API .*is `mailport serve` running there/);
  });
});
