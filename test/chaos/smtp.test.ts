/**
 * Chaos rules end to end: a sandbox on loopback, nodemailer and raw sockets as clients, SQLite as
 * the store. Each test sets its own rules on the running sandbox and checks what the client saw,
 * what was stored and what the session transcript says.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { readChaosRules } from '../../src/chaos/syntax.js';
import type { SessionRecord } from '../../src/domain/types.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox();
});
afterEach(() => {
  sandbox.chaos.clear();
});
after(async () => {
  await sandbox.stop();
});

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message: string;
}

function setRules(...rules: string[]): void {
  sandbox.chaos.replace(readChaosRules(rules));
}

function relay(options: SMTPTransport.Options = {}): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('relay'),
    ignoreTLS: true,
    ...options,
  });
}

function mail(to: string | string[], subject: string) {
  return { from: 'app@example.com', to, subject, text: `Body of ${subject}` };
}

async function storedWithSubject(subject: string): Promise<number> {
  return (await sandbox.store.listMessages({ q: `subject:${subject}` })).total;
}

/** The next session to close whose transcript has a client line containing `text`, transcript included. */
function nextSession(text: string): Promise<SessionRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No session with "${text}" closed within 10 s`));
    }, 10_000);
    const unsubscribe = sandbox.bus.subscribe('session.closed', ({ session }) => {
      sandbox.store.getSession(session.id).then((record) => {
        if (record?.transcript.some((line) => line.dir === 'C' && line.text.includes(text))) {
          clearTimeout(timer);
          unsubscribe();
          resolve(record);
        }
      }, reject);
    });
  });
}

function chaosEvents(session: SessionRecord): string[] {
  return session.transcript
    .filter((line) => line.dir === '*' && line.text.startsWith('chaos rule'))
    .map((l) => l.text);
}

describe('chaos over SMTP', () => {
  it('times=1: nodemailer gets 451 on the first send and succeeds on the second', async () => {
    setRules('rcpt:451,match=*@flaky.test,times=1');
    const transport = relay();
    const first = nextSession('alice@flaky.test');
    await assert.rejects(transport.sendMail(mail('alice@flaky.test', 'retry-once')), (error: SmtpError) => {
      assert.equal(error.responseCode, 451);
      assert.match(
        error.response ?? '',
        /^451 4\.3\.0 Temporary failure injected on purpose by Mailport chaos rule chaos-1/,
      );
      return true;
    });
    const session = await first;
    assert.deepEqual(chaosEvents(session), [
      'chaos rule chaos-1 (rcpt:451/4.3.0,times=1,match=*@flaky.test) fired for <alice@flaky.test>: the server replies 451 4.3.0 instead of accepting RCPT TO on purpose',
    ]);
    assert.deepEqual(session.diagnostics, [], 'an injected failure is not the client’s mistake');
    const info = await transport.sendMail(mail('alice@flaky.test', 'retry-once'));
    transport.close();
    assert.match(info.response, /^250 /);
    assert.equal(await storedWithSubject('retry-once'), 1);
    assert.deepEqual(
      sandbox.chaos.list().map(({ fired, remaining }) => ({ fired, remaining })),
      [{ fired: 1, remaining: 0 }],
    );
  });

  it('550 refuses only the matching recipient; the message is stored for the other one', async () => {
    setRules('rcpt:550,match=bounce@*');
    const transport = relay();
    const info = await transport.sendMail(mail(['bounce@example.com', 'keep@example.com'], 'one-bounce'));
    transport.close();
    assert.deepEqual(info.accepted, ['keep@example.com']);
    assert.deepEqual(info.rejected, ['bounce@example.com']);
    assert.match(info.rejectedErrors?.[0]?.message ?? '', /550 5\.1\.1 Permanent failure injected/);
    const { items } = await sandbox.store.listMessages({ q: 'subject:one-bounce' });
    assert.equal(items.length, 1);
    const stored = await sandbox.store.getMessage(items[0]?.id ?? '');
    assert.deepEqual(
      stored?.envelope.rcptTo.map((r) => r.address),
      ['keep@example.com'],
    );
  });

  it('message:554 refuses after the body and stores nothing; the transcript says it was injected', async () => {
    setRules('message:554');
    const transport = relay();
    const closed = nextSession('bob@example.com');
    await assert.rejects(transport.sendMail(mail('bob@example.com', 'refused-body')), (error: SmtpError) => {
      assert.equal(error.responseCode, 554);
      assert.match(
        error.response ?? '',
        /^554 5\.7\.1 Permanent failure injected on purpose by Mailport chaos rule chaos-1 \(stage message\)/,
      );
      return true;
    });
    transport.close();
    const session = await closed;
    const lines = session.transcript.map((l) => `${l.dir} ${l.text}`);
    const event = lines.findIndex((l) =>
      l.startsWith('* chaos rule chaos-1 (message:554/5.7.1) fired: the server replies 554 5.7.1'),
    );
    assert.ok(event > 0, lines.join('\n'));
    assert.match(
      lines[event + 1] ?? '',
      /^S 554 5\.7\.1 /,
      'the event comes right before the reply it explains',
    );
    assert.deepEqual(session.diagnostics, []);
    assert.equal(await storedWithSubject('refused-body'), 0);
  });

  it('connect:421 is the greeting, and the connection closes after it', async () => {
    setRules('connect:421');
    const client = await RawSmtp.connect(sandbox.port('relay'));
    assert.deepEqual(await client.reply(), [
      '421 4.3.2 Temporary failure injected on purpose by Mailport chaos rule chaos-1 (stage connect)',
    ]);
    await client.waitClosed();
  });

  it('connect:554 refuses service: every command but QUIT gets 503 (RFC 5321 section 3.1)', async () => {
    setRules('connect:554,profile=relay', 'ehlo:550,match=blocked.test');
    const refused = await RawSmtp.connect(sandbox.port('relay'));
    assert.match((await refused.reply())[0] ?? '', /^554 5\.3\.2 Permanent failure injected/);
    assert.match((await refused.command('EHLO client.test')).text, /^503 5\.5\.1 No SMTP service here/);
    assert.equal((await refused.command('QUIT')).code, 221);
    await refused.waitClosed();
    // On another listener only the EHLO rule applies, and only to the name it matches.
    const client = await RawSmtp.connect(sandbox.port('alternate'));
    assert.equal(Number((await client.reply())[0]?.slice(0, 3)), 220);
    assert.match(
      (await client.command('EHLO BLOCKED.test')).text,
      /^550 5\.7\.1 Permanent failure injected .* \(stage ehlo\)/,
    );
    assert.equal((await client.command('EHLO allowed.test')).code, 250);
    client.close();
  });

  it('an AUTH rule refuses good credentials with 535 5.7.8, without an auth-failed diagnostic', async () => {
    setRules('auth:535,match=MAILPORT,times=1');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('submissions'),
      secure: true,
      auth: { user: sandbox.auth.user, pass: sandbox.auth.pass },
      tls: { ca: sandbox.caPem, servername: 'localhost' },
    });
    const closed = nextSession('AUTH PLAIN');
    await assert.rejects(transport.sendMail(mail('carol@example.com', 'auth-chaos')), (error: SmtpError) => {
      assert.equal(error.code, 'EAUTH');
      assert.equal(error.responseCode, 535);
      assert.match(error.response ?? '', /^535 5\.7\.8 Permanent failure injected .* \(stage auth\)/);
      return true;
    });
    const session = await closed;
    assert.deepEqual(session.diagnostics, []);
    assert.equal(session.auth, null, 'the refused AUTH did not authenticate the session');
    assert.match(chaosEvents(session)[0] ?? '', /fired for <mailport>/);
    await transport.sendMail(mail('carol@example.com', 'auth-chaos'));
    transport.close();
    assert.equal(await storedWithSubject('auth-chaos'), 1);
  });

  it('a delay trips the client timeouts while other sessions are served', async () => {
    setRules('connect:delay=10m,profile=alternate', 'rcpt:delay=10m,match=*@slow.test');
    const held = await RawSmtp.connect(sandbox.port('alternate'));

    const slowClosed = nextSession('x@slow.test');
    const slow = relay({ socketTimeout: 300 });
    await assert.rejects(slow.sendMail(mail('x@slow.test', 'slow-rcpt')), (error: SmtpError) => {
      assert.equal(error.code, 'ETIMEDOUT');
      return true;
    });
    slow.close();
    // The client left: its session ends at once, with nothing stored.
    assert.match(chaosEvents(await slowClosed)[0] ?? '', /holds the reply to RCPT TO back for 600000 ms/);
    assert.equal(await storedWithSubject('slow-rcpt'), 0);

    const greeting = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('alternate'),
      greetingTimeout: 300,
      requireTLS: true,
      tls: { ca: sandbox.caPem, servername: 'localhost' },
      auth: { user: sandbox.auth.user, pass: sandbox.auth.pass },
    });
    await assert.rejects(greeting.sendMail(mail('y@example.com', 'slow-greeting')), (error: SmtpError) => {
      assert.equal(error.code, 'ETIMEDOUT');
      assert.match(error.message, /Greeting never received/);
      return true;
    });
    greeting.close();

    const info = await relay().sendMail(mail('z@example.com', 'served-meanwhile'));
    assert.match(info.response, /^250 /);
    await assert.rejects(held.reply(100), /No reply within/, 'the first delayed session is still waiting');
    held.close();
  });

  it('a delay is cut short by shutdown: the waiting client gets 421 4.3.2 at once', async () => {
    const other = await startTestSandbox({ chaos: ['connect:delay=10m'] });
    const client = await RawSmtp.connect(other.port('relay'));
    const started = Date.now();
    await other.stop();
    assert.ok(Date.now() - started < 5000, 'stop did not wait for the delay');
    assert.match((await client.reply())[0] ?? '', /^421 4\.3\.2 Server shutting down/);
    await client.waitClosed();
  });

  it('disconnect closes the connection without a reply: nodemailer reports a connection error', async () => {
    setRules('data:disconnect');
    const closed = nextSession('dan@example.com');
    const transport = relay();
    await assert.rejects(transport.sendMail(mail('dan@example.com', 'dropped')), (error: SmtpError) => {
      assert.equal(error.code, 'ECONNECTION');
      assert.equal(error.responseCode, undefined, 'no reply was sent');
      return true;
    });
    transport.close();
    const session = await closed;
    assert.match(chaosEvents(session)[0] ?? '', /closes the connection instead of answering DATA/);
    assert.equal(session.transcript.at(-1)?.dir, '*', 'the last line is the event, not a reply');
    assert.equal(await storedWithSubject('dropped'), 0);
  });

  it('a command the server refuses on its own keeps its real reply and does not use up `times`', async () => {
    setRules('rcpt:451,times=1');
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    await client.command('EHLO client.test');
    await client.command('MAIL FROM:<app@example.com>');
    assert.match((await client.command('RCPT TO:<not an address>')).text, /^501 5\.1\.3 /);
    assert.equal(sandbox.chaos.list()[0]?.fired, 0);
    assert.match(
      (await client.command('RCPT TO:<ok@example.com>')).text,
      /^451 4\.3\.0 .*chaos rule chaos-1/,
    );
    assert.equal((await client.command('RCPT TO:<ok@example.com>')).code, 250, 'times=1 is spent');
    client.close();
  });

  it('client= fires only for connections from its network, at connect and later stages', async () => {
    setRules('connect:421,client=10.0.0.0/8', 'rcpt:451,client=127.0.0.0/8,id=loopback');
    const closed = nextSession('ip@example.com');
    await assert.rejects(relay().sendMail(mail('ip@example.com', 'by-network')), (error: SmtpError) => {
      assert.equal(error.responseCode, 451, 'the greeting rule for 10.0.0.0/8 let 127.0.0.1 through');
      assert.match(error.response ?? '', /chaos rule loopback \(stage rcpt\)/);
      return true;
    });
    const session = await closed;
    assert.equal(session.client.address, '127.0.0.1');
    assert.match(
      chaosEvents(session)[0] ?? '',
      /^chaos rule loopback \(rcpt:451\/4\.3\.0,client=127\.0\.0\.0\/8\)/,
    );
    assert.deepEqual(
      sandbox.chaos.list().map((r) => r.fired),
      [0, 1],
    );

    setRules('connect:421,client=127.0.0.1');
    const refused = await RawSmtp.connect(sandbox.port('relay'));
    assert.match((await refused.reply())[0] ?? '', /^421 4\.3\.2 .*chaos rule chaos-1 \(stage connect\)/);
    await refused.waitClosed();

    setRules('connect:421,client=10.0.0.0/8', 'rcpt:451,client=10.0.0.0/8', 'message:554,client=::1');
    const info = await relay().sendMail(mail('ip@example.com', 'other-network'));
    assert.match(info.response, /^250 /);
    assert.deepEqual(
      sandbox.chaos.list().map((r) => r.fired),
      [0, 0, 0],
    );
  });

  it('client= with an IPv4 network matches the IPv4-mapped address of a dual-stack listener', async () => {
    // Bound to an IPv4-mapped IPv6 address: an IPv6 socket, still on loopback only.
    const mapped = await startTestSandbox({
      host: '::ffff:127.0.0.1',
      chaos: ['connect:554,client=127.0.0.0/8'],
    });
    try {
      const closed = new Promise<string>((resolve) => {
        const off = mapped.bus.subscribe('session.closed', ({ session }) => {
          off();
          resolve(session.client.address);
        });
      });
      const client = await RawSmtp.connect(mapped.port('relay'));
      assert.match((await client.reply())[0] ?? '', /^554 5\.3\.2 Permanent failure injected/);
      assert.equal((await client.command('QUIT')).code, 221);
      await client.waitClosed();
      assert.equal(await closed, '::ffff:127.0.0.1', 'the socket reports the client in its mapped form');
    } finally {
      await mapped.stop();
    }
  });

  it('probability 0 never fires', async () => {
    setRules('mail:451,p=0', 'rcpt:451,p=0', 'message:554,p=0');
    const transport = relay();
    for (let i = 0; i < 5; i += 1) await transport.sendMail(mail('eve@example.com', 'never-fires'));
    transport.close();
    assert.equal(await storedWithSubject('never-fires'), 5);
    assert.deepEqual(
      sandbox.chaos.list().map((r) => r.fired),
      [0, 0, 0],
    );
  });
});
