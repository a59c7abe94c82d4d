/**
 * Release end to end: a sandbox configured with `--release-*` sends captured mail to a second,
 * real sandbox (the "upstream") over its submission port with STARTTLS, AUTH and its CA, through
 * the HTTP API and the typed client. Covers the bytes that arrive, the allow rule, the default
 * without an allow-list, release not configured, an upstream that refuses or is not there, the
 * `message.released` event (event stream and webhook), and that the password appears in no answer
 * and no log line.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { type RunningMailport, startMailport } from '../../src/app/mailport.js';
import { MailportApiError, MailportClient, type MailportEvent } from '../../src/client/api-client.js';
import { type RawServeOptions, resolveServeConfig } from '../../src/config/serve-config.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { type Sandbox, startSandbox } from '../../src/testing/sandbox.js';
import { closedPortUrl } from '../cli/cli-runner.js';
import { startWebhookEndpoint } from '../helpers/webhook-endpoint.js';
import { createTlsFixtures, startTestSmtpServer } from '../smtp-client/test-servers.js';

const UPSTREAM_USER = 'relay-user';
const UPSTREAM_PASS = 'Upstream-Secret-7f3a9c';
const PASS_ENV = 'MAILPORT_TEST_RELEASE_PASS';

/** Everything a credential could leak into: API answers and the releasing server's log. */
const seen: string[] = [];

interface Releasing {
  running: RunningMailport;
  client: MailportClient;
  url: string;
  /** Sends one message to the relay port; resolves with its id. */
  capture(mail: Mail.Options): Promise<string>;
}

async function startReleasing(raw: RawServeOptions): Promise<Releasing> {
  const config = resolveServeConfig(
    {
      relayPort: '0',
      submissionsPort: 'off',
      submissionPort: 'off',
      altPort: 'off',
      httpPort: '0',
      ephemeral: true,
      ...raw,
    },
    null,
    { [PASS_ENV]: UPSTREAM_PASS },
  );
  const logger = createLogger('debug', 'json', (line) => seen.push(line));
  const running = await startMailport(config, logger);
  const info = running.info();
  const relay = info.listeners[0];
  assert.ok(relay);
  return {
    running,
    url: info.http.url,
    client: new MailportClient(info.http.url, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        seen.push(await response.clone().text());
        return response;
      },
    }),
    async capture(mail) {
      const transport = nodemailer.createTransport({
        host: relay.host,
        port: relay.port,
        secure: false,
        ignoreTLS: true,
      });
      try {
        const { messageId } = await transport.sendMail(mail);
        for (let tries = 0; tries < 50; tries++) {
          const page = await running.store.listMessages({});
          const found = page.items.find((item) => item.subject === mail.subject);
          if (found) return found.id;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        throw new Error(`${messageId} was not stored`);
      } finally {
        transport.close();
      }
    },
  };
}

function upstreamOptions(upstream: Sandbox, caPath: string): RawServeOptions {
  return {
    releaseServer: `127.0.0.1:${upstream.ports.submission}`,
    releaseUser: UPSTREAM_USER,
    releasePassEnv: PASS_ENV,
    releaseCa: caPath,
  };
}

async function problemOf(promise: Promise<unknown>): Promise<MailportApiError> {
  const error = await promise.then(
    () => assert.fail('the release should have failed'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof MailportApiError, String(error));
  assert.ok(error.problem, 'a problem document');
  return error;
}

let upstream: Sandbox;
let allowing: Releasing;
let open: Releasing;
let caPath: string;

before(async () => {
  upstream = await startSandbox({
    auth: [{ user: UPSTREAM_USER, pass: UPSTREAM_PASS }],
    chaos: ['rcpt:550,match=*@refused.example'],
  });
  caPath = `${upstream.info.storage.dataDir}/upstream-ca.pem`;
  await writeFile(caPath, upstream.caPem);
  allowing = await startReleasing({
    ...upstreamOptions(upstream, caPath),
    releaseAllow: ['*@example.com,*@refused.example'],
  });
  open = await startReleasing(upstreamOptions(upstream, caPath));
});

after(async () => {
  await allowing?.running.stop();
  await open?.running.stop();
  await upstream?.stop();
});

describe('POST /api/v1/messages/{id}/release', () => {
  it('sends the captured bytes unchanged to the upstream over STARTTLS + AUTH, with the original MAIL FROM', async () => {
    const id = await allowing.capture({
      from: 'App <app@shop.example>',
      envelope: { from: 'bounces@shop.example', to: ['alice@example.com'] },
      to: 'alice@example.com',
      subject: 'Release me',
      text: 'Hello from the sandbox.\n.leading dot survives\n',
      messageId: '<release-1@shop.example>',
    });
    const result = await allowing.client.release(id);
    assert.equal(result.server, '127.0.0.1');
    assert.equal(result.port, upstream.ports.submission);
    assert.deepEqual(result.tls, { mode: 'starttls', protocol: 'TLSv1.3' });
    assert.equal(result.from, 'bounces@shop.example');
    assert.deepEqual(result.to, ['alice@example.com']);
    assert.match(result.reply, /^250 2\.0\.0 /);

    const arrived = await upstream.client.waitForMessage({ subject: 'Release me' }, { timeout: 10_000 });
    assert.equal(arrived.headers.get('message-id'), '<release-1@shop.example>');
    assert.deepEqual(await upstream.client.getRaw(arrived.id), await allowing.client.getRaw(id));
    const detail = await upstream.client.getMessage(arrived.id);
    assert.equal(detail.envelope.mailFrom.address, 'bounces@shop.example');
    assert.equal(detail.auth?.user, UPSTREAM_USER);
    assert.equal(detail.tls?.mode, 'starttls');
  });

  it('records each successful release on the message, oldest first, and not a failed one', async () => {
    const id = await allowing.capture({
      from: 'app@shop.example',
      to: 'ada@example.com',
      subject: 'Recorded release',
      text: 'x',
    });
    assert.deepEqual((await allowing.client.getMessage(id)).releases, []);
    const started = Date.now();
    const first = await allowing.client.release(id);
    await problemOf(allowing.client.release(id, { to: ['gone@refused.example'] }));
    const second = await allowing.client.release(id, { to: ['qa@example.com', 'ada@example.com'] });
    const { releases } = await allowing.client.getMessage(id);
    const server = `127.0.0.1:${upstream.ports.submission}`;
    assert.deepEqual(
      releases.map(({ to, server, reply }) => ({ to, server, reply })),
      [
        { to: ['ada@example.com'], server, reply: first.reply },
        { to: ['qa@example.com', 'ada@example.com'], server, reply: second.reply },
      ],
    );
    for (const release of releases) {
      const at = Date.parse(release.at);
      assert.ok(at >= started - 1000 && at <= Date.now(), release.at);
      assert.equal(release.at, new Date(at).toISOString());
    }
    assert.notEqual(first.reply, second.reply, 'each record keeps its own reply (the queue id)');
    const listed = (await allowing.client.listMessages({ q: 'subject:"Recorded release"' })).items[0];
    assert.ok(listed && !('releases' in listed), 'the list leaves releases to the detail');
  });

  it('announces each recorded release once as message.released, on the event stream and to a webhook that asks for it', async () => {
    const webhook = await startWebhookEndpoint();
    const announcing = await startReleasing({
      ...upstreamOptions(upstream, caPath),
      releaseAllow: ['*@example.com,*@refused.example'],
      webhook: [webhook.url.href],
      webhookEvents: 'message.released',
    });
    const controller = new AbortController();
    try {
      const id = await announcing.capture({
        from: 'app@shop.example',
        to: 'ada@example.com',
        subject: 'Announced release',
        text: 'x',
      });
      // Its own client: the recording one reads every answer to the end, which a stream never has.
      // The capture's session.closed may still come in: only releases are counted.
      const events: MailportEvent[] = [];
      let opened = (): void => {};
      const open = new Promise<void>((resolve) => {
        opened = resolve;
      });
      const streaming = new MailportClient(announcing.url).subscribe(
        (event) => {
          if (event.type !== 'message.released') return;
          events.push(event);
          if (events.length === 2) controller.abort();
        },
        // A missing event fails the assertions below rather than hanging the test.
        { signal: AbortSignal.any([controller.signal, AbortSignal.timeout(10_000)]), onOpen: () => opened() },
      );
      await open;
      const first = await announcing.client.release(id);
      await problemOf(announcing.client.release(id, { to: ['gone@refused.example'] }));
      const second = await announcing.client.release(id, { to: ['qa@example.com'] });
      await streaming;

      const { releases } = await announcing.client.getMessage(id);
      assert.deepEqual(
        releases.map((release) => release.reply),
        [first.reply, second.reply],
      );
      // The refusal came between the two: an event for it would have been the second.
      const expected = releases.map((release) => ({ id, release }));
      assert.deepEqual(
        events.map((event) => event.data),
        expected,
      );
      assert.ok(Number(events[1]?.id) > Number(events[0]?.id), 'events carry increasing ids');

      const posts = await webhook.waitFor(2);
      assert.deepEqual(
        posts.map(({ headers, delivery }) => [headers['x-mailport-event'], delivery.type, delivery.data]),
        expected.map((data) => ['message.released', 'message.released', data]),
      );
      assert.equal(posts.length, 2, 'message.received was not asked for, and a refusal is no release');
    } finally {
      controller.abort();
      await announcing.running.stop();
      await webhook.close();
    }
  });

  it('a release the store cannot record still answers 200, as the upstream has it, and logs why', async () => {
    const unrecorded = await startReleasing({
      ...upstreamOptions(upstream, caPath),
      releaseAllow: ['*@example.com'],
    });
    try {
      const id = await unrecorded.capture({
        from: 'app@shop.example',
        to: 'ada@example.com',
        subject: 'Unrecorded release',
        text: 'x',
      });
      // Between the capture and the release, the store starts refusing to record releases.
      const db = new Database(join(unrecorded.running.info().storage.dataDir ?? '', 'mailport.db'));
      db.exec(`CREATE TRIGGER refuse_releases BEFORE INSERT ON message_releases
        BEGIN SELECT RAISE(ABORT, 'the disk is full'); END`);
      db.close();
      const announced: string[] = [];
      const stopListening = unrecorded.running.bus.subscribe('message.released', (event) =>
        announced.push(event.id),
      );
      const result = await unrecorded.client.release(id);
      stopListening();
      assert.match(result.reply, /^250 2\.0\.0 /, 'a failure would invite a second release');
      assert.deepEqual(announced, [], 'no message.released for a release the message does not show');
      await upstream.client.waitForMessage({ subject: 'Unrecorded release' }, { timeout: 10_000 });
      assert.ok(
        seen.some(
          (line) =>
            line.includes('"msg":"Released message, but could not record the release"') && line.includes(id),
        ),
        'the missing record is logged',
      );
      assert.deepEqual((await unrecorded.client.getMessage(id)).releases, []);
    } finally {
      await unrecorded.running.stop();
    }
  });

  it('GET /api/v1/info says where releases go, never with the user or password', async () => {
    const { release } = await allowing.client.info();
    assert.deepEqual(release, {
      server: `127.0.0.1:${upstream.ports.submission}`,
      tls: 'auto',
      from: null,
      allow: ['*@example.com', '*@refused.example'],
    });
    assert.equal((await upstream.client.info()).release, null);
  });

  it('refuses recipients outside --release-allow, naming them and the rule, and sends nothing', async () => {
    const id = await allowing.capture({
      from: 'app@shop.example',
      to: 'bob@customer.example',
      subject: 'Customer mail',
      text: 'x',
    });
    const before = (await upstream.client.listMessages({ q: 'subject:"Customer mail"' })).total;

    const byDefault = await problemOf(allowing.client.release(id));
    assert.equal(byDefault.status, 403);
    assert.equal(byDefault.problem?.type, 'urn:mailport:problem:release-recipient-not-allowed');
    assert.match(
      byDefault.problem?.detail ?? '',
      /Not allowed by --release-allow \*@example\.com, \*@refused\.example: bob@customer\.example/,
    );
    assert.deepEqual(byDefault.problem?.recipients, ['bob@customer.example']);
    assert.match(String(byDefault.problem?.fix), /Name the allowed recipients explicitly/);

    const mixed = await problemOf(
      allowing.client.release(id, { to: ['qa@example.com', 'ceo@customer.example'] }),
    );
    assert.equal(mixed.status, 403);
    assert.deepEqual(mixed.problem?.recipients, ['ceo@customer.example']);

    const named = await allowing.client.release(id, { to: ['QA@Example.COM'] });
    assert.deepEqual(named.to, ['QA@Example.COM'], 'globs match case-insensitively');
    await upstream.client.waitForMessage({ subject: 'Customer mail' }, { timeout: 10_000 });
    assert.equal((await upstream.client.listMessages({ q: 'subject:"Customer mail"' })).total, before + 1);
  });

  it('without --release-allow there is no default: only the recipients the request names', async () => {
    const id = await open.capture({
      from: 'app@shop.example',
      to: 'someone@customer.example',
      subject: 'Open release',
      text: 'x',
    });
    const missing = await problemOf(open.client.release(id));
    assert.equal(missing.status, 422);
    assert.equal(missing.problem?.type, 'urn:mailport:problem:release-recipients-required');
    assert.match(String(missing.problem?.fix), /--release-allow/);

    const result = await open.client.release(id, { to: ['tester@anywhere.example'] });
    assert.deepEqual(result.to, ['tester@anywhere.example']);
    const arrived = await upstream.client.waitForMessage({ subject: 'Open release' }, { timeout: 10_000 });
    const detail = await upstream.client.getMessage(arrived.id);
    assert.deepEqual(
      detail.envelope.rcptTo.map((recipient) => recipient.address),
      ['tester@anywhere.example'],
      'never the message’s own recipient',
    );
  });

  it('releases to an internationalized address with SMTPUTF8 (RFC 6531), an ASCII sender notwithstanding', async () => {
    const id = await open.capture({
      from: 'app@shop.example',
      to: 'x@example.com',
      subject: 'IDN release',
      text: 'x',
    });
    const result = await open.client.release(id, { to: ['jörg@bücher.example'] });
    assert.deepEqual(result.to, ['jörg@bücher.example']);
    const arrived = await upstream.client.waitForMessage({ subject: 'IDN release' }, { timeout: 10_000 });
    const detail = await upstream.client.getMessage(arrived.id);
    assert.deepEqual(
      detail.envelope.rcptTo.map((recipient) => recipient.address),
      ['jörg@bücher.example'],
    );
    assert.equal(detail.envelope.mailFrom.params.SMTPUTF8, true);
  });

  it('an upstream without 8BITMIME or SMTPUTF8 is sent nothing it cannot carry: a 502 that says why', async () => {
    const fixtures = await createTlsFixtures();
    const old = await startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.valid,
      tlsRequired: true,
      authRequired: true,
      credentials: { user: UPSTREAM_USER, pass: UPSTREAM_PASS },
      withoutExtensions: ['8BITMIME', 'SMTPUTF8'],
    });
    const oldCa = `${upstream.info.storage.dataDir}/old-upstream-ca.pem`;
    await writeFile(oldCa, fixtures.ca.certPem);
    let releasing: Releasing | undefined;
    try {
      releasing = await startReleasing({
        releaseServer: `127.0.0.1:${old.port}`,
        releaseUser: UPSTREAM_USER,
        releasePassEnv: PASS_ENV,
        releaseCa: oldCa,
        releaseAllow: ['*@*'],
      });
      const eightBit = await releasing.capture({
        envelope: { from: 'app@shop.example', to: ['bob@example.com'] },
        subject: '8-bit body', // what capture() finds it by; the raw message below is what is sent
        raw: 'From: app@shop.example\r\nTo: bob@example.com\r\nSubject: 8-bit body\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nPrix : 12 \u20ac\r\n',
      });
      const refused = await problemOf(releasing.client.release(eightBit));
      assert.equal(refused.status, 502);
      assert.match(String(refused.problem?.detail), /8-bit bytes .* does not offer 8BITMIME/);
      assert.equal(refused.problem?.cause, 'non-ascii-not-supported');
      assert.match(String(refused.problem?.fix), /quoted-printable/);
      const transcript = refused.problem?.transcript;
      assert.ok(Array.isArray(transcript) && transcript.length > 0, 'the transcript is reported');
      assert.ok(!transcript.some((line) => String(line).startsWith('C: MAIL')), 'no MAIL FROM went out');

      const ascii = await releasing.capture({
        from: 'app@shop.example',
        to: 'bob@example.com',
        subject: 'ASCII',
        text: 'x',
      });
      const international = await problemOf(
        releasing.client.release(ascii, { to: ['j\u00f6rg@b\u00fccher.example'] }),
      );
      assert.match(
        String(international.problem?.detail),
        /is not ASCII and the server does not offer SMTPUTF8/,
      );
      assert.equal(old.messages.length, 0, 'nothing reached the upstream');

      await releasing.client.release(ascii);
      assert.equal(old.messages.length, 1, 'a 7-bit message to an ASCII address still goes');
    } finally {
      await releasing?.running.stop();
      await old.close();
    }
  });

  it('a recipient that is not an address is a 400 naming it; an empty body asks for the default', async () => {
    const id = await open.capture({
      from: 'app@shop.example',
      to: 'x@example.com',
      subject: 'Bad address',
      text: 'x',
    });
    const bad = await problemOf(open.client.release(id, { to: ['Tester <t@example.com>'] }));
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.problem?.recipients, ['Tester <t@example.com>']);
    const empty = await fetch(`${open.url}/api/v1/messages/${id}/release`, { method: 'POST' });
    assert.equal(empty.status, 422, 'no body is the default, which needs --release-allow here');
  });

  it('an upstream refusal is a 502 with the explain cause, the fix, the reply and a redacted transcript', async () => {
    const id = await allowing.capture({
      from: 'app@shop.example',
      to: 'gone@refused.example',
      subject: 'Refused',
      text: 'x',
    });
    const refused = await problemOf(allowing.client.release(id));
    assert.equal(refused.status, 502);
    const problem = refused.problem ?? assert.fail();
    assert.equal(problem.type, 'urn:mailport:problem:release-upstream-failed');
    assert.equal(problem.cause, 'recipient-unknown');
    assert.match(String(problem.fix), /recipient address/);
    assert.match(String(problem.reply), /^550 5\.1\.1 /);
    assert.equal(problem.maybeDelivered, false);
    assert.ok((problem.transcript as string[]).includes('C: AUTH PLAIN [redacted]'));
    assert.equal(refused.hint, problem.fix, 'the client error says what to do');
  });

  it('an upstream that is not there is a 502 with cause connection-refused', async () => {
    const port = new URL(await closedPortUrl()).port;
    const nowhere = await startReleasing({
      releaseServer: `127.0.0.1:${port}`,
      releaseAllow: ['*@example.com'],
    });
    try {
      const id = await nowhere.capture({
        from: 'a@shop.example',
        to: 'b@example.com',
        subject: 'Nowhere',
        text: 'x',
      });
      const failed = await problemOf(nowhere.client.release(id));
      assert.equal(failed.status, 502);
      assert.equal(failed.problem?.cause, 'connection-refused');
      const attempts = failed.problem?.attempts as { port: number; tls: string; error: string }[];
      assert.deepEqual(
        attempts.map((attempt) => [attempt.port, attempt.tls]),
        [[Number(port), 'starttls']],
      );
      assert.match(attempts[0]?.error ?? '', /ECONNREFUSED|refused/i);
    } finally {
      await nowhere.running.stop();
    }
  });

  it('--release-from replaces the envelope sender', async () => {
    const from = await startReleasing({
      ...upstreamOptions(upstream, caPath),
      releaseFrom: 'release@qa.example',
      releaseAllow: ['*@example.com'],
    });
    try {
      const id = await from.capture({
        from: 'app@shop.example',
        to: 'carol@example.com',
        subject: 'Overridden sender',
        text: 'x',
      });
      assert.equal((await from.client.release(id)).from, 'release@qa.example');
      const arrived = await upstream.client.waitForMessage(
        { subject: 'Overridden sender' },
        { timeout: 10_000 },
      );
      assert.equal(
        (await upstream.client.getMessage(arrived.id)).envelope.mailFrom.address,
        'release@qa.example',
      );
    } finally {
      await from.running.stop();
    }
  });

  it('release not configured: 409 with what to do; an unknown message: 404', async () => {
    const id = (await upstream.client.listMessages({})).items[0]?.id ?? assert.fail('upstream has mail');
    const off = await problemOf(upstream.client.release(id, { to: ['a@example.com'] }));
    assert.equal(off.status, 409);
    assert.equal(off.problem?.type, 'urn:mailport:problem:release-not-configured');
    assert.match(String(off.problem?.fix), /--release-server HOST\[:PORT\]/);
    const unknown = await problemOf(allowing.client.release('no-such-message'));
    assert.equal(unknown.status, 404);
  });

  it('the password is in no answer and no log line, and each release is logged', () => {
    const plain = Buffer.from(`\0${UPSTREAM_USER}\0${UPSTREAM_PASS}`).toString('base64');
    for (const text of seen) {
      assert.ok(!text.includes(UPSTREAM_PASS), `password in: ${text}`);
      assert.ok(!text.includes(plain), `AUTH PLAIN token in: ${text}`);
    }
    const logged = seen.filter((line) => line.includes('"msg":"Released message"'));
    assert.ok(logged.length >= 3, seen.join('\n'));
    assert.match(logged[0] ?? '', /"server":"127\.0\.0\.1:\d+".*"to":"alice@example\.com"/);
    assert.ok(
      seen.some(
        (line) => line.includes('"msg":"Release failed"') && line.includes('"cause":"recipient-unknown"'),
      ),
    );
  });
});

describe('startSandbox({ release })', () => {
  it('starts a releasing sandbox from the testing kit alone, as --release-* would', async () => {
    const sandbox = await startSandbox({
      release: {
        server: `127.0.0.1:${upstream.ports.submission}`,
        tls: 'starttls',
        user: UPSTREAM_USER,
        pass: UPSTREAM_PASS,
        ca: caPath,
        from: 'kit@qa.example',
        allow: ['*@example.com'],
      },
    });
    try {
      assert.deepEqual(sandbox.info.release, {
        server: `127.0.0.1:${upstream.ports.submission}`,
        tls: 'starttls',
        from: 'kit@qa.example',
        allow: ['*@example.com'],
      });
      const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
      await transport.sendMail({
        from: 'app@shop.example',
        to: 'kit@example.com',
        subject: 'Kit release',
        text: 'x',
      });
      transport.close();
      const captured = await sandbox.client.waitForMessage({ subject: 'Kit release' });
      const result = await sandbox.client.release(captured.id);
      assert.deepEqual(result.to, ['kit@example.com']);
      assert.equal(result.from, 'kit@qa.example');
      const arrived = await upstream.client.waitForMessage({ subject: 'Kit release' }, { timeout: 10_000 });
      assert.equal((await upstream.client.getMessage(arrived.id)).auth?.user, UPSTREAM_USER);
      const [record] = (await sandbox.client.getMessage(captured.id)).releases;
      assert.equal(record?.reply, result.reply);
      assert.equal(
        process.env.MAILPORT_SANDBOX_RELEASE_PASS,
        undefined,
        'the password stays out of process.env',
      );
    } finally {
      await sandbox.stop();
    }
  });

  it('checks the options as mailport serve checks its flags', async () => {
    await assert.rejects(
      startSandbox({ release: { server: 'smtp.example.com', allow: ['example.com'] } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /--release-allow "example\.com" matches no address/.test(error.message),
    );
    await assert.rejects(
      startSandbox({ release: { server: 'smtp.example.com', user: 'qa' } }),
      (error: unknown) => error instanceof ConfigError && /without --release-pass-env/.test(error.message),
    );
    await assert.rejects(
      startSandbox({ release: { server: 'smtp.example.com', tls: 'none', user: 'qa', pass: 'p' } }),
      (error: unknown) => error instanceof ConfigError && /in cleartext/.test(error.message),
    );
  });
});
