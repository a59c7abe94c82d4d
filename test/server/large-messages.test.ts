/**
 * Large messages end to end, on each storage engine: several MiB in a row over one 587-style
 * STARTTLS+AUTH connection, each stored byte for byte, with a refused over-size message between
 * them. Such messages are read into a buffer of their own that is emptied once stored
 * (src/protocol/message-body.ts), so this checks that nothing reads the bytes after that.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';

const POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const MIB = 1024 * 1024;

/** A multipart message of about `size` octets: text with leading dots, and a base64 attachment. */
function largeMessage(index: number, size: number): string {
  const text = Array.from(
    { length: 2000 },
    (_, line) => `${line % 5 === 0 ? '.' : ''}line ${line} of ${index}`,
  );
  const attachment = randomBytes(Math.floor((size * 3) / 4))
    .toString('base64')
    .replace(/.{76}/g, '$&\r\n');
  return [
    `Subject: Large ${index}`,
    'From: app@example.com',
    'To: user@example.com',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    ...text,
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="data.bin"',
    '',
    attachment,
    '--b--',
    '',
  ].join('\r\n');
}

for (const engine of ['sqlite', 'postgres'] as const) {
  describe(`large messages (${engine})`, () => {
    const schema = `mailport_large_${randomUUID().replaceAll('-', '')}`;
    let sandbox: TestSandbox | null = null;

    after(async () => {
      await sandbox?.stop();
      if (engine !== 'postgres') return;
      const client = new pg.Client({ connectionString: POSTGRES });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });

    it('stores several MiB in a row byte for byte, and refuses one over the limit in between', async () => {
      sandbox = await startTestSandbox({
        maxMessageSize: '6MiB',
        ...(engine === 'postgres' ? { storage: `${POSTGRES}?schema=${schema}` } : {}),
      });
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: sandbox.port('submission'),
        secure: false,
        requireTLS: true,
        auth: sandbox.auth,
        tls: { ca: sandbox.caPem, servername: 'localhost' },
        pool: true,
        maxConnections: 1,
      });
      const envelope = { from: 'app@example.com', to: ['user@example.com'] };
      const announced = new Map<string, number>();
      const unsubscribe = sandbox.bus.subscribe('message.received', ({ message }) => {
        announced.set(message.id, message.size);
      });
      try {
        const sent: Array<{ raw: string; id: string }> = [];
        for (const [index, size] of [3 * MIB, 4 * MIB, 7 * MIB, 5 * MIB].entries()) {
          const raw = largeMessage(index, size);
          if (size > 6 * MIB) {
            await assert.rejects(
              transport.sendMail({ envelope, raw }),
              (error: { responseCode?: number }) => {
                assert.equal(error.responseCode, 552);
                return true;
              },
            );
            continue;
          }
          const info = await transport.sendMail({ envelope, raw });
          const id = /queued as (\S+)/.exec(info.response)?.[1];
          assert.ok(id, `an id in ${info.response}`);
          sent.push({ raw, id });
        }
        assert.equal(sent.length, 3);
        for (const { raw, id } of sent) {
          const stored = Buffer.from(
            await (await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}/raw`)).arrayBuffer(),
          );
          assert.ok(stored.equals(Buffer.from(raw)), `message ${id} came back byte for byte`);
          const detail = (await (await fetch(`${sandbox.apiUrl}/api/v1/messages/${id}`)).json()) as {
            size: number;
            attachmentCount: number;
          };
          assert.equal(detail.size, Buffer.byteLength(raw));
          assert.equal(announced.get(id), Buffer.byteLength(raw), 'message.received has its size');
          assert.equal(detail.attachmentCount, 1);
        }
      } finally {
        unsubscribe();
        transport.close();
      }
    });
  });
}
