/**
 * What a message is listed and searched by, read at ingest in one synchronous pass over its
 * bytes: the top-level Subject and address headers, the readable text, and how many parts are
 * attachments. It decodes only text parts; attachment bodies are skipped, never decoded.
 *
 * The full parse (parse-message.ts, mailparser) runs when a message is opened. So that a list row
 * and the opened message agree, this follows mailparser's rules: the first Subject and From win,
 * To and Cc headers add up, header values go through the same libmime and addressparser calls,
 * and a part is an attachment exactly when mailparser would list it (RFC 2183 disposition, the
 * text types, `message/rfc822` parts read as embedded messages only when inline).
 * test/mime/message-facts.test.ts holds the two to the same answers over a corpus.
 */

import { domainToUnicode } from 'node:url';
import libmime from 'libmime';
import { decode as decodeCharset } from 'libmime/lib/charset.js';
import { decode as decodeQuotedPrintable } from 'libqp';
import addressparser from 'nodemailer/lib/addressparser';
import type { AddressValue, Envelope } from '../domain/types.js';
import { type AddressEntry, blindRecipients, flattenAddresses } from './addresses.js';

export interface MessageFacts {
  subject: string | null;
  from: AddressValue[];
  to: AddressValue[];
  cc: AddressValue[];
  /** Envelope recipients that appear in no To/Cc header. */
  bcc: AddressValue[];
  attachmentCount: number;
  /** The text/plain parts, joined; null when there is none. */
  text: string | null;
  /** The text/html parts, joined; null when there is none. */
  html: string | null;
}

/** mailparser's text types: inline parts of these types are the body, every other part is an attachment. */
const TEXT_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);
/** Hostile nesting ends here: deeper parts are neither read nor counted. */
const MAX_DEPTH = 50;
const UTF8_CHARSETS = new Set(['ascii', 'usascii', 'utf8']);

interface HeaderField {
  /** Lower-case name. */
  key: string;
  /** The whole field as a binary (latin1) string, folding included. */
  line: string;
}

interface Walk {
  raw: Buffer;
  texts: string[];
  htmls: string[];
  attachments: number;
}

export function messageFacts(raw: Buffer, envelope: Envelope): MessageFacts {
  const walk: Walk = { raw, texts: [], htmls: [], attachments: 0 };
  const headers = readEntity(walk, 0, raw.length, 0, true);
  let subject: string | null = null;
  let from: AddressValue[] | null = null;
  const to: AddressValue[] = [];
  const cc: AddressValue[] = [];
  for (const field of headers) {
    switch (field.key) {
      case 'subject':
        if (subject === null) subject = decodeWords(headerValue(field));
        break;
      case 'from':
        from ??= addresses(headerValue(field));
        break;
      case 'to':
        to.push(...addresses(headerValue(field)));
        break;
      case 'cc':
        cc.push(...addresses(headerValue(field)));
        break;
    }
  }
  const bccHeader = headers
    .filter((field) => field.key === 'bcc')
    .flatMap((field) => addresses(headerValue(field)));
  return {
    // mailparser leaves out a header whose value is empty.
    subject: subject === '' ? null : subject,
    from: from ?? [],
    to,
    cc,
    bcc: blindRecipients(envelope, [...to, ...cc], bccHeader),
    attachmentCount: walk.attachments,
    text: walk.texts.length === 0 ? null : walk.texts.join('\n'),
    html: walk.htmls.length === 0 ? null : walk.htmls.join('<br/>\n'),
  };
}

/**
 * Reads the entity in raw[start, end): its header fields, then its body by content type.
 * Returns the header fields so the top level can read Subject and the addresses from them.
 */
function readEntity(walk: Walk, start: number, end: number, depth: number, root: boolean): HeaderField[] {
  const { raw } = walk;
  const bodyStart = headerEnd(raw, start, end);
  const headers = headerFields(raw.toString('latin1', start, bodyStart.headers));
  if (depth > MAX_DEPTH) return headers;
  const part = contentOf(headers, root);
  const body = bodyStart.body;

  if (part.type.startsWith('multipart/')) {
    if (part.boundary !== null) {
      for (const [from, to] of multipartBodies(raw, body, end, part.boundary)) {
        readEntity(walk, from, to, depth + 1, false);
      }
    }
    return headers;
  }
  if (
    part.type === 'message/rfc822' &&
    part.disposition === 'inline' &&
    (part.encoding === '' ||
      part.encoding === '7bit' ||
      part.encoding === '8bit' ||
      part.encoding === 'binary')
  ) {
    // An inline embedded message is read as a message of its own: its text and, as mailparser
    // shows them, its From, Subject, Date, To, Cc and Bcc lines join the body.
    walk.texts.push(embeddedHeaderLines(readEntity(walk, body, end, depth + 1, false)));
    return headers;
  }

  let disposition = part.disposition;
  if (disposition !== '' && disposition !== 'attachment' && disposition !== 'inline')
    disposition = 'attachment';
  if (disposition === '') disposition = TEXT_TYPES.has(part.type) ? 'inline' : 'attachment';
  if (!TEXT_TYPES.has(part.type) || disposition !== 'inline') {
    walk.attachments += 1;
    return headers;
  }
  const text = decodeText(raw.subarray(body, end), part);
  if (part.type === 'text/html') walk.htmls.push(text);
  else walk.texts.push(text);
  return headers;
}

const SHOWN_HEADERS = ['from', 'subject', 'date', 'to', 'cc', 'bcc'];

function embeddedHeaderLines(headers: HeaderField[]): string {
  const lines: string[] = [];
  for (const key of SHOWN_HEADERS) {
    const field = headers.find((entry) => entry.key === key);
    if (field === undefined) continue;
    let value = decodeWords(headerValue(field));
    if (key === 'date') {
      const date = new Date(value);
      if (!Number.isNaN(date.getTime())) value = date.toUTCString();
    }
    lines.push(`${key[0]?.toUpperCase()}${key.slice(1)}: ${value}`);
  }
  return lines.join('\n');
}

/**
 * The top-level header fields that hold raw bytes above 127, each as it was written (folding
 * undone, bytes read as UTF-8): RFC 5322 headers are ASCII, and RFC 6532 allows UTF-8 in them only
 * in a message sent with SMTPUTF8. RFC 2047 encoded-words are ASCII, so they never count.
 */
export function eightBitHeaderFields(raw: Buffer): string[] {
  const { headers } = headerEnd(raw, 0, raw.length);
  return headerFields(raw.subarray(0, headers).toString('latin1'))
    .filter((field) => /[\x80-\xff]/.test(field.line))
    .map((field) => Buffer.from(field.line.replace(/\r?\n[ \t]+/g, ' '), 'latin1').toString());
}

/** Offsets of the end of the header block and of the start of the body (after the empty line). */
function headerEnd(raw: Buffer, start: number, end: number): { headers: number; body: number } {
  // An entity may have no header fields at all: the body then starts after the first line break.
  if (raw[start] === 0x0a) return { headers: start, body: start + 1 };
  if (raw[start] === 0x0d && raw[start + 1] === 0x0a) return { headers: start, body: start + 2 };
  let at = raw.indexOf(0x0a, start);
  while (at !== -1 && at < end - 1) {
    const next = raw[at + 1];
    if (next === 0x0a) return { headers: at + 1, body: at + 2 };
    if (next === 0x0d && raw[at + 2] === 0x0a) return { headers: at + 1, body: at + 3 };
    at = raw.indexOf(0x0a, at + 1);
  }
  return { headers: end, body: end };
}

/** Splits a header block into fields, continuation lines (RFC 5322 §2.2.3) kept with their field. */
function headerFields(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    fields.push({ key: line.slice(0, colon).trim().toLowerCase(), line: line.replace(/\r?\n$/, '') });
  }
  return fields;
}

/** The unfolded, unencoded value as mailparser reads it: bytes as latin1, then taken as UTF-8. */
function headerValue(field: HeaderField): string {
  const value = String(libmime.decodeHeader(field.line).value ?? '').trim();
  return Buffer.from(value, 'latin1').toString();
}

function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function addresses(value: string): AddressValue[] {
  return flattenAddresses(decodeAddresses(addressparser(value) as AddressEntry[]));
}

const ENCODED_WORD = /=\?[^?]+\?[BbQq]\?[^?]*\?=/;

/**
 * As mailparser decodes addressparser's output: encoded words (RFC 2047) in display names; an
 * encoded word in the address itself only when it decodes to a plain local@domain (RFC 2047 §5
 * keeps them out of the addr-spec); internationalized domains from punycode; group members too.
 */
function decodeAddresses(list: AddressEntry[]): AddressEntry[] {
  for (const entry of list) {
    entry.name = (entry.name ?? '').trim();
    if (entry.name) entry.name = decodeWords(entry.name);
    if (entry.address && ENCODED_WORD.test(entry.address)) {
      const decoded = decodeWords(entry.address);
      entry.address = /^[^\s@]+@[^\s@]+$/.test(decoded) && !/=\?/.test(decoded) ? decoded : '';
    }
    if (entry.address && /@xn--/.test(entry.address)) {
      const at = entry.address.lastIndexOf('@');
      const domain = domainToUnicode(entry.address.slice(at + 1));
      if (domain !== '') entry.address = entry.address.slice(0, at + 1) + domain;
    }
    if (entry.group) decodeAddresses(entry.group);
  }
  return list;
}

interface PartContent {
  type: string;
  disposition: string;
  encoding: string;
  charset: string | null;
  boundary: Buffer | null;
  flowed: boolean;
  delSp: boolean;
}

/** Content-Type, -Disposition and -Transfer-Encoding, defaulted as mailsplit defaults them. */
function contentOf(headers: HeaderField[], root: boolean): PartContent {
  const first = (key: string): string | null => {
    const field = headers.find((entry) => entry.key === key);
    return field === undefined ? null : field.line.slice(field.line.indexOf(':') + 1).replace(/\r?\n/g, '');
  };
  const dispositionHeader = libmime.parseHeaderValue(first('content-disposition') ?? '', {
    stripComments: true,
  });
  let contentHeader = first('content-type');
  if (contentHeader === null) {
    const filename = dispositionHeader.params.filename;
    const extension = filename?.includes('.') ? filename.slice(filename.lastIndexOf('.') + 1) : '';
    const guessed = extension === '' ? '' : libmime.detectMimeType(extension);
    contentHeader =
      typeof guessed === 'string' && guessed !== ''
        ? guessed
        : /^attachment$/i.test(dispositionHeader.value)
          ? 'application/octet-stream'
          : 'text/plain';
  }
  const contentType = libmime.parseHeaderValue(contentHeader, { stripComments: true });
  const type = contentType.value.toLowerCase().trim() || (root ? 'text/plain' : '');
  const boundary = (contentType.params.boundary ?? '').trimEnd();
  const format = contentType.params.format?.toLowerCase().trim();
  return {
    type,
    disposition: decodeWords(dispositionHeader.value.toLowerCase().trim()),
    encoding: (first('content-transfer-encoding') ?? '')
      .replace(/\([^)]*\)/g, '')
      .toLowerCase()
      .trim(),
    charset: contentType.params.charset ?? null,
    // A boundary is ASCII (RFC 2046 §5.1.1); one that is not counts as none, as in mailsplit.
    boundary:
      boundary !== '' && Buffer.byteLength(boundary) === boundary.length ? Buffer.from(boundary) : null,
    flowed: type === 'text/plain' && format === 'flowed',
    delSp: contentType.params.delsp?.toLowerCase().trim() === 'yes',
  };
}

/**
 * The body parts of a multipart entity (RFC 2046 §5.1.1): the ranges between delimiter lines
 * `--boundary`, each part ending before the line break that precedes the next delimiter. The
 * preamble and the epilogue are not parts.
 */
function multipartBodies(raw: Buffer, start: number, end: number, boundary: Buffer): Array<[number, number]> {
  const dashes = Buffer.concat([Buffer.from('--'), boundary]);
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let at = raw.indexOf(dashes, start);
  while (at !== -1 && at < end) {
    const atLineStart = at === start || raw[at - 1] === 0x0a;
    const after = at + dashes.length;
    const closing = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    const lineEnd = raw.indexOf(0x0a, after);
    const rest = raw.toString(
      'latin1',
      closing ? after + 2 : after,
      lineEnd === -1 || lineEnd > end ? end : lineEnd,
    );
    if (atLineStart && /^[ \t\r]*$/.test(rest)) {
      if (partStart !== -1) parts.push([partStart, delimiterStart(raw, at, partStart)]);
      if (closing) return parts;
      partStart = lineEnd === -1 || lineEnd >= end ? end : lineEnd + 1;
    }
    at = raw.indexOf(dashes, after);
  }
  // A message cut short of its closing delimiter still has its last part.
  if (partStart !== -1 && partStart < end) parts.push([partStart, end]);
  return parts;
}

/** The line break before a delimiter belongs to the delimiter, not to the part it ends. */
function delimiterStart(raw: Buffer, delimiter: number, partStart: number): number {
  let end = delimiter;
  if (end > partStart && raw[end - 1] === 0x0a) end -= 1;
  if (end > partStart && raw[end - 1] === 0x0d) end -= 1;
  return end;
}

function decodeText(body: Buffer, part: PartContent): string {
  const bytes =
    part.encoding === 'base64'
      ? Buffer.from(body.toString('latin1'), 'base64')
      : part.encoding === 'quoted-printable'
        ? decodeQuotedPrintable(body.toString('latin1'))
        : body;
  const charset = part.charset ?? 'utf-8';
  let text = UTF8_CHARSETS.has(charset.toLowerCase().replace(/[^a-z0-9]+/g, ''))
    ? bytes.toString('utf8')
    : decodeCharset(bytes, charset);
  if (part.flowed) text = libmime.decodeFlowed(text, part.delSp);
  return text;
}
