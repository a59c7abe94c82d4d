/**
 * `serve --http-tls`: a plain http:// request to the HTTPS port. The TLS server would read its
 * bytes as a broken handshake and close without a word, leaving browsers and curl with "empty
 * reply". The first byte tells the two apart (a TLS handshake record starts with 22), so a plain
 * request gets an HTTP answer naming the https:// address, as Go's servers give one.
 */
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';

const TLS_HANDSHAKE_RECORD = 0x16;
/** A client that connects and says nothing, or never hangs up after the answer, is not kept longer. */
const FIRST_BYTES_TIMEOUT_MS = 10_000;
/** Host header values put back into the answer: a host name or address, and a port. */
const SAFE_HOST = /^[\w.-]+(?::\d{1,5})?$|^\[[\da-f:.]+\](?::\d{1,5})?$/i;
const SAFE_TARGET = /^\/[^\s"'<>\\]*$/;

/** Puts the sniffing in front of the server's own TLS connection handling; returns the server. */
export function answerPlainHttpRequests(server: HttpsServer): HttpsServer {
  const startTls = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  // The HTTP server only knows a connection once its TLS handshake is done: closing it must also
  // end the sockets it never saw (a client that is silent, or has not hung up after the 400), or
  // each would hold the close up until its timeout.
  const sockets = new Set<Socket>();
  const closeKnownConnections = server.closeAllConnections.bind(server);
  server.closeAllConnections = () => {
    for (const socket of sockets) socket.destroy();
    closeKnownConnections();
  };
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const drop = (): void => {
      socket.destroy();
    };
    socket.on('error', drop);
    socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, drop);
    socket.once('data', (chunk: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      if (chunk[0] === TLS_HANDSHAKE_RECORD) {
        // The TLS socket reads what is buffered on the plain one first: nothing is lost.
        socket.unshift(chunk);
        socket.off('error', drop);
        for (const listener of startTls) listener.call(server, socket);
      } else {
        // Whatever else it sends is read and dropped, so its hang-up is seen and the socket freed.
        socket.setTimeout(FIRST_BYTES_TIMEOUT_MS, drop);
        socket.resume();
        socket.end(httpsRequiredResponse(chunk.toString('latin1'), socket));
      }
    });
  });
  return server;
}

/** A 400 that names the https:// address: an HTML page for a browser, problem+json otherwise. */
function httpsRequiredResponse(request: string, socket: Socket): string {
  const headersEnd = request.indexOf('\r\n\r\n');
  const head = headersEnd === -1 ? request : request.slice(0, headersEnd);
  const target = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r?\n/.exec(head)?.[1] ?? '/';
  const hostHeader = /\r?\nHost:[ \t]*([^\r\n]*)/i.exec(head)?.[1]?.trim() ?? '';
  const local = socket.localAddress?.includes(':') ? `[${socket.localAddress}]` : socket.localAddress;
  const host = SAFE_HOST.test(hostHeader) ? hostHeader : `${local}:${socket.localPort}`;
  // Both parts pass SAFE_HOST and SAFE_TARGET: nothing in the URL needs escaping in HTML or JSON.
  const secureUrl = `https://${host}${SAFE_TARGET.test(target) ? target : '/'}`;
  const detail = `This port speaks HTTPS only (mailport serve --http-tls): use ${secureUrl}`;
  const fix = `Use ${secureUrl}; a sandbox signs its certificate with its local CA, so trust that CA (\`mailport serve\` prints it as "TLS CA"; pass it to \`mailport\` commands as --api-ca, and to other Node clients as NODE_EXTRA_CA_CERTS).`;
  const wantsHtml = /\r?\nAccept:[^\r\n]*text\/html/i.test(head);
  const [type, body] = wantsHtml
    ? [
        'text/html; charset=utf-8',
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Use HTTPS</title><p>This port speaks HTTPS only (<code>mailport serve --http-tls</code>).</p><p><a href="${secureUrl}">${secureUrl}</a></p>\n`,
      ]
    : [
        'application/problem+json',
        `${JSON.stringify({ type: 'about:blank', title: 'HTTPS required', status: 400, detail, fix })}\n`,
      ];
  return [
    'HTTP/1.1 400 Bad Request',
    `Content-Type: ${type}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}
