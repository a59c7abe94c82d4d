/**
 * `mailport messages list|show|checks|release|delete|clear`: captured mail, read through the HTTP API of a
 * running `mailport serve`.
 */
import { isIP } from 'node:net';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type {
  MailportClient,
  MessageDetail,
  MessageSummary,
  Page,
  QueryNotes,
} from '../../client/api-client.js';
import { MailportError } from '../../errors.js';
import { PORT_PROFILES } from '../../profiles/port-profiles.js';
import {
  type CliIo,
  clientFor,
  ensureApiOption,
  formatAddresses,
  formatBytes,
  formatFields,
  formatTable,
  formatTime,
  positiveInteger,
  printJson,
  processIo,
  recordId,
} from '../output.js';
import { formatChecksReport } from './message-checks.js';
import { registerReleaseCommand } from './message-release.js';

const LIST_EXAMPLES = `
Examples:
  $ mailport messages list
  $ mailport messages list --q 'to:alice@example.com subject:"password reset"' --limit 5
  $ mailport messages list --q 'port:1587 has:attachment after:1h' --json
  $ mailport messages show 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60
  $ mailport messages show 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --raw > message.eml
  $ mailport messages show latest --text | grep -o 'https://[^ ]*reset[^ ]*'
  $ mailport messages show latest --attachment 0 > invoice.pdf
  $ mailport messages checks 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --ip 203.0.113.5
  $ mailport messages checks 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --probe-links --json > report.json
  $ mailport messages checks 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --clients 'gmail.*,outlook.*'
  $ mailport messages release 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60 --to qa@example.com
  $ mailport messages delete 01936f0e-8c1a-7d2e-9a41-2b7c3d4e5f60
  $ mailport messages clear --q 'inbox:team-a'
  $ mailport --api http://sandbox.internal:8025 messages list

Search (--q): free text plus from: to: subject: inbox: port: profile: has:attachment
is:read before: after: (dates like 2026-01-31 or ages like 30m, 2h, 1d); -term negates.
A key:value that cannot be used (port:abc, after:zzz) is searched as text, with a note on stderr.`;

const CHECKS_EXIT_CODES = `
Exit codes of checks: 0 the report has no error (warnings and info allowed), 1 it has errors, or
the message or the API could not be reached (the reason is on stderr), 2 usage error.`;

/** `show`'s forms of output: one at a time. */
const SHOW_FORMS = ['raw', 'html', 'text', 'attachment', 'json'] as const;

function otherForms(form: (typeof SHOW_FORMS)[number]): string[] {
  return SHOW_FORMS.filter((other) => other !== form);
}

interface ShowOptions {
  raw?: boolean;
  html?: boolean;
  text?: boolean;
  attachment?: number;
  json?: boolean;
}

function attachmentIndex(value: string): number {
  const index = Number(value);
  if (!Number.isInteger(index) || index < 0) {
    throw new InvalidArgumentError(
      'Give the number `mailport messages show ID` lists the attachment under, e.g. 0.',
    );
  }
  return index;
}

/** `latest` names the newest message, so a script need not list first (ids are never that word). */
async function resolveMessageId(client: MailportClient, id: string): Promise<string> {
  if (id !== 'latest') return id;
  const newest = (await client.listMessages({ limit: 1 })).items[0];
  if (newest === undefined) {
    throw new MailportError('MP_ERR_NOT_FOUND', 'There is no message yet, so no `latest`.', {
      hint: 'send one to a port `mailport serve` printed, or wait for it with `mailport assert --within 30s`.',
    });
  }
  return newest.id;
}

/** Commander argument parser for \`--ip\`: the API would refuse anything else with a 400. */
function ipAddress(value: string): string {
  const ip = value.trim();
  if (isIP(ip) === 0) {
    throw new InvalidArgumentError(
      'Give the IPv4 or IPv6 address your production mail leaves from, e.g. 203.0.113.5.',
    );
  }
  return ip;
}

export function registerMessagesCommand(program: Command, io: CliIo = processIo): void {
  ensureApiOption(program);
  const messages = program
    .command('messages')
    .description(
      'List, show, check, release and delete captured messages (needs a running `mailport serve`).',
    )
    .addHelpText('after', LIST_EXAMPLES);

  messages
    .command('list')
    .description('List messages, newest first.')
    .option('--q <query>', 'only messages matching this search')
    .option('--limit <n>', 'how many to show, 1 to 500 (default 50)', positiveInteger)
    .option('--cursor <cursor>', 'continue after the previous page (printed under the table)')
    .option(
      '--json',
      'print the page as JSON ({ items, total, nextCursor }, and queryNotes when --q had terms searched as text)',
    )
    .addHelpText('after', LIST_EXAMPLES)
    .action(
      async (options: { q?: string; limit?: number; cursor?: string; json?: boolean }, command: Command) => {
        const page = await clientFor(command).listMessages({
          q: options.q,
          limit: options.limit,
          cursor: options.cursor,
        });
        printQueryNotes(page);
        if (options.json) printJson(io, page);
        else io.out(formatMessageList(page, options.q));
      },
    );

  messages
    .command('show')
    .description('Show one message: envelope, TLS and AUTH facts, headers and text.')
    .argument(
      '<id>',
      'message id (from `mailport messages list`), or `latest` for the newest message',
      recordId('mailport messages list'),
    )
    .addOption(
      new Option('--raw', 'print the message bytes exactly as received (RFC 5322)').conflicts(
        otherForms('raw'),
      ),
    )
    .addOption(new Option('--html', 'print the HTML body alone').conflicts(otherForms('html')))
    .addOption(new Option('--text', 'print the plain-text body alone').conflicts(otherForms('text')))
    .addOption(
      new Option(
        '--attachment <n>',
        'write the bytes of attachment N (as `show` numbers them) to standard output',
      )
        .argParser(attachmentIndex)
        .conflicts(otherForms('attachment')),
    )
    .addOption(
      new Option('--json', 'print everything known about the message as JSON').conflicts(otherForms('json')),
    )
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (given: string, options: ShowOptions, command: Command) => {
      const client = clientFor(command);
      const id = await resolveMessageId(client, given);
      if (options.raw) io.out(await client.getRaw(id));
      else if (options.html) io.out(await client.getHtml(id));
      else if (options.text) io.out(await client.getText(id));
      else if (options.attachment !== undefined)
        io.out((await client.getAttachment(id, options.attachment)).content);
      else if (options.json) printJson(io, await client.getMessage(id));
      else io.out(formatMessage(await client.getMessage(id)));
    });

  messages
    .command('checks')
    .description(
      'Show the deliverability report of one message: SPF, DKIM, DMARC and ARC, content problems with their fixes, links, the SpamAssassin score and the HTML’s support in email clients (caniemail.com); exits 1 when it has errors.',
    )
    .argument(
      '<id>',
      'message id (from `mailport messages list`), or `latest` for the newest message',
      recordId('mailport messages list'),
    )
    .option(
      '--ip <address>',
      "the production sending IP to evaluate SPF for (default: the server's --sending-ip, else the address the message came from)",
      ipAddress,
    )
    .option(
      '--probe-links',
      'request every http(s) link (HEAD, at most 50, 5 s each) and report those that fail',
    )
    .option(
      '--clients <patterns>',
      'check the HTML against these email clients only: comma-separated caniemail family.platform names with * wildcards, e.g. gmail.*,outlook.windows (default: all)',
    )
    .option('--json', 'print the report as JSON, as GET /api/v1/messages/{id}/checks returns it')
    .addHelpText('after', `${LIST_EXAMPLES}\n${CHECKS_EXIT_CODES}`)
    .action(
      async (
        id: string,
        options: { ip?: string; probeLinks?: boolean; clients?: string; json?: boolean },
        command: Command,
      ) => {
        const client = clientFor(command);
        const report = await client.checks(await resolveMessageId(client, id), {
          ip: options.ip,
          probeLinks: options.probeLinks,
          clients: options.clients?.split(','),
        });
        if (options.json) printJson(io, report);
        else io.out(formatChecksReport(report));
        // A CI step gates on this; failures to get a report exit 1 through main's error path.
        process.exitCode = report.summary.passed ? 0 : 1;
      },
    );

  registerReleaseCommand(messages, io);

  messages
    .command('delete')
    .description('Delete one message.')
    .argument('<id>', 'message id (from `mailport messages list`)', recordId('mailport messages list'))
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (id: string, _options: unknown, command: Command) => {
      await clientFor(command).deleteMessage(id);
      io.out(`Deleted message ${id}.\n`);
    });

  messages
    .command('clear')
    .description('Delete every message, or only those matching --q.')
    .option('--q <query>', 'only delete messages matching this search')
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (options: { q?: string }, command: Command) => {
      const result = await clientFor(command).clear(options.q);
      printQueryNotes(result);
      const { deleted } = result;
      const scope = options.q === undefined ? '' : ` matching ${JSON.stringify(options.q)}`;
      io.out(`Deleted ${deleted} message${deleted === 1 ? '' : 's'}${scope}.\n`);
    });
}

/** The server's notes on --q terms it searched as text instead: on stderr, so --json output stays clean. */
function printQueryNotes({ queryNotes = [] }: QueryNotes): void {
  for (const note of queryNotes) process.stderr.write(`mailport: note: ${note}\n`);
}

export function formatMessageList(page: Page<MessageSummary>, q: string | undefined): string {
  if (page.items.length === 0) {
    return q === undefined
      ? 'No messages yet. Point an SMTP client at one of the ports `mailport serve` printed.\n'
      : `No messages match ${JSON.stringify(q)}.\n`;
  }
  const table = formatTable(
    [
      { header: 'ID' },
      { header: 'RECEIVED' },
      { header: 'PORT' },
      { header: 'FROM', maxWidth: 30 },
      { header: 'TO', maxWidth: 30 },
      { header: 'SIZE' },
      { header: 'SUBJECT', maxWidth: 50 },
    ],
    page.items.map((message) => [
      message.read ? message.id : `${message.id}*`,
      formatTime(message.receivedAt),
      message.listener.port === 0 ? 'import' : `${message.listener.port}`,
      formatAddresses(message.from) || message.envelopeFrom || '<>',
      message.envelopeTo.join(', '),
      formatBytes(message.size),
      message.subject ?? '(no subject)',
    ]),
  );
  const unread = page.items.some((message) => !message.read) ? ' (* = unread)' : '';
  const more =
    page.nextCursor === null
      ? ''
      : `\nMore: mailport messages list --cursor ${page.nextCursor}${q ? ` --q ${shellQuote(q)}` : ''}`;
  return `${table}\n${page.items.length} of ${page.total} message${page.total === 1 ? '' : 's'}${unread}.${more}\n`;
}

export function formatMessage(message: MessageDetail): string {
  const { parsed } = message;
  const profile = PORT_PROFILES[message.listener.profile];
  const arrival =
    message.listener.port === 0
      ? 'imported over HTTP'
      : `${profile.label} port ${message.listener.port} from ${message.client.address}${message.heloName ? ` (EHLO ${message.heloName})` : ''}`;
  const header = formatFields([
    ['Message', message.id],
    ['Received', `${formatTime(message.receivedAt)} UTC, ${arrival}`],
    ['Inbox', message.inbox],
    [
      'TLS',
      message.tls
        ? `${message.tls.mode === 'implicit' ? 'implicit TLS' : 'STARTTLS'}, ${message.tls.protocol}, ${message.tls.cipher}`
        : 'none',
    ],
    ['AUTH', message.auth ? `${message.auth.user} (${message.auth.mechanism})` : 'none'],
    ['MAIL FROM', `<${message.envelope.mailFrom.address}>`],
    ['RCPT TO', message.envelope.rcptTo.map((rcpt) => `<${rcpt.address}>`).join(', ')],
    ['From', formatAddresses(parsed.from) || null],
    ['To', formatAddresses(parsed.to) || null],
    ['Cc', formatAddresses(parsed.cc) || null],
    ['Bcc', formatAddresses(parsed.bcc) || null],
    ['Reply-To', formatAddresses(parsed.replyTo) || null],
    ['Subject', parsed.subject ?? '(no subject)'],
    ['Date', parsed.date],
    ['Message-ID', parsed.messageId],
    ['Size', formatBytes(message.size)],
    ['Session', `${message.sessionId} (mailport sessions show ${message.sessionId})`],
    ...message.releases.map(
      (release) =>
        [
          'Released',
          `${formatTime(release.at)} UTC to ${release.to.join(', ')} via ${release.server}: ${release.reply}`,
        ] as const,
    ),
  ]);
  const attachments =
    parsed.attachments.length === 0
      ? ''
      : `\nAttachments:\n${parsed.attachments
          .map(
            (attachment) =>
              `  ${attachment.index}: ${attachment.filename ?? '(unnamed)'} (${attachment.contentType}, ${formatBytes(attachment.size)}${attachment.inline ? ', inline' : ''})`,
          )
          .join('\n')}\n`;
  const body =
    parsed.text ??
    (parsed.html === null
      ? '(no body)'
      : `(HTML only: open /api/v1/messages/${message.id}/html in a browser, or use --raw)`);
  return `${header}${attachments}\n${body.endsWith('\n') ? body : `${body}\n`}`;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
