/** The deliberately misconfigured servers that real clients are pointed at in the explain tests. */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CauseId } from '../../src/explain/index.js';
import {
  closedPort,
  createTlsFixtures,
  type RunningServer,
  startBlackholePort,
  startScriptedServer,
  startSilentServer,
  startTestSmtpServer,
  startUnansweredDataServer,
  startUnrecognizedNameServer,
  type TestSmtpServer,
  type TlsFixtures,
} from '../smtp-client/test-servers.js';

export const credentials = { user: 'alice', pass: 'correct-horse' };
const run = promisify(execFile);

export interface ClientTargets {
  fixtures: TlsFixtures;
  /** The test CA, as a PEM file for clients that read one. */
  caFile: string;
  /** 587-style: STARTTLS required, AUTH required, small SIZE, one unknown recipient. */
  submission: TestSmtpServer;
  /** 465-style: implicit TLS, AUTH required. */
  submissions: TestSmtpServer;
  /** Plaintext only, no STARTTLS. */
  plaintext: TestSmtpServer;
  /** Plaintext only, AUTH PLAIN and LOGIN offered in cleartext, AUTH required. */
  cleartextAuth: TestSmtpServer;
  /** STARTTLS offered, AUTH optional, relaying refused to unauthenticated clients. */
  relay: TestSmtpServer;
  expired: TestSmtpServer;
  notYetValid: TestSmtpServer;
  wrongHostname: TestSmtpServer;
  selfSigned: TestSmtpServer;
  untrustedCa: TestSmtpServer;
  tls10: TestSmtpServer;
  /** A certificate with a 1024-bit RSA key, which OpenSSL's default security level refuses. */
  weakKey: TestSmtpServer;
  /** That certificate, self-signed: the file a client trusts it by. */
  weakKeyCaFile: string;
  /** Implicit TLS 1.3 demanding a client certificate from the test CA (mutual TLS). */
  clientCertificate: TestSmtpServer;
  /** Implicit TLS for `localhost` only: any other SNI name gets a fatal unrecognized_name alert. */
  unrecognizedName: RunningServer;
  /** Take the whole message, then hang up, or never answer, instead of replying to the final dot. */
  hangUpAfterDot: RunningServer;
  silentAfterDot: RunningServer;
  silent: RunningServer;
  /** Greets with 554 (RFC 5321 §3.1: this server will not serve you), then waits for QUIT. */
  refusesSession: RunningServer;
  /** Answers STARTTLS with 220, then plaintext where the TLS handshake belongs (a broken proxy). */
  plaintextAfterStarttls: RunningServer;
  /** A test sink: greets with 220, then answers 250 to every command, AUTH included. */
  sink: RunningServer;
  /** An SMTP server without ESMTP: refuses EHLO (and AUTH) with 500, answers HELO. */
  heloOnly: RunningServer;
  /** Greets with 250 instead of 220 (a sink that answers 250 to everything), breaking SMTP. */
  greets250: RunningServer;
  /** A POP3 server where an SMTP server was expected: greets with +OK, refuses every command. */
  pop3: RunningServer;
  /** Closes every connection before greeting, or resets it (TCP RST) a moment after accepting. */
  hangsUp: RunningServer;
  resets: RunningServer;
  blackhole: RunningServer;
  closedPort: number;
  close(): Promise<void>;
}

/** A misconfigured server of the targets, by name (closedPort is a port number). */
export type TargetServer = Exclude<keyof ClientTargets, 'fixtures' | 'caFile' | 'weakKeyCaFile' | 'close'>;

/** The targets with a certificate problem: the mistake a client meets there, and the cause it names. */
export const CERTIFICATE_PROBLEMS = [
  { mistake: 'an expired certificate', server: 'expired', cause: 'cert-expired' },
  { mistake: 'a certificate not valid yet', server: 'notYetValid', cause: 'cert-not-yet-valid' },
  { mistake: 'a certificate for another name', server: 'wrongHostname', cause: 'cert-hostname-mismatch' },
  { mistake: 'a self-signed certificate', server: 'selfSigned', cause: 'cert-self-signed' },
  { mistake: 'a certificate from an unknown CA', server: 'untrustedCa', cause: 'cert-untrusted-ca' },
] as const;
/** The TLS problem beside them: a server that speaks nothing newer than TLS 1.0. */
export const TLS_1_0_ONLY = {
  mistake: 'a TLS 1.0-only server',
  server: 'tls10',
  cause: 'tls-version-too-old',
} as const;

/** One case per TLS problem (each certificate problem, and TLS 1.0), keyed by the mistake. */
export function tlsProblemCases<Case>(
  make: (server: TargetServer, cause: CauseId) => Case,
): Record<string, () => Case> {
  return Object.fromEntries(
    [...CERTIFICATE_PROBLEMS, TLS_1_0_ONLY].map(({ mistake, server, cause }) => [
      mistake,
      () => make(server, cause),
    ]),
  );
}

export async function startClientTargets(): Promise<ClientTargets> {
  const fixtures = await createTlsFixtures();
  const tempDir = await mkdtemp(join(tmpdir(), 'mailport-explain-'));
  const caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
  const weakKeyCaFile = join(tempDir, 'weak.pem');
  const weakKeyFile = join(tempDir, 'weak.key');
  // webcrypto will not make a key this short; the openssl CLI will, as an old server's admin did.
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-days', '30', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost', '-keyout', weakKeyFile, '-out', weakKeyCaFile],
  ]);
  const implicitWith = (certificate: typeof fixtures.valid) =>
    startTestSmtpServer({ tls: 'implicit', certificate, credentials, authRequired: true });
  const servers = {
    submission: await startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.valid,
      tlsRequired: true,
      authRequired: true,
      credentials,
      maxSize: 4000,
      unknownRecipients: ['nobody@example.com'],
    }),
    submissions: await implicitWith(fixtures.valid),
    plaintext: await startTestSmtpServer({ tls: 'none' }),
    cleartextAuth: await startTestSmtpServer({
      tls: 'none',
      authInCleartext: true,
      authRequired: true,
      credentials,
    }),
    relay: await startTestSmtpServer({
      tls: 'starttls',
      certificate: fixtures.valid,
      credentials,
      relayDeniedUnlessAuthenticated: true,
    }),
    expired: await implicitWith(fixtures.expired),
    notYetValid: await implicitWith(fixtures.notYetValid),
    wrongHostname: await implicitWith(fixtures.wrongHostname),
    selfSigned: await implicitWith(fixtures.selfSigned),
    untrustedCa: await implicitWith(fixtures.untrustedCa),
    tls10: await startTestSmtpServer({
      tls: 'implicit',
      certificate: fixtures.valid,
      // Node refuses TLS 1.0 unless the security level is lowered as well.
      secureOptions: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
    }),
    weakKey: await startTestSmtpServer({
      tls: 'implicit',
      certificate: {
        certPem: await readFile(weakKeyCaFile, 'utf8'),
        keyPem: await readFile(weakKeyFile, 'utf8'),
      },
      // Node itself would refuse to serve the key at its own default level.
      secureOptions: { ciphers: 'DEFAULT@SECLEVEL=0' },
    }),
    clientCertificate: await startTestSmtpServer({
      tls: 'implicit',
      certificate: fixtures.valid,
      clientCertificateCa: fixtures.ca.certPem,
    }),
    unrecognizedName: await startUnrecognizedNameServer(fixtures.valid),
    hangUpAfterDot: await startUnansweredDataServer('hang-up'),
    silentAfterDot: await startUnansweredDataServer('silence'),
    silent: await startSilentServer(),
    refusesSession: await startScriptedServer((line, socket) => {
      if (/^QUIT/i.test(line)) return false;
      socket.write('503 5.5.1 Error: bad sequence of commands\r\n');
      return true;
    }, '554 5.7.1 test.mailport.invalid ESMTP not accepting connections from 127.0.0.1'),
    greets250: await startScriptedServer(() => false, '250 sink.mailport.invalid ready'),
    // Offers AUTH, as Postfix's smtp-sink does, and answers it 250 like every other command.
    sink: await startScriptedServer((line, socket) => {
      if (!/^EHLO/i.test(line)) return false;
      socket.write('250-sink.test\r\n250 AUTH PLAIN LOGIN\r\n');
      return true;
    }),
    // Knows neither EHLO nor AUTH, as a server from before ESMTP.
    heloOnly: await startScriptedServer((line, socket) => {
      if (!/^(?:EHLO|AUTH)\b/i.test(line)) return false;
      socket.write('500 5.5.1 Command unrecognized\r\n');
      return true;
    }),
    plaintextAfterStarttls: await startScriptedServer((line, socket) => {
      if (/^EHLO/i.test(line)) socket.write('250-broken.test\r\n250 STARTTLS\r\n');
      else if (/^STARTTLS/i.test(line)) {
        socket.write('220 2.0.0 go ahead\r\n');
        // Once the ClientHello arrives: plaintext where a TLS record should be.
        socket.once('data', () => socket.write('250 this is not TLS\r\n'));
      } else return false;
      return true;
    }),
    // Dovecot's greeting, which names neither POP3 nor IMAP.
    pop3: await startScriptedServer((line, socket) => {
      // POP3 has a QUIT too; every other SMTP command is unknown to it.
      if (/^QUIT/i.test(line)) socket.end('+OK Logging out.\r\n');
      else socket.write('-ERR Unknown command.\r\n');
      return true;
    }, '+OK Dovecot ready.'),
    hangsUp: await startHangUpServer('close'),
    resets: await startHangUpServer('reset'),
    blackhole: await startBlackholePort(),
  };
  return {
    fixtures,
    caFile,
    weakKeyCaFile,
    ...servers,
    closedPort: await closedPort(),
    async close() {
      await Promise.all(Object.values(servers).map((server) => server.close()));
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}

/** A port whose server hangs up before greeting: an orderly close at once, or a reset. */
async function startHangUpServer(how: 'close' | 'reset'): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.on('error', () => {});
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // An orderly close (FIN) even if the client already sent something, as a TLS ClientHello.
    if (how === 'close') {
      socket.end();
      return;
    }
    // A moment later, so that the client is reading the greeting, not still connecting.
    setTimeout(() => {
      if (!socket.destroyed) socket.resetAndDestroy();
    }, 100);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
