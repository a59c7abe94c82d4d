/**
 * `mailport messages ...` and `mailport sessions ...` against a real API: human tables, JSON,
 * raw output, deletion, and what happens when the API is not there (exit code and advice).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MailportNetworkError } from '../../src/client/api-client.js';
import { startTestSandbox } from '../helpers/sandbox.js';
import { type ApiHarness, failedSession, startApiHarness } from '../http/harness.js';
import { cli, closedPortUrl, runCli, runProcess } from './cli-runner.js';

describe('mailport messages / sessions', () => {
  let harness: ApiHarness;
  let invoice: string;
  let note: string;

  before(async () => {
    harness = await startApiHarness();
    invoice = await harness.deliver({
      from: 'Alice <alice@example.com>',
      to: 'bob@example.com',
      subject: 'Invoice 42',
      text: 'Please pay.',
      attachments: [
        { filename: 'invoice.pdf', content: Buffer.from('%PDF'), contentType: 'application/pdf' },
      ],
    });
    note = await harness.deliver({
      from: 'carol@example.com',
      to: 'dave@example.com',
      subject: 'Note',
      text: 'Hi',
    });
  });
  after(() => harness.close());

  test('messages list prints a table, newest first, with a count', async () => {
    const { stdout } = await cli(['--api', harness.url, 'messages', 'list']);
    const lines = stdout.split('\n');
    assert.match(lines[0] ?? '', /^ID\s+RECEIVED\s+PORT\s+FROM\s+TO\s+SIZE\s+SUBJECT$/);
    assert.match(
      lines[1] ?? '',
      new RegExp(
        `^${note}\\*\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+1587\\s+carol@example.com\\s+dave@example.com\\s+\\d+ B\\s+Note$`,
      ),
    );
    assert.match(
      lines[2] ?? '',
      new RegExp(`^${invoice}\\*.*Alice <alice@example.com>\\s+bob@example.com.*Invoice 42$`),
    );
    assert.match(stdout, /2 of 2 messages \(\* = unread\)\./);
  });

  test('messages list --q --limit --json prints the page as JSON; the API URL may come from MAILPORT_API', async () => {
    const { stdout } = await cli(['messages', 'list', '--q', 'subject:invoice', '--limit', '5', '--json'], {
      MAILPORT_API: harness.url,
    });
    const page = JSON.parse(stdout) as {
      items: Array<{ id: string }>;
      total: number;
      nextCursor: string | null;
    };
    assert.deepEqual(
      page.items.map((message) => message.id),
      [invoice],
    );
    assert.equal(page.total, 1);
    const empty = await cli(['--api', harness.url, 'messages', 'list', '--q', 'subject:nothing-like-this']);
    assert.equal(empty.stdout, 'No messages match "subject:nothing-like-this".\n');
    const paged = await cli(['--api', harness.url, 'messages', 'list', '--limit', '1']);
    assert.match(paged.stdout, /1 of 2 messages.*\nMore: mailport messages list --cursor \S+\n$/);
  });

  test('messages show prints envelope, facts, attachments and text; --json and --raw', async () => {
    const { stdout } = await cli(['--api', harness.url, 'messages', 'show', invoice]);
    assert.match(stdout, new RegExp(`^Message +${invoice}$`, 'm'));
    assert.match(
      stdout,
      /^Received +.* UTC, submission \(587-style\) port 1587 from 127\.0\.0\.1 \(EHLO client\.test\)$/m,
    );
    assert.match(stdout, /^TLS +STARTTLS, TLSv1\.3, TLS_AES_256_GCM_SHA384$/m);
    assert.match(stdout, /^AUTH +mailport \(PLAIN\)$/m);
    assert.match(stdout, /^MAIL FROM +<alice@example.com>$/m);
    assert.match(stdout, /^RCPT TO +<bob@example.com>$/m);
    assert.match(stdout, /^Subject +Invoice 42$/m);
    assert.match(stdout, /^Attachments:\n {2}0: invoice\.pdf \(application\/pdf, 4 B\)$/m);
    assert.match(stdout, /\nPlease pay\.\n$/);

    const json = JSON.parse(
      (await cli(['--api', harness.url, 'messages', 'show', invoice, '--json'])).stdout,
    ) as {
      id: string;
      parsed: { subject: string };
    };
    assert.equal(json.parsed.subject, 'Invoice 42');
    const raw = await cli(['--api', harness.url, 'messages', 'show', invoice, '--raw']);
    assert.deepEqual(raw.bytes, await harness.store.getRawMessage(invoice));
  });

  test('messages show latest, --text, --html, --attachment N; one form at a time', async () => {
    const html = await harness.deliver({
      from: 'app@example.com',
      to: 'erin@example.com',
      subject: 'Reset',
      text: 'Reset: https://app.example/reset?t=1',
      html: '<p><a href="https://app.example/reset?t=1">Reset</a></p>',
    });
    try {
      const latest = await cli(['--api', harness.url, 'messages', 'show', 'latest']);
      assert.match(latest.stdout, new RegExp(`^Message +${html}$`, 'm'));
      const text = await cli(['--api', harness.url, 'messages', 'show', 'latest', '--text']);
      assert.equal(text.stdout, 'Reset: https://app.example/reset?t=1');
      const page = await cli(['--api', harness.url, 'messages', 'show', html, '--html']);
      assert.match(page.stdout, /<a href="https:\/\/app\.example\/reset\?t=1">Reset<\/a>/);
      const pdf = await cli(['--api', harness.url, 'messages', 'show', invoice, '--attachment', '0']);
      assert.deepEqual(pdf.bytes, Buffer.from('%PDF'));
      const checks = await cli(['--api', harness.url, 'messages', 'checks', 'latest', '--json']);
      assert.equal(typeof JSON.parse(checks.stdout).summary, 'object');
      const both = await runCli(['--api', harness.url, 'messages', 'show', html, '--text', '--raw']);
      assert.match(String(both.error), /cannot be used with option/);
      const empty = await startApiHarness();
      try {
        const none = await runCli(['--api', empty.url, 'messages', 'show', 'latest']);
        assert.match(String(none.error), /no message yet/);
      } finally {
        await empty.close();
      }
    } finally {
      await harness.store.deleteMessage(html);
    }
  });

  test('messages delete and clear', async () => {
    const doomed = await harness.deliver({
      from: 'a@example.com',
      to: 'x@example.com',
      subject: 'Doomed',
      text: 'x',
    });
    assert.equal(
      (await cli(['--api', harness.url, 'messages', 'delete', doomed])).stdout,
      `Deleted message ${doomed}.\n`,
    );
    assert.equal(await harness.store.getMessage(doomed), null);
    await harness.deliver({ from: 'a@example.com', to: 'x@example.com', subject: 'Temp one', text: 'x' });
    await harness.deliver({ from: 'a@example.com', to: 'x@example.com', subject: 'Temp two', text: 'x' });
    const cleared = await cli(['--api', harness.url, 'messages', 'clear', '--q', 'subject:temp']);
    assert.equal(cleared.stdout, 'Deleted 2 messages matching "subject:temp".\n');
    assert.equal((await harness.store.stats()).messages, 2);
  });

  test('sessions list filters by diagnostic and problems; sessions show prints the transcript and fixes', async () => {
    const failed = failedSession();
    await harness.store.saveSession(failed);
    const quit = failedSession({
      outcome: 'quit',
      diagnostics: [],
      lastError: null,
      chaos: { rules: ['slow'], failedOnPurpose: false },
    });
    await harness.store.saveSession(quit);

    const all = await cli(['--api', harness.url, 'sessions', 'list']);
    assert.match(all.stdout, /^ID\s+STARTED\s+PORT\s+CLIENT\s+TLS\s+AUTH\s+OUTCOME\s+DIAGNOSTICS$/m);
    assert.match(all.stdout, /2 of 2 sessions\./);
    const chaos = await cli(['--api', harness.url, 'sessions', 'list', '--chaos']);
    assert.match(chaos.stdout, new RegExp(`^${quit.id}\\s.*\\squit\\s`, 'm'));
    assert.match(chaos.stdout, /1 of 1 session\./);
    // The next page repeats the filters: a cursor alone would go on with every session.
    await harness.store.saveSession(
      failedSession({ diagnostics: [], chaos: { rules: ['slow'], failedOnPurpose: true } }),
    );
    const firstPage = await cli(['--api', harness.url, 'sessions', 'list', '--chaos', '--limit', '1']);
    const next = /^More: mailport (sessions list .*)$/m.exec(firstPage.stdout)?.[1];
    assert.ok(next, firstPage.stdout);
    const secondPage = await cli(['--api', harness.url, ...next.split(' ')]);
    assert.match(secondPage.stdout, new RegExp(`^${quit.id}\\s`, 'm'));
    assert.match(secondPage.stdout, /1 of 2 sessions\.\n$/, 'the second page lists chaos sessions only');
    const problems = await cli(['--api', harness.url, 'sessions', 'list', '--problems']);
    assert.match(
      problems.stdout,
      new RegExp(
        `^${failed.id}\\s.*1587 submission\\s+127\\.0\\.0\\.1\\s+-\\s+-\\s+failed\\s+mail-before-starttls$`,
        'm',
      ),
    );
    assert.match(problems.stdout, /1 of 1 session\./);
    const json = JSON.parse(
      (
        await cli([
          '--api',
          harness.url,
          'sessions',
          'list',
          '--diagnostic',
          'mail-before-starttls',
          '--json',
        ])
      ).stdout,
    ) as { items: Array<{ id: string }> };
    assert.deepEqual(
      json.items.map((session) => session.id),
      [failed.id],
    );

    const { stdout } = await cli(['--api', harness.url, 'sessions', 'show', failed.id]);
    assert.match(stdout, /^Listener +submission \(587-style\) port 1587$/m);
    assert.match(stdout, /^Last error +530 5\.7\.0 Must issue a STARTTLS command first$/m);
    assert.match(
      stdout,
      /^Transcript:\n +\+0ms S: 220 localhost ESMTP Mailport\n +\+5ms C: EHLO client\.test$/m,
    );
    assert.match(stdout, /^ +\+11ms C: MAIL FROM:<a@example\.com>$/m);
    assert.match(
      stdout,
      /^Diagnostics:\n {2}mail-before-starttls \(at \+12ms\)\n {4}The client sent MAIL FROM on a port that requires STARTTLS first\.\n {4}Fix: Enable STARTTLS in the client\.$/m,
    );
    const asJson = JSON.parse(
      (await cli(['--api', harness.url, 'sessions', 'show', failed.id, '--json'])).stdout,
    );
    assert.deepEqual(asJson, failed);
  });

  test('sessions show decodes each 334 challenge after the line as sent', async () => {
    const login = failedSession({
      transcript: [
        { t: 0, dir: 'C', text: 'AUTH LOGIN' },
        { t: 1, dir: 'S', text: '334 VXNlcm5hbWU6' },
        { t: 2, dir: 'C', text: '<redacted>' },
        { t: 3, dir: 'C', text: 'AUTH XOAUTH2 <redacted>' },
        { t: 4, dir: 'S', text: '334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=' },
        { t: 5, dir: 'C', text: '<redacted>' },
      ],
    });
    await harness.store.saveSession(login);
    const { stdout } = await cli(['--api', harness.url, 'sessions', 'show', login.id]);
    assert.match(stdout, /^ +\+1ms S: 334 VXNlcm5hbWU6 {3}\(decoded: Username:\)$/m);
    assert.match(stdout, /^ +\+4ms S: 334 eyJ\S+ {3}\(decoded: \{"status":"401","schemes":"bearer"\}\)$/m);
    assert.match(stdout, /^ +\+2ms C: <redacted>$/m);
  });

  test('sessions delete removes one session, sessions clear every one; the messages stay', async () => {
    await harness.store.deleteSessions();
    const [kept, dropped] = [failedSession(), failedSession()];
    for (const record of [kept, dropped]) await harness.store.saveSession(record);
    const messagesBefore = (await harness.store.listMessages({})).total;

    assert.equal(
      (await cli(['--api', harness.url, 'sessions', 'delete', dropped.id])).stdout,
      `Deleted session ${dropped.id}.\n`,
    );
    const again = await runCli(['--api', harness.url, 'sessions', 'delete', dropped.id]);
    assert.ok(again.error instanceof Error);
    assert.match(again.error.message, /No session with id .*GET \/api\/v1\/sessions lists the stored ones/);
    assert.deepEqual(
      (await harness.store.listSessions({})).items.map((session) => session.id),
      [kept.id],
    );

    assert.equal((await cli(['--api', harness.url, 'sessions', 'clear'])).stdout, 'Deleted 1 session.\n');
    assert.equal((await cli(['--api', harness.url, 'sessions', 'clear'])).stdout, 'Deleted 0 sessions.\n');
    assert.equal((await harness.store.listSessions({})).total, 0);
    assert.equal((await harness.store.listMessages({})).total, messagesBefore);
  });

  test('an id too long to exist is named as such, not as a route that does not exist', async () => {
    const run = await runCli(['--api', harness.url, 'sessions', 'show', 'x'.repeat(150)]);
    assert.ok(run.error instanceof Error);
    assert.match(
      run.error.message,
      /failed with 400: Invalid path parameter: `id` must NOT have more than 100/,
    );
    assert.doesNotMatch(run.error.message, /No route/);
  });

  test('an unknown diagnostic code is refused before any request, naming the valid ones', async () => {
    await assert.rejects(cli(['--api', harness.url, 'sessions', 'list', '--diagnostic', 'nonsense']), {
      code: 'commander.invalidArgument',
      message: /Allowed choices are implicit-tls-on-starttls-port, /,
    });
  });

  test('an unreachable API raises MailportNetworkError naming the URL and the fix', async () => {
    const url = await closedPortUrl();
    await assert.rejects(cli(['--api', url, 'messages', 'list']), (error: unknown) => {
      assert.ok(error instanceof MailportNetworkError);
      assert.match(
        error.message,
        new RegExp(`at ${url} \\(ECONNREFUSED\\): is \`mailport serve\` running there\\?`),
      );
      assert.match(error.hint ?? '', /npx mailport serve/);
      return true;
    });
  });

  test('--api pointed at an SMTP port: the greeting is quoted, and the API port named', async () => {
    const sandbox = await startTestSandbox({ submissionsPort: 'off', submissionPort: 'off', altPort: 'off' });
    try {
      const url = `http://127.0.0.1:${sandbox.port('relay')}`;
      await assert.rejects(cli(['--api', url, 'messages', 'list']), (error: unknown) => {
        assert.ok(error instanceof MailportNetworkError);
        assert.match(
          error.message,
          /answered with an SMTP greeting \("220 localhost ESMTP Mailport ready"\)/,
        );
        assert.match(error.hint ?? '', /"Web UI \+ API" address/);
        return true;
      });
    } finally {
      await sandbox.stop();
    }
  });

  test('--help shows examples', async () => {
    const help = await runCli(['messages', 'list', '--help']);
    assert.equal((help.error as { code?: string }).code, 'commander.helpDisplayed');
    assert.match(help.stdout, /^Usage: mailport messages list \[options\]/);
    assert.match(help.stdout, /Examples:\n {2}\$ mailport messages list\n/);
    const sessions = await runCli(['sessions', 'show', '--help']);
    assert.match(sessions.stdout, /\$ mailport sessions list --problems/);
  });
});

describe('mailport (process): exit codes and advice', () => {
  test('an unreachable API exits 1 and says to start `mailport serve` or pass --api', async () => {
    const url = await closedPortUrl();
    const result = await runProcess(['--api', url, 'messages', 'list']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot reach the Mailport API at ${url} \\(ECONNREFUSED\\): is \`mailport serve\` running there\\?`,
      ),
    );
    assert.match(result.stderr, /npx mailport serve.*--api URL/);
  });

  test('a missing message exits 1 with the problem detail; success exits 0', async () => {
    const harness = await startApiHarness();
    try {
      const missing = await runProcess(['--api', harness.url, 'messages', 'show', 'no-such-id']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /failed with 404: No message with id no-such-id/);
      assert.match(missing.stderr, /mailport messages list/);
      const ok = await runProcess(['--api', harness.url, 'sessions', 'list']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stdout, /^No SMTP sessions yet\./);
    } finally {
      await harness.close();
    }
  });

  test('--help prints examples and exits 0', async () => {
    const result = await runProcess(['messages', '--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Examples:\n {2}\$ mailport messages list/);
  });
});
