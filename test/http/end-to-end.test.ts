/**
 * The whole path through the real sandbox: nodemailer submits over the 587-style port (STARTTLS +
 * AUTH), and the API reports it live (event stream), to a long-poll, and in the session list; a
 * failed session shows up with its diagnostic.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { MailportClient, type MailportEvent } from '../../src/client/api-client.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

describe('API over a running sandbox', () => {
  let sandbox: TestSandbox;
  let client: MailportClient;

  before(async () => {
    sandbox = await startTestSandbox();
    client = new MailportClient(sandbox.apiUrl);
  });
  after(() => sandbox.stop());

  const submit = (to: string, pass: string) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sandbox.port('submission'),
      secure: false,
      requireTLS: true,
      auth: { user: sandbox.auth.user, pass },
      tls: { ca: sandbox.caPem, servername: 'localhost' },
    });
    return transport
      .sendMail({ from: 'app@example.com', to, subject: 'Password reset', text: 'Your code is 123456.' })
      .finally(() => transport.close());
  };

  test('a submitted message reaches the event stream, the long-poll and the message routes', async () => {
    assert.equal(
      (await client.info()).listeners.find((listener) => listener.profile === 'submission')?.port,
      sandbox.port('submission'),
    );
    const controller = new AbortController();
    const events: MailportEvent[] = [];
    let opened!: () => void;
    const open = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const streaming = client.subscribe(
      (event) => {
        events.push(event);
        if (event.type === 'session.closed' && event.data.session.messageIds.length > 0) controller.abort();
      },
      { signal: controller.signal, onOpen: () => opened() },
    );
    await open;

    const waiting = client.waitForMessages({ q: 'to:reset-e2e@example.com', timeoutMs: 20_000 });
    await submit('reset-e2e@example.com', sandbox.auth.pass);
    const { items } = await waiting;
    const id = items[0]?.id;
    assert.ok(id);
    await streaming;

    const received = events.find((event) => event.type === 'message.received');
    assert.ok(received?.type === 'message.received' && received.data.message.id === id);
    const closed = events.find((event) => event.type === 'session.closed');
    assert.ok(closed?.type === 'session.closed');
    assert.deepEqual(closed.data.session.messageIds, [id]);

    const message = await client.getMessage(id);
    assert.equal(message.tls?.mode, 'starttls');
    assert.equal(message.auth?.user, sandbox.auth.user);
    assert.match(await client.getText(id), /Your code is 123456\./);
    const session = await client.getSession(message.sessionId);
    assert.ok(session.transcript.some((line) => line.dir === 'C' && /^STARTTLS/i.test(line.text)));
  });

  test('a wrong password is listed as a problem session with the auth-failed diagnostic', async () => {
    const closed = nextClosedSession(sandbox.bus, (session) =>
      session.diagnostics.some((diagnostic) => diagnostic.code === 'auth-failed'),
    );
    await assert.rejects(submit('nobody@example.com', 'wrong-password'), /535/);
    const { id } = await closed;
    const { items } = await client.listSessions({ diagnostic: 'auth-failed', problems: true });
    assert.ok(items.some((summary) => summary.id === id));
    const session = await client.getSession(id);
    assert.equal(session.diagnostics[0]?.code, 'auth-failed');
    assert.ok(session.diagnostics[0]?.fix);
  });
});
