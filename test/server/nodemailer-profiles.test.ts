/**
 * nodemailer against every listener: the right settings deliver with the right envelope, TLS and
 * AUTH facts; each wrong TLS mode and a wrong password fail and leave the right diagnostic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';
import { nextClosedSession } from '../helpers/wait.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({ auth: ['team-a:s3cret-pass'] });
});
after(async () => {
  await sandbox.stop();
});

function transport(options: SMTPTransport.Options): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 5000,
    ...options,
    tls: { ca: sandbox.caPem, servername: 'localhost', ...options.tls },
  });
}

async function sendWith(
  options: SMTPTransport.Options,
  to = 'someone@example.com',
): Promise<SMTPTransport.SentMessageInfo> {
  const t = transport(options);
  try {
    return await t.sendMail({
      from: 'App <app@example.com>',
      to,
      bcc: 'hidden@example.com',
      subject: `Profile test ${options.port}`,
      text: 'Hello from the profile test.',
      html: '<p>Hello from the <b>profile</b> test.</p>',
    });
  } finally {
    t.close();
  }
}

const auth = { user: 'team-a', pass: 's3cret-pass' };

describe('right settings deliver', () => {
  it('relay (25-style): plaintext, no AUTH, inbox "default"', async () => {
    const info = await sendWith({ port: sandbox.port('relay'), secure: false, ignoreTLS: true });
    assert.match(info.response, /^250 2\.0\.0/);
    const id = /queued as (\S+)/.exec(info.response)?.[1];
    assert.ok(id);
    const message = await sandbox.store.getMessage(id);
    assert.ok(message);
    assert.equal(message.listener.profile, 'relay');
    assert.equal(message.inbox, 'default');
    assert.equal(message.tls, null);
    assert.equal(message.auth, null);
    assert.equal(message.envelope.mailFrom.address, 'app@example.com');
    assert.deepEqual(message.envelope.rcptTo.map((r) => r.address).sort(), [
      'hidden@example.com',
      'someone@example.com',
    ]);
    assert.deepEqual(
      message.parsed.bcc.map((a) => a.address),
      ['hidden@example.com'],
    );
  });

  it('relay (25-style): opportunistic STARTTLS when the client offers it', async () => {
    const info = await sendWith({ port: sandbox.port('relay'), secure: false });
    const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
    const message = await sandbox.store.getMessage(id);
    assert.equal(message?.tls?.mode, 'starttls');
  });

  for (const profile of ['submission', 'alternate'] as const) {
    it(`${profile}: STARTTLS then AUTH PLAIN, facts recorded, inbox named after the user`, async () => {
      const info = await sendWith({ port: sandbox.port(profile), secure: false, requireTLS: true, auth });
      const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
      const message = await sandbox.store.getMessage(id);
      assert.ok(message);
      assert.equal(message.listener.profile, profile);
      assert.equal(message.listener.port, sandbox.port(profile));
      assert.equal(message.tls?.mode, 'starttls');
      assert.match(message.tls?.protocol ?? '', /^TLSv1\.[23]$/);
      assert.ok(message.tls?.cipher);
      assert.deepEqual(message.auth, { user: 'team-a', mechanism: 'PLAIN' });
      assert.equal(message.inbox, 'team-a');
    });
  }

  it('submission: AUTH LOGIN works too', async () => {
    const info = await sendWith({
      port: sandbox.port('submission'),
      secure: false,
      requireTLS: true,
      auth,
      authMethod: 'LOGIN',
    });
    const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
    assert.equal((await sandbox.store.getMessage(id))?.auth?.mechanism, 'LOGIN');
  });

  it('submissions (465-style): implicit TLS from the first byte', async () => {
    const info = await sendWith({ port: sandbox.port('submissions'), secure: true, auth });
    const id = /queued as (\S+)/.exec(info.response)?.[1] ?? '';
    const message = await sandbox.store.getMessage(id);
    assert.equal(message?.tls?.mode, 'implicit');
    assert.equal(message?.listener.profile, 'submissions');
    assert.equal(message?.auth?.user, 'team-a');
  });
});

describe('wrong settings fail with the right diagnostic', () => {
  async function failWith(
    options: SMTPTransport.Options,
  ): Promise<Error & { code?: string; responseCode?: number; response?: string }> {
    try {
      await sendWith(options);
    } catch (error) {
      return error as Error;
    }
    assert.fail('the send should have failed');
  }

  it('implicit TLS (secure: true) against the 587-style port', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submission');
    const error = await failWith({ port: sandbox.port('submission'), secure: true, auth });
    assert.match(error.message, /wrong version number|packet length too long|ssl|tls/i);
    const session = await closed;
    assert.deepEqual(
      session.diagnostics.map((d) => d.code),
      ['implicit-tls-on-starttls-port'],
    );
    assert.equal(session.outcome, 'failed');
  });

  it('implicit TLS against the 2525-style port', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'alternate');
    await failWith({ port: sandbox.port('alternate'), secure: true, auth });
    assert.ok((await closed).diagnostics.some((d) => d.code === 'implicit-tls-on-starttls-port'));
  });

  it('plaintext (secure: false) against the 465-style port: the client is told why', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submissions');
    const error = await failWith({ port: sandbox.port('submissions'), secure: false, auth });
    assert.match(error.message, /implicit TLS/i, 'the plaintext reply explains the mistake');
    const session = await closed;
    assert.ok(session.diagnostics.some((d) => d.code === 'plaintext-on-implicit-tls-port'));
  });

  it('wrong password: 535 5.7.8 and auth-failed', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submission');
    const error = await failWith({
      port: sandbox.port('submission'),
      secure: false,
      requireTLS: true,
      auth: { user: 'team-a', pass: 'nope' },
    });
    assert.equal(error.responseCode, 535);
    assert.match(error.response ?? '', /^535 5\.7\.8/);
    const session = await closed;
    assert.ok(session.diagnostics.some((d) => d.code === 'auth-failed'));
  });

  it('AUTH PLAIN asking to act as another user (RFC 4616 authzid): 535 5.7.8; as oneself: 235', async () => {
    const plain = (authzid: string) =>
      Buffer.from(`${authzid}\0${auth.user}\0${auth.pass}`).toString('base64');
    for (const [authzid, code] of [
      ['postmaster', 535],
      [auth.user, 235],
      ['', 235],
    ] as const) {
      const client = await RawSmtp.connect(sandbox.port('submissions'), { tls: { ca: sandbox.caPem } });
      await client.reply();
      await client.command('EHLO client.example');
      const reply = await client.command(`AUTH PLAIN ${plain(authzid)}`);
      assert.equal(reply.code, code, `authzid ${JSON.stringify(authzid)}: ${reply.text}`);
      if (code === 535) assert.match(reply.lines[0] ?? '', /^535 5\.7\.8 /);
      client.close();
    }
  });

  it('no credentials on the 587-style port: 530 5.7.0 and mail-before-auth', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submission');
    const error = await failWith({ port: sandbox.port('submission'), secure: false, requireTLS: true });
    assert.equal(error.responseCode, 530);
    assert.match(error.response ?? '', /^530 5\.7\.0 Authentication required/);
    assert.ok((await closed).diagnostics.some((d) => d.code === 'mail-before-auth'));
  });

  it('STARTTLS switched off (ignoreTLS) on the 587-style port: 530 5.7.0 and mail-before-starttls', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submission');
    const error = await failWith({ port: sandbox.port('submission'), secure: false, ignoreTLS: true });
    assert.equal(error.responseCode, 530);
    assert.match(error.response ?? '', /^530 5\.7\.0 Must issue a STARTTLS command first/);
    assert.ok((await closed).diagnostics.some((d) => d.code === 'mail-before-starttls'));
  });

  it('a client that does not trust the sandbox CA: tls-handshake-failed with the reason', async () => {
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'submission');
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('submission'),
      secure: false,
      requireTLS: true,
      auth,
    });
    await assert.rejects(
      t.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' }),
      /self[- ]signed|unable to verify|certificate/i,
    );
    t.close();
    const session = await closed;
    const diagnostic = session.diagnostics.find((d) => d.code === 'tls-handshake-failed');
    assert.ok(diagnostic, JSON.stringify(session.diagnostics));
    assert.match(diagnostic.detail ?? '', /trust|certificate|ca/i);
  });
});
