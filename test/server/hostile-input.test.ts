/**
 * Hostile bytes never crash the server and never block other sessions: garbage, overlong lines,
 * a 10,000-command pipelined burst, half-open and silent connections, TLS on the wrong port.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import type { SessionRecord } from '../../src/domain/types.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { startDnsServer, type TestDnsServer } from '../deliverability/dns-server.js';
import { plainCredentials, startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { RawSmtp } from '../helpers/smtp-dialogue.js';

let sandbox: TestSandbox;
/** Answers every lookup of the deliverability checks at once, with no record. */
let dns: TestDnsServer;

before(async () => {
  dns = await startDnsServer({});
  sandbox = await startTestSandbox({ maxConnections: '200', idleTimeout: '3s', dnsServer: dns.server });
});
after(async () => {
  await sandbox.stop();
  await dns.close();
});

async function healthySend(): Promise<void> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: sandbox.port('relay'),
    ignoreTLS: true,
  });
  const info = await transport.sendMail({
    from: 'ok@example.com',
    to: 'ok@example.com',
    subject: 'still alive',
    text: 'yes',
  });
  transport.close();
  assert.match(info.response, /^250 /);
}

describe('hostile input', () => {
  it('binary garbage gets error replies or a close, and other sessions keep working', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    assert.match((await client.reply()).join(), /^220 /);
    client.write(randomBytes(64 * 1024));
    await client.waitClosed(10_000).catch(() => client.close());
    await healthySend();
  });

  it('an overlong command line is answered once with 500 5.5.2 and not buffered', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    client.write(`EHLO ${'a'.repeat(1024 * 1024)}\r\n`);
    const reply = await client.reply();
    assert.match(reply.at(-1) ?? '', /^500 5\.5\.2 Line too long/);
    const next = await client.command('NOOP');
    assert.equal(next.code, 250, 'the session goes on after the overlong line');
    client.close();
  });

  it('answers 10,000 pipelined commands in order', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    assert.equal((await client.command('EHLO burst.test')).code, 250);
    client.write('NOOP\r\n'.repeat(10_000));
    for (let i = 0; i < 10_000; i += 1) {
      const reply = await client.reply(20_000);
      assert.match(reply[0] ?? '', /^250 /);
    }
    assert.equal((await client.command('QUIT')).code, 221);
    client.close();
  });

  it('half-open and silent connections do not block anyone', async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(sandbox.port('submissions'), '127.0.0.1', () => resolve(socket));
            socket.on('error', () => {});
          }),
      ),
    );
    for (const socket of sockets.slice(0, 25)) socket.end();
    await healthySend();
    for (const socket of sockets) socket.destroy();
  });

  for (const profile of ['relay', 'submissions'] as const) {
    it(`${profile}: a client that half-closes after QUIT gets every reply, the 250 for its message included`, async () => {
      const tlsOptions = profile === 'submissions' ? { tls: { ca: sandbox.caPem } } : {};
      const client = await RawSmtp.connect(sandbox.port(profile), tlsOptions);
      await client.reply();
      await client.command('EHLO halfclose.test');
      if (profile === 'submissions') {
        const { user, pass } = sandbox.auth;
        await client.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${pass}`).toString('base64')}`);
      }
      const sender = `half-close-${profile}@example.com`;
      client.write(
        `MAIL FROM:<${sender}>\r\nRCPT TO:<ok@example.com>\r\nDATA\r\n` +
          `From: ${sender}\r\n\r\nhi\r\n.\r\nQUIT\r\n`,
      );
      client.finishSending();
      const codes = [];
      for (let index = 0; index < 5; index += 1)
        codes.push(Number((await client.reply()).at(-1)?.slice(0, 3)));
      assert.deepEqual(codes, [250, 250, 354, 250, 221]);
      await client.waitClosed();
      assert.equal((await sandbox.store.listMessages({ q: `from:${sender}` })).total, 1);
    });
  }

  it('a command ending in a bare LF is refused, not executed', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    await client.command('EHLO lf.test');
    client.write('MAIL FROM:<a@example.com>\n');
    const reply = await client.reply();
    assert.match(reply.at(-1) ?? '', /^5\d\d 5\.5\.2 /);
    // MAIL was not executed, so RCPT is out of sequence.
    assert.equal((await client.command('RCPT TO:<b@example.com>')).code, 503);
    client.close();
  });

  it('bare LF inside DATA refuses the whole message and stores nothing', async () => {
    const before = (await sandbox.store.listMessages({ q: 'from:smuggler@example.com' })).total;
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    await client.command('EHLO smuggle.test');
    await client.command('MAIL FROM:<smuggler@example.com>');
    await client.command('RCPT TO:<victim@example.com>');
    assert.equal((await client.command('DATA')).code, 354);
    client.write('From: smuggler@example.com\r\n\r\nhello\n.\nMAIL FROM:<evil@example.com>\r\n.\r\n');
    const reply = await client.reply();
    assert.match(reply.at(-1) ?? '', /^5\d\d 5\.\d\.\d+ .*(LF|line ending)/i);
    assert.equal((await sandbox.store.listMessages({ q: 'from:smuggler@example.com' })).total, before);
    client.close();
  });

  it('an OAuth token with dates no Date can hold is refused like any other, and XOAUTH2 junk gets 501', async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const hostile = `${part({ alg: 'none' })}.${part({ exp: -1e300, nbf: 1e300, aud: [1, {}], iss: 'https://sts.windows.net/x/', scp: 7 })}.x`;
    const client = await RawSmtp.connect(sandbox.port('submissions'), { tls: { ca: sandbox.caPem } });
    await client.reply();
    await client.command('EHLO hostile.example');
    const token = Buffer.from(`user=${sandbox.auth.user}\x01auth=Bearer ${hostile}\x01\x01`).toString(
      'base64',
    );
    assert.equal((await client.command(`AUTH XOAUTH2 ${token}`)).code, 334);
    assert.equal((await client.command('')).code, 535);
    const junk = randomBytes(3000).toString('base64');
    assert.equal((await client.command(`AUTH OAUTHBEARER ${junk}`)).code, 501);
    client.close();
    await healthySend();
  });

  it('an idle client is told 421 4.4.2 and disconnected', async () => {
    const client = await RawSmtp.connect(sandbox.port('relay'));
    await client.reply();
    const reply = await client.reply(10_000);
    assert.match(reply.at(-1) ?? '', /^421 4\.4\.2/);
    await client.waitClosed();
  });
});

/** Sends `bytes` as a client's whole session (after the greeting where there is one) and returns its record. */
async function sessionRecordOf(profile: 'relay' | 'submissions', bytes: string): Promise<SessionRecord> {
  const socket = net.connect(sandbox.port(profile), '127.0.0.1');
  socket.on('error', () => {});
  socket.on('data', () => {});
  await once(socket, 'connect');
  // Other tests' sessions may close meanwhile: this one is known by its client port, read now
  // because a socket closed by the server no longer has one.
  const { localPort } = socket;
  const closed = new Promise<string>((resolve) => {
    const unsubscribe = sandbox.bus.subscribe('session.closed', ({ session }) => {
      if (session.client.port !== localPort) return;
      unsubscribe();
      resolve(session.id);
    });
  });
  // The relay greets first; the implicit-TLS port expects a ClientHello at once.
  if (profile === 'relay') await once(socket, 'data');
  socket.write(bytes);
  const record = await sandbox.store.getSession(await closed);
  socket.destroy();
  assert.ok(record);
  return record;
}

describe('credentials in malformed AUTH lines', () => {
  it('never reach the session transcript, whatever separates or ends the lines', async () => {
    const plain = plainCredentials(sandbox);
    const { user, pass } = sandbox.auth;
    const login = [user, pass].map((text) => Buffer.from(text).toString('base64'));
    const sessions = [
      ['relay', `EHLO tab.test\r\nAUTH\tPLAIN ${plain}\r\nQUIT\r\n`],
      // A client ending its lines in a bare LF: every line is refused, the SASL responses too.
      ['relay', `EHLO lf.test\nAUTH LOGIN\n${login.join('\n')}\nQUIT\r\n`],
      ['relay', `EHLO cr.test\rAUTH LOGIN\r${login.join('\r')}\r\nQUIT\r\n`],
      // Plaintext on the implicit-TLS port: only its first line is recorded.
      ['submissions', ` AUTH PLAIN ${plain}\r\n`],
      ['submissions', `AUTH PLAIN\r${plain}\r\n`],
    ] as const;
    for (const [profile, bytes] of sessions) {
      const { transcript } = await sessionRecordOf(profile, bytes);
      const client = transcript.filter((line) => line.dir === 'C').map((line) => line.text);
      for (const secret of [plain, ...login]) {
        assert.ok(
          !client.some((text) => text.includes(secret)),
          `${JSON.stringify(bytes)}: ${client.join(' | ')}`,
        );
      }
      assert.ok(
        client.some((text) => /AUTH (PLAIN|LOGIN)/.test(text)),
        'the AUTH command itself is still shown',
      );
    }
  });
});

describe('HTTP import', () => {
  it('a message from a client that resets the connection right after its request can be read back', async () => {
    const raw = 'From: reset@example.com\r\nTo: ok@example.com\r\nSubject: reset\r\n\r\nhi\r\n';
    const request =
      'POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: message/rfc822\r\n' +
      `Content-Length: ${Buffer.byteLength(raw)}\r\n\r\n${raw}`;
    const port = Number(new URL(sandbox.apiUrl).port);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(request, () => socket.resetAndDestroy());
      await once(socket, 'close');
    }
    let stored: string[] = [];
    for (let waited = 0; stored.length < 3 && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      stored = (await sandbox.store.listMessages({ q: 'from:reset@example.com' })).items.map((m) => m.id);
    }
    assert.ok(stored.length >= 3, `${stored.length} of 5 imports stored`);
    for (const id of stored) {
      const response = await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}`);
      assert.equal(response.status, 200, await response.text());
    }
  });
});

describe('messages the MIME parser refuses', () => {
  it('5,000 nested multiparts or 100,000 header fields still get a deliverability report', async () => {
    const nested = Array.from({ length: 5000 }, (_, depth) => depth);
    const bodies = {
      nested:
        nested.map((d) => `Content-Type: multipart/mixed; boundary=b${d}\r\n\r\n--b${d}\r\n`).join('') +
        'Content-Type: text/plain\r\n\r\nhi\r\n' +
        nested.map((d) => `--b${4999 - d}--\r\n`).join(''),
      headers: `${Array.from({ length: 100_000 }, (_, n) => `X-Field-${n}: v\r\n`).join('')}\r\nhi\r\n`,
    };
    for (const [name, body] of Object.entries(bodies)) {
      const client = await RawSmtp.connect(sandbox.port('relay'));
      await client.reply();
      await client.command('EHLO bomb.test');
      await client.command('MAIL FROM:<bomb@example.com>');
      await client.command('RCPT TO:<ok@example.com>');
      assert.equal((await client.command('DATA')).code, 354);
      const queued = await client.command(`From: bomb@example.com\r\nSubject: ${name}\r\n${body}.`);
      assert.equal(queued.code, 250, queued.text);
      client.close();
      const id = /queued as (\S+)/.exec(queued.text)?.[1];
      const response = await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}/checks`);
      assert.equal(response.status, 200, `${name}: ${await response.text()}`);
    }
  });
});

describe('connection limit', () => {
  it('refuses connections beyond --max-connections with 421 4.7.0', async () => {
    const limited = await startTestSandbox({ maxConnections: '2' });
    try {
      const first = await RawSmtp.connect(limited.port('relay'));
      const second = await RawSmtp.connect(limited.port('relay'));
      await first.reply();
      await second.reply();
      const third = await RawSmtp.connect(limited.port('relay'));
      assert.match((await third.reply()).at(-1) ?? '', /^421 4\.7\.0/);
      await third.waitClosed();
      first.close();
      second.close();
    } finally {
      await limited.stop();
    }
  });
});

describe('shutdown', () => {
  it('live sessions get 421 4.3.2, and their records are saved before the store closes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mailport-shutdown-'));
    try {
      const stopping = await startTestSandbox({ ephemeral: false, dataDir });
      const profiles = ['relay', 'submission', 'alternate'] as const;
      const clients = await Promise.all(profiles.map((profile) => RawSmtp.connect(stopping.port(profile))));
      for (const [index, client] of clients.entries()) {
        await client.reply();
        await client.command(`EHLO ${profiles[index]}.shutdown.test`);
      }
      await stopping.stop();
      for (const client of clients) {
        assert.match((await client.reply()).at(-1) ?? '', /^421 4\.3\.2 Server shutting down/);
        await client.waitClosed();
      }
      const store = new SqliteStore({ path: join(dataDir, 'mailport.db') });
      await store.init();
      try {
        const { items } = await store.listSessions({});
        assert.deepEqual(
          items.map((session) => session.heloName).sort(),
          profiles.map((profile) => `${profile}.shutdown.test`).sort(),
        );
      } finally {
        await store.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
