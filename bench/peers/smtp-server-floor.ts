/**
 * The floor: the npm `smtp-server` package, as a Node developer would configure it, parsing every
 * message with mailparser's simpleParser before answering 250 (no storage). Two listeners: one
 * plaintext with STARTTLS, one implicit TLS; AUTH PLAIN accepts any credentials.
 *
 * Run as a child process: `node --import tsx bench/peers/smtp-server-floor.ts --cert F --key F`;
 * it prints `{"plainPort":N,"implicitPort":M}`. Both packages load from bench/.peers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { PEERS_DIR } from './install.js';

/** The slice of smtp-server's API used here. */
interface SmtpServerModule {
  SMTPServer: new (
    options: Record<string, unknown>,
  ) => {
    listen(port: number, host: string, callback: () => void): void;
    server: { address(): AddressInfo | string | null };
    on(event: 'error', listener: (error: Error) => void): void;
  };
}

interface MailparserModule {
  simpleParser(source: Readable): Promise<unknown>;
}

const peerRequire = createRequire(`${PEERS_DIR}package.json`);
const { SMTPServer } = peerRequire('smtp-server') as SmtpServerModule;
const { simpleParser } = peerRequire('mailparser') as MailparserModule;

const { values } = parseArgs({ options: { cert: { type: 'string' }, key: { type: 'string' } } });
if (!values.cert || !values.key) throw new Error('smtp-server-floor needs --cert FILE and --key FILE');
const cert = readFileSync(values.cert);
const key = readFileSync(values.key);

function start(secure: boolean): Promise<number> {
  const server = new SMTPServer({
    secure,
    key,
    cert,
    authOptional: true,
    authMethods: ['PLAIN', 'LOGIN'],
    size: 50 * 1024 * 1024,
    onAuth(_auth: unknown, _session: unknown, callback: (error: Error | null, result?: unknown) => void) {
      callback(null, { user: 'bench' });
    },
    onData(stream: Readable, _session: unknown, callback: (error?: Error | null) => void) {
      simpleParser(stream).then(
        () => callback(),
        (error: Error) => callback(error),
      );
    },
  });
  server.on('error', () => undefined);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port)),
  );
}

const [plainPort, implicitPort] = await Promise.all([start(false), start(true)]);
process.stdout.write(`${JSON.stringify({ plainPort, implicitPort })}\n`);
process.on('SIGTERM', () => process.exit(0));
