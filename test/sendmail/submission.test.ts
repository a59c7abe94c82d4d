/** What `mailport sendmail` makes of its input before any SMTP: Postfix's sendmail(1) rules. */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { MailportError } from '../../src/errors.js';
import { readMessageInput } from '../../src/sendmail/read-input.js';
import { prepareSubmission, rfc5322Date, type SubmissionInput } from '../../src/sendmail/submission.js';

const NOW = new Date(Date.UTC(2026, 11, 6, 1, 2, 3));

function submit(input: string, options: Partial<SubmissionInput> = {}) {
  const submission = prepareSubmission({
    input: Buffer.from(input, 'latin1'),
    recipients: [],
    extractRecipients: false,
    dotEndsInput: false,
    sender: 'app@example.com',
    hostname: 'host.example',
    now: NOW,
    ...options,
  });
  return { ...submission, text: submission.message.toString('latin1') };
}

describe('prepareSubmission', () => {
  it('takes -t recipients from To, Cc and Bcc (folded, grouped, named), after those given as arguments, each once', () => {
    const { to, text } = submit(
      'To: Jane <jane@example.com>,\n  "Doe, John" <john@example.com>\nCc: Team: a@example.com, B@Example.com;\nBcc: secret@example.com\nBCC: JANE@example.com\nSubject: hi\n\nbody\n',
      { recipients: ['b@example.com, first@example.com'], extractRecipients: true },
    );
    assert.deepEqual(to, [
      'b@example.com',
      'first@example.com',
      'jane@example.com',
      'john@example.com',
      'a@example.com',
      'secret@example.com',
    ]);
    assert.doesNotMatch(text, /^bcc:/im, 'Bcc headers are removed, whatever their case');
    assert.match(text, /^To: Jane <jane@example\.com>,\r\n {2}"Doe, John" <john@example\.com>\r\n/m);
  });

  it('reads the Resent- recipients instead when the message is being resent (RFC 5322 §3.6.6)', () => {
    const { to, text } = submit(
      'Resent-To: new@example.com\nResent-Bcc: audit@example.com\nTo: original@example.com\nSubject: fwd\n\nx\n',
      { extractRecipients: true },
    );
    assert.deepEqual(to, ['new@example.com', 'audit@example.com']);
    assert.doesNotMatch(text, /^Resent-Bcc:/m);
  });

  it('without -t, sends to the arguments only and still removes Bcc', () => {
    const { to, text } = submit('To: header@example.com\nBcc: x@example.com\nSubject: s\n\nx\n', {
      recipients: ['arg@example.com'],
    });
    assert.deepEqual(to, ['arg@example.com']);
    assert.doesNotMatch(text, /^Bcc:/m);
  });

  it('refuses a message without recipients, saying where they come from', () => {
    assert.throws(
      () => submit('Subject: s\n\nx\n'),
      (error: MailportError) => error.code === 'MP_ERR_USAGE' && /add -t/.test(error.hint ?? ''),
    );
    assert.throws(
      () => submit('Subject: s\n\nx\n', { extractRecipients: true }),
      (error: MailportError) => /no To:, Cc: or Bcc: header/.test(error.hint ?? ''),
    );
  });

  it('refuses a recipient or -f sender that is not an address, naming it, instead of dropping it', () => {
    const refused = (options: Partial<SubmissionInput>, input = 'Subject: s\n\nx\n'): MailportError => {
      try {
        submit(input, options);
      } catch (error) {
        return error as MailportError;
      }
      assert.fail('the submission was not refused');
    };
    const alone = refused({ recipients: ['ok@example.com', 'bad addr'] });
    assert.equal(alone.code, 'MP_ERR_USAGE');
    assert.equal(alone.message, 'The recipient "bad addr" is not a valid address.');
    assert.match(alone.hint ?? '', /local@domain \(you@example\.com\).*local user name \(root\)/);
    for (const [argument, invalid] of [
      ['ok@example.com, a@', 'a@'],
      ['a@b@example.com', 'a@b@example.com'],
      ['@example.com', '@example.com'],
      ['<>', '<>'],
    ] as const) {
      const error = refused({ recipients: [argument] });
      assert.match(error.message, new RegExp(`^The recipient "${invalid}".* is not a valid address\\.$`));
      if (invalid !== argument) assert.match(error.message, /\(in the argument "ok@example\.com, a@"\)/);
    }
    const header = refused({ extractRecipients: true }, 'To: ok@example.com\nCC: not an address\n\nx\n');
    assert.equal(
      header.message,
      '-t reads the recipients from the headers, and the CC: header holds "not an address", which is not a valid address.',
    );
    assert.match(header.hint ?? '', /^fix the CC: header the application writes/);
    const sender = refused({ recipients: ['ok@example.com'], sender: 'bad addr' });
    assert.equal(sender.message, 'The envelope sender "bad addr" (-f) is not a valid address.');
    assert.match(sender.hint ?? '', /^give -f local@domain .*, or -f '<>' for the null sender\.$/);
    // Without -t the headers are not read, so a bad one there is no recipient and no error.
    assert.deepEqual(submit('To: not an address\n\nx\n', { recipients: ['ok@example.com'] }).to, [
      'ok@example.com',
    ]);
    // An empty group names no recipient and is no mistake (RFC 5322 §3.4).
    assert.deepEqual(
      submit('To: undisclosed-recipients:;\nBcc: b@example.com\n\nx\n', { extractRecipients: true }).to,
      ['b@example.com'],
    );
  });

  it('adds From (with -F), Date and Message-ID when missing, as Postfix does for local submissions', () => {
    const { text } = submit('Subject: s\n\nx\n', {
      recipients: ['a@example.com'],
      fullName: 'Nightly "Backup", Inc.',
    });
    const [head] = text.split('\r\n\r\n');
    const lines = head?.split('\r\n') ?? [];
    assert.equal(lines[0], 'From: "Nightly \\"Backup\\", Inc." <app@example.com>');
    assert.equal(lines[1], 'Date: Sun, 06 Dec 2026 01:02:03 +0000');
    assert.match(lines[2] ?? '', /^Message-ID: <[0-9a-f-]{36}@host\.example>$/);
    assert.equal(lines[3], 'Subject: s');
  });

  it('keeps the headers a message has, whatever their case', () => {
    const input = 'FROM: a@example.com\ndate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-Id: <x@y>\n\nx\n';
    const { text } = submit(input, { recipients: ['a@example.com'], fullName: 'Ignored' });
    assert.equal(text, input.replace(/\n/g, '\r\n'));
  });

  it('writes the null sender <> and names MAILER-DAEMON in a From it adds', () => {
    const { from, text } = submit('Subject: bounce\n\nx\n', { recipients: ['a@example.com'], sender: '' });
    assert.equal(from, '');
    assert.match(text, /^From: MAILER-DAEMON@host\.example\r\n/);
  });

  it('ends the input at a line holding a single dot unless -i, and sends CRLF line endings', () => {
    const input = 'Subject: s\n\nline one\r\n.\nafter the dot\n';
    const cut = submit(input, { recipients: ['a@example.com'], dotEndsInput: true }).text;
    assert.ok(cut.endsWith('\r\n\r\nline one\r\n'), JSON.stringify(cut));
    const whole = submit(input, { recipients: ['a@example.com'] }).text;
    assert.ok(whole.endsWith('\r\n\r\nline one\r\n.\r\nafter the dot\r\n'), JSON.stringify(whole));
    assert.doesNotMatch(whole, /[^\r]\n/, 'no bare LF goes out');
    assert.match(
      submit('.\nnothing\n', { recipients: ['a@example.com'], dotEndsInput: true }).text,
      /\r\n\r\n$/,
    );
  });

  it('drops a leading mbox "From " line and treats input without headers as all body', () => {
    const mbox = submit('From app@example.com Sun Dec  6 01:02:03 2026\nSubject: s\n\nx\n', {
      recipients: ['a@example.com'],
    }).text;
    assert.doesNotMatch(mbox, /^From app@/m);
    assert.match(mbox, /\r\nSubject: s\r\n\r\nx\r\n$/);
    const bare = submit('just a line: with a colon later\nand more\n', {
      recipients: ['a@example.com'],
    }).text;
    assert.ok(bare.endsWith('\r\n\r\njust a line: with a colon later\r\nand more\r\n'), JSON.stringify(bare));
  });

  it('qualifies a bare local name with the host, as Postfix appends @$myorigin (cron mails root)', () => {
    const args = submit('Subject: cron\n\nx\n', { recipients: ['root', 'www-data, ops@example.com'] });
    assert.deepEqual(args.to, ['root@host.example', 'www-data@host.example', 'ops@example.com']);
    const headers = submit('From: root (Cron Daemon)\nTo: root (Cron Daemon), first.last\n\nx\n', {
      extractRecipients: true,
    });
    assert.deepEqual(headers.to, ['root@host.example', 'first.last@host.example']);
    assert.match(headers.text, /^From: root \(Cron Daemon\)\r\nTo: root \(Cron Daemon\), first\.last\r\n/m);
  });

  it('takes the envelope sender out of -f "Name <address>", <address> and a local name', () => {
    const message = 'To: a@example.com\n\nx\n';
    const named = submit(message, { extractRecipients: true, sender: 'Shop Team <shop@example.com>' });
    assert.equal(named.from, 'shop@example.com');
    assert.match(named.text, /^From: shop@example\.com\r\n/);
    assert.equal(
      submit(message, { extractRecipients: true, sender: '<b@example.com>' }).from,
      'b@example.com',
    );
    assert.equal(
      submit(message, { extractRecipients: true, sender: 'www-data' }).from,
      'www-data@host.example',
    );
    assert.equal(submit(message, { extractRecipients: true, sender: '<>' }).from, '');
  });

  it('reads an internationalized address in a header as UTF-8 (RFC 6532), as an argument is', () => {
    const utf8 = Buffer.from('To: Jörg <jörg@bücher.example>\nSubject: s\n\nx\n', 'utf8').toString('latin1');
    const { to } = submit(utf8, { extractRecipients: true, recipients: ['ana@müller.example'] });
    assert.deepEqual(to, ['ana@müller.example', 'jörg@bücher.example']);
  });

  it('writes a -F name beyond ASCII as UTF-8', () => {
    const { message } = submit('Subject: s\n\nx\n', {
      recipients: ['a@example.com'],
      fullName: 'Jürgen Łukasz',
    });
    assert.ok(message.includes(Buffer.from('From: "Jürgen Łukasz" <app@example.com>\r\n', 'utf8')));
  });

  it('passes 8-bit bytes through unchanged', () => {
    const body = Buffer.from('Grüße\n', 'utf8').toString('latin1');
    const { message } = submit(`Subject: s\n\n${body}`, { recipients: ['a@example.com'] });
    assert.ok(message.includes(Buffer.from('Grüße\r\n', 'utf8')));
  });

  it('formats dates as RFC 5322 §3.3 date-time', () => {
    assert.equal(rfc5322Date(new Date(Date.UTC(2027, 0, 9, 23, 5, 0))), 'Sat, 09 Jan 2027 23:05:00 +0000');
  });
});

describe('readMessageInput', () => {
  it('stops reading at the dot line, even one split between chunks, as a terminal user ends a message', async () => {
    // The input never ends: only the dot line can end the read.
    const typing = new PassThrough();
    const read = readMessageInput(typing, true);
    typing.write('Subject: s\n\nbody\n');
    typing.write('.');
    typing.write('\r\n');
    assert.equal((await read).toString(), 'Subject: s\n\nbody\n.\r\n');

    const first = new PassThrough();
    const dotFirst = readMessageInput(first, true);
    first.write('.\n');
    assert.equal((await dotFirst).toString(), '.\n');
  });

  it('reads to the end of input with -i, and past a dot that is not alone on its line', async () => {
    const chunks = () => Readable.from([Buffer.from('a.\n'), Buffer.from('.b\n'), Buffer.from('.\nrest\n')]);
    assert.equal((await readMessageInput(chunks(), false)).toString(), 'a.\n.b\n.\nrest\n');
    const withoutDotLine = Readable.from([Buffer.from('a.\n'), Buffer.from('.b\n')]);
    assert.equal((await readMessageInput(withoutDotLine, true)).toString(), 'a.\n.b\n');
  });
});
