/**
 * Collects the unstuffed text of one message as the line reader finds it, in as little memory as
 * the message allows.
 *
 * A small message is kept as views of the socket chunks it arrived in and joined once at the end.
 * Kept that way, a large message would hold every chunk until the join, and then the joined copy
 * too: twice its size at once. So past LARGE_BODY_OCTETS the text is copied as it comes into a
 * resizable buffer, and each chunk is garbage as soon as it is read. The buffer grows in place,
 * never moving the text, and once the message is stored its pages can be given back at once
 * (discardMessageBytes in src/workers/dead-buffers.ts).
 */
import { type ResizableArrayBuffer, releasedMessageBytes, resizableBuffer } from '../workers/dead-buffers.js';

/** Up to this size, views and one join; beyond it, copies into a resizable buffer. */
export const LARGE_BODY_OCTETS = 1024 * 1024;
/** A large body's buffer grows by this much at a time (pages are only used as they are written). */
const GROW_OCTETS = 1024 * 1024;

export class MessageBody {
  readonly #maxOctets: number;
  #views: Buffer[] = [];
  #large: { buffer: ResizableArrayBuffer; bytes: Uint8Array } | null = null;
  #length = 0;

  /** `maxOctets`: the largest body to hold (the line reader refuses longer messages). */
  constructor(maxOctets: number) {
    this.#maxOctets = maxOctets;
  }

  /** Adds `octets`, which must not change until `take()`. */
  append(octets: Buffer): void {
    const length = this.#length + octets.length;
    if (this.#large === null && length <= LARGE_BODY_OCTETS) {
      this.#views.push(octets);
      this.#length = length;
      return;
    }
    const large = this.#large ?? this.#moveToLarge();
    if (length > large.buffer.byteLength) {
      large.buffer.resize(Math.min(Math.max(length, large.buffer.byteLength + GROW_OCTETS), this.#maxOctets));
    }
    large.bytes.set(octets, this.#length);
    this.#length = length;
    // The socket chunk these octets came from is garbage once the reader moves past it.
    releasedMessageBytes(octets.length);
  }

  /**
   * The whole text, in one buffer; the collector is empty afterwards. A large body comes in a
   * buffer of exactly its size that nothing else refers to, so it can be transferred to a worker.
   */
  take(): Buffer {
    const large = this.#large;
    let body: Buffer;
    if (large === null) {
      body = Buffer.concat(this.#views, this.#length);
    } else {
      large.buffer.resize(this.#length);
      body = Buffer.from(large.buffer, 0, this.#length);
      this.#large = null;
    }
    this.clear();
    return body;
  }

  /** Drops what was collected; a large body's memory goes back to the system at once. */
  clear(): void {
    this.#large?.buffer.resize(0);
    this.#views = [];
    this.#large = null;
    this.#length = 0;
  }

  #moveToLarge(): { buffer: ResizableArrayBuffer; bytes: Uint8Array } {
    const buffer = resizableBuffer(this.#maxOctets);
    // A length-tracking view: it grows with the buffer.
    const bytes = new Uint8Array(buffer);
    buffer.resize(Math.min(this.#length + GROW_OCTETS, this.#maxOctets));
    let at = 0;
    for (const view of this.#views) {
      bytes.set(view, at);
      at += view.length;
    }
    this.#views = [];
    releasedMessageBytes(at);
    this.#large = { buffer, bytes };
    return this.#large;
  }
}
