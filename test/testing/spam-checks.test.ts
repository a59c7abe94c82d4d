/**
 * SpamAssassin in the deliverability checks, end to end: messages sent with nodemailer into an
 * in-process sandbox started with `spamassassin` pointing at a real spamd on loopback, read back
 * through `client.checks()`, the matcher and the node:test assertion; then spamd stopped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expect } from 'expect';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  assertPassedDeliveryChecks,
  type DeliverabilityReport,
  type MailportMatchers,
  mailportMatchers,
  type Sandbox,
  startSandbox,
} from '../../src/index.js';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';
import { startSpamd, type TestSpamd } from '../deliverability/spamd.js';

declare module 'expect' {
  interface Matchers<R> extends MailportMatchers<R> {}
}

expect.extend(mailportMatchers);

/** What `toHavePassedDeliveryChecks()` says about the report; empty when it passes. */
function failureOf(report: DeliverabilityReport): string {
  try {
    expect(report).toHavePassedDeliveryChecks();
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('SpamAssassin in the deliverability checks (startSandbox({ spamassassin }))', () => {
  let spamd: TestSpamd;
  let dns: TestDnsServer;
  let sandbox: Sandbox;

  async function send(mail: SendMailOptions): Promise<string> {
    const subject = mail.subject ?? '';
    const transport = nodemailer.createTransport(sandbox.transportOptions('relay'));
    try {
      await transport.sendMail({ from: 'app@example.test', to: 'alice@example.com', ...mail });
    } finally {
      transport.close();
    }
    return (await sandbox.client.waitForMessage({ subject }, { timeout: 10_000 })).id;
  }

  before(async () => {
    // DNS from a local server with no records: every lookup is answered at once, none leaves the machine.
    [spamd, dns] = await Promise.all([startSpamd(), startDnsServer()]);
    sandbox = await startSandbox({ spamassassin: spamd.server, dnsServer: dns.server });
  });
  after(async () => {
    await sandbox.stop();
    await Promise.all([spamd.stop(), dns.close()]);
  });

  test('a clean message: its score below the threshold, and the spam check passes', async () => {
    const id = await send({
      subject: `Your order ${crypto.randomUUID().slice(0, 8)} has shipped`,
      text: 'Hello Alice,\n\nyour order left our warehouse today and should arrive on Thursday.\n\nThe Example team\n',
    });
    const report = await sandbox.client.checks(id);
    assert.equal(report.spamAssassin.outcome, 'scanned');
    assert.equal(report.spamAssassin.server, spamd.server);
    assert.equal(report.spamAssassin.severity, null);
    assert.ok(report.spam !== null);
    assert.equal(report.spam.isSpam, false);
    assert.equal(report.spam.threshold, 5);
    assert.ok(report.spam.score < report.spam.threshold, `score ${report.spam.score}`);
    assert.match(
      report.spamAssassin.reason,
      /^SpamAssassin scores it -?\d+\.\d, below its threshold of 5\.0 \(\d+ rules? hit\)\.$/,
    );
    assert.doesNotMatch(failureOf(report), /✗ spam/);
  });

  test('a spammy message: spam with the rules that hit, a failed summary, and a matcher that lists them', async () => {
    const id = await send({
      subject: 'CHEAP VIAGRA CIALIS NOW',
      html: "<p>Buy cheap viagra and cialis online, no prescription needed! Lose weight fast. 100% GUARANTEED. <a href='https://example.com/buy'>Order now</a></p>",
    });
    const report = await sandbox.client.checks(id);
    assert.ok(report.spam !== null);
    assert.equal(report.spam.isSpam, true);
    assert.ok(report.spam.score >= 5, `score ${report.spam.score}`);
    const names = report.spam.rules.map((rule) => rule.name);
    for (const rule of ['SUBJ_ALL_CAPS', 'NO_PRESCRIPTION', 'GUARANTEED_100_PERCENT']) {
      assert.ok(names.includes(rule), `${rule} in ${names.join(', ')}`);
    }
    const scores = report.spam.rules.map((rule) => rule.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      'most points first',
    );
    assert.equal(report.spamAssassin.severity, 'error');
    assert.equal(report.summary.passed, false);
    assert.ok(report.summary.errors >= 1);

    const message = failureOf(report);
    assert.match(
      message,
      /✗ spam \(error\): SpamAssassin scores it \d+\.\d, at or above its threshold of 5\.0/,
    );
    assert.match(message, /Fix: Change what the rules with the most points found, starting with /);
    for (const rule of report.spam.rules) {
      assert.ok(
        message.includes(`    - ${rule.score} ${rule.name}: ${rule.description}`),
        `${rule.name} listed in:\n${message}`,
      );
    }
    assert.throws(() => assertPassedDeliveryChecks(report), { message });
    assert.throws(
      () =>
        assertPassedDeliveryChecks(report, {
          ignore: ['spf', 'dkim', 'dmarc', 'arc', 'missing-list-unsubscribe'],
        }),
      /✗ spam \(error\)/,
    );
  });

  test('spamd stopped: the report still comes, saying how to start spamd', async () => {
    const id = await send({ subject: `after spamd ${crypto.randomUUID().slice(0, 8)}`, text: 'Hello' });
    await spamd.stop();
    const response = await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}/checks`);
    assert.equal(response.status, 200, 'never a 500 for the whole report');
    const report = (await response.json()) as DeliverabilityReport;
    assert.equal(report.spam, null);
    assert.deepEqual(report.spamAssassin, {
      server: spamd.server,
      outcome: 'connection-failed',
      severity: 'error',
      reason: `Not scanned: no spamd at ${spamd.server} (connection refused).`,
      fix: `Start it with \`spamd -L --listen=${spamd.server}\`, or drop --spamassassin.`,
    });
    assert.equal(report.summary.passed, false);
    assert.throws(() => assertPassedDeliveryChecks(report), /✗ spam \(error\): Not scanned: no spamd at/);
  });
});
