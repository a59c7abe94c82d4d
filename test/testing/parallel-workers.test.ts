/**
 * Several test workers against one sandbox without cross-talk: two node:test subtests run at the
 * same time, each scoping its waits to what only it sends, one by a unique recipient and one by a
 * tag header on a recipient both share. Each sends while the other is waiting.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { type Sandbox, startSandbox } from '../../src/index.js';

describe('parallel workers on one sandbox', () => {
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox.stop());

  /** Resolves once both workers have started their waits, so each one's mail lands mid-wait of the other. */
  const bothWaiting = (() => {
    let arrivals = 0;
    let release!: () => void;
    const ready = new Promise<void>((resolve) => {
      release = resolve;
    });
    return (): Promise<void> => {
      arrivals += 1;
      if (arrivals === 2) release();
      return ready;
    };
  })();

  const send = async (mail: SendMailOptions): Promise<void> => {
    const transport = nodemailer.createTransport(sandbox.transportOptions('submission'));
    try {
      await transport.sendMail({ from: 'app@example.com', ...mail });
    } finally {
      transport.close();
    }
  };

  test('two workers', { concurrency: 2 }, async (t) => {
    await Promise.all([
      t.test('worker A: scoped by a unique recipient', async () => {
        const to = `signup+${randomUUID()}@example.com`;
        const waiting = sandbox.client.waitForMessages(2, { to }, { timeout: 15_000 });
        await bothWaiting();
        await send({ to, subject: 'Welcome', text: 'A1' });
        await send({ to: 'shared@example.com', subject: 'Welcome', text: 'A-noise' });
        await send({ to, subject: 'Welcome', text: 'A2' });
        const messages = await waiting;
        assert.deepEqual(
          messages.map((message) => message.text.trim()),
          ['A1', 'A2'],
        );
      }),
      t.test('worker B: scoped by a tag header on a shared recipient', async () => {
        const tag = randomUUID();
        const waiting = sandbox.client.waitForMessages(
          2,
          { to: 'shared@example.com', where: (message) => message.headers.get('x-test-run') === tag },
          { timeout: 15_000 },
        );
        await bothWaiting();
        await send({
          to: 'shared@example.com',
          subject: 'Welcome',
          text: 'B1',
          headers: { 'X-Test-Run': tag },
        });
        await send({ to: 'shared@example.com', subject: 'Welcome', text: 'B-untagged' });
        await send({
          to: 'shared@example.com',
          subject: 'Welcome',
          text: 'B2',
          headers: { 'X-Test-Run': tag },
        });
        const messages = await waiting;
        assert.deepEqual(
          messages.map((message) => message.text.trim()),
          ['B1', 'B2'],
        );
      }),
    ]);
    // Everything both workers sent is there: the scoping, not luck, kept them apart.
    assert.equal((await sandbox.client.listMessages()).total, 6);
  });
});
