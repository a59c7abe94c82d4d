/**
 * `ReceivedMessage`: a stored message with the accessors tests reach for: `text`, `html`,
 * `headers.get(name)`, `attachments` and `links()`.
 *
 * @example
 * ```ts
 * const message = await client.waitForMessage({ to: 'alice@example.com' });
 * const resetLink = message.links().find((link) => link.includes('/reset?token='));
 * assert.equal(message.headers.get('x-mailer'), 'my-app');
 * ```
 */
import type { AttachmentInfo, HeaderLine, MessageDetail } from '../domain/types.js';
import { findTextUrls } from '../mime/text-links.js';

/** Header lines of a message; names are matched ignoring case (RFC 5322 §1.2.2). */
export class MessageHeaders implements Iterable<HeaderLine> {
  readonly #lines: readonly HeaderLine[];

  constructor(lines: readonly HeaderLine[]) {
    this.#lines = lines;
  }

  /** The first value of the header, or undefined when it is absent. */
  get(name: string): string | undefined {
    const wanted = name.toLowerCase();
    return this.#lines.find((line) => line.name.toLowerCase() === wanted)?.value;
  }

  /** Every value of the header, in message order (e.g. all `Received` lines). */
  getAll(name: string): string[] {
    const wanted = name.toLowerCase();
    return this.#lines.filter((line) => line.name.toLowerCase() === wanted).map((line) => line.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  [Symbol.iterator](): Iterator<HeaderLine> {
    return this.#lines[Symbol.iterator]();
  }

  toJSON(): HeaderLine[] {
    return [...this.#lines];
  }
}

export class ReceivedMessage {
  /** Everything the API knows about the message (envelope, TLS and AUTH facts, parsed view). */
  readonly detail: MessageDetail;
  readonly headers: MessageHeaders;

  constructor(detail: MessageDetail) {
    this.detail = detail;
    this.headers = new MessageHeaders(detail.parsed.headers);
  }

  get id(): string {
    return this.detail.id;
  }

  get subject(): string | null {
    return this.detail.subject;
  }

  /** The envelope sender (MAIL FROM); `''` for the null reverse-path. */
  get envelopeFrom(): string {
    return this.detail.envelopeFrom;
  }

  /** Every envelope recipient (RCPT TO), Cc and Bcc included. */
  get envelopeTo(): string[] {
    return this.detail.envelopeTo;
  }

  /** The plain-text body; `''` when the message has none. */
  get text(): string {
    return this.detail.parsed.text ?? '';
  }

  /** The HTML body; `''` when the message has none. */
  get html(): string {
    return this.detail.parsed.html ?? '';
  }

  /** Attachments and inline parts; fetch the bytes with `client.getAttachment(id, index)`. */
  get attachments(): AttachmentInfo[] {
    return this.detail.parsed.attachments;
  }

  /**
   * Every link in the message, without duplicates: the `href` of each HTML anchor and area in
   * document order, then http(s) and mailto URLs found in the text body.
   */
  links(): string[] {
    const found = new Set<string>();
    for (const match of this.html.matchAll(
      /<(?:a|area)\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi,
    )) {
      const href = decodeHtmlEntities((match[1] ?? match[2] ?? match[3] ?? '').trim());
      if (href !== '') found.add(href);
    }
    for (const url of findTextUrls(this.text)) found.add(url);
    return [...found];
  }

  toJSON(): MessageDetail {
    return this.detail;
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/** Attribute values carry `&amp;` and numeric references (HTML §13.2.5.72); links need them decoded. */
function decodeHtmlEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}
