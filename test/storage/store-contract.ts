/**
 * The Store contract: every adapter must pass this same suite (see sqlite-store.test.ts and
 * postgres-store.test.ts). It speaks only through the Store interface.
 */
import assert from 'node:assert/strict';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { newId } from '../../src/domain/ids.js';
import type {
  Diagnostic,
  DiagnosticCode,
  MessageRelease,
  MessageSummary,
  SessionOutcome,
  SessionRecord,
} from '../../src/domain/types.js';
import { MailportError } from '../../src/errors.js';
import { parseMessage } from '../../src/mime/parse-message.js';
import type { NewMessage, Page, Store } from '../../src/storage/store.js';
import { fixtureMessage, messageOf, readFixture } from './message-factory.js';

export interface StoreHarness {
  /** A new, initialised, empty store. */
  create(): Promise<Store>;
  /** Closes the store and removes what it created. */
  destroy(store: Store): Promise<void>;
  /** Runs once after the whole suite. */
  finish(): Promise<void>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Corpus {
  invoice: NewMessage;
  report: NewMessage;
  newsletter: NewMessage;
  german: NewMessage;
  reset: NewMessage;
  /** Newest first, as lists return them. */
  all: NewMessage[];
  now: Date;
}

/** Five realistic messages, received 10 days to 2 hours ago on different listeners and inboxes. */
async function buildCorpus(): Promise<Corpus> {
  const now = new Date();
  const ago = (ms: number): Date => new Date(now.getTime() - ms);
  const invoice = await fixtureMessage('alternative', {
    mailFrom: 'bounce@shop.example',
    rcptTo: ['bob@customer.example', 'accounts@customer.example'],
    inbox: 'team-a',
    profile: 'submission',
    port: 1587,
    receivedAt: ago(10 * DAY),
    tls: { mode: 'starttls', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', servername: 'localhost' },
    auth: { user: 'team-a', mechanism: 'PLAIN' },
  });
  const report = await fixtureMessage('attachments', {
    mailFrom: 'reports@analytics.example',
    rcptTo: ['finance@company.example'],
    receivedAt: ago(8 * DAY),
  });
  const newsletter = await fixtureMessage('inline-image', {
    mailFrom: 'news@brand.example',
    rcptTo: ['reader@inbox.example'],
    inbox: 'team-a',
    profile: 'submissions',
    port: 1465,
    receivedAt: ago(6 * DAY),
  });
  const german = await fixtureMessage('rfc2047', {
    mailFrom: 'joerg@beispiel.example',
    rcptTo: ['elodie@exemple.example'],
    receivedAt: ago(4 * DAY),
  });
  const reset = await fixtureMessage('bcc', {
    mailFrom: 'app@dev.example',
    rcptTo: ['primary@users.example', 'hidden@users.example'],
    inbox: 'team-b',
    profile: 'alternate',
    port: 2525,
    receivedAt: ago(2 * HOUR),
  });
  return {
    invoice,
    report,
    newsletter,
    german,
    reset,
    all: [reset, german, newsletter, report, invoice],
    now,
  };
}

export function session(overrides: Partial<SessionRecord> & { id: string }): SessionRecord {
  return {
    listener: { profile: 'submission', port: 1587 },
    client: { address: '127.0.0.1', port: 40_000 },
    startedAt: new Date().toISOString(),
    endedAt: null,
    heloName: 'client.example.test',
    tls: null,
    auth: null,
    messageIds: [],
    outcome: 'disconnected',
    lastError: null,
    diagnostics: [],
    transcript: [
      { t: 0, dir: 'S', text: '220 localhost ESMTP Mailport' },
      { t: 3, dir: 'C', text: 'EHLO client.example.test' },
    ],
    ...overrides,
  };
}

function diagnostic(code: DiagnosticCode): Diagnostic {
  return { code, message: `The client did something (${code}).`, fix: 'Change the client settings.', t: 5 };
}

const idsOf = (items: { id: string }[]): string[] => items.map((item) => item.id);

export function storeContract(engine: string, harness: StoreHarness): void {
  describe(`Store contract: ${engine}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await harness.create();
    });
    afterEach(async () => {
      await harness.destroy(store);
    });
    after(async () => {
      await harness.finish();
    });

    it('names its engine and can run init again on an existing schema', async () => {
      assert.equal(store.engine, engine);
      await store.init();
      const message = await fixtureMessage('bcc');
      await store.addMessages([message]);
      await store.init();
      assert.equal((await store.listMessages({})).total, 1);
    });

    it('stores a message with every fact and returns it in full', async () => {
      const { invoice } = await buildCorpus();
      await store.addMessages([invoice]);
      const detail = await store.getMessage(invoice.id);
      assert.ok(detail);
      const { incoming } = invoice;
      assert.equal(detail.id, invoice.id);
      assert.equal(detail.inbox, 'team-a');
      assert.equal(detail.receivedAt, incoming.receivedAt.toISOString());
      assert.equal(detail.size, incoming.raw.length);
      assert.equal(detail.subject, 'Your invoice #1042 is ready');
      assert.deepEqual(detail.from, [{ name: 'Acme Billing', address: 'billing@shop.example' }]);
      assert.deepEqual(detail.to, [{ name: 'Bob Buyer', address: 'bob@customer.example' }]);
      assert.equal(detail.envelopeFrom, 'bounce@shop.example');
      assert.deepEqual(detail.envelopeTo, ['bob@customer.example', 'accounts@customer.example']);
      assert.deepEqual(detail.listener, { profile: 'submission', port: 1587 });
      assert.equal(detail.attachmentCount, 0);
      assert.match(detail.snippet, /^Hello Bob, Your invoice #1042 for 49\.99 EUR is ready\./);
      assert.equal(detail.read, false);
      assert.equal(detail.sessionId, incoming.sessionId);
      assert.deepEqual(detail.envelope, incoming.envelope);
      assert.deepEqual(detail.client, incoming.client);
      assert.equal(detail.heloName, incoming.heloName);
      assert.deepEqual(detail.tls, incoming.tls);
      assert.deepEqual(detail.auth, { user: 'team-a', mechanism: 'PLAIN' });
      // Opening a message parses its stored bytes in full.
      assert.deepEqual(detail.parsed, await parseMessage(invoice.incoming.raw, invoice.incoming.envelope));
    });

    it('returns the raw bytes exactly as received, and null for unknown ids', async () => {
      const message = await fixtureMessage('rfc2047');
      await store.addMessages([message]);
      const raw = await store.getRawMessage(message.id);
      assert.ok(raw);
      assert.ok(raw.equals(readFixture('rfc2047')));
      assert.equal((await store.getReceivedAt(message.id))?.getTime(), message.incoming.receivedAt.getTime());
      const unknown = newId();
      assert.equal(await store.getRawMessage(unknown), null);
      assert.equal(await store.getReceivedAt(unknown), null);
      assert.equal(await store.getMessage(unknown), null);
    });

    it('keeps a message of several MiB byte for byte, and deletes all of it', async () => {
      const attachment = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < attachment.length; i++) attachment[i] = (i * 7919) % 251;
      const raw = Buffer.from(
        [
          'From: a@example.test',
          'To: b@example.test',
          'Subject: Large report',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
          '',
          '--b',
          'Content-Type: text/plain',
          '',
          'The report is attached.',
          '--b',
          'Content-Type: application/octet-stream; name="report.bin"',
          'Content-Transfer-Encoding: base64',
          '',
          ...(attachment.toString('base64').match(/.{1,76}/g) ?? []),
          '--b--',
          '',
        ].join('\r\n'),
      );
      const large = messageOf(raw);
      await store.addMessages([large]);
      assert.ok((await store.getRawMessage(large.id))?.equals(raw));
      const detail = await store.getMessage(large.id);
      assert.equal(detail?.parsed.attachments[0]?.size, attachment.length);
      assert.equal((await store.stats()).messageBytes, raw.length);
      assert.equal(await store.deleteMessage(large.id), true);
      assert.equal(await store.getRawMessage(large.id), null);
      assert.equal((await store.stats()).messageBytes, 0);
    });

    it('lists newest first with summaries, totals and cursor paging', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const first = await store.listMessages({ limit: 2 });
      assert.deepEqual(idsOf(first.items), idsOf(corpus.all.slice(0, 2)));
      assert.equal(first.total, 5);
      assert.ok(first.nextCursor);
      const second = await store.listMessages({ limit: 2, cursor: first.nextCursor });
      assert.deepEqual(idsOf(second.items), idsOf(corpus.all.slice(2, 4)));
      assert.equal(second.total, 5);
      assert.ok(second.nextCursor);
      const third = await store.listMessages({ limit: 2, cursor: second.nextCursor });
      assert.deepEqual(idsOf(third.items), idsOf(corpus.all.slice(4)));
      assert.equal(third.nextCursor, null);

      const summary = first.items[0];
      assert.ok(summary);
      assert.equal('parsed' in summary, false, 'summaries leave the parsed body out');
      assert.equal(summary.subject, 'Password reset requested');
      assert.deepEqual(summary.envelopeTo, ['primary@users.example', 'hidden@users.example']);
      assert.deepEqual(summary.listener, { profile: 'alternate', port: 2525 });
    });

    it('pages a filtered list and stops exactly at its end', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const first = await store.listMessages({ q: 'inbox:team-a', limit: 1 });
      assert.deepEqual(idsOf(first.items), [corpus.newsletter.id]);
      assert.equal(first.total, 2);
      const second = await store.listMessages({
        q: 'inbox:team-a',
        limit: 1,
        cursor: first.nextCursor ?? '',
      });
      assert.deepEqual(idsOf(second.items), [corpus.invoice.id]);
      assert.equal(second.nextCursor, null);
    });

    it('pages a full-text search newest first', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const result: Page<MessageSummary> = await store.listMessages({
          q: 'example',
          limit: 2,
          cursor: cursor ?? '',
        });
        assert.equal(result.total, 5);
        seen.push(...idsOf(result.items));
        cursor = result.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, idsOf(corpus.all));
    });

    it('clamps the page size and defaults to 50', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      assert.equal((await store.listMessages({ limit: 0 })).items.length, 1);
      assert.equal((await store.listMessages({ limit: -5 })).items.length, 1);
      assert.equal((await store.listMessages({})).items.length, 5);
      assert.equal((await store.listMessages({ limit: 100_000 })).items.length, 5);
    });

    it('rejects a cursor it did not issue with MP_ERR_USAGE', async () => {
      await assert.rejects(
        store.listMessages({ cursor: 'not-a-cursor' }),
        (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_USAGE',
      );
      await assert.rejects(
        store.listSessions({ cursor: 'bm9wZQ' }),
        (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_USAGE',
      );
    });

    describe('q search', () => {
      let corpus: Corpus;
      beforeEach(async () => {
        corpus = await buildCorpus();
        await store.addMessages(corpus.all);
      });

      const day = (days: number): string => new Date(corpus.now.getTime() - days * DAY).toISOString();
      const expectations: [string, (c: Corpus) => NewMessage[]][] = [
        ['', (c) => c.all],
        ['   ', (c) => c.all],
        ['invoice', (c) => [c.invoice]],
        ['INVOICE', (c) => [c.invoice]],
        ['invo', (c) => [c.invoice]],
        ['"invoice 1042"', (c) => [c.invoice]],
        ['"1042 invoice"', () => []],
        ['invoice acme', (c) => [c.invoice]],
        ['invoice brand', () => []],
        ['köln', (c) => [c.german]],
        ['koln', (c) => [c.german]],
        ['passwort', (c) => [c.german]],
        ['joerg', (c) => [c.german]],
        ['hidden', (c) => [c.reset]],
        ['771234', (c) => [c.reset]],
        ['-invoice', (c) => c.all.filter((m) => m !== c.invoice)],
        ['from:shop.example', (c) => [c.invoice]],
        ['from:"Acme Billing"', (c) => [c.invoice]],
        ['from:bounce@shop', (c) => [c.invoice]],
        ['FROM:BILLING@SHOP.EXAMPLE', (c) => [c.invoice]],
        ['from:jörg', (c) => [c.german]],
        ['from:jorg', (c) => [c.german]],
        ['from:lling', () => []],
        ['from:"billing shop"', (c) => [c.invoice]],
        ['from:"shop billing"', () => []],
        ['from:invoice', () => []],
        ['to:"bob buyer"', (c) => [c.invoice]],
        ['to:shop.example', () => []],
        ['subject:"invoice #1042"', (c) => [c.invoice]],
        ['subject:"invoice 1042"', (c) => [c.invoice]],
        ['subject:#', (c) => [c.invoice]],
        ['-subject:#', (c) => c.all.filter((m) => m !== c.invoice)],
        ['subject:@', () => []],
        ['subject:bob', () => []],
        ['-from:shop.example', (c) => c.all.filter((m) => m !== c.invoice)],
        ['to:hidden@users.example', (c) => [c.reset]],
        ['to:customer.example', (c) => [c.invoice]],
        ['to:élodie', (c) => [c.german]],
        ['subject:"password reset"', (c) => [c.reset]],
        ['subject:report', (c) => [c.report]],
        ['subject:grüße', (c) => [c.german]],
        ['port:1587', (c) => [c.invoice]],
        ['port:2525', (c) => [c.reset]],
        ['-port:1025', (c) => [c.reset, c.newsletter, c.invoice]],
        ['profile:submissions', (c) => [c.newsletter]],
        ['inbox:team-a', (c) => [c.newsletter, c.invoice]],
        ['inbox:team', () => []],
        ['-inbox:default', (c) => [c.reset, c.newsletter, c.invoice]],
        ['has:attachment', (c) => [c.newsletter, c.report]],
        ['-has:attachment', (c) => [c.reset, c.german, c.invoice]],
        ['after:1d', (c) => [c.reset]],
        ['after:5d', (c) => [c.reset, c.german]],
        ['before:7d', (c) => [c.report, c.invoice]],
        ['-after:5d', (c) => [c.newsletter, c.report, c.invoice]],
        ['after:1h', () => []],
        ['inbox:team-a has:attachment', (c) => [c.newsletter]],
        ['invoice from:shop.example port:1587 inbox:team-a', (c) => [c.invoice]],
        ['port:abc', () => []],
        ['invoice -acme', () => []],
        ['invoice -brand', (c) => [c.invoice]],
        ['-invoice -quarterly', (c) => [c.reset, c.german, c.newsletter]],
        ['-invoice inbox:team-a', (c) => [c.newsletter]],
        ['welcome -from:shop.example', (c) => [c.newsletter]],
        ['welcome -from:brand', () => []],
        ['"invoice 1042" has:attachment', () => []],
        ['example -to:customer -is:read', (c) => [c.reset, c.german, c.newsletter, c.report]],
      ];
      // One test for all of them: they only read, and a store per query (a writer thread each)
      // made this the slowest part of the suite.
      it('answers each q with exactly the messages it matches', async () => {
        for (const [q, expected] of expectations) {
          const want = idsOf(expected(corpus));
          const page = await store.listMessages({ q });
          assert.deepEqual(idsOf(page.items), want, `q=${JSON.stringify(q)}`);
          assert.equal(page.total, want.length, `q=${JSON.stringify(q)}: total`);
        }
      });

      it('filters by absolute ISO dates and YYYY-MM-DD', async () => {
        const window = await store.listMessages({ q: `after:${day(7)} before:${day(3)}` });
        assert.deepEqual(idsOf(window.items), [corpus.german.id, corpus.newsletter.id]);
        const tomorrow = new Date(corpus.now.getTime() + DAY).toISOString().slice(0, 10);
        assert.equal((await store.listMessages({ q: `before:${tomorrow}` })).total, 5);
        assert.equal((await store.listMessages({ q: `after:${tomorrow}` })).total, 0);
      });

      it('filters on read state set with setRead', async () => {
        assert.equal(await store.setRead(corpus.report.id, true), true);
        assert.deepEqual(idsOf((await store.listMessages({ q: 'is:read' })).items), [corpus.report.id]);
        assert.equal((await store.listMessages({ q: 'is:unread' })).total, 4);
        assert.equal((await store.listMessages({ q: '-is:read' })).total, 4);
        assert.equal((await store.getMessage(corpus.report.id))?.read, true);
        assert.equal(await store.setRead(corpus.report.id, false), true);
        assert.equal((await store.listMessages({ q: 'is:read' })).total, 0);
        assert.equal(await store.setRead(newId(), true), false);
      });
    });

    it('deletes one message, its search entries and its bytes', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      assert.equal(await store.deleteMessage(corpus.invoice.id), true);
      assert.equal(await store.deleteMessage(corpus.invoice.id), false);
      assert.equal(await store.getMessage(corpus.invoice.id), null);
      assert.equal(await store.getRawMessage(corpus.invoice.id), null);
      assert.equal((await store.listMessages({ q: 'invoice' })).total, 0);
      assert.equal((await store.listMessages({})).total, 4);
    });

    describe('releases', () => {
      const first: MessageRelease = {
        at: '2026-12-06T14:02:00.000Z',
        to: ['ada@example.com'],
        server: 'smtp.example:587',
        reply: '250 2.0.0 Ok: queued as ABC',
      };
      const second: MessageRelease = {
        at: '2026-12-06T14:05:30.250Z',
        to: ['qa@example.com', 'jörg@bücher.example'],
        server: '[2001:db8::25]:465',
        reply: '250 OK id=1x2y3z',
      };

      it('records each release on its message, oldest first; none on the others, nor in the list', async () => {
        const corpus = await buildCorpus();
        await store.addMessages(corpus.all);
        assert.deepEqual((await store.getMessage(corpus.invoice.id))?.releases, []);
        assert.equal(await store.addRelease(corpus.invoice.id, first), true);
        assert.equal(await store.addRelease(corpus.invoice.id, second), true);
        assert.deepEqual((await store.getMessage(corpus.invoice.id))?.releases, [first, second]);
        assert.deepEqual((await store.getMessage(corpus.report.id))?.releases, []);
        assert.equal(await store.addRelease(newId(), first), false);
        const listed = (await store.listMessages({})).items.find((item) => item.id === corpus.invoice.id);
        assert.ok(listed && !('releases' in listed), 'the list leaves releases to the detail');
      });

      it('deletes the releases of every message it deletes, one by one, by q and by pruning', async () => {
        const corpus = await buildCorpus();
        await store.addMessages(corpus.all);
        for (const message of corpus.all) await store.addRelease(message.id, first);
        await store.deleteMessage(corpus.invoice.id);
        await store.deleteMessages('inbox:team-a');
        await store.pruneMessages(1);
        assert.deepEqual((await store.getMessage(corpus.reset.id))?.releases, [first]);
        // The same ids stored again start with no releases: nothing of the deleted ones is left.
        const again = corpus.all.filter((message) => message !== corpus.reset);
        await store.addMessages(again);
        for (const message of again) assert.deepEqual((await store.getMessage(message.id))?.releases, []);
      });
    });

    it('deletes the messages matching q and returns their ids', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const deleted = await store.deleteMessages('inbox:team-a');
      assert.deepEqual(deleted.sort(), [corpus.invoice.id, corpus.newsletter.id].sort());
      const left = await store.listMessages({});
      assert.deepEqual(idsOf(left.items), [corpus.reset.id, corpus.german.id, corpus.report.id]);
      assert.equal(left.total, 3);
      assert.deepEqual(await store.deleteMessages('no-such-word-anywhere'), []);
      const byWords = await store.deleteMessages('example -password');
      assert.deepEqual(byWords.sort(), [corpus.german.id, corpus.report.id].sort());
      assert.deepEqual(idsOf((await store.listMessages({ q: 'example' })).items), [corpus.reset.id]);
      assert.equal((await store.listMessages({ q: 'quarterly' })).total, 0);
      assert.deepEqual(await store.deleteMessages('-password'), []);
    });

    it('deletes every message when q is empty or missing', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const deleted = await store.deleteMessages();
      assert.deepEqual(deleted.sort(), idsOf(corpus.all).sort());
      assert.deepEqual(await store.listMessages({}), { items: [], total: 0, nextCursor: null });
      assert.equal((await store.listMessages({ q: 'invoice' })).total, 0);
      await store.addMessages([await fixtureMessage('bcc')]);
      assert.equal((await store.deleteMessages('')).length, 1);
      const stats = await store.stats();
      assert.equal(stats.messages, 0);
      assert.equal(stats.messageBytes, 0);
    });

    it('prunes to the newest N messages and returns the ids removed', async () => {
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      const pruned = await store.pruneMessages(2);
      assert.deepEqual(pruned.sort(), [corpus.newsletter.id, corpus.report.id, corpus.invoice.id].sort());
      assert.deepEqual(idsOf((await store.listMessages({})).items), [corpus.reset.id, corpus.german.id]);
      assert.deepEqual(await store.pruneMessages(2), []);
      assert.deepEqual(await store.pruneMessages(10), []);
      assert.equal((await store.pruneMessages(0)).length, 2);
      assert.equal((await store.stats()).messages, 0);
    });

    it('commits a batch in one transaction: all of it, or none when any message fails', async () => {
      const corpus = await buildCorpus();
      await store.addMessages([corpus.invoice]);
      const duplicate = { ...corpus.invoice };
      await assert.rejects(
        store.addMessages([corpus.report, corpus.german, duplicate]),
        (error: unknown) => error instanceof MailportError && error.code === 'MP_ERR_STORAGE',
      );
      const afterFailure = await store.listMessages({});
      assert.deepEqual(idsOf(afterFailure.items), [corpus.invoice.id]);
      assert.equal((await store.listMessages({ q: 'quarterly' })).total, 0);
      assert.equal((await store.stats()).messages, 1);

      await store.addMessages([corpus.report, corpus.german, corpus.newsletter]);
      assert.equal((await store.listMessages({})).total, 4);
      await store.addMessages([]);
      assert.equal((await store.stats()).messages, 4);
    });

    it('stores attachment metadata with the parsed message, not the attachment bytes twice', async () => {
      const corpus = await buildCorpus();
      await store.addMessages([corpus.report, corpus.newsletter]);
      const report = await store.getMessage(corpus.report.id);
      assert.deepEqual(
        report?.parsed.attachments.map((a) => [a.index, a.filename, a.contentType, a.inline]),
        [
          [0, 'q3-report.pdf', 'application/pdf', false],
          [1, 'orders.csv', 'text/csv', false],
        ],
      );
      assert.equal(report?.attachmentCount, 2);
      const newsletter = await store.getMessage(corpus.newsletter.id);
      assert.equal(newsletter?.parsed.attachments[0]?.contentId, 'logo.png@brand.example');
      assert.equal(newsletter?.parsed.attachments[0]?.inline, true);
    });

    describe('sessions', () => {
      const outcomes: SessionOutcome[] = [
        'delivered',
        'quit',
        'failed',
        'disconnected',
        'timeout',
        'rejected',
      ];

      it('inserts, then replaces a session saved again when it closes', async () => {
        const id = newId();
        await store.saveSession(session({ id }));
        const closed = session({
          id,
          endedAt: new Date().toISOString(),
          outcome: 'failed',
          lastError: '530 5.7.0 Must issue a STARTTLS command first',
          diagnostics: [diagnostic('mail-before-starttls')],
          transcript: [
            { t: 0, dir: 'S', text: '220 localhost ESMTP Mailport' },
            { t: 2, dir: 'C', text: 'MAIL FROM:<a@example.test>' },
            { t: 2, dir: 'S', text: '530 5.7.0 Must issue a STARTTLS command first' },
          ],
        });
        await store.saveSession(closed);
        assert.deepEqual(await store.getSession(id), closed);
        const list = await store.listSessions({});
        assert.equal(list.total, 1);
        assert.equal((await store.stats()).sessions, 1);
        const { transcript: _transcript, ...summary } = closed;
        assert.deepEqual(list.items, [summary]);
        assert.equal(await store.getSession(newId()), null);
      });

      it('filters by diagnostic code and by problems, with totals and paging', async () => {
        const clean = session({ id: newId(), outcome: 'delivered', messageIds: [newId()] });
        const quit = session({ id: newId(), outcome: 'quit' });
        const tlsWrong = session({
          id: newId(),
          outcome: 'disconnected',
          diagnostics: [diagnostic('implicit-tls-on-starttls-port')],
        });
        const authFailed = session({
          id: newId(),
          outcome: 'failed',
          diagnostics: [
            diagnostic('auth-failed'),
            diagnostic('auth-failed'),
            diagnostic('auth-before-starttls'),
          ],
        });
        const timedOut = session({ id: newId(), outcome: 'timeout' });
        for (const record of [clean, quit, tlsWrong, authFailed, timedOut]) await store.saveSession(record);

        const all = await store.listSessions({});
        assert.deepEqual(idsOf(all.items), idsOf([timedOut, authFailed, tlsWrong, quit, clean]));
        assert.equal(all.total, 5);
        assert.equal('transcript' in (all.items[0] ?? {}), false);

        const failedAuth = await store.listSessions({ diagnostic: 'auth-failed' });
        assert.deepEqual(idsOf(failedAuth.items), [authFailed.id]);
        assert.equal(failedAuth.total, 1);
        assert.deepEqual(idsOf((await store.listSessions({ diagnostic: 'auth-before-starttls' })).items), [
          authFailed.id,
        ]);
        assert.equal((await store.listSessions({ diagnostic: 'bare-lf' })).total, 0);

        const problems = await store.listSessions({ problems: true, limit: 2 });
        assert.deepEqual(idsOf(problems.items), idsOf([timedOut, authFailed]));
        assert.equal(problems.total, 3);
        const rest = await store.listSessions({
          problems: true,
          limit: 2,
          cursor: problems.nextCursor ?? '',
        });
        assert.deepEqual(idsOf(rest.items), [tlsWrong.id]);
        assert.equal(rest.nextCursor, null);

        const both = await store.listSessions({
          problems: true,
          diagnostic: 'implicit-tls-on-starttls-port',
        });
        assert.deepEqual(idsOf(both.items), [tlsWrong.id]);
      });

      it('leaves out of `problems` a session chaos rules failed on purpose, and keeps its `chaos` field', async () => {
        const onPurpose = session({
          id: newId(),
          outcome: 'failed',
          lastError:
            '451 4.3.0 Temporary failure injected on purpose by Mailport chaos rule chaos-1 (stage rcpt)',
          chaos: { rules: ['chaos-1'], failedOnPurpose: true },
        });
        const alsoTheClient = session({
          id: newId(),
          outcome: 'failed',
          lastError: '502 5.5.1 Command not implemented',
          chaos: { rules: ['chaos-1'], failedOnPurpose: false },
        });
        for (const record of [onPurpose, alsoTheClient]) await store.saveSession(record);
        const problems = await store.listSessions({ problems: true });
        assert.deepEqual(idsOf(problems.items), [alsoTheClient.id]);
        assert.equal(problems.total, 1);
        const { transcript: _transcript, ...summary } = onPurpose;
        assert.deepEqual(
          (await store.listSessions({})).items.find((item) => item.id === onPurpose.id),
          summary,
        );
      });

      it('lists the sessions chaos rules fired in, and follows a session saved again', async () => {
        const quiet = session({ id: newId(), outcome: 'quit' });
        const delayed = session({
          id: newId(),
          outcome: 'delivered',
          chaos: { rules: ['slow'], failedOnPurpose: false },
        });
        const refused = session({
          id: newId(),
          outcome: 'failed',
          chaos: { rules: ['bounce'], failedOnPurpose: true },
        });
        for (const record of [quiet, delayed, refused]) await store.saveSession(record);
        const fired = await store.listSessions({ chaos: true, limit: 1 });
        assert.deepEqual(idsOf(fired.items), [refused.id]);
        assert.equal(fired.total, 2);
        const next = await store.listSessions({ chaos: true, cursor: fired.nextCursor ?? '' });
        assert.deepEqual(idsOf(next.items), [delayed.id]);
        assert.equal((await store.listSessions({ chaos: true, problems: true })).total, 0);

        // A session is saved again as it goes on: the filter follows its latest summary.
        await store.saveSession(
          session({ id: quiet.id, outcome: 'quit', chaos: { rules: ['late'], failedOnPurpose: false } }),
        );
        await store.saveSession(session({ id: delayed.id, outcome: 'delivered' }));
        assert.deepEqual(idsOf((await store.listSessions({ chaos: true })).items), [refused.id, quiet.id]);
      });

      it('drops a diagnostic from the filter when the session is saved again without it', async () => {
        const id = newId();
        await store.saveSession(session({ id, diagnostics: [diagnostic('bare-lf')] }));
        assert.equal((await store.listSessions({ diagnostic: 'bare-lf' })).total, 1);
        await store.saveSession(session({ id, outcome: 'quit' }));
        assert.equal((await store.listSessions({ diagnostic: 'bare-lf' })).total, 0);
        assert.equal((await store.listSessions({ problems: true })).total, 0);
      });

      it('deletes one session, every session, or all but the newest, with its diagnostics and counts', async () => {
        const records = Array.from({ length: 5 }, (_, index) =>
          session({
            id: newId(),
            outcome: 'failed',
            diagnostics: [diagnostic(index % 2 ? 'bare-lf' : 'auth-failed')],
          }),
        );
        for (const record of records) await store.saveSession(record);
        const [first, second, third, fourth, fifth] = idsOf(records);

        assert.equal(await store.deleteSession(second ?? ''), true);
        assert.equal(await store.deleteSession(second ?? ''), false);
        assert.equal(await store.getSession(second ?? ''), null);
        assert.equal(
          (await store.listSessions({ diagnostic: 'bare-lf' })).total,
          1,
          'its diagnostics went with it',
        );

        assert.deepEqual((await store.pruneSessions(2)).sort(), [first, third].sort());
        assert.deepEqual(idsOf((await store.listSessions({})).items), [fifth, fourth]);
        assert.deepEqual(await store.pruneSessions(2), []);
        assert.equal((await store.stats()).sessions, 2);

        assert.deepEqual((await store.deleteSessions()).sort(), [fourth, fifth].sort());
        assert.equal((await store.listSessions({ problems: true })).total, 0);
        assert.equal((await store.stats()).sessions, 0);
        assert.deepEqual(await store.deleteSessions(), []);
      });

      it('keeps every outcome as saved', async () => {
        for (const outcome of outcomes) await store.saveSession(session({ id: newId(), outcome }));
        const listed = await store.listSessions({ limit: 500 });
        assert.deepEqual(listed.items.map((item) => item.outcome).reverse(), outcomes);
      });
    });

    it('reports counts, bytes and on-disk size', async () => {
      const empty = await store.stats();
      assert.deepEqual(
        { ...empty, storeBytes: 0 },
        { messages: 0, sessions: 0, messageBytes: 0, storeBytes: 0 },
      );
      const corpus = await buildCorpus();
      await store.addMessages(corpus.all);
      await store.saveSession(session({ id: newId() }));
      const stats = await store.stats();
      assert.equal(stats.messages, 5);
      assert.equal(stats.sessions, 1);
      assert.equal(
        stats.messageBytes,
        corpus.all.reduce((sum, message) => sum + message.incoming.raw.length, 0),
      );
      assert.ok(stats.storeBytes > 0, 'storeBytes is measured');
      await store.deleteMessage(corpus.report.id);
      assert.equal(
        (await store.stats()).messageBytes,
        stats.messageBytes - corpus.report.incoming.raw.length,
      );
    });
  });
}
