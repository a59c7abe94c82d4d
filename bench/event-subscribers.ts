/**
 * Live event subscribers for the "100 subscribers cost <= 10% of ingest" target: N plain HTTP
 * connections to Mailport's `GET /api/v1/events` (Server-Sent Events) that count the
 * `message.received` events they are sent and otherwise discard the stream.
 */
import http from 'node:http';

const EVENT_LINE = Buffer.from('event: message.received');

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
          // Events are small and written whole; one that straddles two reads is rare enough to
          // undercount by a few, which only makes the delivery figure conservative.
          response.on('data', (chunk: Buffer) => {
            for (let at = chunk.indexOf(EVENT_LINE); at !== -1; at = chunk.indexOf(EVENT_LINE, at + 1))
              received++;
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
