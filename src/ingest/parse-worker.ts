/**
 * Worker thread body of the parse pool: parses raw messages off the socket thread.
 */
import type { Envelope } from '../domain/types.js';
import { parseMessage } from '../mime/parse-message.js';
import { serveRequests } from '../workers/worker-client.js';

export interface ParseRequest {
  raw: Uint8Array;
  envelope: Envelope;
}

serveRequests<ParseRequest & { id: number }>((request) =>
  parseMessage(
    Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength),
    request.envelope,
  ),
);
