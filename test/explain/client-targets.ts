/** The deliberately misconfigured servers that real clients are pointed at in the explain tests. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  closedPort,
  createTlsFixtures,
  type RunningServer,
  startBlackholePort,
  startSilentServer,
  startTestSmtpServer,
  startUnansweredDataServer,
  startUnrecognizedNameServer,
  type TestSmtpServer,
  type TlsFixtures,
} from '../smtp-client/test-servers.js';

export const credentials = { user: 'alice', pass: 'correct-horse' };

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
  /** STARTTLS offered, AUTH optional, relaying refused to unauthenticated clients. */
  relay: TestSmtpServer;
  expired: TestSmtpServer;
  notYetValid: TestSmtpServer;
  wrongHostname: TestSmtpServer;
  selfSigned: TestSmtpServer;
  untrustedCa: TestSmtpServer;
  tls10: TestSmtpServer;
  /** Implicit TLS for `localhost` only: any other SNI name gets a fatal unrecognized_name alert. */
  unrecognizedName: RunningServer;
  /** Take the whole message, then hang up, or never answer, instead of replying to the final dot. */
  hangUpAfterDot: RunningServer;
  silentAfterDot: RunningServer;
  silent: RunningServer;
  blackhole: RunningServer;
  closedPort: number;
  close(): Promise<void>;
}

export async function startClientTargets(): Promise<ClientTargets> {
  const fixtures = await createTlsFixtures();
  const tempDir = await mkdtemp(join(tmpdir(), 'mailport-explain-'));
  const caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, fixtures.ca.certPem);
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
    unrecognizedName: await startUnrecognizedNameServer(fixtures.valid),
    hangUpAfterDot: await startUnansweredDataServer('hang-up'),
    silentAfterDot: await startUnansweredDataServer('silence'),
    silent: await startSilentServer(),
    blackhole: await startBlackholePort(),
  };
  return {
    fixtures,
    caFile,
    ...servers,
    closedPort: await closedPort(),
    async close() {
      await Promise.all(Object.values(servers).map((server) => server.close()));
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
