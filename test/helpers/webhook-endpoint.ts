/**
 * A webhook receiver on loopback: records every POST (headers, body, parsed delivery) and answers
 * as `respond` says (200 by default).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookDelivery } from '../../src/events/webhooks.js';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  delivery: WebhookDelivery;
}

export async function startWebhookEndpoint(
  respond: (received: Received, response: ServerResponse) => void = () => {},
) {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      const entry = { headers: request.headers, body, delivery: JSON.parse(body) as WebhookDelivery };
      received.push(entry);
      respond(entry, response);
      if (!response.writableEnded) response.end('ok');
      for (const wake of waiters.splice(0)) wake();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mail?token=t0ken`);
  return {
    url,
    received,
    /** Resolves once `count` POSTs arrived (or fails the test after 5 s). */
    async waitFor(count: number): Promise<Received[]> {
      const deadline = Date.now() + 5000;
      while (received.length < count) {
        assert.ok(Date.now() < deadline, `only ${received.length} of ${count} POSTs arrived`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
