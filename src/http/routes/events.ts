/** `GET /api/v1/events`: the live event stream (Server-Sent Events) for the UI and test kits. */
import { Type } from '@sinclair/typebox';
import type { ApiInstance, RouteContext } from '../deps.js';

const DEFAULT_HEARTBEAT_MS = 15_000;
/** Tells EventSource clients how soon to reconnect after the stream drops (WHATWG HTML §9.2.6). */
const RECONNECT_MS = 2_000;

export function registerEventRoutes(app: ApiInstance, { deps, hub, shutdown }: RouteContext): void {
  const heartbeatMs = deps.sseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS;

  app.get(
    '/api/v1/events',
    {
      // A HEAD twin would open a stream that never sends a body.
      exposeHeadRoute: false,
      schema: {
        operationId: 'streamEvents',
        tags: ['events'],
        summary: 'Live events (Server-Sent Events)',
        description:
          'A `text/event-stream`. Events: `message.received` (data: MessageReceivedEvent), `message.deleted` (data: MessageDeletedEvent), `session.closed` (data: SessionClosedEvent). Every event has a numeric `id`; reconnect with `Last-Event-ID` to receive the recent events you missed. Comment lines are heartbeats.',
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

      // Events published in the same turn of the event loop (one commit's worth of messages) go
      // out in one write: a hundred subscribers then cost a hundred writes per commit, not per event.
      let corked = false;
      const send = (wire: string): void => {
        if (!corked) {
          corked = true;
          response.cork();
          setImmediate(() => {
            corked = false;
            response.uncork();
          });
        }
        response.write(wire);
      };
      const detach = hub.attach((event) => send(event.wire), lastEventId);
      const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), heartbeatMs);
      const stop = (): void => {
        clearInterval(heartbeat);
        detach();
        shutdown.signal.removeEventListener('abort', end);
      };
      const end = (): void => {
        stop();
        response.end();
      };
      shutdown.track(response);
      response.once('close', stop);
      shutdown.signal.addEventListener('abort', end, { once: true });
    },
  );
}
