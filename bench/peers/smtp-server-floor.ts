/**
 * The floor: the npm `smtp-server` package, as a Node developer would configure it, parsing every
 * message with mailparser's simpleParser before answering 250. Two listeners: one plaintext with
 * STARTTLS, one implicit TLS; AUTH PLAIN accepts any credentials.
 *
 * With `--sqlite FILE` it also stores each parsed message, the way issue 6's
 * "smtp-server+mailparser+SQLite" reference does: one INSERT per message with better-sqlite3 (the
 * version Mailport uses) in WAL mode, before the 250. `synchronous=FULL` makes each message as
 * durable as Mailport's when acknowledged (better-sqlite3 builds SQLite with NORMAL as the WAL
 * default, which does not sync at commit). No full-text index: the peer stores, it does not
 * index, so it is a generous reference.
 *
 * Run as a child process: `node --import tsx bench/peers/smtp-server-floor.ts --cert F --key F
 * [--sqlite FILE]`; it prints `{"plainPort":N,"implicitPort":M}`. smtp-server and mailparser load
 * from bench/.peers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
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

interface ParsedAddress {
  text: string;
}

/** The slice of mailparser's ParsedMail stored with --sqlite. */
interface ParsedMail {
  subject?: string;
  from?: ParsedAddress;
  to?: ParsedAddress | ParsedAddress[];
  date?: Date;
  text?: string;
  html?: string | false;
}

interface MailparserModule {
  simpleParser(source: Readable): Promise<ParsedMail>;
}

const peerRequire = createRequire(`${PEERS_DIR}package.json`);
const { SMTPServer } = peerRequire('smtp-server') as SmtpServerModule;
const { simpleParser } = peerRequire('mailparser') as MailparserModule;

const { values } = parseArgs({
  options: { cert: { type: 'string' }, key: { type: 'string' }, sqlite: { type: 'string' } },
});
if (!values.cert || !values.key) throw new Error('smtp-server-floor needs --cert FILE and --key FILE');
const cert = readFileSync(values.cert);
const key = readFileSync(values.key);

/** Stores a parsed message, or does nothing without --sqlite. */
const store =
  values.sqlite === undefined ? (_mail: ParsedMail, _raw: Buffer): void => {} : sqliteStore(values.sqlite);

function sqliteStore(file: string): (mail: ParsedMail, raw: Buffer) => void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE messages (
    id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, subject TEXT, sender TEXT, recipients TEXT,
    sent_at INTEGER, text_body TEXT, html_body TEXT, raw BLOB NOT NULL)`);
  const insert = db.prepare(
    `INSERT INTO messages (received_at, subject, sender, recipients, sent_at, text_body, html_body, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const addresses = (field: ParsedMail['to']): string | null =>
    field === undefined
      ? null
      : [field]
          .flat()
          .map((address) => address.text)
          .join(', ');
  return (mail, raw) => {
    insert.run(
      Date.now(),
      mail.subject ?? null,
      addresses(mail.from),
      addresses(mail.to),
      mail.date?.getTime() ?? null,
      mail.text ?? null,
      mail.html || null,
      raw,
    );
  };
}

/** The message's bytes, collected while mailparser reads the same stream. */
function collect(stream: Readable): Buffer[] {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

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
      const chunks = values.sqlite === undefined ? [] : collect(stream);
      simpleParser(stream).then(
        (mail) => {
          try {
            store(mail, Buffer.concat(chunks));
            callback();
          } catch (error) {
            callback(error as Error);
          }
        },
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
