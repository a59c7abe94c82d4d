/**
 * node:test + Mailport: the sandbox runs inside the test process on free ports, the code under
 * test sends through nodemailer exactly as in production (587-style: STARTTLS + AUTH), and the
 * test waits for the mail and checks it.
 *
 *   node --import tsx --test examples/node-test/password-reset.test.ts
 */
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { assertContainsLink, assertSentTo, assertSubject, type Sandbox, startSandbox } from 'mailport';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** The code under test: in an application this is the mailer module, configured from settings. */
async function sendPasswordReset(smtp: SMTPTransport.Options, to: string, token: string): Promise<void> {
  const transport = nodemailer.createTransport(smtp);
  try {
    await transport.sendMail({
      from: 'no-reply@app.example',
      to,
      subject: 'Reset your password',
      text: `Open https://app.example/reset?token=${token} within an hour.`,
      html: `<p><a href="https://app.example/reset?token=${token}">Reset your password</a></p>`,
    });
  } finally {
    transport.close();
  }
}

let sandbox: Sandbox;

before(async () => {
  sandbox = await startSandbox();
});
after(() => sandbox.stop());

test('the password-reset mail carries a working link', async () => {
  // A recipient only this test uses: tests running in parallel never see each other's mail.
  const to = `alice+${randomUUID()}@example.com`;
  await sendPasswordReset(sandbox.transportOptions('submission'), to, 'tok123');

  const message = await sandbox.client.waitForMessage({ to }, { timeout: 10_000 });
  assertSentTo(message, to);
  assertSubject(message, 'Reset your password');
  assertContainsLink(message, 'https://app.example/reset?token=tok123');
});
