/**
 * Vitest + Mailport. Run with `npx vitest run` in this folder (setup.ts registers the matchers).
 */
import { randomUUID } from 'node:crypto';
import { type Sandbox, startSandbox } from 'mailport';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, expect, test } from 'vitest';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.stop());

test('signup sends a welcome mail with the terms attached', async () => {
  const to = `bob+${randomUUID()}@example.com`;
  // 465-style: implicit TLS from the first byte.
  const transport = nodemailer.createTransport(sandbox.transportOptions('submissions'));
  await transport.sendMail({
    from: 'welcome@app.example',
    to,
    subject: 'Welcome to App',
    html: '<a href="https://app.example/start">Get started</a>',
    attachments: [
      { filename: 'terms.pdf', content: Buffer.from('%PDF-1.4'), contentType: 'application/pdf' },
    ],
  });
  transport.close();

  const message = await sandbox.client.waitForMessage({ to, subject: /welcome/i }, { timeout: 10_000 });
  expect(message).toHaveBeenSentTo(to);
  expect(message).toHaveSubject('Welcome to App');
  expect(message).toContainLink('https://app.example/start');
  expect(message).toHaveAttachment({ filename: 'terms.pdf', contentType: 'application/pdf' });
});
