/**
 * Drives the pure protocol engine directly: a sink that records everything the engine asks of the
 * outside world, and helpers to talk to a session line by line. No sockets are involved because the
 * engine has none; the socket layer has its own end-to-end tests.
 */
import type { DiagnosticCode, TlsFacts } from '../../src/domain/types.js';
import { PORT_PROFILES, type PortProfile, type ProfileName } from '../../src/profiles/port-profiles.js';
import { SmtpProtocolSession } from '../../src/protocol/session.js';
import type {
  Credentials,
  ProtocolLimits,
  ProtocolSink,
  Transaction,
  TranscriptDirectionOut,
} from '../../src/protocol/types.js';

export interface WireReply {
  code: number;
  /** Every line, as sent, without CRLF. */
  lines: string[];
}

export class RecordingSink implements ProtocolSink {
  written = '';
  writes = 0;
  transcriptLines: { dir: TranscriptDirectionOut; text: string }[] = [];
  diagnostics: { code: DiagnosticCode; detail: string | undefined }[] = [];
  deliveredIds: string[] = [];
  closed = false;
  startTlsCalls = 0;
  private readOffset = 0;

  write(data: string): void {
    this.written += data;
    this.writes += 1;
  }

  startTls(): void {
    this.startTlsCalls += 1;
  }

  close(): void {
    this.closed = true;
  }

  transcript(direction: TranscriptDirectionOut, text: string): void {
    this.transcriptLines.push({ dir: direction, text });
  }

  diagnostic(code: DiagnosticCode, detail?: string): void {
    this.diagnostics.push({ code, detail });
  }

  delivered(messageId: string): void {
    this.deliveredIds.push(messageId);
  }

  get diagnosticCodes(): DiagnosticCode[] {
    return this.diagnostics.map((diagnostic) => diagnostic.code);
  }

  /** Replies written since the last call, split per RFC 5321 §4.2.1 (`250-` continues, `250 ` ends). */
  takeReplies(): WireReply[] {
    const text = this.written.slice(this.readOffset);
    this.readOffset = this.written.length;
    return parseReplies(text);
  }
}

export function parseReplies(text: string): WireReply[] {
  const replies: WireReply[] = [];
  let lines: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.length === 0) continue;
    lines.push(line);
    if (line[3] === ' ' || line.length === 3) {
      replies.push({ code: Number(line.slice(0, 3)), lines });
      lines = [];
    }
  }
  if (lines.length > 0) throw new Error(`unterminated multi-line reply: ${lines.join(' | ')}`);
  return replies;
}

export const TEST_LIMITS: ProtocolLimits = {
  maxMessageSize: 100_000,
  maxRecipients: 5,
  maxCommandLineLength: 512,
  maxDataLineLength: 1000,
  maxBadCommands: 10,
  maxAuthFailures: 3,
};

export const USER = 'alice@example.test';
export const PASSWORD = 'S3cret-pässword!';

export const STARTTLS_FACTS: TlsFacts = {
  mode: 'starttls',
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  servername: 'localhost',
};

export const IMPLICIT_FACTS: TlsFacts = { ...STARTTLS_FACTS, mode: 'implicit' };

export interface HarnessOptions {
  limits?: Partial<ProtocolLimits>;
  /** Defaults to accepting exactly USER/PASSWORD, synchronously. */
  authenticate?: (credentials: Credentials) => boolean | Promise<boolean>;
  /** Defaults to storing the transaction and resolving with `msg-<n>`. */
  deliver?: (transaction: Transaction) => Promise<{ id: string }>;
  /** Skip the greeting (to test what happens before it). */
  greet?: boolean;
  /** Changes to the named profile, for policies no built-in profile has. */
  profileOverrides?: Partial<PortProfile>;
  senderMustMatchLogin?: boolean;
}

export interface Harness {
  session: SmtpProtocolSession;
  sink: RecordingSink;
  delivered: Transaction[];
  credentialsSeen: Credentials[];
  /** Sends raw text (no CRLF added). */
  send(text: string | Buffer): void;
  /** Sends each line with CRLF, waits for hooks to settle, returns the replies written meanwhile. */
  exchange(...lines: string[]): Promise<WireReply[]>;
  /** Codes of the replies to `lines`. */
  codes(...lines: string[]): Promise<number[]>;
  /** Completes a STARTTLS upgrade as the socket layer would. */
  upgrade(): Promise<WireReply[]>;
}

/** Lets every already-settled promise callback (hook results) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createHarness(profileName: ProfileName, options: HarnessOptions = {}): Harness {
  const profile: PortProfile = { ...PORT_PROFILES[profileName], ...options.profileOverrides };
  const sink = new RecordingSink();
  const delivered: Transaction[] = [];
  const credentialsSeen: Credentials[] = [];
  const authenticate =
    options.authenticate ??
    ((credentials: Credentials) =>
      credentials.username === USER &&
      ('token' in credentials ? credentials.token : credentials.password) === PASSWORD);
  const deliver =
    options.deliver ??
    (async (transaction: Transaction) => {
      delivered.push(transaction);
      return { id: `msg-${delivered.length}` };
    });
  const session = new SmtpProtocolSession({
    profile,
    hostname: 'mx.test',
    limits: { ...TEST_LIMITS, ...options.limits },
    tls: profile.tls === 'implicit' ? IMPLICIT_FACTS : null,
    ...(options.senderMustMatchLogin === undefined
      ? {}
      : { senderMustMatchLogin: options.senderMustMatchLogin }),
    sink,
    hooks: {
      authenticate: (credentials) => {
        credentialsSeen.push(credentials);
        return authenticate(credentials);
      },
      deliver,
    },
  });
  if (options.greet !== false) session.greet();
  const send = (text: string | Buffer) =>
    session.receive(typeof text === 'string' ? Buffer.from(text) : text);
  const exchange = async (...lines: string[]) => {
    send(lines.map((line) => `${line}\r\n`).join(''));
    await settle();
    return sink.takeReplies();
  };
  return {
    session,
    sink,
    delivered,
    credentialsSeen,
    send,
    exchange,
    codes: async (...lines) => (await exchange(...lines)).map((reply) => reply.code),
    upgrade: async () => {
      const replies = await exchange('STARTTLS');
      session.tlsStarted(STARTTLS_FACTS);
      await settle();
      return [...replies, ...sink.takeReplies()];
    },
  };
}

export function plainResponse(user: string, password: string, authzid = ''): string {
  return Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64');
}

export function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** A session brought to "ready to send mail" the way each profile requires. */
export async function readyHarness(profileName: ProfileName, options: HarnessOptions = {}): Promise<Harness> {
  const harness = createHarness(profileName, options);
  harness.sink.takeReplies();
  await harness.exchange('EHLO client.test');
  if (PORT_PROFILES[profileName].tls === 'starttls-required') {
    await harness.upgrade();
    await harness.exchange('EHLO client.test');
  }
  if (PORT_PROFILES[profileName].auth === 'required') {
    await harness.exchange(`AUTH PLAIN ${plainResponse(USER, PASSWORD)}`);
  }
  if (harness.session.auth === null && PORT_PROFILES[profileName].auth === 'required') {
    throw new Error('harness could not authenticate');
  }
  harness.sink.takeReplies();
  return harness;
}
