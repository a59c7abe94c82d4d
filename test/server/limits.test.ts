/**
 * Limits end to end with a real client: message size (552 5.3.4, nothing stored), recipients
 * (452 4.5.3), and retention (--max-messages and --max-sessions prune the oldest and announce it).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({
    maxMessageSize: '64KiB',
    maxRecipients: '3',
    maxMessages: '5',
    maxSessions: '4',
  });
});
after(async () => {
  await sandbox.stop();
});

function relay(): Transporter<SMTPTransport.SentMessageInfo> {
  return nodemailer.createTransport({ host: '127.0.0.1', port: sandbox.port('relay'), ignoreTLS: true });
}

describe('limits', () => {
  it('a message over --max-message-size gets 552 5.3.4 and is not stored', async () => {
    const transport = relay();
    const closed = nextClosedSession(sandbox.bus, (s) => s.listener.profile === 'relay');
    await assert.rejects(
      transport.sendMail({
        from: 'big@example.com',
        to: 'rcpt@example.com',
        subject: 'big',
        text: 'x'.repeat(100 * 1024),
      }),
      (error: { responseCode?: number; response?: string }) =>
        error.responseCode === 552 && /^552 5\.3\.4/.test(error.response ?? ''),
    );
    transport.close();
    assert.ok((await closed).diagnostics.some((d) => d.code === 'message-too-large'));
    assert.equal((await sandbox.store.listMessages({ q: 'from:big@example.com' })).total, 0);
  });

  it('recipients beyond --max-recipients get 452 4.5.3', async () => {
    const transport = relay();
    const info = await transport.sendMail({
      from: 'many@example.com',
      to: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com'],
      subject: 'many',
      text: 'hello',
    });
    transport.close();
    // nodemailer delivers to the accepted recipients and reports the rest as rejected.
    assert.deepEqual(info.accepted, ['a@example.com', 'b@example.com', 'c@example.com']);
    assert.deepEqual(info.rejected, ['d@example.com', 'e@example.com']);
    assert.match(info.rejectedErrors?.[0]?.message ?? '', /452 4\.5\.3/);
  });

  it('--max-messages keeps only the newest and publishes message.deleted for the pruned ones', async () => {
    const deleted: string[] = [];
    const unsubscribe = sandbox.bus.subscribe('message.deleted', ({ ids }) => deleted.push(...ids));
    const transport = relay();
    const sent: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const info = await transport.sendMail({
        from: 'keep@example.com',
        to: 'rcpt@example.com',
        subject: `keep ${i}`,
        text: 'x',
      });
      sent.push(/queued as (\S+)/.exec(info.response)?.[1] ?? '');
    }
    transport.close();
    unsubscribe();
    const page = await sandbox.store.listMessages({ limit: 50 });
    assert.equal(page.total, 5);
    assert.deepEqual(
      page.items.map((m) => m.id),
      sent.slice(-5).reverse(),
    );
    for (const id of sent.slice(0, 3)) assert.ok(deleted.includes(id), `pruned ${id} announced`);
  });

  it('--max-sessions keeps only the newest sessions and publishes session.deleted for the pruned ones', async () => {
    const deleted: string[] = [];
    const unsubscribe = sandbox.bus.subscribe('session.deleted', ({ ids }) => deleted.push(...ids));
    const closedIds: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const closed = nextClosedSession(sandbox.bus, (s) => s.heloName === `retention-${i}.test`);
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: sandbox.port('relay'),
        ignoreTLS: true,
        name: `retention-${i}.test`,
      });
      await transport.verify();
      transport.close();
      closedIds.push((await closed).id);
    }
    // The prune after the last save may still be on its way.
    for (let tries = 0; tries < 50 && !deleted.includes(closedIds[1] ?? ''); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    unsubscribe();
    const page = await sandbox.store.listSessions({ limit: 50 });
    assert.equal(page.total, 4);
    assert.deepEqual(
      page.items.map((session) => session.id),
      closedIds.slice(-4).reverse(),
    );
    for (const id of closedIds.slice(0, 2)) assert.ok(deleted.includes(id), `pruned ${id} announced`);
  });
});
