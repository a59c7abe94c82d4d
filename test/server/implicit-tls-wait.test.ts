/**
 * The implicit-TLS port before the first byte: a client that is slow to send its ClientHello (a
 * cold JVM spends ~200 ms after connecting, far more on a loaded machine) must still get TLS, and a
 * plaintext client that gives up waiting for a greeting before the 421 hint must still be named.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import tls from 'node:tls';
import { startTestSandbox, type TestSandbox } from '../helpers/sandbox.js';
import { nextClosedSession } from '../helpers/wait.js';

const SILENCE_MS = 3000;
let sandbox: TestSandbox;

before(async () => {
  sandbox = await startTestSandbox({ implicitTlsSilenceMs: SILENCE_MS });
});
after(() => sandbox.stop());

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(sandbox.port('submissions'), '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function nextSession() {
  const startedAfter = Date.now();
  return nextClosedSession(
    sandbox.bus,
    (session) => session.listener.profile === 'submissions' && Date.parse(session.startedAt) >= startedAfter,
  );
}

describe('the implicit-TLS port before the first byte', () => {
  it('a ClientHello 1.5 s after connecting still gets TLS and the greeting', async () => {
    const closed = nextSession();
    const plain = await connect();
    await delay(1500);
    const secure = tls.connect({ socket: plain, servername: 'localhost', ca: sandbox.caPem });
    const greeting = await new Promise<string>((resolve, reject) => {
      secure.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      secure.once('error', reject);
    });
    assert.match(greeting, /^220 /);
    secure.end('QUIT\r\n');
    const session = await closed;
    assert.deepEqual(session.diagnostics, []);
    assert.equal(session.tls?.mode, 'implicit');
  });

  it('a plaintext client that hangs up after waiting a while for a greeting: plaintext-on-implicit-tls-port', async () => {
    const closed = nextSession();
    const socket = await connect();
    await delay(1200);
    socket.destroy();
    const session = await closed;
    assert.deepEqual(
      session.diagnostics.map((diagnostic) => diagnostic.code),
      ['plaintext-on-implicit-tls-port'],
    );
    const transcript = await sandbox.store.getSession(session.id);
    assert.ok(
      transcript?.transcript.some((line) => /hung up after \d+ ms without a TLS ClientHello/.test(line.text)),
    );
  });

  it('a port check that connects and leaves at once is not a finding', async () => {
    const closed = nextSession();
    (await connect()).destroy();
    assert.deepEqual((await closed).diagnostics, []);
  });
});
