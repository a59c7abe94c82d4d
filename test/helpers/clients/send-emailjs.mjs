// Sends one message with emailjs (Node's other SMTP client), configured from MP_* variables, and
// prints the error as an application's log does (console.error of the rejection).
import { readFileSync } from 'node:fs';
import { SMTPClient } from 'emailjs';

const env = process.env;
// emailjs takes `true` or Node's TLS options for `ssl` (implicit) and `tls` (STARTTLS).
const tlsOptions = env.MP_CA ? { ca: [readFileSync(env.MP_CA)], servername: env.MP_HOST } : true;
const client = new SMTPClient({
  host: env.MP_HOST,
  port: Number(env.MP_PORT),
  ssl: env.MP_TLS === 'implicit' ? tlsOptions : false,
  tls: env.MP_TLS === 'starttls' ? tlsOptions : false,
  user: env.MP_USER,
  password: env.MP_USER ? (env.MP_PASS ?? '') : undefined,
  timeout: Number(env.MP_TIMEOUT ?? '2') * 1000,
});
const from = env.MP_FROM ?? 'alice@example.com';
const to = env.MP_TO ?? 'bob@example.com';
try {
  await client.sendAsync({ from, to, subject: 'test', text: 'x'.repeat(Number(env.MP_BODY_BYTES ?? '10')) });
  console.log('sent');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
}
