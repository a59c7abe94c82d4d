/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, a malformed
 * request line, Content-Length with chunked encoding, headers that never finish) are answered as
 * problem+json like every other error, with what to change, instead of Fastify's bare JSON.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { HttpProblem, problemJson } from './problem.js';
import { PROBLEM_CONTENT_TYPE } from './schemas/common.js';

/** Node's default `maxHeaderSize`: the request line and all headers together. */
export const MAX_URL_BYTES = 16 * 1024;

interface ParserError extends Error {
  code?: string;
  /** What the parser had read when it failed: a Buffer, which Node sets for parse errors. */
  rawPacket?: unknown;
}

function clientProblem(error: ParserError): HttpProblem {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return new HttpProblem(
      431,
      `The request line and headers exceed ${MAX_URL_BYTES / 1024} KiB. Shorten the URL (a search \`q\` takes at most 2000 characters) or the headers.`,
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new HttpProblem(408, 'The request headers did not arrive in time; send the request again.', {
      slug: 'request-timeout',
      title: 'The request took too long to arrive',
    });
  }
  return new HttpProblem(
    400,
    `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'}: ${error.message}); check the request line, the headers and the body framing (Content-Length or chunked, not both).`,
  );
}

/** The path of the request line the parser read, when it got that far. */
function requestPath(error: ParserError): string {
  const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
  const line = packet.subarray(0, MAX_URL_BYTES).toString('latin1').split('\r\n', 1)[0] ?? '';
  const target = line.split(' ')[1] ?? '';
  return target.startsWith('/') ? (target.split('?')[0] ?? '') : '';
}

export function answerClientError(error: ParserError, socket: Socket): void {
  // A reset connection has gone: there is no one to answer (as Fastify's default handler does).
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = clientProblem(error);
    const body = JSON.stringify(problemJson(problem, requestPath(error)));
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
