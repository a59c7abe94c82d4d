/**
 * Sessions that chaos rules failed on purpose, as the sessions API shows them: not "with problems"
 * (`problems=1`, `has_problems`, the UI badge) when every error reply was injected or followed
 * only from an injected one, still with a `failed` outcome, the injected reply and the `*` line.
 * A real sandbox on loopback, raw SMTP dialogues and nodemailer as clients, SQLite as the store.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { SessionRecord, SessionSummary } from '../../src/domain/types.js';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox();
});
afterEach(async () => {
  await sandbox.client.clearChaos();
});
after(async () => {
  await sandbox.stop();
});

/** GET /api/v1/sessions over plain HTTP, so the JSON on the wire is what is checked. */
async function listSessions(query: string): Promise<SessionSummary[]> {
  const response = await fetch(`${sandbox.apiUrl}/api/v1/sessions?limit=500${query}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { items: SessionSummary[] }).items;
}

async function isListedAsProblem(id: string): Promise<boolean> {
  return (await listSessions('&problems=1')).some((session) => session.id === id);
}

function sessionBy(where: (session: SessionSummary) => boolean): Promise<SessionRecord> {
  return sandbox.client.waitForSession(where, { timeout: 10_000 });
}

/** Opens a relay session past EHLO. */
async function greeted(name: string): Promise<RawSmtp> {
  const client = await RawSmtp.connect(sandbox.ports.relay);
  assert.equal(Number((await client.reply())[0]?.slice(0, 3)), 220);
  assert.equal((await client.command(`EHLO ${name}`)).code, 250);
  return client;
}

/** Writes `lines` in one go, as a pipelining client does (RFC 2920), and returns each reply's code. */
async function pipeline(client: RawSmtp, lines: string[]): Promise<number[]> {
  client.write(lines.map((line) => `${line}\r\n`).join(''));
  const codes: number[] = [];
  for (const _line of lines) codes.push(Number((await client.reply()).at(-1)?.slice(0, 3)));
  return codes;
}

async function quit(client: RawSmtp): Promise<void> {
  assert.equal((await client.command('QUIT')).code, 221);
  await client.waitClosed();
}

describe('sessions failed on purpose by chaos', () => {
  it('a refused message fails the session without making it one with problems', async () => {
    await sandbox.client.setChaos(['message:554,id=bounce-all']);
    const transport = nodemailer.createTransport(sandbox.transportOptions('relay'));
    await assert.rejects(
      transport.sendMail({ from: 'app@example.com', to: 'bob@example.com', subject: 'refused', text: 'x' }),
      (error: { responseCode?: number }) => error.responseCode === 554,
    );
    transport.close();
    const session = await sessionBy((s) => s.chaos?.rules[0] === 'bounce-all');

    assert.equal(session.outcome, 'failed', 'the outcome tells the truth: nothing was delivered');
    assert.deepEqual(session.messageIds, []);
    assert.equal((await sandbox.client.listMessages({ q: 'subject:refused' })).total, 0);
    assert.match(session.lastError ?? '', /^554 5\.7\.1 .*chaos rule bounce-all \(stage message\)/);
    assert.deepEqual(session.diagnostics, []);
    assert.ok(
      session.transcript.some((line) => line.dir === '*' && line.text.startsWith('chaos rule bounce-all ')),
      'the transcript still shows the chaos line',
    );

    const [listed] = (await listSessions('')).filter((s) => s.id === session.id);
    assert.deepEqual(listed?.chaos, { rules: ['bounce-all'], failedOnPurpose: true });
    const hitByChaos = await listSessions('&chaos=1');
    assert.ok(hitByChaos.some((s) => s.id === session.id));
    assert.ok(
      hitByChaos.every((s) => s.chaos !== undefined),
      '`chaos=1` lists only sessions chaos rules fired in',
    );
    assert.ok(
      (await sandbox.client.listSessions({ chaos: true })).items.some((s) => s.id === session.id),
      'the typed client has the chaos filter too',
    );
    assert.equal(await isListedAsProblem(session.id), false);
    assert.ok(
      !(await sandbox.client.listSessions({ problems: true })).items.some((s) => s.id === session.id),
      'the typed client sees the same filter',
    );
  });

  it('a real refusal in the same session still counts, with a diagnostic or without one', async () => {
    await sandbox.client.setChaos(['rcpt:451,match=*@flaky.test,id=mixed']);
    const withDiagnostic = await greeted('with-diagnostic.test');
    assert.equal((await withDiagnostic.command('MAIL FROM:<app@example.com>')).code, 250);
    assert.equal((await withDiagnostic.command('RCPT TO:<not an address>')).code, 501);
    assert.equal((await withDiagnostic.command('RCPT TO:<bob@flaky.test>')).code, 451);
    await quit(withDiagnostic);
    const first = await sessionBy((s) => s.heloName === 'with-diagnostic.test');
    assert.deepEqual(
      first.diagnostics.map((d) => d.code),
      ['invalid-address'],
    );
    assert.deepEqual(first.chaos, { rules: ['mixed'], failedOnPurpose: false });
    assert.equal(await isListedAsProblem(first.id), true);

    // EXPN is refused (502) without a diagnostic: only the reply itself tells it apart.
    const withoutDiagnostic = await greeted('without-diagnostic.test');
    assert.equal((await withoutDiagnostic.command('EXPN staff')).code, 502);
    assert.equal((await withoutDiagnostic.command('MAIL FROM:<app@example.com>')).code, 250);
    assert.equal((await withoutDiagnostic.command('RCPT TO:<bob@flaky.test>')).code, 451);
    await quit(withoutDiagnostic);
    const second = await sessionBy((s) => s.heloName === 'without-diagnostic.test');
    assert.deepEqual(second.diagnostics, []);
    assert.equal(second.outcome, 'failed');
    assert.match(second.lastError ?? '', /chaos rule mixed/, 'the last error was the injected one');
    assert.deepEqual(second.chaos, { rules: ['mixed'], failedOnPurpose: false });
    assert.equal(await isListedAsProblem(second.id), true);
  });

  it('replies that follow only from a refusal are not the client’s doing either', async () => {
    await sandbox.client.setChaos([
      'connect:554,profile=alternate,id=no-service',
      'mail:451,match=*@busy.test,id=busy-sender',
      'rcpt:550,match=*@gone.test,id=gone',
    ]);

    // RFC 5321 §3.1: after a refused greeting, 503 to everything but QUIT.
    const refused = await RawSmtp.connect(sandbox.ports.alternate);
    assert.equal(Number((await refused.reply())[0]?.slice(0, 3)), 554);
    assert.equal((await refused.command('EHLO refused.test')).code, 503);
    await quit(refused);
    const noService = await sessionBy((s) => s.chaos?.rules[0] === 'no-service');

    // RFC 2920: RCPT and DATA sent with a MAIL that a rule refused get 503, not a bad-sequence diagnostic.
    const busy = await greeted('busy.test');
    assert.deepEqual(
      await pipeline(busy, ['MAIL FROM:<app@busy.test>', 'RCPT TO:<bob@example.com>', 'DATA']),
      [451, 503, 503],
    );
    await quit(busy);
    const busySession = await sessionBy((s) => s.heloName === 'busy.test');

    // Every recipient refused by a rule: DATA's 554 (RFC 5321 §3.3) follows from those refusals.
    const gone = await greeted('gone.test');
    assert.deepEqual(
      await pipeline(gone, [
        'MAIL FROM:<app@example.com>',
        'RCPT TO:<a@gone.test>',
        'RCPT TO:<b@gone.test>',
        'DATA',
      ]),
      [250, 550, 550, 554],
    );
    await quit(gone);
    const goneSession = await sessionBy((s) => s.heloName === 'gone.test');

    for (const session of [noService, busySession, goneSession]) {
      assert.equal(session.outcome, 'failed', session.heloName ?? 'no-service');
      assert.deepEqual(session.diagnostics, [], session.heloName ?? 'no-service');
      assert.equal(session.chaos?.failedOnPurpose, true, session.heloName ?? 'no-service');
      assert.equal(await isListedAsProblem(session.id), false, session.heloName ?? 'no-service');
    }
    assert.match(goneSession.lastError ?? '', /^554 5\.5\.1 /);
  });

  it('a client mistake after a refusal is still a problem', async () => {
    await sandbox.client.setChaos(['mail:451,match=*@busy.test,id=busy-again']);
    // RSET ends what the refused MAIL left: a RCPT after it is out of order, as without chaos.
    const client = await greeted('reset.test');
    assert.equal((await client.command('MAIL FROM:<app@busy.test>')).code, 451);
    assert.equal((await client.command('RSET')).code, 250);
    assert.equal((await client.command('RCPT TO:<bob@example.com>')).code, 503);
    await quit(client);
    const session = await sessionBy((s) => s.heloName === 'reset.test');
    assert.deepEqual(
      session.diagnostics.map((d) => d.code),
      ['bad-sequence'],
    );
    assert.deepEqual(session.chaos, { rules: ['busy-again'], failedOnPurpose: false });
    assert.equal(await isListedAsProblem(session.id), true);

    // The same RCPT with no MAIL at all, and no rule anywhere: a problem, and no `chaos` field.
    const plain = await greeted('plain.test');
    assert.equal((await plain.command('RCPT TO:<bob@example.com>')).code, 503);
    await quit(plain);
    const control = await sessionBy((s) => s.heloName === 'plain.test');
    assert.equal('chaos' in control, false);
    assert.equal(await isListedAsProblem(control.id), true);
  });
});
