/**
 * `mailport send` and `mailport doctor` against Postfix's smtp-sink, a real server written by
 * someone else, with its faults switched on: no ESMTP (EHLO refused, HELO only), no AUTH, AUTH
 * answered 250 instead of 235, a 421 or a hard or soft refusal at each step, a hang-up after the
 * final dot, a DATA reply slower than --timeout. Each run must end within its timeout, exit 1
 * when nothing was sent, name what the server did at which step, never blame the password for a
 * server fault, never send a login or STARTTLS the server cannot take, and never print the
 * password.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/doctor/index.js';
import { explainText } from '../../src/explain/index.js';
import { runSend } from '../helpers/run-command.js';
import { SMTP_SINK_UNAVAILABLE, startSmtpSink } from '../helpers/smtp-sink.js';
import type { RunningServer } from '../smtp-client/test-servers.js';

const PASSWORD = 'correct-horse-battery';
const sinks: RunningServer[] = [];

before(() => {
  process.env.MAILPORT_TEST_SINK_PASS = PASSWORD;
});

after(async () => {
  await Promise.all(sinks.map((sink) => sink.close()));
});

async function sink(...flags: string[]): Promise<number> {
  const started = await startSmtpSink(flags);
  sinks.push(started);
  return started.port;
}

const LOGIN = ['--user', 'alice', '--pass-env', 'MAILPORT_TEST_SINK_PASS'];

/** `mailport send` to the sink, with the transcript, checked for what every run must do. */
async function send(port: number, extra: string[], timeoutSeconds = 2) {
  const started = Date.now();
  const result = await runSend([
    ...['--server', `127.0.0.1:${port}`, '--timeout', String(timeoutSeconds), '--show-transcript'],
    ...['--from', 'a@example.com', '--to', 'b@example.com', ...extra],
  ]);
  assert.ok(Date.now() - started < (timeoutSeconds + 2) * 1000, 'bounded by --timeout');
  assert.doesNotMatch(result.output, new RegExp(PASSWORD), 'the password is never printed');
  assert.doesNotMatch(result.output, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
  return { ...result, failure: /failed in (\w+): (.*)/.exec(result.output) };
}

/** The explain answer for the error line as printed, as `mailport explain` gets it piped in. */
function causeOf(failure: RegExpExecArray | null): string {
  assert.ok(failure, 'a failure line');
  return explainText(failure[0]).cause;
}

describe('mailport send against smtp-sink', { skip: SMTP_SINK_UNAVAILABLE ?? false }, () => {
  test('AUTH answered 250 instead of 235: a protocol error of the server, not a wrong password', async () => {
    const { output, exitCode, failure } = await send(await sink(), ['--tls', 'none', ...LOGIN]);
    assert.equal(exitCode, 1);
    assert.match(failure?.[2] ?? '', /answered AUTH PLAIN with 250 instead of 235 .*login was never judged/);
    assert.doesNotMatch(output, /Cause: +auth-failed/);
    assert.notEqual(causeOf(failure), 'auth-failed');
    assert.doesNotMatch(output, /^C: MAIL/m, 'nothing sent after an AUTH that did not end in 235');
  });

  test('AUTH not advertised while --user is given: no login is sent, and the reason is said', async () => {
    const { output, exitCode, failure } = await send(await sink('-a'), ['--tls', 'none', ...LOGIN]);
    assert.equal(exitCode, 1);
    assert.equal(failure?.[1], 'auth');
    assert.match(failure?.[2] ?? '', /does not offer AUTH \(no AUTH offered\): Mailport sent no login/);
    assert.doesNotMatch(output, /^C: AUTH/m);
    assert.equal(causeOf(failure), 'auth-mechanism-unsupported');
  });

  test('EHLO refused (no ESMTP): HELO fallback delivers without extensions', async () => {
    const { output, exitCode } = await send(await sink('-e'), ['--tls', 'none']);
    assert.equal(exitCode, 0);
    assert.match(output, /^S: 500 5\.5\.1 .*\n^C: HELO /m);
    assert.match(output, /Sent via port \d+ \(no TLS\): 250/);
  });

  test('EHLO refused with --user: after HELO no AUTH is sent, because the server cannot take it', async () => {
    const { output, exitCode, failure } = await send(await sink('-e'), ['--tls', 'none', ...LOGIN]);
    assert.equal(exitCode, 1);
    assert.match(
      failure?.[2] ?? '',
      /refused EHLO \(500 5\.5\.1 Error: unknown command\) and answered only HELO: .*no ESMTP.*cannot offer AUTH/,
    );
    assert.doesNotMatch(output, /^C: AUTH/m);
    assert.equal(causeOf(failure), 'auth-mechanism-unsupported');
  });

  test('EHLO refused with --tls starttls: no STARTTLS is sent, and the refused EHLO is named', async () => {
    const { output, exitCode, failure } = await send(await sink('-e'), ['--tls', 'starttls', ...LOGIN]);
    assert.equal(exitCode, 1);
    assert.equal(failure?.[1], 'starttls');
    assert.match(
      failure?.[2] ?? '',
      /refused EHLO \(500 5\.5\.1 .*\) and answered only HELO: .*cannot offer STARTTLS/,
    );
    assert.doesNotMatch(output, /^C: (?:STARTTLS|AUTH)/m);
    assert.equal(causeOf(failure), 'starttls-not-offered');
  });

  test('a reply to DATA slower than --timeout: the server stopped answering, not a firewall', async () => {
    const { exitCode, failure } = await send(await sink('-w', '3'), ['--tls', 'none'], 1);
    assert.equal(exitCode, 1);
    assert.equal(failure?.[1], 'data');
    assert.match(failure?.[2] ?? '', /Timed out after 1000 ms .*stopped answering mid-session/);
    assert.equal(causeOf(failure), 'temporary-failure');
  });

  test('refusals and hang-ups at each step: the step, the reply and a cause that fits', async () => {
    const cases: { flags: string[]; phase: string; says: RegExp; cause: string; perhaps?: true }[] = [
      {
        flags: ['-r', 'MAIL', '-b', '421 4.3.2 Service shutting down'],
        phase: 'mail',
        says: /closed the session at MAIL FROM: 421 4\.3\.2/,
        cause: 'temporary-failure',
      },
      {
        flags: ['-f', 'RCPT'],
        phase: 'rcpt',
        says: /refused the recipient <b@example\.com>: 500 5\.3\.0/,
        cause: 'recipient-unknown',
      },
      { flags: ['-r', 'DATA'], phase: 'data', says: /refused DATA: 450 4\.3\.0/, cause: 'temporary-failure' },
      {
        flags: ['-f', '.'],
        phase: 'data',
        says: /refused the message: 500 5\.3\.0/,
        cause: 'message-rejected',
      },
      {
        flags: ['-q', '.'],
        phase: 'data',
        says: /closed the connection after the whole message was sent/,
        cause: 'no-reply-after-data',
        perhaps: true,
      },
      {
        flags: ['-q', 'MAIL'],
        phase: 'mail',
        says: /closed the connection unexpectedly/,
        cause: 'connection-closed',
      },
    ];
    for (const fault of cases) {
      const { output, exitCode, failure } = await send(await sink(...fault.flags), ['--tls', 'none']);
      const label = fault.flags.join(' ');
      assert.equal(exitCode, 1, label);
      assert.equal(failure?.[1], fault.phase, label);
      assert.match(failure?.[2] ?? '', fault.says, label);
      assert.equal(causeOf(failure), fault.cause, label);
      assert.equal(/Perhaps sent/.test(output), fault.perhaps === true, label);
    }
  });
});

describe('mailport doctor against smtp-sink', { skip: SMTP_SINK_UNAVAILABLE ?? false }, () => {
  test('no ESMTP, and a hang-up at MAIL: named as the server did them, no working path', async () => {
    const [noEsmtp, hangUp] = await Promise.all([sink('-e'), sink('-q', 'MAIL')]);
    const report = await runDoctor({ host: '127.0.0.1', ports: [noEsmtp, hangUp], stepTimeoutMs: 1500 });
    assert.equal(report.recommendation, null);
    const [helo, closed] = report.ports.map((port) =>
      port.findings.filter((finding) => finding.level === 'error'),
    );
    assert.ok(
      helo?.some((finding) => /refused EHLO \(500 5\.5\.1 .*answers only HELO/.test(finding.message)),
    );
    assert.ok(
      closed?.some(
        (finding) => finding.cause === 'connection-closed' && /after MAIL FROM/.test(finding.message),
      ),
    );
  });
});
