/**
 * MailportClient against the real API: every operation, typed errors, the long-poll wait and the
 * event subscription.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  MailportApiError,
  MailportClient,
  type MailportEvent,
  MailportNetworkError,
  MailportWaitTimeoutError,
} from '../../src/client/api-client.js';
import { MailportError } from '../../src/errors.js';
import { closedPort } from '../smtp-client/test-servers.js';
import { type ApiHarness, failedSession, startApiHarness } from './harness.js';

describe('MailportClient', () => {
  let harness: ApiHarness;
  let client: MailportClient;
  let id: string;

  before(async () => {
    harness = await startApiHarness();
    client = new MailportClient(`${harness.url}/`);
    id = await harness.deliver({
      from: 'alice@example.com',
      to: 'bob@example.com',
      subject: 'Client test',
      text: 'Plain body',
      html: '<b>HTML body</b>',
      attachments: [{ filename: 'notes.txt', content: 'attached notes' }],
    });
  });
  after(() => harness.close());

  test('reads info, messages and every representation of a message', async () => {
    assert.equal(client.baseUrl, harness.url);
    assert.equal((await client.info()).version, '0.0.0-test');
    const page = await client.listMessages({ q: 'subject:client', limit: 10 });
    assert.deepEqual(
      page.items.map((message) => message.id),
      [id],
    );
    const message = await client.getMessage(id);
    assert.equal(message.parsed.subject, 'Client test');
    assert.deepEqual(await client.getRaw(id), await harness.store.getRawMessage(id));
    assert.equal(await client.getHtml(id), '<b>HTML body</b>');
    assert.equal((await client.getText(id)).trim(), 'Plain body');
    assert.ok((await client.getHeaders(id)).some((header) => header.name === 'Subject'));
    const attachment = await client.getAttachment(id, 0);
    assert.equal(attachment.filename, 'notes.txt');
    assert.match(attachment.contentType, /^text\/plain/);
    assert.equal(attachment.content.toString(), 'attached notes');
  });

  test('marks read, imports, deletes and clears', async () => {
    await client.markRead(id);
    assert.equal((await client.getMessage(id)).read, true);
    await client.markRead(id, false);
    assert.equal((await client.getMessage(id)).read, false);

    const imported = await client.importMessage('Subject: Imported\r\nTo: x@example.com\r\n\r\nHi\r\n', {
      inbox: 'imports',
      mailFrom: 'sender@example.com',
      rcptTo: ['one@example.com', 'two@example.com'],
    });
    const detail = await client.getMessage(imported.id);
    assert.equal(detail.inbox, 'imports');
    assert.equal(detail.envelopeFrom, 'sender@example.com');
    assert.deepEqual(detail.envelopeTo, ['one@example.com', 'two@example.com']);

    await client.deleteMessage(imported.id);
    await assert.rejects(client.getMessage(imported.id), (error: unknown) => {
      assert.ok(error instanceof MailportApiError);
      assert.equal(error.status, 404);
      return true;
    });
    const other = await client.importMessage(Buffer.from('Subject: Other\r\n\r\nx\r\n'));
    assert.deepEqual(await client.clear('subject:other'), { deleted: 1, ids: [other.id] });
    assert.ok(await client.getMessage(id));
  });

  test('lists sessions with filters and reads one', async () => {
    const session = failedSession();
    await harness.store.saveSession(session);
    assert.deepEqual(
      (await client.listSessions({ diagnostic: 'mail-before-starttls', problems: true })).items.map(
        (s) => s.id,
      ),
      [session.id],
    );
    assert.equal((await client.listSessions({ diagnostic: 'bare-lf' })).total, 0);
    assert.deepEqual(await client.getSession(session.id), session);
  });

  test('API errors carry method, URL, status and the problem details', async () => {
    const error = await client.getSession('no-such-session').catch((caught: unknown) => caught);
    assert.ok(error instanceof MailportApiError);
    assert.ok(error instanceof MailportError);
    assert.equal(error.code, 'MP_ERR_API');
    assert.equal(error.method, 'GET');
    assert.equal(error.url, `${harness.url}/api/v1/sessions/no-such-session`);
    assert.equal(error.status, 404);
    assert.equal(error.problem?.type, 'urn:mailport:problem:not-found');
    assert.match(error.message, /^GET .* failed with 404: No session with id no-such-session/);
    assert.match(error.hint ?? '', /mailport sessions list/);
  });

  test('an unreachable API is a MailportNetworkError that keeps the cause and says what to do', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await new MailportClient(url).listMessages().catch((caught: unknown) => caught);
    assert.ok(error instanceof MailportNetworkError);
    assert.equal(error.code, 'MP_ERR_API_UNREACHABLE');
    assert.ok(error.cause instanceof Error);
    assert.match(error.message, new RegExp(`Cannot reach the Mailport API at ${url} \\(ECONNREFUSED\\)`));
    assert.match(error.message, /is `mailport serve` running there\?/);
    assert.match(error.hint ?? '', /npx mailport serve.*--api URL/);
  });

  test('rejects a base URL that is not http(s)', () => {
    assert.throws(() => new MailportClient('ftp://example.com'), { code: 'MP_ERR_USAGE' });
    assert.throws(() => new MailportClient('not a url'), { code: 'MP_ERR_USAGE' });
  });

  test('waitForMessages resolves on arrival and throws MailportWaitTimeoutError with the nearest messages', async () => {
    const waiting = client.waitForMessages({ q: 'to:waiter@example.com', timeoutMs: 30_000 });
    await new Promise<void>((resolve) => harness.app.server.once('request', () => resolve()));
    const arrived = await harness.deliver({
      from: 'a@example.com',
      to: 'waiter@example.com',
      subject: 'Awaited',
      text: 'x',
    });
    const result = await waiting;
    assert.deepEqual(
      result.items.map((message) => message.id),
      [arrived],
    );

    const error = await client
      .waitForMessages({ q: 'to:nobody@example.com', count: 2, timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    assert.ok(error instanceof MailportWaitTimeoutError);
    assert.equal(error.status, 408);
    assert.equal(error.count, 2);
    assert.deepEqual(error.matched, []);
    assert.equal(error.nearest[0]?.id, arrived);
    assert.match(
      error.message,
      /Newest messages:\n {2}- "Awaited" from a@example\.com to waiter@example\.com/,
    );
    assert.deepEqual(error.queryNotes, []);

    const mistyped = await client
      .waitForMessages({ q: 'to:waiter@example.com after:yesterday', timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    assert.ok(mistyped instanceof MailportWaitTimeoutError);
    assert.equal(mistyped.queryNotes.length, 1);
    assert.match(mistyped.queryNotes[0] ?? '', /^after:yesterday is not a date, so it was searched as text/);
    assert.match(mistyped.message, /\nNote: after:yesterday is not a date, .*\nNewest messages:/);
  });

  test('subscribe streams typed events until the signal aborts', async () => {
    const controller = new AbortController();
    const events: MailportEvent[] = [];
    let delivered: string | undefined;
    const done = client.subscribe(
      (event) => {
        events.push(event);
        if (event.type === 'message.deleted') controller.abort();
      },
      {
        signal: controller.signal,
        onOpen: () => {
          void (async () => {
            delivered = await harness.deliver({
              from: 'a@example.com',
              to: 'b@example.com',
              subject: 'Event',
              text: 'x',
            });
            await client.deleteMessage(delivered);
          })();
        },
      },
    );
    await done;
    assert.deepEqual(
      events.map((event) => event.type),
      ['message.received', 'message.deleted'],
    );
    const [received, deleted] = events;
    assert.ok(received?.type === 'message.received' && received.data.message.id === delivered);
    assert.ok(deleted?.type === 'message.deleted' && deleted.data.ids[0] === delivered);
    assert.match(received.id ?? '', /^\d+$/);
  });

  test('subscribe rejects with MailportNetworkError when the API is unreachable', async () => {
    const unreachable = new MailportClient(`http://127.0.0.1:${await closedPort()}`);
    await assert.rejects(
      unreachable.subscribe(() => undefined, { signal: new AbortController().signal }),
      MailportNetworkError,
    );
  });
});
