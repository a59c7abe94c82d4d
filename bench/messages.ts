/**
 * The fixed messages every peer receives: 1 KiB and 100 KiB text messages, and a 10 MiB
 * multipart message with two attachments. Built once, deterministically (seeded bytes), already
 * terminated for DATA, so the load generator only writes a shared buffer per message.
 */

export type MessageSize = '1k' | '100k' | '10m';

export const MESSAGE_SIZES: readonly MessageSize[] = ['1k', '100k', '10m'];

export const SIZE_LABEL: Record<MessageSize, string> = { '1k': '1 KiB', '100k': '100 KiB', '10m': '10 MiB' };

export interface BenchMessage {
  size: MessageSize;
  /** Size of the message itself (what a server stores), excluding the `.` terminator line. */
  bytes: number;
  /** The message followed by `.\r\n`: exactly what is written after the 354 reply. */
  payload: Buffer;
}

const KIB = 1024;
const MIB = 1024 * KIB;
const SENDER = 'bench-sender@bench.test';
const RECIPIENT = 'bench-inbox@bench.test';

export const ENVELOPE = { from: SENDER, to: RECIPIENT } as const;

function headers(subject: string, extra: string[]): string {
  return [
    `From: Bench Sender <${SENDER}>`,
    `To: Bench Inbox <${RECIPIENT}>`,
    `Subject: ${subject}`,
    'Date: Mon, 23 Nov 2026 12:00:00 +0000',
    `Message-ID: <${subject.replace(/\W+/g, '-')}@bench.test>`,
    'MIME-Version: 1.0',
    ...extra,
  ]
    .map((line) => `${line}\r\n`)
    .join('');
}

/**
 * Text lines of 76 characters. No line starts with `.`, so the body needs no dot-stuffing
 * (RFC 5321 §4.5.2) and the bytes sent equal the bytes stored.
 */
function textBody(bytes: number): string {
  const words = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt';
  let body = '';
  let line = '';
  let i = 0;
  while (body.length < bytes) {
    const word = words.split(' ')[i++ % 13] ?? 'x';
    if (line.length + word.length + 1 > 76) {
      body += `${line}\r\n`;
      line = '';
    }
    line += line ? ` ${word}` : word;
  }
  return body;
}

/** Pads or trims a text body so that headers + body is exactly `total` bytes and ends in CRLF. */
function exactText(head: string, total: number): string {
  const room = total - head.length - 2;
  let body = textBody(room).slice(0, room - 2);
  if (body.endsWith('\r')) body = `${body.slice(0, -1)}x`;
  return `${head}\r\n${body}\r\n`;
}

/** xorshift32: incompressible but reproducible attachment bytes. */
function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

function multipartWithAttachments(): string {
  const boundary = 'bench-boundary-7f3a';
  const text = textBody(8 * KIB);
  // One paragraph per line: RFC 5321 §4.5.3.1.6 limits lines to 1000 octets, and strict servers refuse longer.
  const html = `<html><body>\r\n<p>${textBody(8 * KIB).replace(/\r\n/g, '</p>\r\n<p>')}</p>\r\n</body></html>`;
  // Two attachments whose base64 forms add up to just under 10 MiB with the rest of the message.
  const report = seededBytes(5 * MIB, 0x5eed);
  const archive = seededBytes(Math.floor(2.28 * MIB), 0xbeef);
  return `${headers('Bench 10 MiB with attachments', [`Content-Type: multipart/mixed; boundary="${boundary}"`])}\r
--${boundary}\r
Content-Type: multipart/alternative; boundary="${boundary}-alt"\r
\r
--${boundary}-alt\r
Content-Type: text/plain; charset=utf-8\r
\r
${text}\r
--${boundary}-alt\r
Content-Type: text/html; charset=utf-8\r
\r
${html}\r
--${boundary}-alt--\r
--${boundary}\r
Content-Type: application/pdf; name="report.pdf"\r
Content-Disposition: attachment; filename="report.pdf"\r
Content-Transfer-Encoding: base64\r
\r
${base64Lines(report)}\r
--${boundary}\r
Content-Type: application/zip; name="archive.zip"\r
Content-Disposition: attachment; filename="archive.zip"\r
Content-Transfer-Encoding: base64\r
\r
${base64Lines(archive)}\r
--${boundary}--\r
`;
}

function build(size: MessageSize): string {
  switch (size) {
    case '1k':
      return exactText(headers('Bench 1 KiB', ['Content-Type: text/plain; charset=utf-8']), KIB);
    case '100k':
      return exactText(headers('Bench 100 KiB', ['Content-Type: text/plain; charset=utf-8']), 100 * KIB);
    case '10m':
      return multipartWithAttachments();
  }
}

const cache = new Map<MessageSize, BenchMessage>();

export function benchMessage(size: MessageSize): BenchMessage {
  let message = cache.get(size);
  if (!message) {
    const text = build(size);
    message = { size, bytes: Buffer.byteLength(text), payload: Buffer.from(`${text}.\r\n`, 'latin1') };
    cache.set(size, message);
  }
  return message;
}
