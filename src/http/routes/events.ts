/** `GET /api/v1/events`: the live event stream (Server-Sent Events) for the UI and test kits. */
import { setMaxListeners } from 'node:events';
import { Type } from '@sinclair/typebox';
import type { ApiInstance, RouteContext } from '../deps.js';
import { FLUSH_INTERVAL_MS, MAX_BACKLOG_BYTES } from '../event-stream.js';

const DEFAULT_HEARTBEAT_MS = 15_000;
/** Tells EventSource clients how soon to reconnect after the stream drops (WHATWG HTML §9.2.6). */
const RECONNECT_MS = 2_000;

export function registerEventRoutes(app: ApiInstance, { deps, hub, shutdown }: RouteContext): void {
  const heartbeatMs = deps.sseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  // Every open stream listens for shutdown: hundreds of listeners are normal, not a leak.
  setMaxListeners(0, shutdown.signal);

  app.get(
    '/api/v1/events',
    {
      // A HEAD twin would open a stream that never sends a body.
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamEvents',
        tags: ['events'],
        summary: 'Live events (Server-Sent Events)',
        description: `A \`text/event-stream\`. Events: \`message.received\` (data: MessageReceivedEvent), \`message.deleted\` (data: MessageDeletedEvent), \`message.released\` (data: MessageReleasedEvent), \`session.closed\` (data: SessionClosedEvent), \`session.deleted\` (data: SessionDeletedEvent). Every event has a numeric \`id\`; reconnect with \`Last-Event-ID\` to receive the recent events you missed. Events published close together are sent together, none later than about ${FLUSH_INTERVAL_MS} ms after it happened. Comment lines are heartbeats. A client that stops reading is disconnected once it is ${MAX_BACKLOG_BYTES / 1024 / 1024} MiB behind.`,
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({
              pattern: '^\\d+$',
              description: 'Id of the last event received, to resume after it.',
            }),
          ),
        }),
        response: {
          200: {
            description: 'The event stream; it stays open until the client disconnects.',
            content: { 'text/event-stream': { schema: Type.String() } },
          },
        },
      },
    },
    (request, reply) => {
      const lastEventIdHeader = request.headers['last-event-id'];
      const lastEventId = lastEventIdHeader === undefined ? null : Number(lastEventIdHeader);
      reply.hijack();
      const response = reply.raw;
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The stream ends only when one side goes away; the socket is never reused after it.
        connection: 'close',
        // Stops reverse proxies (nginx) from buffering the stream.
        'x-accel-buffering': 'no',
      });
      response.write(`retry: ${RECONNECT_MS}\n: connected\n\n`);

      // The hub hands over one shared, already encoded buffer per batch of events.
      const detach = hub.attach(({ wire }) => {
        response.write(wire);
        if (response.writableLength > MAX_BACKLOG_BYTES && !response.destroyed) {
          deps.logger?.warn('Event stream client is not reading; disconnected it', {
            client: request.ip,
            backlogBytes: response.writableLength,
          });
          // 'close' follows, which detaches the listener.
          response.destroy();
        }
      }, lastEventId);
      const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
      const stop = (): void => {
        clearInterval(heartbeat);
        detach();
        shutdown.signal.removeEventListener('abort', end);
      };
      const end = (): void => {
        // Events already published go out before the stream ends.
        hub.flush();
        stop();
        response.end();
      };
      shutdown.track(response);
      response.once('close', stop);
      shutdown.signal.addEventListener('abort', end, { once: true });
    },
  );
}
