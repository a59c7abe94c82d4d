/**
 * Builds the RFC 5322 message for `mailport send` with nodemailer's MIME composer (headers,
 * text body, attachments), so the bytes match what applications send.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { MailportError } from '../errors.js';

export interface MessageInput {
  from: string;
  to: string[];
  subject: string;
  body: string;
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
    attachments,
    headers: input.headers.map(parseHeader),
  });
  return composer.compile().build();
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
