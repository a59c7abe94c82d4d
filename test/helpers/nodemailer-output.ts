/** nodemailer sending one message, as an application would log the outcome. */
import { inspect } from 'node:util';
import nodemailer from 'nodemailer';
import type SendmailTransport from 'nodemailer/lib/sendmail-transport/index.js';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

/**
 * Sends with a transport of these options (SMTP, or the sendmail transport) and returns what an
 * application would log: the error (by default as `console.error` prints it), or the info of a sent
 * message.
 */
export async function nodemailerOutput(
  options: SMTPTransport.Options | SendmailTransport.Options,
  message: Record<string, unknown> = {},
  log: (error: unknown) => string = (error) => inspect(error),
): Promise<string> {
  const transport =
    'sendmail' in options ? nodemailer.createTransport(options) : nodemailer.createTransport(options);
  try {
    const info = await transport.sendMail({
      from: 'alice@example.com',
      to: 'bob@example.com',
      text: 'hello',
      ...message,
    });
    return inspect(info);
  } catch (error) {
    return log(error);
  } finally {
    transport.close();
  }
}
