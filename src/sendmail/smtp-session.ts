/**
 * `sendmail -bs`: the caller speaks SMTP itself on standard input and output, as the sendmail
 * transports of Laravel and Symfony Mailer do by default. Postfix answers with its own smtpd on the
 * pipe; here the bytes go to the sandbox's SMTP port and back unchanged, so the sandbox judges the
 * caller's own SMTP session.
 */
import { connect } from 'node:net';

export interface SmtpServerAddress {
  host: string;
  port: number;
}

/** Nothing accepted the connection: no SMTP session took place. */
export class SmtpSessionUnreachableError extends Error {
  override readonly name = 'SmtpSessionUnreachableError';
}

/**
 * Relays one SMTP session between the caller's pipes and the server, until the server closes it.
 * The caller's end of input half-closes the connection, so the server still sends its last replies.
 */
export async function relaySmtpSession(
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  server: SmtpServerAddress,
  connectTimeoutMs: number,
): Promise<void> {
  const socket = connect({ host: server.host, port: server.port, timeout: connectTimeoutMs });
  await new Promise<void>((resolve, reject) => {
    const unreachable = (reason: string): void => {
      socket.destroy();
      reject(new SmtpSessionUnreachableError(`Cannot connect to ${server.host}:${server.port}: ${reason}`));
    };
    socket.once('connect', () => {
      socket.setTimeout(0);
      resolve();
    });
    socket.once('error', (error) => unreachable(error.message));
    socket.once('timeout', () => unreachable(`no answer within ${connectTimeoutMs / 1000} s`));
  });
  socket.removeAllListeners('error');
  // A reset mid-session ends it like a close: the caller has seen every reply the server sent.
  socket.on('error', () => socket.destroy());
  input.pipe(socket);
  socket.pipe(output, { end: false });
  await new Promise((resolve) => socket.once('close', resolve));
  input.unpipe(socket);
}
