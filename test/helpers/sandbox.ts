/**
 * Starts a complete sandbox (SMTP listeners, storage, HTTP API) on ephemeral loopback ports with a
 * fresh temporary data dir, for end-to-end tests. Always `await sandbox.stop()` in teardown.
 */
import assert from 'node:assert/strict';
import { type RunningMailport, startMailport } from '../../src/app/mailport.js';
import { type RawServeOptions, resolveServeConfig } from '../../src/config/serve-config.js';
import type { ListenerInfo, ServerInfo } from '../../src/domain/types.js';
import { createLogger } from '../../src/logging/logger.js';
import type { ProfileName } from '../../src/profiles/port-profiles.js';
import { RawSmtp } from './smtp-dialogue.js';

export interface TestSandbox extends RunningMailport {
  info(): ServerInfo;
  port(profile: ProfileName): number;
  listener(profile: ProfileName): ListenerInfo;
  apiUrl: string;
  caPem: string;
  /** The credentials the sandbox accepts (the default pair unless `auth` was given). */
  auth: { user: string; pass: string };
}

export async function startTestSandbox(
  options: RawServeOptions & { uiDir?: string | null; implicitTlsSilenceMs?: number } = {},
): Promise<TestSandbox> {
  const { uiDir = null, implicitTlsSilenceMs = 500, ...raw } = options;
  const config = resolveServeConfig(
    {
      relayPort: '0',
      submissionsPort: '0',
      submissionPort: '0',
      altPort: '0',
      httpPort: '0',
      ephemeral: true,
      ...raw,
    },
    uiDir,
  );
  const logger = createLogger(process.env.MAILPORT_TEST_LOG === '1' ? 'debug' : 'silent', 'text');
  const running = await startMailport(config, logger, { implicitTlsSilenceMs });
  const info = running.info();
  const listener = (profile: ProfileName): ListenerInfo => {
    const found = info.listeners.find((l) => l.profile === profile);
    if (!found) throw new Error(`The ${profile} listener is off in this sandbox.`);
    return found;
  };
  const [user = 'mailport', pass = 'mailport'] = [...config.auth.users.entries()][0] ?? [];
  return {
    ...running,
    port: (profile) => listener(profile).port,
    listener,
    apiUrl: info.http.url,
    caPem: info.tls.caPem,
    auth: { user, pass },
  };
}

/** The AUTH PLAIN initial response for the sandbox's credentials (RFC 4616). */
export function plainCredentials(sandbox: TestSandbox): string {
  return Buffer.from(`\0${sandbox.auth.user}\0${sandbox.auth.pass}`).toString('base64');
}

/** A raw session on `profile` at the point where MAIL is accepted: EHLO on relay; TLS, EHLO and AUTH elsewhere. */
export async function readyRawClient(
  sandbox: TestSandbox,
  profile: ProfileName,
  heloName = 'client.test',
): Promise<RawSmtp> {
  const port = sandbox.port(profile);
  const client =
    profile === 'submissions'
      ? await RawSmtp.connect(port, { tls: { ca: sandbox.caPem } })
      : await RawSmtp.connect(port);
  await client.reply();
  assert.equal((await client.command(`EHLO ${heloName}`)).code, 250);
  if (profile === 'relay') return client;
  if (profile !== 'submissions') {
    assert.equal((await client.command('STARTTLS')).code, 220);
    await client.upgradeToTls(sandbox.caPem);
    assert.equal((await client.command(`EHLO ${heloName}`)).code, 250);
  }
  assert.equal((await client.command(`AUTH PLAIN ${plainCredentials(sandbox)}`)).code, 235);
  return client;
}
