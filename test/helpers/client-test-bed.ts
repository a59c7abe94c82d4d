/**
 * A sandbox with the language clients ready and its CA in a file: what the explain tests that run
 * real clients against the sandbox each need.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LanguageClients, prepareLanguageClients } from './language-clients.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';

export interface ClientTestBed {
  sandbox: TestSandbox;
  clients: LanguageClients;
  /** A directory of the test's own, removed by `stop`. */
  tempDir: string;
  /** The sandbox CA in PEM, for the clients that take a file. */
  caFile: string;
  /** A client's MP_* settings for the submission port: STARTTLS with the CA, this login, `extra`. */
  submission(login: { user: string; pass: string }, extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

export async function startClientTestBed(
  name: string,
  options: Parameters<typeof startTestSandbox>[0],
): Promise<ClientTestBed> {
  const [sandbox, clients, tempDir] = await Promise.all([
    startTestSandbox(options),
    prepareLanguageClients(),
    mkdtemp(join(tmpdir(), `mailport-${name}-`)),
  ]);
  const caFile = join(tempDir, 'ca.pem');
  await writeFile(caFile, sandbox.caPem);
  return {
    sandbox,
    clients,
    tempDir,
    caFile,
    submission: (login, extra = {}) => ({
      MP_HOST: 'localhost',
      MP_PORT: String(sandbox.port('submission')),
      MP_TLS: 'starttls',
      MP_CA: caFile,
      MP_USER: login.user,
      MP_PASS: login.pass,
      ...extra,
    }),
    async stop() {
      await Promise.all([sandbox.stop(), clients.close()]);
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
