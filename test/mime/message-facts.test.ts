/**
 * The facts read at ingest (message-facts.ts) must agree with the full parse a message gets when
 * it is opened (parse-message.ts, mailparser): the list row and the detail view show the same
 * subject, addresses and attachment count. Compared over a corpus of composed, fixture and
 * hand-written messages, including the shapes where the two could drift apart.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Envelope } from '../../src/domain/types.js';
import { messageFacts } from '../../src/mime/message-facts.js';
import { parseMessage } from '../../src/mime/parse-message.js';
import { plainText } from '../../src/mime/snippet.js';
import { repoPath } from '../helpers/repo-paths.js';

const FIXTURES = repoPath('test', 'fixtures');

const envelope: Envelope = {
  mailFrom: { address: 'sender@example.com', params: {} },
  rcptTo: [
    { address: 'to@example.com', params: {} },
    { address: 'hidden@example.com', params: {} },
  ],
};

function compose(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(mail).compile().build();
}

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

async function corpus(): Promise<Array<[string, Buffer]>> {
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );
  const inner = await compose({
    from: 'inner@example.com',
    to: 'x@example.com',
    subject: 'Inner',
    text: 'inner body',
  });
  const cases: Array<[string, Buffer]> = [
    [
      'text only',
      await compose({ from: 'a@example.com', to: 'to@example.com', subject: 'Hi', text: 'hello' }),
    ],
    [
      'html only',
      await compose({
        from: 'a@example.com',
        to: 'to@example.com',
        subject: 'H',
        html: '<p>Hello <b>there</b></p>',
      }),
    ],
    [
      'alternative with attachments',
      await compose({
        from: '"Jörg Ünal" <jorg@example.com>',
        to: ['Zoë <zoe@example.com>', 'to@example.com'],
        cc: 'Copy <cc@example.com>',
        bcc: 'Hidden Name <hidden@example.com>',
        subject: 'Rechnung für März ✓',
        text: 'Grüße',
        html: '<p>Grüße</p><img src="cid:logo@x">',
        attachments: [
          { filename: 'report.pdf', content: Buffer.alloc(3000, 7) },
          { filename: 'notes.txt', content: 'plain text file' },
          { filename: 'logo.png', content: png, cid: 'logo@x' },
          { filename: 'data.csv', content: 'a,b\n1,2', contentDisposition: 'inline' },
        ],
      }),
    ],
    [
      'calendar',
      await compose({
        from: 'a@example.com',
        to: 'to@example.com',
        subject: 'Meet',
        text: 'x',
        icalEvent: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR' },
      }),
    ],
    [
      'attached message',
      await compose({
        from: 'a@example.com',
        to: 'to@example.com',
        subject: 'Fwd',
        text: 'see',
        attachments: [{ filename: 'm.eml', content: inner, contentType: 'message/rfc822' }],
      }),
    ],
    [
      'inline embedded message',
      crlf([
        'From: a@example.com',
        'To: to@example.com',
        'Subject: Embedded',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'outer text',
        '--b1',
        'Content-Type: message/rfc822',
        'Content-Disposition: inline',
        '',
        inner.toString('utf8'),
        '--b1--',
        '',
      ]),
    ],
    [
      'delivery report',
      crlf([
        'From: MAILER-DAEMON@example.com',
        'To: to@example.com',
        'Subject: Undelivered',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'could not deliver',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.com',
        '',
        '--r',
        'Content-Type: text/rfc822-headers',
        '',
        'Subject: original',
        '--r--',
        '',
      ]),
    ],
    [
      'encodings and charsets',
      crlf([
        'From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.com>',
        'To: Team: one@example.com, two@example.com;',
        'To: three@example.com',
        'Subject: =?UTF-8?B?w4ljb2xl?= and more',
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        'preamble',
        '--alt',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'caf=E9 cr=E8me=',
        ' br=FBl=E9e',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('<p>café</p>').toString('base64'),
        '--alt--',
        'epilogue',
        '',
      ]),
    ],
    [
      'flowed and no content type in parts',
      crlf([
        'From: a@example.com',
        'To: to@example.com',
        'Subject: Flowed',
        'Content-Type: multipart/mixed; boundary=plain',
        '',
        '--plain',
        '',
        'a part without headers',
        '--plain',
        'Content-Type: text/plain; format=flowed; delsp=yes',
        '',
        'soft ',
        'wrapped',
        '--plain',
        'Content-Disposition: attachment; filename="photo.jpg"',
        '',
        'not really a jpeg',
        '--plain',
        'Content-Disposition: attachment',
        '',
        'bytes',
        '--plain--',
        '',
      ]),
    ],
    [
      'cut short, odd dispositions, boundary in text',
      crlf([
        'From: a@example.com',
        'Subject: Cut',
        'Content-Type: multipart/mixed; boundary="cut"',
        '',
        '--cut',
        'Content-Type: text/plain',
        'Content-Disposition: weird',
        '',
        'text with --cut-not-a-delimiter inside',
        '--cut',
        'Content-Type: text/html',
        'Content-Disposition: attachment; filename=page.html',
        '',
        '<p>x</p>',
        '--cut',
        'Content-Type: image/gif',
        '',
        'GIF',
      ]),
    ],
    ['no headers at all', Buffer.from('just a body\r\n')],
    ['no body', crlf(['From: a@example.com', 'Subject: Empty subject test', ''])],
    ['empty subject', crlf(['From: a@example.com', 'Subject:', '', 'body'])],
    [
      'multipart without boundary',
      crlf(['From: a@example.com', 'Subject: nb', 'Content-Type: multipart/mixed', '', 'body']),
    ],
  ];
  for (const file of readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.eml'))
    .sort()) {
    cases.push([`fixture ${file}`, readFileSync(join(FIXTURES, file))]);
  }
  return cases;
}

describe('message facts agree with the full parse', async () => {
  for (const [name, raw] of await corpus()) {
    it(name, async () => {
      const facts = messageFacts(raw, envelope);
      const parsed = await parseMessage(raw, envelope);
      assert.equal(facts.subject, parsed.subject, 'subject');
      assert.deepEqual(facts.from, parsed.from, 'from');
      assert.deepEqual(facts.to, parsed.to, 'to');
      assert.deepEqual(facts.cc, parsed.cc, 'cc');
      assert.deepEqual(facts.bcc, parsed.bcc, 'bcc');
      assert.equal(facts.attachmentCount, parsed.attachments.length, 'attachment count');
      // The searchable text holds every word of the text the detail view shows.
      const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
      const indexed = words(`${facts.text ?? ''} ${plainText({ text: null, html: facts.html })}`);
      for (const word of words(plainText(parsed))) assert.ok(indexed.has(word), `"${word}" is searchable`);
    });
  }
});
