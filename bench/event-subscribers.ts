/**
 * Live event subscribers for the "100 subscribers cost <= 10% of ingest" target: N connections to
 * Mailport's `GET /api/v1/events` (Server-Sent Events) that count exactly the `message.received`
 * events they are sent and otherwise discard the stream, as a client that only needs to know what
 * arrived would: one byte search per chunk, no JSON parsing, no text decoding. Like the load
 * generator they are raw sockets: they share the machine with Mailport, and Node's HTTP client
 * parsing 100 streams cost the run about a tenth of its rate, which is not Mailport's cost.
 */
import net from 'node:net';

// Every event starts with its `id:` line, so its `event:` line always follows a newline; a leading
// newline also makes the search fast (it skips ahead on a byte that is rare in the JSON payloads).
const EVENT_LINE = Buffer.from('\nevent: message.received\n');

export interface Subscribers {
  /** `message.received` events seen, summed over all subscribers. */
  received(): number;
  close(): void;
}

/** Opens `count` subscriptions and resolves once every one has its 200 response. */
export async function subscribe(apiUrl: string, count: number, timeoutMs: number): Promise<Subscribers> {
  const url = new URL('/api/v1/events', apiUrl);
  const sockets: net.Socket[] = [];
  let received = 0;
  const close = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname);
      sockets.push(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer from /api/v1/events in ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.write(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`);
      let head = Buffer.alloc(0);
      const count = eventLineCounter();
      const onHead = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        clearTimeout(timer);
        socket.off('data', onHead);
        socket.on('error', () => undefined);
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 200 /.test(status)) {
          reject(new Error(`GET /api/v1/events answered ${status}`));
          return;
        }
        // Each batch of events is one write, so one HTTP chunk: its size line never splits an event.
        received += count(head.subarray(end + 4));
        socket.on('data', (data: Buffer) => {
          received += count(data);
        });
        resolve();
      };
      socket.on('data', onHead);
    });
  try {
    await Promise.all(Array.from({ length: count }, open));
  } catch (error) {
    close();
    throw error;
  }
  return { received: () => received, close };
}

/**
 * Counts `EVENT_LINE` in a stream fed chunk by chunk, exactly: a line split between chunks is found
 * in the last bytes before the chunk joined with its first bytes, which are both too short to hold
 * a whole line, so nothing is counted twice.
 */
export function eventLineCounter(): (chunk: Buffer) => number {
  const carry = EVENT_LINE.length - 1;
  let tail = Buffer.alloc(0);
  return (chunk) => {
    let count = occurrences(chunk);
    if (tail.length > 0) count += occurrences(Buffer.concat([tail, chunk.subarray(0, carry)]));
    // A copy, so that the chunk itself is not kept alive.
    tail = Buffer.from(
      chunk.length >= carry
        ? chunk.subarray(chunk.length - carry)
        : Buffer.concat([tail, chunk]).subarray(-carry),
    );
    return count;
  };
}

function occurrences(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(EVENT_LINE); at !== -1; at = bytes.indexOf(EVENT_LINE, at + EVENT_LINE.length))
    count++;
  return count;
}
