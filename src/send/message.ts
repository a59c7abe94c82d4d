/**
 * Builds the RFC 5322 message for `mailport send` with nodemailer's MIME composer (headers,
 * text body, attachments), so the bytes match what applications send.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { MailportError } from '../errors.js';

export interface MessageInput {
  from: string;
  to: string[];
  subject: string;
  body: string;
  /** An HTML alternative to the text body. */
  html?: string;
  /** File paths. */
  attachments: string[];
  /** `Name: value` lines. */
  headers: string[];
}

export async function buildMessage(input: MessageInput): Promise<Buffer> {
  const attachments = await Promise.all(
    input.attachments.map(async (path) => ({
      filename: basename(path),
      content: await readAttachment(path),
    })),
  );
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject: input.subject,
    text: input.body,
    ...(input.html === undefined ? {} : { html: input.html }),
    attachments,
    headers: input.headers.map(parseHeader),
  });
  return composer.compile().build();
}

/**
 * The envelope addresses in a --from or --to value, which may be written as in a header ("Bob
 * <bob@example.com>", several separated by commas): MAIL FROM and RCPT TO take bare addresses
 * (RFC 5321 §4.1.2), while the headers keep the names. A value with no address in it goes as
 * written, for the server to judge.
 */
export function envelopeAddresses(value: string): string[] {
  const found = addressparser(value, { flatten: true })
    .map((entry) => entry.address)
    .filter((address) => address !== '');
  return found.length > 0 ? found : [value.trim()];
}

/**
 * A message that already exists (an .eml file, or `-` for standard input), sent as it is: its
 * headers are not touched and the envelope comes from the command line, as with swaks --data.
 */
export async function readMessageFile(
  path: string,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<Buffer> {
  try {
    const bytes = path === '-' ? await readAll(stdin) : await readFile(path);
    if (bytes.length === 0) throw new Error('it is empty');
    return bytes;
  } catch (error) {
    throw new MailportError('MP_ERR_USAGE', `Cannot read the message ${path}: ${(error as Error).message}`, {
      hint: 'give --data an RFC 5322 message file (headers, a blank line, the body), or - to read it from standard input.',
      cause: error,
    });
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function readAttachment(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new MailportError(
      'MP_ERR_USAGE',
      `Cannot read the attachment ${path}: ${(error as Error).message}`,
      {
        hint: 'check the path given to --attach.',
        cause: error,
      },
    );
  }
}

function parseHeader(line: string): { key: string; value: string } {
  const match = /^([!-9;-~]+):\s*(.*)$/.exec(line);
  if (!match?.[1]) {
    throw new MailportError('MP_ERR_USAGE', `"${line}" is not a header line.`, {
      hint: 'write headers as --header "Name: value", e.g. --header "X-Campaign: test".',
    });
  }
  return { key: match[1], value: match[2] ?? '' };
}
