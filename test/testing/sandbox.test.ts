/**
 * The testing kit through itself: startSandbox in-process, nodemailer with the sandbox's own
 * transport options on every listener, waits resolved by the live event stream, the message
 * helper, and timeouts that say what arrived instead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import {
  MailportSessionWaitTimeoutError,
  MailportWaitTimeoutError,
  PROFILE_NAMES,
  type ReceivedMessage,
  type Sandbox,
  startSandbox,
} from '../../src/index.js';
import { startWebhookEndpoint } from '../helpers/webhook-endpoint.js';

describe('startSandbox', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.stop());

  const send = async (profile: (typeof PROFILE_NAMES)[number], mail: SendMailOptions): Promise<void> => {
    const transport = nodemailer.createTransport(sandbox.transportOptions(profile));
    try {
      await transport.sendMail({ from: 'app@example.com', ...mail });
    } finally {
      transport.close();
    }
  };

  test('reports its ports, API, credentials and CA', async () => {
    const info = await sandbox.client.info();
    for (const profile of PROFILE_NAMES) {
      assert.equal(info.listeners.find((l) => l.profile === profile)?.port, sandbox.ports[profile]);
      assert.ok(sandbox.ports[profile] > 0);
    }
    assert.equal(sandbox.apiUrl, `http://127.0.0.1:${sandbox.ports.http}`);
    assert.deepEqual(sandbox.auth, { user: 'mailport', pass: 'mailport' });
    assert.match(sandbox.caPem, /^-----BEGIN CERTIFICATE-----/);
  });

  test('transportOptions trust the CA and set TLS and AUTH per profile', () => {
    const submission = sandbox.transportOptions('submission');
    assert.deepEqual(submission, {
      host: '127.0.0.1',
      port: sandbox.ports.submission,
      secure: false,
      requireTLS: true,
      auth: sandbox.auth,
      tls: { ca: sandbox.caPem, servername: 'localhost', minVersion: 'TLSv1.2' },
    });
    assert.equal(sandbox.transportOptions('submissions').secure, true);
    assert.equal(sandbox.transportOptions('alternate').requireTLS, true);
    const relay = sandbox.transportOptions('relay');
    assert.equal(relay.auth, undefined);
    assert.equal(relay.secure, false);
    assert.equal(relay.requireTLS, false);
    assert.ok(!('rejectUnauthorized' in relay.tls));
  });

  test('nodemailer delivers on every listener with the TLS and AUTH each profile needs', async () => {
    const expected = {
      relay: { tls: 'starttls', user: undefined },
      submissions: { tls: 'implicit', user: 'mailport' },
      submission: { tls: 'starttls', user: 'mailport' },
      alternate: { tls: 'starttls', user: 'mailport' },
    } as const;
    for (const profile of PROFILE_NAMES) {
      const to = `${profile}-listener@example.com`;
      const waiting = sandbox.client.waitForMessage({ to }, { timeout: 10_000 });
      await send(profile, { to, subject: `via ${profile}`, text: 'hello' });
      const message = await waiting;
      assert.equal(message.detail.listener.profile, profile);
      assert.equal(message.detail.tls?.mode, expected[profile].tls);
      assert.equal(message.detail.auth?.user, expected[profile].user);
    }
  });

  test('waitForMessage resolves from the live stream and exposes text, html, links, headers, attachments', async () => {
    const to = 'helper@example.com';
    const waiting = sandbox.client.waitForMessage({ to, subject: /^Reset/ }, { timeout: 10_000 });
    await send('submission', {
      to,
      subject: 'Reset your password',
      text: 'Open https://app.example.com/reset?token=abc123. Questions? mailto:help@example.com',
      html: '<p><a href="https://app.example.com/reset?token=abc123&amp;lang=en">Reset</a> <a href=\'/faq\'>FAQ</a></p>',
      headers: { 'X-Tag': 'kit-test' },
      attachments: [
        { filename: 'terms.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' },
      ],
    });
    const message: ReceivedMessage = await waiting;
    assert.equal(message.subject, 'Reset your password');
    assert.match(message.text, /token=abc123/);
    assert.match(message.html, /<a href=/);
    assert.deepEqual(message.links(), [
      'https://app.example.com/reset?token=abc123&lang=en',
      '/faq',
      'https://app.example.com/reset?token=abc123',
      'mailto:help@example.com',
    ]);
    assert.equal(message.headers.get('x-tag'), 'kit-test');
    assert.equal(message.headers.has('X-Missing'), false);
    assert.equal(message.attachments[0]?.filename, 'terms.pdf');
    assert.equal(message.attachments[0]?.contentType, 'application/pdf');
  });

  test('a message stored before the wait starts counts; predicates and q filters work', async () => {
    await send('submission', { to: 'early@example.com', subject: 'Already here', text: 'code 4711' });
    const early = await sandbox.client.waitForMessage({ to: 'early@example.com' }, { timeout: 5_000 });
    assert.equal(early.subject, 'Already here');
    const byPredicate = await sandbox.client.waitForMessage((message) => message.text.includes('code 4711'), {
      timeout: 5_000,
    });
    assert.equal(byPredicate.id, early.id);
    const byQuery = await sandbox.client.waitForMessage({ q: 'subject:already' }, { timeout: 5_000 });
    assert.equal(byQuery.id, early.id);
    // With several stored matches, the newest wins.
    await send('submission', { to: 'early@example.com', subject: 'Already here again', text: 'code 4712' });
    const newest = await sandbox.client.waitForMessage({ to: 'early@example.com' }, { timeout: 5_000 });
    assert.equal(newest.subject, 'Already here again');
  });

  test('waitForMessages(n, filter) resolves with n messages, oldest first, as they arrive', async () => {
    const to = 'batch@example.com';
    const waiting = sandbox.client.waitForMessages(3, { to }, { timeout: 10_000 });
    for (const n of [1, 2, 3]) await send('alternate', { to, subject: `batch ${n}`, text: String(n) });
    const messages = await waiting;
    assert.deepEqual(
      messages.map((message) => message.subject),
      ['batch 1', 'batch 2', 'batch 3'],
    );
    await assert.rejects(sandbox.client.waitForMessages(0, { to }), { code: 'MP_ERR_USAGE' });
  });

  test('a timeout throws MailportWaitTimeoutError listing what arrived and why it did not match', async () => {
    await send('submission', { to: 'near@example.com', subject: 'Welcome aboard', text: 'hi' });
    const started = Date.now();
    const error = await sandbox.client
      .waitForMessage({ to: 'near@example.com', subject: /reset/i }, { timeout: 300 })
      .then(
        () => assert.fail('the wait should time out'),
        (caught: unknown) => caught,
      );
    assert.ok(Date.now() - started < 5_000);
    assert.ok(error instanceof MailportWaitTimeoutError);
    assert.equal(error.count, 1);
    assert.deepEqual(error.matched, []);
    assert.ok(error.nearest.some((message) => message.subject === 'Welcome aboard'));
    assert.match(
      error.message,
      /Waited 300 ms for 1 message\(s\) matching to "near@example\.com", subject \/reset\/i; 0 matched\./,
    );
    assert.match(
      error.message,
      /"Welcome aboard" from app@example\.com to near@example\.com .*: subject "Welcome aboard" does not match \/reset\/i/,
    );
  });

  test('a timeout names the terms of q the server searched as text, first in its message', async () => {
    const error = await sandbox.client
      .waitForMessage({ q: 'subject:Welcome after:zzz' }, { timeout: 300 })
      .then(
        () => assert.fail('the wait should time out'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof MailportWaitTimeoutError);
    assert.equal(error.queryNotes.length, 1);
    assert.match(error.queryNotes[0] ?? '', /^after:zzz is not a date, so it was searched as text/);
    assert.match(error.message, /; 0 matched\.\nNote: after:zzz is not a date/);
  });

  test('waitForSession finds a failed session by its diagnostic, with the transcript', async () => {
    const transport = nodemailer.createTransport({
      ...sandbox.transportOptions('submission'),
      auth: { user: sandbox.auth.user, pass: 'wrong-password' },
    });
    const waiting = sandbox.client.waitForSession({ diagnostic: 'auth-failed' }, { timeout: 10_000 });
    await assert.rejects(transport.sendMail({ from: 'a@example.com', to: 'b@example.com', text: 'x' }), {
      code: 'EAUTH',
    });
    transport.close();
    const session = await waiting;
    assert.equal(session.listener.profile, 'submission');
    assert.ok(session.diagnostics.some((diagnostic) => diagnostic.code === 'auth-failed'));
    assert.ok(session.transcript.some((line) => line.text.startsWith('535')));

    const error = await sandbox.client
      .waitForSession({ diagnostic: 'bare-lf' }, { timeout: 200 })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof MailportSessionWaitTimeoutError);
    assert.match(error.message, /Waited 200 ms for a session with diagnostic bare-lf; none closed\./);
    assert.match(error.message, /submission port \d+ .*diagnostics: auth-failed/);
  });

  test('a wait can be aborted, and clear() empties the sandbox', async () => {
    const controller = new AbortController();
    const waiting = sandbox.client.waitForMessage({ to: 'never@example.com' }, { signal: controller.signal });
    controller.abort(new Error('test over'));
    await assert.rejects(waiting, /test over/);
    const { deleted } = await sandbox.client.clear();
    assert.ok(deleted > 0);
    assert.equal((await sandbox.client.listMessages()).total, 0);
  });
});

test('reset() empties messages and sessions and brings back the chaos rules startSandbox was given', async () => {
  const sandbox = await startSandbox({ chaos: ['rcpt:451,match=*@flaky.test,times=1'] });
  try {
    const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
    await assert.rejects(
      transport.sendMail({ from: 'app@example.com', to: 'x@flaky.test', text: 'x' }),
      (error: { responseCode?: number }) => error.responseCode === 451,
    );
    await transport.sendMail({ from: 'app@example.com', to: 'ok@example.com', text: 'x' });
    transport.close();
    // A test changed the rules meanwhile.
    await sandbox.client.setChaos(['message:554,id=bounce']);
    for (let tries = 0; tries < 100 && (await sandbox.client.listSessions()).total < 2; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal((await sandbox.client.listSessions()).total, 2);

    await sandbox.reset();
    assert.equal((await sandbox.client.listMessages()).total, 0);
    assert.equal((await sandbox.client.listSessions()).total, 0);
    assert.deepEqual(
      (await sandbox.client.getChaos()).map(({ id, stage, times, fired, remaining }) => ({
        id,
        stage,
        times,
        fired,
        remaining,
      })),
      [{ id: 'chaos-1', stage: 'rcpt', times: 1, fired: 0, remaining: 1 }],
    );
  } finally {
    await sandbox.stop();
  }
});

test('startSandbox({ webhooks }) POSTs to the app under test, as mailport serve --webhook does', async () => {
  const endpoint = await startWebhookEndpoint();
  const sandbox = await startSandbox({
    webhooks: { urls: [endpoint.url.href], events: ['message.received', 'message.deleted'], secret: 'k' },
  });
  try {
    const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
    await transport.sendMail({ from: 'app@example.com', to: 'hook@example.com', text: 'x' });
    transport.close();
    await sandbox.client.clear();
    const posts = await endpoint.waitFor(2);
    assert.deepEqual(
      posts.map((post) => post.delivery.type),
      ['message.received', 'message.deleted'],
    );
    assert.match(String(posts[0]?.headers['x-mailport-signature']), /^sha256=[0-9a-f]{64}$/);
  } finally {
    await sandbox.stop();
    await endpoint.close();
  }
});

test('startSandbox({ senderMustMatchLogin }): nodemailer sending as another address gets the 553, and the session says why', async () => {
  const sandbox = await startSandbox({
    auth: [{ user: 'app@example.com', pass: 'app-password' }],
    senderMustMatchLogin: true,
  });
  try {
    assert.equal((await sandbox.client.info()).auth.senderMustMatchLogin, true);
    const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
    await assert.rejects(
      transport.sendMail({ from: 'noreply@example.com', to: 'user@example.com', text: 'x' }),
      (error: Error & { responseCode?: number }) =>
        error.responseCode === 553 && /not owned by user app@example\.com/.test(error.message),
    );
    const session = await sandbox.client.waitForSession({ diagnostic: 'sender-not-owned' });
    assert.match(session.diagnostics[0]?.fix ?? '', /Send from the address you log in with/);
    await transport.sendMail({ from: 'App <app@example.com>', to: 'user@example.com', text: 'x' });
    transport.close();
    assert.equal((await sandbox.client.listMessages()).total, 1);
  } finally {
    await sandbox.stop();
  }
});

test('startSandbox({ httpTls }): the API answers only HTTPS, and `client` trusts the sandbox CA', async () => {
  const sandbox = await startSandbox({ httpTls: true });
  try {
    assert.match(sandbox.apiUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    const arrived = sandbox.client.waitForMessage({ subject: 'over an HTTPS API' }, { timeout: 10_000 });
    const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
    try {
      await transport.sendMail({
        from: 'app@example.com',
        to: 'alice@example.com',
        subject: 'over an HTTPS API',
      });
    } finally {
      transport.close();
    }
    assert.equal((await arrived).subject, 'over an HTTPS API');
    // The global fetch does not trust the sandbox CA: the client's own trust is what worked above.
    await assert.rejects(fetch(`${sandbox.apiUrl}/healthz`), /fetch failed/);
  } finally {
    await sandbox.stop();
  }
});

test("an application's OAuth 2.0 login: the auth pass is the token the sandbox takes", async () => {
  const sandbox = await startSandbox({ auth: [{ user: 'app@example.com', pass: 'access-token-1' }] });
  try {
    const { auth: _password, ...options } = sandbox.transportOptions('submission');
    const transport = nodemailer.createTransport({
      ...options,
      auth: { type: 'OAuth2', user: 'app@example.com', accessToken: 'access-token-1' },
    });
    const waiting = sandbox.client.waitForMessage({ to: 'oauth@example.com' }, { timeout: 10_000 });
    await transport.sendMail({ from: 'app@example.com', to: 'oauth@example.com', text: 'x' });
    await assert.rejects(
      nodemailer
        .createTransport({
          ...options,
          auth: { type: 'OAuth2', user: 'app@example.com', accessToken: 'stale' },
        })
        .sendMail({ from: 'app@example.com', to: 'oauth@example.com', text: 'x' }),
      (error: { responseCode?: number }) => error.responseCode === 535,
    );
    transport.close();
    assert.deepEqual((await waiting).detail.auth, { user: 'app@example.com', mechanism: 'XOAUTH2' });
  } finally {
    await sandbox.stop();
  }
});

test('oauthTokenLifetimeSeconds: tokens from the sandbox token endpoint run out when it says', async () => {
  const sandbox = await startSandbox({ oauthTokenLifetimeSeconds: 1 });
  try {
    const { tokenUrl, tokenLifetimeSeconds } = sandbox.info.auth.oauth;
    assert.equal(tokenLifetimeSeconds, 1);
    const response = await fetch(tokenUrl ?? '', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'mailport', client_id: 'app' }),
    });
    const { access_token: accessToken, expires_in: expiresIn } = (await response.json()) as {
      access_token: string;
      expires_in: number;
    };
    assert.equal(expiresIn, 1);
    const { auth: _password, ...options } = sandbox.transportOptions('submission');
    const send = () =>
      nodemailer
        .createTransport({ ...options, auth: { type: 'OAuth2', user: 'mailport', accessToken } })
        .sendMail({ from: 'app@example.com', to: 'lifetime@example.com', text: 'x' });
    assert.match((await send()).response, /^250 /);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await assert.rejects(send(), (error: { response?: string }) =>
      /the token expired at/.test(error.response ?? ''),
    );
  } finally {
    await sandbox.stop();
  }
});
