/**
 * Client side of SMTP replies (RFC 5321 §4.2): collects `NNN-text` continuation lines until the
 * final `NNN text` line and hands each complete reply over in order. Replies to pipelined
 * commands (RFC 2920) arrive back to back; each `next()` takes the oldest one.
 */

export interface SmtpReply {
  code: number;
  /** Text of every line, without the code and separator. */
  lines: string[];
}

export class ReplyReader {
  #partial = '';
  #lines: string[] = [];
  readonly #ready: SmtpReply[] = [];
  #waiting: { resolve: (reply: SmtpReply) => void; reject: (error: Error) => void } | null = null;
  #failure: Error | null = null;

  /** Feeds bytes read from the socket. */
  push(chunk: Buffer): void {
    const text = this.#partial + chunk.toString('latin1');
    let start = 0;
    for (let end = text.indexOf('\r\n'); end !== -1; end = text.indexOf('\r\n', start)) {
      const line = text.slice(start, end);
      start = end + 2;
      this.#lines.push(line.slice(4));
      if (line.charCodeAt(3) === 45 /* '-' */) continue;
      this.#deliver({ code: Number.parseInt(line.slice(0, 3), 10), lines: this.#lines });
      this.#lines = [];
    }
    this.#partial = text.slice(start);
  }

  /** Fails the pending and every later `next()` (socket closed, timed out, or errored). */
  fail(error: Error): void {
    this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(this.#failure);
  }

  next(): Promise<SmtpReply> {
    const ready = this.#ready.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** Drops everything buffered: after STARTTLS nothing read in clear may be used (RFC 3207 §4.2). */
  reset(): void {
    this.#partial = '';
    this.#lines = [];
    this.#ready.length = 0;
  }

  #deliver(reply: SmtpReply): void {
    const waiting = this.#waiting;
    if (waiting) {
      this.#waiting = null;
      waiting.resolve(reply);
    } else {
      this.#ready.push(reply);
    }
  }
}
