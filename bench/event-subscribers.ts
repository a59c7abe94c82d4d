/**
 * Live event subscribers for the "100 subscribers cost <= 10% of ingest" target: N plain HTTP
 * connections to Mailport's `GET /api/v1/events` (Server-Sent Events) that count exactly the
 * `message.received` events they are sent and otherwise discard the stream, as a client that only
 * needs to know what arrived would: one byte search per chunk, no JSON parsing, no text decoding.
 */
import http from 'node:http';

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
  const requests: http.ClientRequest[] = [];
  let received = 0;
  const close = (): void => {
    for (const request of requests) request.destroy();
  };
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const request = http.get(
        `${apiUrl}/api/v1/events`,
        { agent: false, timeout: timeoutMs },
        (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`GET /api/v1/events answered ${response.statusCode}`));
            return;
          }
          const count = eventLineCounter();
          response.on('data', (chunk: Buffer) => {
            received += count(chunk);
          });
          response.on('error', () => undefined);
          resolve();
        },
      );
      request.on('timeout', () =>
        request.destroy(new Error(`no answer from /api/v1/events in ${timeoutMs} ms`)),
      );
      request.on('error', reject);
      requests.push(request);
    });
  try {
    await Promise.all(Array.from({ length: count }, open));
  } catch (error) {
    close();
    throw error;
  }
  for (const request of requests) request.setTimeout(0);
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
