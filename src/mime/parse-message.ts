/**
 * Turns raw message bytes into the parsed view stored next to them (ParsedMessage).
 *
 * Captured mail is whatever a client sent, so parsing never throws: when mailparser gives up, the
 * header block and body are read by hand (RFC 5322 §2.1: headers, an empty line, the body) and
 * stored as they are.
 */
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import type { AddressValue, AttachmentInfo, Envelope, HeaderLine, ParsedMessage } from '../domain/types.js';
import { blindRecipients, flattenAddresses } from './addresses.js';

/** Bytes of one attachment, fetched on demand by re-parsing the raw message. */
export interface AttachmentContent {
  filename: string | null;
  contentType: string;
  content: Buffer;
}

// Keep `cid:` references as they are: the stored HTML stays small and the API can point them at
// `/attachments/{n}` instead of inlining every image as a data: URI.
const PARSER_OPTIONS = { keepCidLinks: true, skipTextToHtml: true, skipTextLinks: true } as const;

let mailparser: Promise<typeof import('mailparser')> | null = null;

/**
 * mailparser, with the charset tables and HTML parser it brings, added 0.15 s (a tenth) to every start of
 * `mailport serve`: it is loaded when a message is first opened.
 */
async function loadSimpleParser(): Promise<typeof import('mailparser')['simpleParser']> {
  mailparser ??= import('mailparser');
  return (await mailparser).simpleParser;
}

export async function parseMessage(raw: Buffer, envelope: Envelope): Promise<ParsedMessage> {
  const parse = await loadSimpleParser();
  let mail: ParsedMail;
  try {
    mail = await parse(raw, PARSER_OPTIONS);
  } catch {
    return parseByHand(raw, envelope);
  }
  const to = addressList(mail.to);
  const cc = addressList(mail.cc);
  const headers = headerLines(mail.headerLines.map((entry) => entry.line));
  return {
    messageId: mail.messageId ?? null,
    subject: mail.subject ?? null,
    from: addressList(mail.from),
    to,
    cc,
    bcc: blindRecipients(envelope, [...to, ...cc], addressList(mail.bcc)),
    replyTo: addressList(mail.replyTo),
    date: headerDate(headers),
    text: mail.text ?? null,
    html: typeof mail.html === 'string' ? mail.html : null,
    headers,
    attachments: mail.attachments.map(attachmentInfo),
  };
}

/** Returns attachment `index` (as numbered in ParsedMessage.attachments), or null when absent. */
export async function getAttachment(raw: Buffer, index: number): Promise<AttachmentContent | null> {
  if (!Number.isInteger(index) || index < 0) return null;
  const parse = await loadSimpleParser();
  let mail: ParsedMail;
  try {
    mail = await parse(raw, PARSER_OPTIONS);
  } catch {
    return null;
  }
  const attachment = mail.attachments[index];
  if (attachment === undefined) return null;
  return {
    filename: attachment.filename ?? null,
    contentType: attachment.contentType,
    content: attachment.content,
  };
}

function attachmentInfo(attachment: Attachment, index: number): AttachmentInfo {
  return {
    index,
    filename: attachment.filename ?? null,
    contentType: attachment.contentType,
    size: attachment.size,
    contentId: attachment.cid ?? null,
    // `related` marks parts of a multipart/related tree referenced from the HTML (RFC 2387).
    inline: attachment.related === true || attachment.contentDisposition === 'inline',
  };
}

/** Flattens mailparser's address objects (one per header line) into plain addresses. */
function addressList(value: AddressObject | AddressObject[] | undefined): AddressValue[] {
  if (value === undefined) return [];
  const out: AddressValue[] = [];
  for (const object of Array.isArray(value) ? value : [value]) flattenAddresses(object.value, out);
  return out;
}

/** The Date header (RFC 5322 §3.6.1) as ISO 8601; null when missing or unparsable (mailparser would say "now"). */
function headerDate(headers: HeaderLine[]): string | null {
  const value = headers.find((header) => header.name.toLowerCase() === 'date')?.value;
  if (value === undefined) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Header lines in their original order with their undecoded values, unfolded (RFC 5322 §2.2.3). */
function headerLines(lines: readonly string[]): HeaderLine[] {
  const out: HeaderLine[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    out.push({
      name: line.slice(0, colon).trim(),
      value: line
        .slice(colon + 1)
        .replace(/\r?\n(?=[ \t])/g, '')
        .trim(),
    });
  }
  return out;
}

/**
 * Last resort for input mailparser rejects: split headers from body and keep both readable.
 * Exported for tests, since mailparser rarely rejects anything.
 */
export function parseByHand(raw: Buffer, envelope: Envelope): ParsedMessage {
  const source = raw.toString('utf8');
  const match = /\r?\n\r?\n/.exec(source);
  const head = match === null ? source : source.slice(0, match.index);
  const body = match === null ? '' : source.slice(match.index + match[0].length);
  const headers = headerLines(head.split(/\r?\n(?![ \t])/));
  const first = (name: string): string | null =>
    headers.find((header) => header.name.toLowerCase() === name)?.value ?? null;
  return {
    messageId: first('message-id'),
    subject: first('subject'),
    from: [],
    to: [],
    cc: [],
    bcc: blindRecipients(envelope, [], []),
    replyTo: [],
    date: headerDate(headers),
    text: body === '' ? null : body,
    html: null,
    headers,
    attachments: [],
  };
}
