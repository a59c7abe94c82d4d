/**
 * One SMTP connection: joins a socket to a protocol session, handles the TLS layer (STARTTLS
 * upgrade, implicit TLS, first-bytes detection of the wrong TLS mode), limits, and the session record.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { chaosReply } from '../chaos/reply-defaults.js';
import { type ChaosRuleSet, describeFiring } from '../chaos/rule-set.js';
import type { DiagnosticCode, IncomingMessage, SessionRecord, TlsFacts } from '../domain/types.js';
import { greetsInPlaintext, type PortProfile } from '../profiles/port-profiles.js';
import { formatReply, REPLIES } from '../protocol/replies.js';
import { SmtpProtocolSession } from '../protocol/session.js';
import { describeClientLine } from '../protocol/transcript-text.js';
import type {
  Credentials,
  ProtocolLimits,
  ProtocolStage,
  SmtpReply,
  StageVerdict,
  Transaction,
} from '../protocol/types.js';
import { type SessionEndFacts, SessionRecorder } from './session-recorder.js';
import { classifyHandshakeError, tlsFacts } from './tls-handshake.js';

/** First byte of a TLS record carrying a handshake message (RFC 8446 §5.1, content type 22). */
const TLS_HANDSHAKE_RECORD = 0x16;
/** Stop reading while this much output waits for a client that does not read its replies. */
const MAX_PENDING_OUTPUT = 1024 * 1024;
/** How long a closing connection may take to flush before it is destroyed. */
const END_GRACE_MS = 2000;
/**
 * A port check connects and leaves at once; a client that stayed this long on an implicit-TLS port
 * without a byte was waiting for a plaintext greeting (and gave up before the 421 hint).
 */
const WAITED_FOR_GREETING_MS = 1000;
const ACCEPT: StageVerdict = Object.freeze({ verdict: 'accept' });
const DIGIT_0 = 0x30;
const DIGIT_4 = 0x34;
const DIGIT_5 = 0x35;
const SPACE = 0x20;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_0 + 9;
}

export interface ConnectionDependencies {
  profile: PortProfile;
  port: number;
  hostname: string;
  limits: ProtocolLimits;
  /** After AUTH, MAIL FROM must be the login itself (`--sender-must-match-login`). */
  senderMustMatchLogin: boolean;
  idleTimeoutMs: number;
  /** How long a client on an implicit-TLS port may stay silent before we conclude it waits for a plaintext greeting. */
  implicitTlsSilenceMs: number;
  secureContext: tls.SecureContext;
  sessionId: string;
  /** Rules that make stages fail on purpose (src/chaos). */
  chaos: ChaosRuleSet;
  authenticate(credentials: Credentials): boolean;
  deliver(incoming: IncomingMessage): Promise<{ id: string }>;
  onReject(code: number): void;
  onDiagnostic(code: DiagnosticCode): void;
  onClose(record: SessionRecord): void;
}

export class SmtpConnection {
  readonly #deps: ConnectionDependencies;
  readonly #recorder: SessionRecorder;
  readonly #client: { address: string; port: number };
  #socket: Socket;
  #protocol: SmtpProtocolSession | null = null;
  #endedBy: SessionEndFacts['endedBy'] = null;
  #closed = false;
  /** A reply written outside the protocol session (connection limit, wrong TLS mode). */
  #ownLastError: string | null = null;
  #silenceTimer: NodeJS.Timeout | null = null;
  /** When an implicit-TLS connection began to wait for its ClientHello; null once it is settled. */
  #waitingForHelloSince: number | null = null;
  #tlsState: 'none' | 'handshaking' | 'established' = 'none';
  #bytesOverTls = 0;
  /** Ends a chaos delay at once (shutdown, client gone); null when no delay is running. */
  #releaseHold: (() => void) | null = null;

  constructor(socket: Socket, deps: ConnectionDependencies) {
    this.#deps = deps;
    this.#socket = socket;
    this.#client = { address: socket.remoteAddress ?? 'unknown', port: socket.remotePort ?? 0 };
    this.#recorder = new SessionRecorder(
      deps.sessionId,
      { profile: deps.profile.name, port: deps.port },
      this.#client,
    );
    socket.setNoDelay(true);
    socket.on('error', () => {
      // A reset or broken pipe from the client only ends this session; 'close' follows.
    });
    socket.once('close', () => this.#finish());
    this.#watchInputEnd(socket);
  }

  get id(): string {
    return this.#recorder.id;
  }

  start(): void {
    this.#socket.setTimeout(this.#deps.idleTimeoutMs, () => this.#onIdle());
    if (greetsInPlaintext(this.#deps.profile)) {
      this.#startProtocol(this.#socket, null);
    } else {
      this.#awaitClientHello();
    }
  }

  /** Refuses the connection because the server is full (421 4.7.0, RFC 5321 §3.8). */
  rejectTooManyConnections(): void {
    this.#endedBy = 'connection-limit';
    this.#diagnose('too-many-connections');
    // On an implicit-TLS port a plaintext reply would look like a broken handshake: just close there.
    if (greetsInPlaintext(this.#deps.profile)) this.#writeOwnReply(REPLIES.TOO_MANY_CONNECTIONS);
    this.#end();
  }

  /** Server shutdown: 421 4.3.2 to a live session. */
  shutdown(): void {
    if (this.#closed) return;
    this.#endedBy = this.#endedBy ?? 'shutdown';
    if (this.#protocol) this.#protocol.shutdown();
    else this.#socket.destroy();
    this.#releaseHold?.();
  }

  /**
   * The listener allows half-open sockets, so a client's FIN does not end our side by itself: the
   * session answers what the client sent (its 250 after the end of data may still be on its way
   * to the store), then closes. Before the session exists, or during a TLS handshake, there is
   * nothing to answer. A chaos delay holds its reply back for minutes on purpose: a client that
   * stops sending meanwhile has given up waiting (nodemailer ends its socket on a timeout).
   */
  #watchInputEnd(socket: Socket): void {
    socket.once('end', () => {
      if (socket !== this.#socket) return;
      const answerable =
        this.#protocol !== null && this.#tlsState !== 'handshaking' && this.#releaseHold === null;
      if (answerable) this.#protocol?.clientFinishedSending();
      else this.#end();
    });
  }

  /** Ends the connection gracefully, but never waits on a client that keeps its side open. */
  #end(): void {
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), END_GRACE_MS).unref();
  }

  #startProtocol(socket: Socket, tlsAtStart: TlsFacts | null): void {
    this.#createProtocol(socket, tlsAtStart).greet();
  }

  #createProtocol(socket: Socket, tlsAtStart: TlsFacts | null): SmtpProtocolSession {
    const protocol = new SmtpProtocolSession({
      profile: this.#deps.profile,
      hostname: this.#deps.hostname,
      limits: this.#deps.limits,
      senderMustMatchLogin: this.#deps.senderMustMatchLogin,
      tls: tlsAtStart,
      hooks: {
        authenticate: (credentials) => this.#deps.authenticate(credentials),
        deliver: (transaction) => this.#deliver(transaction),
        beforeAccept: (stage, subjects) => this.#beforeAccept(stage, subjects),
      },
      sink: {
        write: (data) => this.#write(data),
        startTls: () => this.#upgradeToTls(),
        close: () => this.#end(),
        transcript: (direction, text) => this.#recorder.line(direction, text),
        diagnostic: (code, detail) => this.#diagnose(code, detail),
        delivered: () => {},
      },
    });
    this.#protocol = protocol;
    this.#listen(socket);
    return protocol;
  }

  #listen(socket: Socket): void {
    const secure = socket instanceof tls.TLSSocket;
    let first = true;
    socket.on('data', (chunk: Buffer) => {
      if (secure) this.#bytesOverTls += chunk.length;
      else if (first && this.#isTlsClientHello(chunk)) return;
      first = false;
      this.#protocol?.receive(chunk);
      if (this.#socket.writableLength > MAX_PENDING_OUTPUT) {
        socket.pause();
        this.#socket.once('drain', () => socket.resume());
      }
    });
  }

  #write(data: string): void {
    if (this.#socket.destroyed || !this.#socket.writable) return;
    this.#countRejects(data);
    this.#socket.write(data);
  }

  /** Counts every 4xx/5xx reply for /metrics, by code: the last line of each reply (`NNN `). */
  #countRejects(data: string): void {
    // Scans line starts in place: this runs for every reply written.
    for (let start = 0; start < data.length; ) {
      const first = data.charCodeAt(start);
      if (
        (first === DIGIT_4 || first === DIGIT_5) &&
        isDigit(data.charCodeAt(start + 1)) &&
        isDigit(data.charCodeAt(start + 2)) &&
        data.charCodeAt(start + 3) === SPACE
      ) {
        this.#deps.onReject(Number(data.slice(start, start + 3)));
      }
      const end = data.indexOf('\r\n', start);
      if (end === -1) return;
      start = end + 2;
    }
  }

  #writeOwnReply(reply: SmtpReply): void {
    const wire = formatReply(reply);
    for (const line of wire.split('\r\n').filter(Boolean)) this.#recorder.line('S', line);
    this.#ownLastError = wire.trimEnd().split('\r\n').at(-1) ?? null;
    this.#write(wire);
  }

  #diagnose(code: DiagnosticCode, detail?: string): void {
    if (this.#recorder.diagnostic(code, detail)) this.#deps.onDiagnostic(code);
  }

  /** Not async: the store's promise goes straight to the session (a synchronous throw is caught there). */
  #deliver(transaction: Transaction): Promise<{ id: string }> {
    return this.#deps.deliver({
      raw: transaction.data,
      envelope: transaction.envelope,
      inbox: transaction.auth?.user ?? 'default',
      sessionId: this.id,
      listener: { profile: this.#deps.profile.name, port: this.#deps.port },
      client: this.#client,
      heloName: transaction.heloName,
      tls: transaction.tls,
      auth: transaction.auth,
      receivedAt: new Date(),
    });
  }

  /** Chaos rules decide whether this stage fails on purpose; a firing is written to the transcript. */
  #beforeAccept(stage: ProtocolStage, subjects: readonly string[]): StageVerdict | Promise<StageVerdict> {
    const firing = this.#deps.chaos.decide({
      stage,
      profile: this.#deps.profile.name,
      subjects,
      client: this.#client.address,
    });
    if (firing === null) return ACCEPT;
    this.#recorder.chaosFired(firing.rule.id);
    this.#recorder.line('*', describeFiring(firing));
    const { action } = firing.rule;
    switch (action.type) {
      case 'reply':
        return { verdict: 'refuse', reply: chaosReply(action) };
      case 'disconnect':
        return { verdict: 'disconnect' };
      case 'delay':
        return this.#hold(action.delayMs);
    }
  }

  /**
   * Accepts after `ms`. The idle timeout is paused meanwhile: the silence is the server's, not the
   * client's. Cut short when the session ends, so no timer outlives its connection.
   */
  #hold(ms: number): Promise<StageVerdict> {
    const socket = this.#socket;
    socket.setTimeout(0);
    return new Promise((resolve) => {
      const release = (): void => {
        clearTimeout(timer);
        this.#releaseHold = null;
        if (!this.#closed) socket.setTimeout(this.#deps.idleTimeoutMs);
        resolve(ACCEPT);
      };
      const timer = setTimeout(release, ms);
      this.#releaseHold = release;
    });
  }

  /**
   * On a plaintext/STARTTLS port the client speaks second. A TLS ClientHello as its first bytes
   * means it was configured for implicit TLS (e.g. nodemailer `secure: true` against 587).
   */
  #isTlsClientHello(chunk: Buffer): boolean {
    if (chunk[0] !== TLS_HANDSHAKE_RECORD) return false;
    this.#recorder.line(
      '*',
      `TLS ClientHello received (${chunk.length} bytes) where SMTP commands were expected`,
    );
    this.#diagnose('implicit-tls-on-starttls-port');
    this.#socket.destroy();
    return true;
  }

  /**
   * Implicit TLS (RFC 8314 §3.3): the client must open with a ClientHello. Plaintext bytes, or
   * silence (a client waiting for a plaintext greeting), mean it was configured for STARTTLS or
   * no TLS; we answer in plaintext so the client's error shows the explanation.
   */
  #awaitClientHello(): void {
    const socket = this.#socket;
    let spoke = false;
    this.#waitingForHelloSince = Date.now();
    const concludeSilence = (): void => {
      if (spoke || this.#closed) return;
      this.#waitingForHelloSince = null;
      this.#recorder.line(
        '*',
        `No TLS ClientHello after ${this.#deps.implicitTlsSilenceMs} ms: the client is waiting for a plaintext greeting`,
      );
      this.#diagnose('plaintext-on-implicit-tls-port');
      this.#writeOwnReply(REPLIES.IMPLICIT_TLS_REQUIRED);
      this.#end();
    };
    // Timers run before the event loop reads sockets: after a stall, a ClientHello may already be
    // waiting unread. Deciding in the check phase lets that read happen first.
    this.#silenceTimer = setTimeout(() => setImmediate(concludeSilence), this.#deps.implicitTlsSilenceMs);
    socket.once('data', (chunk: Buffer) => {
      spoke = true;
      this.#waitingForHelloSince = null;
      if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
      if (chunk[0] === TLS_HANDSHAKE_RECORD) {
        socket.pause();
        socket.unshift(chunk);
        this.#handshake('implicit');
        return;
      }
      const firstLine = chunk.toString('latin1').split(/\r?\n/)[0] ?? '';
      this.#recorder.line('C', describeClientLine(firstLine, false));
      this.#diagnose('plaintext-on-implicit-tls-port');
      this.#writeOwnReply(REPLIES.IMPLICIT_TLS_REQUIRED);
      this.#end();
    });
  }

  #upgradeToTls(): void {
    this.#socket.removeAllListeners('data');
    this.#socket.pause();
    this.#handshake('starttls');
  }

  #handshake(mode: TlsFacts['mode']): void {
    const plain = this.#socket;
    const secure = new tls.TLSSocket(plain, {
      isServer: true,
      secureContext: this.#deps.secureContext,
    });
    this.#socket = secure;
    this.#tlsState = 'handshaking';
    this.#watchInputEnd(secure);
    secure.setTimeout(this.#deps.idleTimeoutMs, () => this.#onIdle());
    secure.on('error', (error: Error & { code?: string }) => {
      if (secure.encrypted && (secure as tls.TLSSocket & { _secureEstablished?: boolean })._secureEstablished)
        return;
      const { code, detail } = classifyHandshakeError(error);
      this.#recorder.line('*', `TLS handshake failed: ${detail}`);
      this.#diagnose(code, detail);
      secure.destroy();
    });
    secure.once('secure', () => {
      const facts = tlsFacts(secure, mode);
      this.#tlsState = 'established';
      if (mode === 'implicit') {
        this.#recorder.line('*', `TLS established (implicit): ${facts.protocol} ${facts.cipher}`);
        this.#startProtocol(secure, facts);
      } else {
        this.#listen(secure);
        this.#protocol?.tlsStarted(facts);
      }
    });
    secure.once('close', () => plain.destroy());
  }

  /**
   * Clients that verify the certificate in application code (Node, Go) hang up without a TLS alert
   * when they do not trust it: under TLS 1.3 the server may even have finished its side of the
   * handshake. A hang-up during the handshake, or right after it with not one command sent, is
   * that case far more often than anything else.
   */
  #explainSilentTlsHangUp(): void {
    if (this.#endedBy !== null || this.#recorder.diagnostics.some((d) => d.code.startsWith('tls-'))) return;
    const when =
      this.#tlsState === 'handshaking'
        ? 'during the TLS handshake'
        : this.#tlsState === 'established' && this.#bytesOverTls === 0
          ? 'right after the TLS handshake, without sending a command'
          : null;
    if (when === null) return;
    this.#recorder.line('*', `The client hung up ${when}`);
    this.#diagnose(
      'tls-handshake-failed',
      `The client hung up ${when}: it most likely rejected the sandbox certificate because it does not trust the sandbox CA.`,
    );
  }

  #explainSilentPlaintextHangUp(): void {
    if (this.#waitingForHelloSince === null || this.#endedBy !== null) return;
    const waited = Date.now() - this.#waitingForHelloSince;
    if (waited < WAITED_FOR_GREETING_MS) return;
    this.#recorder.line(
      '*',
      `The client hung up after ${waited} ms without a TLS ClientHello: it was waiting for a plaintext greeting`,
    );
    this.#diagnose('plaintext-on-implicit-tls-port');
  }

  #onIdle(): void {
    if (this.#closed) return;
    this.#endedBy = 'idle-timeout';
    if (this.#protocol) this.#protocol.idleTimeout();
    else {
      this.#diagnose('idle-timeout');
      this.#socket.destroy();
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    this.#releaseHold?.();
    const protocol = this.#protocol;
    this.#explainSilentTlsHangUp();
    this.#explainSilentPlaintextHangUp();
    protocol?.clientClosed();
    const record = this.#recorder.finish({
      heloName: protocol?.heloName ?? null,
      tls: protocol?.tls ?? null,
      auth: protocol?.auth ?? null,
      messageIds: protocol ? [...protocol.messageIds] : [],
      lastError: protocol?.lastError ?? this.#ownLastError,
      quit: protocol?.quitReceived ?? false,
      endedBy: this.#endedBy,
      // Chaos acts only through the protocol's `beforeAccept`: a reply written here is never its doing.
      errorsOnlyFromChaos: (protocol?.errorsOnlyFromHook ?? true) && this.#ownLastError === null,
    });
    this.#deps.onClose(record);
  }
}
