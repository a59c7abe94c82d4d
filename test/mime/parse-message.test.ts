import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getAttachment, parseByHand, parseMessage } from '../../src/mime/parse-message.js';
import { plainText, snippet } from '../../src/mime/snippet.js';
import { envelopeOf, readFixture } from '../storage/message-factory.js';

const plainEnvelope = envelopeOf('sender@example.test', []);

describe('parseMessage', () => {
  it('reads multipart/alternative: both bodies, addresses, ids and the date', async () => {
    const parsed = await parseMessage(
      readFixture('alternative'),
      envelopeOf('bounce@shop.example', ['bob@customer.example', 'accounts@customer.example']),
    );
    assert.equal(parsed.messageId, '<invoice-1042@shop.example>');
    assert.equal(parsed.subject, 'Your invoice #1042 is ready');
    assert.deepEqual(parsed.from, [{ name: 'Acme Billing', address: 'billing@shop.example' }]);
    assert.deepEqual(parsed.to, [{ name: 'Bob Buyer', address: 'bob@customer.example' }]);
    assert.deepEqual(parsed.cc, [{ name: '', address: 'accounts@customer.example' }]);
    assert.deepEqual(parsed.bcc, [], 'every envelope recipient is in To or Cc');
    assert.deepEqual(parsed.replyTo, [{ name: '', address: 'support@shop.example' }]);
    assert.equal(parsed.date, '2026-11-10T09:15:00.000Z');
    assert.match(parsed.text ?? '', /^Hello Bob,\n\nYour invoice #1042/);
    assert.match(parsed.html ?? '', /<b>#1042<\/b>/);
    assert.deepEqual(parsed.attachments, []);
  });

  it('keeps headers in order with their original, undecoded values, unfolded', async () => {
    const parsed = await parseMessage(readFixture('alternative'), plainEnvelope);
    assert.deepEqual(
      parsed.headers.slice(0, 4).map((header) => header.name),
      ['Return-Path', 'Received', 'From', 'To'],
    );
    assert.equal(
      parsed.headers[1]?.value,
      'from app.shop.example (app.shop.example [192.0.2.10])\tby mx.example.net with ESMTPS id 4Xa1b2; Tue, 10 Nov 2026 09:15:02 +0000',
    );
    const german = await parseMessage(readFixture('rfc2047'), plainEnvelope);
    assert.equal(
      german.headers.find((header) => header.name === 'Subject')?.value,
      '=?UTF-8?B?R3LDvMOfZSBhdXMgS8O2bG4g4oCTIFBhc3N3b3J0IHp1csO8Y2tzZXR6ZW4=?=',
    );
  });

  it('decodes RFC 2047 encoded words in the subject and display names, and quoted-printable UTF-8 bodies', async () => {
    const parsed = await parseMessage(readFixture('rfc2047'), plainEnvelope);
    assert.equal(parsed.subject, 'Grüße aus Köln – Passwort zurücksetzen');
    assert.deepEqual(parsed.from, [{ name: 'Jörg Müller', address: 'joerg@beispiel.example' }]);
    assert.deepEqual(parsed.to, [{ name: 'Élodie Dupont', address: 'elodie@exemple.example' }]);
    assert.match(parsed.text ?? '', /Hallo Élodie,/);
    assert.match(parsed.text ?? '', /reset\?token=abc123/);
    assert.equal(parsed.date, '2026-11-13T11:00:00.000Z');
  });

  it('lists attachments with index, name, type, size and no content id', async () => {
    const parsed = await parseMessage(readFixture('attachments'), plainEnvelope);
    assert.deepEqual(parsed.attachments, [
      {
        index: 0,
        filename: 'q3-report.pdf',
        contentType: 'application/pdf',
        size: 142,
        contentId: null,
        inline: false,
      },
      { index: 1, filename: 'orders.csv', contentType: 'text/csv', size: 49, contentId: null, inline: false },
    ]);
    assert.equal(parsed.text, 'Attached are the Q3 figures and the order export.\n');
    assert.equal(parsed.html, null);
  });

  it('marks a cid: image of multipart/related as inline and keeps the cid: link in the HTML', async () => {
    const parsed = await parseMessage(readFixture('inline-image'), plainEnvelope);
    assert.deepEqual(parsed.attachments, [
      {
        index: 0,
        filename: 'logo.png',
        contentType: 'image/png',
        size: 70,
        contentId: 'logo.png@brand.example',
        inline: true,
      },
    ]);
    assert.match(parsed.html ?? '', /src="cid:logo\.png@brand\.example"/);
  });

  it('derives bcc from envelope recipients missing from To and Cc, case-insensitively', async () => {
    const parsed = await parseMessage(
      readFixture('bcc'),
      envelopeOf('app@dev.example', ['PRIMARY@users.example', 'hidden@users.example', 'audit@dev.example']),
    );
    assert.deepEqual(parsed.to, [{ name: 'Primary User', address: 'primary@users.example' }]);
    assert.deepEqual(parsed.bcc, [
      { name: '', address: 'hidden@users.example' },
      { name: '', address: 'audit@dev.example' },
    ]);
  });

  it('takes display names for bcc from a Bcc header a client left in, and flattens address groups', async () => {
    const raw = Buffer.from(
      [
        'From: a@example.test',
        'To: Team: one@example.test, "Two" <two@example.test>;',
        'Bcc: "Secret Auditor" <audit@example.test>',
        'Subject: groups',
        '',
        'body',
        '',
      ].join('\r\n'),
    );
    const parsed = await parseMessage(
      raw,
      envelopeOf('a@example.test', ['one@example.test', 'two@example.test', 'audit@example.test']),
    );
    assert.deepEqual(parsed.to, [
      { name: '', address: 'one@example.test' },
      { name: 'Two', address: 'two@example.test' },
    ]);
    assert.deepEqual(parsed.bcc, [{ name: 'Secret Auditor', address: 'audit@example.test' }]);
  });

  it('survives malformed MIME: unparsable date is null, broken parts are kept as far as they can be read', async () => {
    const parsed = await parseMessage(
      readFixture('malformed'),
      envelopeOf('x@example.test', ['y@example.test']),
    );
    assert.equal(parsed.subject, 'Broken MIME');
    assert.equal(parsed.date, null);
    assert.equal(parsed.messageId, null);
    assert.deepEqual(parsed.to, []);
    assert.deepEqual(parsed.bcc, [{ name: '', address: 'y@example.test' }]);
    assert.equal(parsed.attachments.length, 1);
    assert.equal(
      parsed.headers.find((header) => header.name === 'From')?.value,
      'broken sender <<not-an-address',
    );
  });

  it('accepts bytes that are not a message at all', async () => {
    for (const raw of [
      Buffer.alloc(0),
      Buffer.from([0, 255, 254, 10, 13, 0]),
      Buffer.from('no headers here\r\n'),
    ]) {
      const parsed = await parseMessage(raw, plainEnvelope);
      assert.equal(parsed.subject, null);
      assert.equal(parsed.date, null);
      assert.deepEqual(parsed.attachments, []);
    }
  });

  it('parseByHand splits headers from the body when mailparser cannot be used', () => {
    const raw = Buffer.from(
      'Subject: hand\r\nDate: Tue, 10 Nov 2026 09:15:00 +0000\r\nX-Folded: a\r\n b\r\n\r\nthe body\r\n',
    );
    const parsed = parseByHand(raw, envelopeOf('a@example.test', ['b@example.test']));
    assert.equal(parsed.subject, 'hand');
    assert.equal(parsed.date, '2026-11-10T09:15:00.000Z');
    assert.deepEqual(parsed.headers[2], { name: 'X-Folded', value: 'a b' });
    assert.equal(parsed.text, 'the body\r\n');
    assert.deepEqual(parsed.bcc, [{ name: '', address: 'b@example.test' }]);
    const headless = parseByHand(Buffer.from('Subject: only headers'), plainEnvelope);
    assert.equal(headless.subject, 'only headers');
    assert.equal(headless.text, null);
  });
});

describe('getAttachment', () => {
  it('returns the decoded bytes of attachment n, numbered as in parseMessage', async () => {
    const raw = readFixture('attachments');
    const csv = await getAttachment(raw, 1);
    assert.deepEqual(
      { ...csv, content: csv?.content.toString('utf8') },
      {
        filename: 'orders.csv',
        contentType: 'text/csv',
        content: 'sku,quantity,price\r\nA-100,3,9.99\r\nB-200,1,24.50\r\n',
      },
    );
    const pdf = await getAttachment(raw, 0);
    assert.equal(pdf?.content.subarray(0, 8).toString('latin1'), '%PDF-1.4');
    assert.equal(pdf?.content.length, 142);
  });

  it('returns the inline image of multipart/related', async () => {
    const image = await getAttachment(readFixture('inline-image'), 0);
    assert.equal(image?.contentType, 'image/png');
    assert.deepEqual([...(image?.content.subarray(0, 4) ?? [])], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('returns null for an index that does not exist', async () => {
    const raw = readFixture('attachments');
    for (const index of [2, -1, 1.5, Number.NaN]) assert.equal(await getAttachment(raw, index), null);
    assert.equal(await getAttachment(readFixture('alternative'), 0), null);
  });
});

describe('snippet and plainText', () => {
  it('collapses whitespace and keeps short text whole', () => {
    assert.equal(snippet({ text: '  Hello\n\n  world\t!  ', html: null }), 'Hello world !');
  });

  it('cuts long text near 160 characters at a word boundary with an ellipsis', () => {
    const text = 'word '.repeat(100);
    const result = snippet({ text, html: null });
    assert.ok(result.length <= 161, `length ${result.length}`);
    assert.ok(result.endsWith('word…'));
  });

  it('falls back to the HTML without markup, scripts or styles, entities decoded', () => {
    const html =
      '<html><head><title>t</title><style>p{color:red}</style></head><body><p>Fish &amp; chips&nbsp;for &#8364;5 &#x263A;</p><script>alert(1)</script></body></html>';
    assert.equal(snippet({ text: null, html }), 'Fish & chips for €5 ☺');
    assert.equal(plainText({ text: '   ', html: '<b>bold</b>' }).trim(), 'bold');
    assert.equal(plainText({ text: null, html: null }), '');
    assert.equal(snippet({ text: null, html: '&bogus; &#0;' }), '&bogus; &#0;');
  });
});
