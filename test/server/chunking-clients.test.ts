/**
 * Real clients against a server that offers CHUNKING. None of them sends BDAT: Postfix implements
 * CHUNKING in its server only (BDAT_README: "Postfix SMTP server supports RFC 3030 CHUNKING"; the
 * Debian 3.7 smtp(8) binary has no BDAT in it), nodemailer and swaks not at all. What matters is
 * that the offer changes nothing for them: they keep sending with DATA and the message arrives as
 * before. BDAT itself is exercised byte by byte in chunking.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { SessionRecord } from '../../src/domain/types.js';
import { POSTFIX_UNAVAILABLE, PostfixInstance } from '../helpers/postfix.js';
import { runClient } from '../helpers/run-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({ auth: ['relayer:Relay-pass-1'] });
});
after(async () => {
  await sandbox.stop();
});

/** The record of the next session to close whose transcript names `recipient` in a RCPT. */
function sessionFor(recipient: string, timeoutMs = 30_000): Promise<SessionRecord> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`No session for ${recipient} closed within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = sandbox.bus.subscribe('session.closed', ({ session }) => {
      sandbox.store.getSession(session.id).then((record) => {
        if (record?.transcript.some((line) => line.dir === 'C' && line.text.includes(`<${recipient}>`))) {
          clearTimeout(timer);
          unsubscribe();
          resolve(record);
        }
      }, reject);
    });
  });
}

function clientCommands(record: SessionRecord): string[] {
  return record.transcript.filter((line) => line.dir === 'C').map((line) => line.text);
}

async function storedMessage(record: SessionRecord): Promise<Buffer> {
  const [id] = record.messageIds;
  assert.ok(id, `a message was stored: ${JSON.stringify(record.transcript)}`);
  const raw = await sandbox.store.getRawMessage(id);
  assert.ok(raw);
  return raw;
}

/** The text after the header section. */
function bodyOf(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(text.indexOf('\r\n\r\n') + 4);
}

describe('Postfix smtp client', { skip: POSTFIX_UNAVAILABLE ?? false }, () => {
  let postfix: PostfixInstance;

  before(async () => {
    postfix = await PostfixInstance.start();
    await postfix.route([
      { domain: 'chunking-relay.test', port: sandbox.port('relay'), settings: {} },
      {
        domain: 'chunking-submission.test',
        port: sandbox.port('submission'),
        settings: { smtp_tls_security_level: 'encrypt' },
        login: sandbox.auth,
      },
    ]);
  });
  after(async () => {
    await postfix?.stop();
  });

  /** Submits with Postfix's sendmail; `-i` so that a line with a single dot is text, not the end. */
  function submit(to: string, body: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = execFile(
        'sendmail',
        ['-C', postfix.configDir, '-i', '-f', 'app@sender.test', to],
        (error) => (error ? reject(error) : resolve()),
      );
      child.stdin?.end(`From: app@sender.test\nTo: ${to}\nSubject: chunked by Postfix\n\n${body}`);
    });
  }

  const body = `first line\n.\n..two dots\n.leading dot\n${'0123456789'.repeat(7)}\n`.repeat(400);

  /** The verb that carried the message text. */
  function messageVerb(record: SessionRecord): string | undefined {
    return clientCommands(record).find((command) => command === 'DATA' || command.startsWith('BDAT'));
  }

  it('relays through the relay port with CHUNKING offered; dot lines arrive unchanged', async () => {
    const session = sessionFor('someone@chunking-relay.test');
    await submit('someone@chunking-relay.test', body);
    const record = await session;
    assert.match(
      await postfix.outcome('someone@chunking-relay.test'),
      /status=sent \(250 2\.0\.0 OK: queued as /,
    );
    assert.ok(record.transcript.some((line) => line.text === '250-CHUNKING'));
    // Postfix 3.7's client: DATA although CHUNKING is offered (it has no BDAT).
    assert.equal(messageVerb(record), 'DATA');
    assert.equal(bodyOf(await storedMessage(record)), body.replaceAll('\n', '\r\n'));
    assert.deepEqual(record.diagnostics, []);
  });

  it('relays through the STARTTLS submission port after TLS and AUTH with CHUNKING offered', async () => {
    const session = sessionFor('someone@chunking-submission.test');
    await submit('someone@chunking-submission.test', 'short body\n');
    const record = await session;
    assert.match(
      await postfix.outcome('someone@chunking-submission.test'),
      /status=sent \(250 2\.0\.0 OK: queued as /,
    );
    const commands = clientCommands(record);
    const order = ['STARTTLS', 'AUTH', 'MAIL', 'DATA'].map((verb) =>
      commands.findIndex((command) => command.startsWith(verb)),
    );
    assert.ok(
      order.every((at, index) => at !== -1 && (index === 0 || at > (order[index - 1] ?? -1))),
      commands.join('\n'),
    );
    assert.equal(bodyOf(await storedMessage(record)), 'short body\r\n');
    assert.ok(!JSON.stringify(record).includes(sandbox.auth.pass), 'the password is not stored');
  });
});

describe('other clients keep using DATA', () => {
  it('nodemailer', async () => {
    const session = sessionFor('rcpt@nodemailer-data.test');
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('relay'),
      ignoreTLS: true,
    });
    await transport.sendMail({
      from: 'app@example.com',
      to: 'rcpt@nodemailer-data.test',
      subject: 'nodemailer over DATA',
      text: 'hello',
    });
    const commands = clientCommands(await session);
    assert.ok(commands.includes('DATA'));
    assert.ok(!commands.some((command) => command.startsWith('BDAT')));
  });

  it('swaks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mailport-swaks-'));
    try {
      const caFile = join(dir, 'ca.pem');
      await writeFile(caFile, sandbox.caPem);
      const session = sessionFor('rcpt@swaks-data.test');
      const output = await runClient('swaks', [
        '--server',
        `127.0.0.1:${sandbox.port('submission')}`,
        '--from',
        'swaks@example.com',
        '--to',
        'rcpt@swaks-data.test',
        '--tls',
        '--tls-ca-path',
        caFile,
        '--tls-verify',
        '--auth',
        'PLAIN',
        '--auth-user',
        sandbox.auth.user,
        '--auth-password',
        sandbox.auth.pass,
      ]);
      assert.match(output, /<~\s+250-CHUNKING/);
      assert.match(output, /<~\s+250 2\.0\.0 OK: queued as/);
      const commands = clientCommands(await session);
      assert.ok(commands.includes('DATA'));
      assert.ok(!commands.some((command) => command.startsWith('BDAT')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
