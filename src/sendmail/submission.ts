/**
 * What a sendmail(8) binary does with the message an application pipes to it, before any SMTP:
 * where the input ends, who the recipients are (`-t` reads them from the headers), which headers
 * must go (Bcc) and which a local MTA adds when they are missing (From, Date, Message-ID). The
 * rules follow Postfix's sendmail(1) and cleanup(8), which most applications meet in production.
 */
import { randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { MailportError } from '../errors.js';
import { type AddressEntry, flattenAddresses } from '../mime/addresses.js';
import { checkMailbox } from '../protocol/envelope.js';

export interface SubmissionInput {
  /** The bytes read from standard input. */
  input: Buffer;
  /** Recipients named on the command line (each may be a comma-separated list). */
  recipients: readonly string[];
  /** `-t`: also take the recipients from To, Cc and Bcc (or their Resent- forms). */
  extractRecipients: boolean;
  /** Without `-i` (or `-oi`), a line holding a single dot ends the input, as in classic sendmail. */
  dotEndsInput: boolean;
  /**
   * `-f` / `-r` as given: `a@example.com`, `<a@example.com>`, `Name <a@example.com>` or a local
   * name; `''` or `<>` is the null sender.
   */
  sender: string;
  /** `-F`: the sender's full name, used only when the message has no From header. */
  fullName?: string;
  /** Host name for a Message-ID this adds. */
  hostname: string;
  /** When the message is submitted, for a Date header this adds. */
  now?: Date;
}

export interface Submission {
  /** MAIL FROM; `''` for the null sender. */
  from: string;
  /** RCPT TO, each once. */
  to: string[];
  /** The message as it goes out: CRLF line endings, Bcc removed, missing headers added. */
  message: Buffer;
}

/** A header field: its name and its whole text, continuation lines included. */
interface HeaderField {
  name: string;
  lines: string[];
}

// RFC 5322 §3.6.3 and §3.6.6. When a message carries Resent- fields, `-t` reads those: the message
// is being forwarded to the resent recipients, not delivered to its original ones again.
const RECIPIENT_HEADERS = ['to', 'cc', 'bcc'];
const RESENT_RECIPIENT_HEADERS = ['resent-to', 'resent-cc', 'resent-bcc'];
const BLIND_HEADERS = new Set(['bcc', 'resent-bcc']);

/** A field name is printable ASCII but the colon (RFC 5322 §2.2). */
const FIELD = /^([!-9;-~]+)[ \t]*:/;

export function prepareSubmission(options: SubmissionInput): Submission {
  const text = endOfInput(options.input.toString('latin1'), options.dotEndsInput);
  const { fields, body } = splitMessage(text);
  const from = envelopeSender(options.sender, options.hostname);

  const to = uniqueAddresses(
    options.recipients.flatMap((argument) =>
      recipientsOf(argument, options.hostname, (invalid) => argumentError(argument, invalid)),
    ),
  );
  if (options.extractRecipients) {
    const resent = fields.some((field) => RESENT_RECIPIENT_HEADERS.includes(field.name));
    const names = resent ? RESENT_RECIPIENT_HEADERS : RECIPIENT_HEADERS;
    const fromHeaders = fields
      .filter((field) => names.includes(field.name))
      .flatMap((field) =>
        recipientsOf(fieldValue(field), options.hostname, (invalid) => headerError(field, invalid)),
      );
    to.push(...uniqueAddresses(fromHeaders).filter((address) => !includesAddress(to, address)));
  }
  if (to.length === 0) {
    throw new MailportError('MP_ERR_USAGE', 'No recipients.', {
      hint: options.extractRecipients
        ? 'the message has no To:, Cc: or Bcc: header with an address: add one, or name the recipients as arguments.'
        : 'name them as arguments (mailport sendmail you@example.com), or add -t to read them from the To:, Cc: and Bcc: headers.',
    });
  }

  const kept = fields.filter((field) => !BLIND_HEADERS.has(field.name));
  // Lines this adds are text (a -F name may be any Unicode), written as UTF-8 (RFC 6532) among
  // the caller's lines, which are latin1-decoded bytes.
  const added = missingHeaders(kept, from, options).map((line) =>
    Buffer.from(line, 'utf8').toString('latin1'),
  );
  const headerText = [...added, ...kept.flatMap((field) => field.lines)]
    .map((line) => `${line}\r\n`)
    .join('');
  return {
    from,
    to,
    message: Buffer.from(`${headerText}\r\n${body}`, 'latin1'),
  };
}

/** Cuts the input at a line holding a single dot when that ends it; line endings become CRLF. */
function endOfInput(text: string, dotEndsInput: boolean): string {
  const lines = text.split(/\r?\n/);
  if (dotEndsInput) {
    const dot = lines.indexOf('.');
    if (dot !== -1) return lines.slice(0, dot).join('\r\n') + (dot > 0 ? '\r\n' : '');
  }
  return lines.join('\r\n');
}

/**
 * Splits the header section from the body. A leading mbox `From ` line is dropped, as sendmail
 * does. Input whose first line is not a header field is all body (`echo hi | sendmail you@x`).
 */
function splitMessage(text: string): { fields: HeaderField[]; body: string } {
  const lines = text.split('\r\n');
  let index = lines[0]?.startsWith('From ') ? 1 : 0;
  const fields: HeaderField[] = [];
  for (; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === '') {
      index++;
      break;
    }
    const last = fields.at(-1);
    if (/^[ \t]/.test(line) && last) {
      last.lines.push(line);
      continue;
    }
    const field = FIELD.exec(line);
    if (!field?.[1]) break;
    fields.push({ name: field[1].toLowerCase(), lines: [line] });
  }
  return { fields, body: lines.slice(index).join('\r\n') };
}

/**
 * The value of a field as text. The input was read as latin1 to keep every byte as it is; an
 * internationalized address in a header is UTF-8 (RFC 6532), so the value is decoded as such.
 */
function fieldValue(field: HeaderField): string {
  return Buffer.from(field.lines.join(' ').replace(FIELD, ''), 'latin1').toString('utf8');
}

/** What Postfix's cleanup(8) adds to locally submitted mail that lacks it. */
function missingHeaders(fields: HeaderField[], sender: string, options: SubmissionInput): string[] {
  const has = (name: string): boolean => fields.some((field) => field.name === name);
  const added: string[] = [];
  if (!has('from')) added.push(`From: ${fromHeader(sender, options)}`);
  if (!has('date')) added.push(`Date: ${rfc5322Date(options.now ?? new Date())}`);
  if (!has('message-id')) added.push(`Message-ID: <${randomUUID()}@${options.hostname}>`);
  return added;
}

function fromHeader(sender: string, { fullName, hostname }: SubmissionInput): string {
  const address = sender === '' ? `MAILER-DAEMON@${hostname}` : sender;
  if (!fullName) return address;
  // A quoted string (RFC 5322 §3.2.4) keeps commas and dots in the name from splitting it.
  return `"${fullName.replace(/[\\"]/g, '\\$&')}" <${address}>`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC, e.g. `Sun, 06 Dec 2026 01:02:03 +0000`. */
export function rfc5322Date(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${two(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/**
 * The envelope sender Postfix's sendmail makes of `-f`: the address of `Name <address>` or
 * `<address>`, a local name qualified like a recipient; the null sender for `<>` or nothing.
 */
function envelopeSender(given: string, hostname: string): string {
  if (given.trim() === '' || given.trim() === '<>') return '';
  const { addresses, invalid } = parseAddressList(given, hostname);
  // A sender the server would refuse with 501 is the caller's mistake, not a refused message.
  if (addresses[0] === undefined || invalid.length > 0) {
    throw new MailportError(
      'MP_ERR_USAGE',
      `The envelope sender ${JSON.stringify(given)} (-f) is not a valid address.`,
      { hint: `give -f ${ADDRESS_FORMS}, or -f '<>' for the null sender.` },
    );
  }
  return addresses[0];
}

/**
 * The recipients of a command-line argument or a header, refusing the whole submission when one of
 * them is not an address: dropping it would send the message to the others only, or fail later
 * with "No recipients" although one was named.
 */
function recipientsOf(list: string, hostname: string, error: (invalid: string) => MailportError): string[] {
  const { addresses, invalid } = parseAddressList(list, hostname);
  if (invalid[0] !== undefined) throw error(invalid[0]);
  return addresses;
}

const ADDRESS_FORMS = 'local@domain (you@example.com), Name <you@example.com>, or a local user name (root)';

function argumentError(argument: string, invalid: string): MailportError {
  const what = invalid === argument.trim() ? '' : ` (in the argument ${JSON.stringify(argument)})`;
  return new MailportError(
    'MP_ERR_USAGE',
    `The recipient ${JSON.stringify(invalid)}${what} is not a valid address.`,
    {
      hint: `give each recipient as ${ADDRESS_FORMS}; separate several with commas or give each as its own argument.`,
    },
  );
}

function headerError(field: HeaderField, invalid: string): MailportError {
  // The name as the message spells it (`CC:`), not lowercased.
  const name = FIELD.exec(field.lines[0] ?? '')?.[1] ?? field.name;
  return new MailportError(
    'MP_ERR_USAGE',
    `-t reads the recipients from the headers, and the ${name}: header holds ${JSON.stringify(invalid)}, which is not a valid address.`,
    {
      hint: `fix the ${name}: header the application writes: a comma-separated list of ${ADDRESS_FORMS} (RFC 5322 §3.4).`,
    },
  );
}

/** A local name is a dot-atom without a domain (RFC 5322 §3.2.3), e.g. cron's `root`. */
const LOCAL_NAME = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;

/**
 * The addresses of an address list, and what in it is none: a phrase without an address (`bad
 * addr`), or an address that fails RFC 5321's syntax (`a@b@c`, `a@`). A bare local name (cron
 * mails `root`, `To: www-data`) gets `@hostname`, as Postfix appends `@$myorigin`
 * (append_at_myorigin); it is checked before that, as the host name may be no valid domain.
 */
function parseAddressList(value: string, hostname: string): { addresses: string[]; invalid: string[] } {
  const invalid: string[] = [];
  const checked = (entries: AddressEntry[]): AddressEntry[] =>
    entries.flatMap((entry): AddressEntry[] => {
      if (entry.group !== undefined) return [{ ...entry, group: checked(entry.group) }];
      const address = entry.address || entry.name || '';
      const valid = address.includes('@')
        ? checkMailbox(address, true).verdict === 'valid'
        : LOCAL_NAME.test(address);
      if (valid) return [{ address }];
      invalid.push(address === '' ? value.trim() : address);
      return [];
    });
  const addresses = flattenAddresses(checked(addressparser(value) as AddressEntry[])).map(({ address }) =>
    address.includes('@') ? address : `${address}@${hostname}`,
  );
  return { addresses, invalid };
}

function includesAddress(list: readonly string[], address: string): boolean {
  const key = address.toLowerCase();
  return list.some((entry) => entry.toLowerCase() === key);
}

function uniqueAddresses(addresses: readonly string[]): string[] {
  const out: string[] = [];
  for (const address of addresses) if (!includesAddress(out, address)) out.push(address);
  return out;
}
