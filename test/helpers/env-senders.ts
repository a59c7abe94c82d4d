/**
 * Command-line and in-process clients that send one message configured from the MP_* settings of
 * helpers/language-clients.ts (STARTTLS against MP_CA, AUTH with MP_USER and MP_PASS, MP_FROM and
 * MP_TO), beside the language clients there: each returns what it printed, or what an application
 * would log.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import nodemailer from 'nodemailer';
import { CLIENTS_DIR } from './language-clients.js';
import { runClient } from './run-client.js';

/** One send as the MP_* settings of helpers/language-clients.ts describe it. */
export type Send = (env: Record<string, string>) => Promise<string>;

/** The Ruby mail gem (Rails' ActionMailer), with its own MP_TLS handling. */
export const mailGem: Send = (env) => runClient('ruby', [join(CLIENTS_DIR, 'send-mail-gem.rb')], { env });

/** Python's smtplib as Django's SMTP backend uses it: STARTTLS, login, send_message. */
export const pythonSmtplib: Send = (env) =>
  runClient(
    'python3',
    [
      '-c',
      `import os, smtplib, ssl
from email.message import EmailMessage
message = EmailMessage()
message['From'] = os.environ.get('MP_FROM', 'alice@example.com')
message['To'] = os.environ.get('MP_TO', 'bob@example.com')
message['Subject'] = 'test'
message.set_content('hello')
smtp = smtplib.SMTP(os.environ['MP_HOST'], int(os.environ['MP_PORT']), timeout=5)
smtp.starttls(context=ssl.create_default_context(cafile=os.environ['MP_CA']))
smtp.login(os.environ['MP_USER'], os.environ['MP_PASS'])
smtp.send_message(message)`,
    ],
    { env },
  );

export const msmtp: Send = (env) =>
  runClient(
    'msmtp',
    [
      '--timeout=5',
      `--host=${env.MP_HOST}`,
      `--port=${env.MP_PORT}`,
      '--tls=on',
      `--tls-trust-file=${env.MP_CA}`,
      '--auth=on',
      `--user=${env.MP_USER}`,
      `--passwordeval=echo ${env.MP_PASS}`,
      `--from=${env.MP_FROM ?? 'alice@example.com'}`,
      env.MP_TO ?? 'bob@example.com',
    ],
    { input: 'Subject: test\n\nhello\n' },
  );

export const swaks: Send = (env) =>
  runClient('swaks', [
    ...['--server', env.MP_HOST ?? '', '--port', env.MP_PORT ?? '', '--tls', '--tls-verify'],
    ...['--tls-ca-path', env.MP_CA ?? '', '--timeout', '5', '--auth', 'PLAIN'],
    ...['--auth-user', env.MP_USER ?? '', '--auth-password', env.MP_PASS ?? ''],
    ...['--from', env.MP_FROM ?? 'alice@example.com', '--to', env.MP_TO ?? 'bob@example.com'],
  ]);

/** curl -sS, or with MP_VERBOSE=1 curl -v (the conversation, as users are told to rerun it). */
export const curl: Send = (env) =>
  runClient(
    'curl',
    [
      ...[env.MP_VERBOSE === '1' ? '-v' : '-sS', `smtp://${env.MP_HOST}:${env.MP_PORT}`],
      ...['--ssl-reqd', '--cacert', env.MP_CA ?? ''],
      ...['--user', `${env.MP_USER}:${env.MP_PASS}`, '--max-time', '5', '-T', '-'],
      ...['--mail-from', env.MP_FROM ?? 'alice@example.com', '--mail-rcpt', env.MP_TO ?? 'bob@example.com'],
    ],
    { input: 'Subject: test\r\n\r\nhello\r\n' },
  );

/** nodemailer in-process over STARTTLS: the error an application logs (util.inspect), or the info. */
export const nodemailerSend: Send = async (env) => {
  const transport = nodemailer.createTransport({
    host: env.MP_HOST,
    port: Number(env.MP_PORT),
    requireTLS: true,
    tls: { ca: await readFile(env.MP_CA ?? '', 'utf8') },
    auth: { user: env.MP_USER ?? '', pass: env.MP_PASS ?? '' },
    connectionTimeout: 5000,
  });
  try {
    return inspect(
      await transport.sendMail({
        from: env.MP_FROM ?? 'alice@example.com',
        to: env.MP_TO ?? 'bob@example.com',
        subject: 'test',
        text: 'hello',
      }),
    );
  } catch (error) {
    return inspect(error);
  } finally {
    transport.close();
  }
};
