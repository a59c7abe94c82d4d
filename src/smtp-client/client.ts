/**
 * A small SMTP client state machine used by `mailport doctor` and `mailport send`.
 *
 * It is also a probe: it speaks node:net / node:tls directly so it can report what is really on a
 * port (another protocol's banner, a TLS server where plaintext was expected) instead of a generic
 * failure. Every step has its own timeout and every failure is an SmtpClientError.
 */
import { createHmac } from 'node:crypto';
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import {
  type ConnectionOptions,
  checkServerIdentity,
  type SecureVersion,
  type TLSSocket,
  connect as tlsConnect,
} from 'node:tls';
import { withDefaultTrust } from '../tls/trust-store.js';
import { type EhloCapabilities, parseEhlo } from './ehlo.js';
import {
  OutOfStepError,
  outOfStepReply,
  SmtpClientError,
  type SmtpClientErrorCode,
  type SmtpPhase,
  socketErrorCode,
} from './errors.js';
import { type ReaderFailure, ReplyReader } from './reader.js';
import { formatReply, type ServerReply } from './reply.js';
import { describeTlsSession, type TlsSessionInfo } from './tls-session.js';
import { commandName, REDACTED, surplusLine, Transcript, unfinishedReply } from './transcript.js';

export interface ClientTlsOptions {
  /** Name for SNI and the certificate check (default: the host, unless it is an IP address). */
  servername?: string;
  /** Extra CA certificates (PEM) to trust in addition to the system store. */
  ca?: string[];
  /**
   * `true` (default): a certificate problem aborts the handshake with Node's error.
   * `false`: the handshake completes and the problem is reported in `TlsSessionInfo` (doctor).
   */
  verify?: boolean;
  minVersion?: SecureVersion;
  maxVersion?: SecureVersion;
  /** OpenSSL cipher list, e.g. `DEFAULT@SECLEVEL=0` to reach servers that only speak TLS 1.0. */
  ciphers?: string;
  /** A client certificate and its key (PEM), for servers that demand one (mutual TLS). */
  certificate?: { certPem: string; keyPem: string };
}

export interface SmtpConnectOptions {
  host: string;
  port: number;
  /** TLS from the first byte (RFC 8314 §3.3); otherwise plaintext, upgradable with STARTTLS. */
  implicitTls: boolean;
  tls?: ClientTlsOptions;
  /** Bound for each step: connect, TLS handshake, and every reply. Default 10 000 ms. */
  stepTimeoutMs?: number;
  /** Name sent in EHLO (default `mailport.localhost`). */
  clientName?: string;
  /** Aborting closes the connection; the pending step fails with ECONNRESET ("cancelled"). */
  signal?: AbortSignal;
}

/** A password login, or an OAuth 2.0 access token for the user (XOAUTH2, or OAUTHBEARER per RFC 7628). */
export type Credentials = PasswordLogin | TokenLogin;

export interface PasswordLogin {
  user: string;
  pass: string;
}

export interface TokenLogin {
  user: string;
  token: string;
}

export type AuthMechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | TokenMechanism;
type TokenMechanism = 'XOAUTH2' | 'OAUTHBEARER';

const DEFAULT_STEP_TIMEOUT_MS = 10_000;
/**
 * The password mechanisms, in order of preference: over TLS, PLAIN and LOGIN are as safe; CRAM-MD5
 * is for servers with nothing else.
 */
export const SUPPORTED_MECHANISMS: readonly AuthMechanism[] = ['PLAIN', 'LOGIN', 'CRAM-MD5'];
/** The token mechanisms: XOAUTH2 first, the one Gmail and Microsoft 365 both take. */
export const TOKEN_MECHANISMS: readonly TokenMechanism[] = ['XOAUTH2', 'OAUTHBEARER'];
/** Replies to EHLO from a server that does not know it, after which HELO is worth trying. */
const EHLO_UNKNOWN: ReadonlySet<number> = new Set([500, 501, 502, 504, 550]);
/** How the transcript marks a completed TLS handshake. */
const TLS_ESTABLISHED_EVENT = 'TLS established:';
/** 500 and 502: the server does not know the command at all (RFC 5321 §4.2.2). */
const COMMAND_UNKNOWN: ReadonlySet<number> = new Set([500, 502]);

export class SmtpClient {
  readonly transcript: Transcript;
  readonly host: string;
  readonly port: number;
  /** How TLS was reached on this connection, if at all. */
  tlsMode: 'implicit' | 'starttls' | null = null;
  tlsInfo: TlsSessionInfo | null = null;
  greeting: ServerReply | null = null;
  /** Capabilities from the latest EHLO (reset by STARTTLS, RFC 3207 §4.2). */
  capabilities: EhloCapabilities | null = null;
  /** Capabilities seen before STARTTLS, kept for reporting (e.g. AUTH offered in cleartext). */
  capabilitiesBeforeTls: EhloCapabilities | null = null;
  /** True once AUTH has succeeded. */
  authenticated = false;
  /** The server's refusal of EHLO when the session fell back to HELO: it then has no extensions. */
  ehloRefusal: ServerReply | null = null;

  private socket: Socket;
  private reader: ReplyReader;
  /** The step of the latest command (or the greeting), where a surplus reply line is reported. */
  private lastPhase: SmtpPhase = 'greeting';
  private readonly options: SmtpConnectOptions;
  private readonly stepTimeoutMs: number;

  private constructor(socket: Socket, options: SmtpConnectOptions, transcript: Transcript) {
    this.socket = socket;
    this.options = options;
    this.host = options.host;
    this.port = options.port;
    this.transcript = transcript;
    this.stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    this.reader = this.attachReader(socket);
  }

  /** Opens the connection (and the TLS session for implicit TLS) and reads the greeting. */
  static async connect(options: SmtpConnectOptions): Promise<SmtpClient> {
    const transcript = new Transcript();
    const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    transcript.event(
      `connecting to ${options.host}:${options.port}${options.implicitTls ? ' (implicit TLS)' : ''}`,
    );
    const tcp = await openTcp(options, stepTimeoutMs);
    transcript.event(`connected to ${tcp.remoteAddress ?? options.host}:${tcp.remotePort ?? options.port}`);
    let socket: Socket = tcp;
    let tlsInfo: TlsSessionInfo | null = null;
    if (options.implicitTls) {
      try {
        const secured = await handshake(tcp, options, stepTimeoutMs, 'connect');
        socket = secured.socket;
        tlsInfo = secured.info;
      } catch (error) {
        tcp.destroy();
        throw error;
      }
      transcript.event(`${TLS_ESTABLISHED_EVENT} ${tlsInfo.protocol} ${tlsInfo.cipher}`);
    }
    const client = new SmtpClient(socket, options, transcript);
    if (tlsInfo) {
      client.tlsMode = 'implicit';
      client.tlsInfo = tlsInfo;
    }
    try {
      client.greeting = await client.readReply('greeting');
    } catch (error) {
      client.close();
      throw error;
    }
    if (client.greeting.code !== 220) {
      client.close();
      // RFC 5321 §4.3.2 allows only 220 (ready) or 554 here; a positive code is no refusal.
      const message =
        client.greeting.code < 400
          ? `The server greeted with ${client.greeting.code} instead of 220 (service ready): a protocol error on its side (RFC 5321 §4.3.2)`
          : 'The server refused the session in its greeting';
      throw new SmtpClientError('EPROTOCOL', 'greeting', message, { reply: client.greeting });
    }
    return client;
  }

  /**
   * EHLO, falling back to HELO only when the server does not know EHLO (RFC 5321 §4.1.4: 500,
   * 501, 502, 504 or 550). Any other answer (a 421 closing the channel, a 554) is the server
   * refusing the session, and is reported as it is.
   */
  async ehlo(): Promise<EhloCapabilities> {
    const name = this.options.clientName ?? 'mailport.localhost';
    const reply = await this.command(`EHLO ${name}`, 'ehlo');
    if (reply.code === 250) {
      this.capabilities = parseEhlo(reply);
      return this.capabilities;
    }
    if (!EHLO_UNKNOWN.has(reply.code))
      throw new SmtpClientError('EPROTOCOL', 'ehlo', 'The server refused EHLO', { reply });
    const helo = await this.command(`HELO ${name}`, 'ehlo');
    if (helo.code !== 250) {
      if (
        COMMAND_UNKNOWN.has(reply.code) &&
        COMMAND_UNKNOWN.has(helo.code) &&
        (await this.answersLhlo(name))
      ) {
        throw new SmtpClientError(
          'EPROTOCOL',
          'ehlo',
          `The server speaks LMTP (RFC 2033), not SMTP: it answered LHLO, as the service that hands a mail server's mail to its mailboxes does (Dovecot, Cyrus), and refused EHLO (${formatReply(reply)}) and HELO`,
          { reply: helo, speaksLmtp: true },
        );
      }
      throw new SmtpClientError(
        'EPROTOCOL',
        'ehlo',
        `The server refused EHLO (${formatReply(reply)}) and HELO`,
        {
          reply: helo,
        },
      );
    }
    this.ehloRefusal = reply;
    this.capabilities = parseEhlo({ ...helo, raw: helo.raw.split('\n')[0] ?? '' });
    return this.capabilities;
  }

  /** LHLO (RFC 2033 §4.1): whether a server that knows neither EHLO nor HELO is an LMTP server. */
  private async answersLhlo(name: string): Promise<boolean> {
    try {
      return (await this.command(`LHLO ${name}`, 'ehlo')).code === 250;
    } catch {
      // The session is lost either way; the refusal of HELO is what gets reported.
      return false;
    }
  }

  /**
   * Why the server lacks `extension`, in words: after a refused EHLO it has no extensions at all,
   * which says more than a bare "not offered".
   */
  notOffered(extension: string): string {
    const server = `The server on port ${this.port}`;
    if (!this.ehloRefusal) return `${server} does not offer ${extension}`;
    return `${server} refused EHLO (${formatReply(this.ehloRefusal)}) and answered only HELO: it speaks SMTP without extensions (no ESMTP, RFC 5321 §4.1.1.1), so it cannot offer ${extension}`;
  }

  /** STARTTLS (RFC 3207): upgrade, then forget everything learned before (a new EHLO is needed). */
  async startTls(): Promise<TlsSessionInfo> {
    const reply = await this.command('STARTTLS', 'starttls');
    // Only 220 means "go ahead" (RFC 3207 §4); another positive reply (a "250 OK") is the server
    // breaking the protocol, and reading it as a refusal would blame the port's TLS set-up.
    if (reply.code !== 220 && reply.code < 400) {
      throw new SmtpClientError(
        'EPROTOCOL',
        'starttls',
        `The server answered STARTTLS with ${reply.code} instead of 220 (ready to start TLS): a protocol error on its side (RFC 3207 §4); Mailport does not start TLS on that reply, nor does any client`,
        { reply },
      );
    }
    if (reply.code !== 220) {
      throw new SmtpClientError('ETLS', 'starttls', 'The server refused STARTTLS', { reply });
    }
    if (this.reader.hasUnreadBytes()) {
      // Bytes after the 220 would be injected into the TLS session (CVE-2011-0411 on the client side).
      this.close();
      throw new SmtpClientError('EPROTOCOL', 'starttls', 'The server sent data after agreeing to STARTTLS');
    }
    this.reader.detach();
    const secured = await handshake(this.socket, this.options, this.stepTimeoutMs, 'starttls').catch(
      (error) => {
        this.close();
        throw error;
      },
    );
    this.socket = secured.socket;
    this.reader = this.attachReader(secured.socket);
    this.tlsMode = 'starttls';
    this.tlsInfo = secured.info;
    this.capabilitiesBeforeTls = this.capabilities;
    this.capabilities = null;
    this.transcript.event(`${TLS_ESTABLISHED_EVENT} ${secured.info.protocol} ${secured.info.cipher}`);
    return secured.info;
  }

  /**
   * AUTH (RFC 4954) with PLAIN (RFC 4616, initial response), LOGIN or CRAM-MD5 (RFC 2195), or with
   * an OAuth 2.0 token XOAUTH2 or OAUTHBEARER (RFC 7628). Without an explicit mechanism the first
   * of those the server offers is used. A server that offers no AUTH is not sent the login at all
   * (RFC 4954 §3: the EHLO reply lists what it takes).
   */
  async authenticate(credentials: Credentials, mechanism?: AuthMechanism): Promise<AuthMechanism> {
    const offered = this.capabilities?.authMechanisms ?? [];
    if (offered.length === 0 && mechanism === undefined) {
      throw new SmtpClientError(
        'EAUTH',
        'auth',
        this.tlsMode
          ? `${this.notOffered('AUTH')} (no AUTH offered, even over TLS): Mailport sent no login. The port takes mail without one, or AUTH is turned off on it`
          : this.capabilities?.starttls
            ? // RFC 3207 §4.1 and RFC 6409: a submission port offers AUTH only once TLS protects it.
              `${this.notOffered('AUTH')} before STARTTLS (no AUTH offered in plaintext, STARTTLS offered): Mailport sent no login. The port takes logins only after STARTTLS: send with STARTTLS`
            : `${this.notOffered('AUTH')} (no AUTH offered): Mailport sent no login. The port takes mail without one, or takes logins only on another port or after STARTTLS`,
      );
    }
    const usable = 'token' in credentials ? TOKEN_MECHANISMS : SUPPORTED_MECHANISMS;
    if (mechanism !== undefined && !usable.includes(mechanism)) {
      throw new TypeError(
        `AUTH ${mechanism} does not take ${'token' in credentials ? 'a token' : 'a password'}`,
      );
    }
    const chosen =
      mechanism ?? usable.find((candidate) => offered.includes(candidate)) ?? usable[0] ?? 'PLAIN';
    if (offered.length > 0 && !offered.includes(chosen)) {
      throw new SmtpClientError(
        'EAUTH',
        'auth',
        'token' in credentials
          ? `The server offers AUTH ${offered.join(' ')}, neither XOAUTH2 nor OAUTHBEARER: it takes no OAuth token. Log in with a password instead (--pass-env)`
          : `The server offers AUTH ${offered.join(' ')}, none of which Mailport supports (${SUPPORTED_MECHANISMS.join(', ')})`,
      );
    }
    const reply =
      'token' in credentials
        ? await this.tokenExchange(credentials, chosen === 'OAUTHBEARER' ? 'OAUTHBEARER' : 'XOAUTH2')
        : await this.passwordExchange(credentials, chosen);
    // Still 334 once every response is given: the server never said whether the login is right,
    // so this must not read as a wrong password (no 535 in the words).
    if (reply.code === 334) {
      throw new SmtpClientError(
        'EPROTOCOL',
        'auth',
        `The server asked for more (334) after Mailport had sent every AUTH ${chosen} response: a protocol error on its side (RFC 4954 §4); the exchange never ended with 235 or a refusal, so the login was never judged`,
        { reply },
      );
    }
    // Only 235 means logged in (RFC 4954 §6); another 2xx (smtp-sink's "250 2.0.0 Ok") is the
    // server breaking the protocol, and reading it as a refusal would blame the password.
    if (reply.code >= 200 && reply.code < 300 && reply.code !== 235) {
      throw new SmtpClientError(
        'EPROTOCOL',
        'auth',
        `The server answered AUTH ${chosen} with ${reply.code} instead of 235 (authentication succeeded): a protocol error on its side (RFC 4954 §6); Mailport does not count that as logged in, and the login was never judged`,
        { reply },
      );
    }
    if (reply.code !== 235) {
      throw new SmtpClientError('EAUTH', 'auth', `AUTH ${chosen} failed`, { reply });
    }
    this.authenticated = true;
    return chosen;
  }

  /** PLAIN, CRAM-MD5, or LOGIN (the only other password mechanism). */
  private async passwordExchange(credentials: PasswordLogin, mechanism: AuthMechanism): Promise<ServerReply> {
    if (mechanism === 'PLAIN') {
      const response = Buffer.from(`\0${credentials.user}\0${credentials.pass}`, 'utf8').toString('base64');
      const reply = await this.command(`AUTH PLAIN ${response}`, 'auth', `AUTH PLAIN ${REDACTED}`);
      // A server that ignores the initial response (RFC 4954 §4 requires it) asks with an empty
      // 334: it gets the same response on a line of its own.
      return reply.code === 334 ? this.command(response, 'auth', REDACTED) : reply;
    }
    if (mechanism === 'CRAM-MD5') {
      const reply = await this.command('AUTH CRAM-MD5', 'auth');
      if (reply.code !== 334) return reply;
      const challenge = Buffer.from(reply.lines[0] ?? '', 'base64');
      const digest = createHmac('md5', credentials.pass).update(challenge).digest('hex');
      return this.command(
        Buffer.from(`${credentials.user} ${digest}`, 'utf8').toString('base64'),
        'auth',
        REDACTED,
      );
    }
    let reply = await this.command('AUTH LOGIN', 'auth');
    if (reply.code === 334) {
      reply = await this.command(Buffer.from(credentials.user).toString('base64'), 'auth', REDACTED);
    }
    if (reply.code === 334) {
      reply = await this.command(Buffer.from(credentials.pass).toString('base64'), 'auth', REDACTED);
    }
    return reply;
  }

  /**
   * XOAUTH2 (`user=U ^A auth=Bearer T ^A ^A`) or OAUTHBEARER (`n,a=U, ^A auth=Bearer T ^A ^A`). A
   * refused token gets a 334 error challenge, a base64 JSON status (RFC 7628 §3.2.2): it is
   * answered with the dummy response the mechanism asks for, and the refusal that follows is
   * thrown with the status in its words.
   */
  private async tokenExchange(credentials: TokenLogin, mechanism: TokenMechanism): Promise<ServerReply> {
    const authzid = credentials.user.replace(/=/g, '=3D').replace(/,/g, '=2C');
    const message =
      mechanism === 'XOAUTH2'
        ? `user=${credentials.user}\x01auth=Bearer ${credentials.token}\x01\x01`
        : `n,a=${authzid},\x01auth=Bearer ${credentials.token}\x01\x01`;
    const response = Buffer.from(message, 'utf8').toString('base64');
    let reply = await this.command(`AUTH ${mechanism} ${response}`, 'auth', `AUTH ${mechanism} ${REDACTED}`);
    if (reply.code === 334 && (reply.lines[0] ?? '') === '') {
      reply = await this.command(response, 'auth', REDACTED);
    }
    if (reply.code !== 334) return reply;
    const status = oauthErrorStatus(reply.lines[0] ?? '');
    if (status === null) return reply;
    const refusal = await this.command(mechanism === 'XOAUTH2' ? '' : 'AQ==', 'auth');
    throw new SmtpClientError(
      'EAUTH',
      'auth',
      `AUTH ${mechanism} failed: the server refused the OAuth token (its error challenge: ${status})`,
      { reply: refusal },
    );
  }

  async mailFrom(address: string, params: string[] = []): Promise<ServerReply> {
    const extra = [...params];
    if (!isAscii(address) && this.capabilities?.smtputf8 && !extra.includes('SMTPUTF8'))
      extra.push('SMTPUTF8');
    const line = [`MAIL FROM:<${address}>`, ...extra].join(' ');
    const reply = await this.command(line, 'mail');
    return this.expectAccepted(reply, 'mail', refusedMailFrom(reply));
  }

  async rcptTo(address: string): Promise<ServerReply> {
    const reply = await this.command(`RCPT TO:<${address}>`, 'rcpt');
    // 421 closes the session whatever the command (RFC 5321 §3.8): the recipient was not judged.
    // After a successful AUTH a refusal is the server's policy for that login, not a missing one.
    const refused =
      reply.code === 421
        ? `The server closed the session at RCPT TO:<${address}>`
        : `The server refused the recipient <${address}>${this.authenticated ? ' though the session is authenticated (AUTH succeeded)' : ''}`;
    return this.expectAccepted(reply, 'rcpt', refused);
  }

  /** DATA (RFC 5321 §4.1.1.4): dot-stuffing, CRLF line endings, and `<CRLF>.<CRLF>` at the end. */
  async data(message: Buffer | string): Promise<ServerReply> {
    const start = await this.command('DATA', 'data');
    // A 2xx is no refusal but a server breaking SMTP: only 354 asks for the message (RFC 5321 §4.1.1.4).
    if (start.code >= 200 && start.code < 400 && start.code !== 354)
      throw new SmtpClientError(
        'EPROTOCOL',
        'data',
        `The server answered DATA with ${start.code} instead of 354 (go ahead): a protocol error on its side (RFC 5321 §4.1.1.4); the message was not sent`,
        { reply: start },
      );
    if (start.code !== 354)
      throw new SmtpClientError('EMESSAGE', 'data', 'The server refused DATA', { reply: start });
    // Latin-1 maps each byte to one character and back: an 8-bit body that is not UTF-8 goes out
    // byte for byte.
    const bytes = typeof message === 'string' ? Buffer.from(message) : message;
    const text = bytes.toString('latin1').replace(/\r?\n/g, '\r\n');
    const stuffed = text.replace(/^\./gm, '..');
    const body = stuffed.endsWith('\r\n') ? stuffed : `${stuffed}\r\n`;
    this.transcript.event(`message data: ${body.length} bytes`);
    this.socket.write(Buffer.from(`${body}.\r\n`, 'latin1'));
    this.transcript.client('.');
    const reply = await this.readReply('data').catch((error: unknown) => {
      throw error instanceof SmtpClientError ? this.noReplyAfterData(error) : error;
    });
    if (reply.code !== 250)
      throw new SmtpClientError('EMESSAGE', 'data', 'The server refused the message', { reply });
    return reply;
  }

  /**
   * A hang-up or timeout after the final dot leaves the outcome open: the server may have taken
   * the message (RFC 1047), so the error must not read like a plain "not sent".
   */
  private noReplyAfterData(error: SmtpClientError): SmtpClientError {
    const where = `${this.host}:${this.port}`;
    const open = 'it may have been accepted anyway';
    if (error.code === 'ETIMEDOUT')
      return new SmtpClientError(
        'ETIMEDOUT',
        'data',
        `No reply from ${where} within ${this.stepTimeoutMs} ms after the whole message was sent: ${open}`,
        { maybeDelivered: true },
      );
    if (error.code === 'ECONNRESET')
      return new SmtpClientError(
        'ECONNRESET',
        'data',
        `The server ${where} closed the connection after the whole message was sent, before replying to it: ${open}`,
        { cause: error.cause, maybeDelivered: true },
      );
    return error;
  }

  async rset(): Promise<ServerReply> {
    return this.command('RSET', 'mail');
  }

  /** QUIT politely, then close; errors are ignored because the session is over either way. */
  async quit(): Promise<void> {
    if (this.socket.destroyed) return;
    await this.command('QUIT', 'data').catch(() => undefined);
    this.close();
  }

  close(): void {
    this.reader.detach();
    this.socket.on('error', () => {});
    this.socket.destroy();
  }

  /** Sends one command line and waits for the reply, whatever its code. */
  async command(line: string, phase: SmtpPhase, transcriptText: string = line): Promise<ServerReply> {
    if (this.socket.destroyed) {
      const verb = transcriptText.split(' ')[0] ?? transcriptText;
      throw new SmtpClientError(
        'ECONNRESET',
        phase,
        `The server ${this.host}:${this.port} closed the connection unexpectedly, before Mailport could send ${verb}`,
      );
    }
    this.checkInStep();
    this.lastPhase = phase;
    this.transcript.client(transcriptText);
    this.socket.write(`${line}\r\n`);
    return this.readReply(phase);
  }

  /**
   * Throws OutOfStepError (and closes) when the server has sent anything since its last reply
   * ended: this client sends one command at a time, so such lines can only be surplus, and read on
   * they would pass for the replies to the next commands.
   */
  checkInStep(): void {
    if (!this.reader.hasUnreadBytes()) return;
    const entries = this.transcript.entries;
    // A surplus line not yet complete is not in the transcript: it is reported as far as it came.
    const surplus = surplusLine(entries) ?? {
      after: entries.findLast((entry) => entry.dir === 'C')?.text ?? null,
      final: entries.findLast((entry) => entry.dir === 'S')?.text ?? '',
      line: this.reader.unreadText(),
    };
    this.close();
    throw new OutOfStepError(this.lastPhase, surplus);
  }

  /**
   * MAIL and RCPT succeed only with a 2xx (RFC 5321 §4.3.2). A 3xx is no refusal but a server out
   * of step with the commands (a 354 meant for DATA, say): reported as its protocol error.
   */
  private expectAccepted(reply: ServerReply, phase: 'mail' | 'rcpt', message: string): ServerReply {
    if (reply.code >= 200 && reply.code < 300) return reply;
    if (reply.code < 400) throw outOfStepReply(phase === 'mail' ? 'MAIL FROM' : 'RCPT TO', phase, reply);
    throw new SmtpClientError('EENVELOPE', phase, message, { reply });
  }

  private attachReader(socket: Socket): ReplyReader {
    return new ReplyReader(socket, (line) => this.transcript.server(line));
  }

  private readReply(phase: SmtpPhase): Promise<ServerReply> {
    return withTimeout(this.reader.next(), this.stepTimeoutMs, this.options.signal, {
      onTimeout: () => {
        this.close();
        const waited = `Timed out after ${this.stepTimeoutMs} ms waiting for`;
        const where = `${this.host}:${this.port}`;
        // A reply that began and never ended is the server breaking SMTP, not a server gone quiet.
        const unfinished = unfinishedReply(this.transcript.entries);
        if (unfinished) return unfinishedReplyError(phase, unfinished, waited, where);
        // After the greeting the connection is known to work: say so, or the timeout reads like a
        // firewall dropping the port.
        return new SmtpClientError(
          'ETIMEDOUT',
          phase,
          phase === 'greeting'
            ? `${waited} the server greeting from ${where}${this.afterHandshake(phase)}`
            : `${waited} a reply (${phase}) from ${where}${this.afterHandshake(phase)}: the server had answered until then and stopped answering mid-session`,
        );
      },
      onAbort: () => {
        this.close();
        return new SmtpClientError('ECONNRESET', phase, 'The probe was cancelled');
      },
    }).catch((failure: ReaderFailure | SmtpClientError) => {
      if (failure instanceof SmtpClientError) throw failure;
      throw readerError(failure, phase, `${this.host}:${this.port}`, this.afterHandshake(phase));
    });
  }

  /**
   * Silence or a hang-up right after a TLS handshake means something else: the TLS mode and the
   * certificate were right, and what fails is the SMTP service behind the TLS layer. For implicit
   * TLS that is at the greeting; after STARTTLS, at the EHLO that follows it (RFC 3207 §4.2).
   */
  private afterHandshake(phase: SmtpPhase): string {
    if (phase === 'greeting' && this.tlsMode === 'implicit') return ', after a completed TLS handshake';
    const [before, command] = this.transcript.entries.slice(-2);
    const firstAfterStarttls =
      this.tlsMode === 'starttls' && before?.dir === '*' && before.text.startsWith(TLS_ESTABLISHED_EVENT);
    return phase === 'ehlo' && firstAfterStarttls && command?.dir === 'C'
      ? ', the first command after a completed STARTTLS handshake'
      : '';
  }
}

/** Shows at most this many of an unfinished reply's lines: a tarpit may have sent hundreds. */
const UNFINISHED_LINES_SHOWN = 3;

function unfinishedReplyError(
  phase: SmtpPhase,
  { command, lines }: { command: string; lines: readonly string[] },
  waited: string,
  where: string,
): SmtpClientError {
  const shown = lines
    .slice(0, UNFINISHED_LINES_SHOWN)
    .map((line) => `"${line.slice(0, 100)}"`)
    .join(', ');
  const more =
    lines.length > UNFINISHED_LINES_SHOWN ? ` and ${lines.length - UNFINISHED_LINES_SHOWN} more` : '';
  return new SmtpClientError(
    'ETIMEDOUT',
    phase,
    `${waited} the end of a reply from ${where}: the server left its reply to ${commandName(command)} unfinished. It sent ${shown}${more}, each with a dash after the code (more to come), and never the final line with a space after the code (RFC 5321 section 4.2.1): the server is broken, or a proxy in between cut its reply.`,
  );
}

function readerError(
  failure: ReaderFailure,
  phase: SmtpPhase,
  where: string,
  context: string,
): SmtpClientError {
  switch (failure.kind) {
    case 'closed':
      return new SmtpClientError(
        'ECONNRESET',
        phase,
        `The server ${where} closed the connection unexpectedly while Mailport waited for ${phase === 'greeting' ? 'the greeting' : `a reply (${phase})`}${context}`,
      );
    case 'error':
      return new SmtpClientError(socketErrorCode(failure.error), phase, failure.error.message, {
        cause: failure.error,
      });
    case 'not-smtp':
      // After an SMTP greeting the port is the right one: the server broke its own protocol, and
      // "did not speak SMTP" would send the user looking for another port.
      return new SmtpClientError(
        'EPROTOCOL',
        phase,
        phase === 'greeting'
          ? `The server did not speak SMTP (${failure.reason})`
          : `The server greeted in SMTP, then its reply (${phase}) broke SMTP (${failure.reason})`,
        {
          received: failure.received,
          notSmtpReason: failure.reason,
        },
      );
  }
}

interface TimeoutHandlers {
  onTimeout: () => Error;
  onAbort: () => Error;
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  handlers: TimeoutHandlers,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      reject(handlers.onAbort());
      return;
    }
    const abort = () => {
      clearTimeout(timer);
      reject(handlers.onAbort());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      reject(handlers.onTimeout());
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

function openTcp(options: SmtpConnectOptions, stepTimeoutMs: number): Promise<Socket> {
  const socket = tcpConnect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  const connected = new Promise<Socket>((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
  return withTimeout(connected, stepTimeoutMs, options.signal, {
    onTimeout: () =>
      new SmtpClientError(
        'ETIMEDOUT',
        'connect',
        `Connection to ${options.host}:${options.port} timed out after ${stepTimeoutMs} ms (no answer to the TCP handshake)`,
      ),
    onAbort: () => new SmtpClientError('ECONNRESET', 'connect', 'The probe was cancelled'),
  }).catch((error: unknown) => {
    socket.on('error', () => {});
    socket.destroy();
    if (error instanceof SmtpClientError) throw error;
    const code: SmtpClientErrorCode = socketErrorCode(error);
    throw new SmtpClientError(code, 'connect', connectMessage(code, options, error as Error), {
      cause: error,
    });
  });
}

function connectMessage(code: SmtpClientErrorCode, options: SmtpConnectOptions, error: Error): string {
  const target = `${options.host}:${options.port}`;
  if (code === 'ECONNREFUSED') return `Connection refused by ${target} (connect ECONNREFUSED)`;
  if (code === 'EDNS')
    return `The host name ${options.host} does not resolve (getaddrinfo ${(error as NodeJS.ErrnoException).code})`;
  return `Could not connect to ${target}: ${error.message}`;
}

async function handshake(
  socket: Socket,
  options: SmtpConnectOptions,
  stepTimeoutMs: number,
  phase: SmtpPhase,
): Promise<{ socket: TLSSocket; info: TlsSessionInfo }> {
  const tlsOptions = options.tls ?? {};
  const checkedName = tlsOptions.servername ?? options.host;
  const verify = tlsOptions.verify ?? true;
  const connectionOptions: ConnectionOptions = {
    socket,
    host: options.host,
    // RFC 6066 §3: SNI carries host names only, never IP addresses.
    ...(isIP(checkedName) === 0 ? { servername: checkedName } : {}),
    rejectUnauthorized: verify,
    ...(tlsOptions.ca && tlsOptions.ca.length > 0 ? { ca: withDefaultTrust(tlsOptions.ca) } : {}),
    ...(tlsOptions.minVersion ? { minVersion: tlsOptions.minVersion } : {}),
    ...(tlsOptions.maxVersion ? { maxVersion: tlsOptions.maxVersion } : {}),
    ...(tlsOptions.ciphers ? { ciphers: tlsOptions.ciphers } : {}),
    ...(tlsOptions.certificate
      ? { cert: tlsOptions.certificate.certPem, key: tlsOptions.certificate.keyPem }
      : {}),
    // Check the name the user asked for (`--servername`), not the address dialled. When not
    // verifying, skip Node's check so `authorized` speaks about the chain alone; the name is
    // checked separately in describeTlsSession.
    checkServerIdentity: (_host, certificate) =>
      verify ? checkServerIdentity(checkedName, certificate) : undefined,
  };
  const secured = tlsConnect(connectionOptions);
  const closedEarly = () =>
    secured.emit('error', new Error('The server closed the connection during the TLS handshake'));
  const ready = new Promise<TLSSocket>((resolve, reject) => {
    secured.once('secureConnect', () => {
      secured.off('error', reject);
      secured.off('close', closedEarly);
      resolve(secured);
    });
    secured.once('error', reject);
    secured.once('close', closedEarly);
  });
  try {
    const tlsSocket = await withTimeout(ready, stepTimeoutMs, options.signal, {
      onTimeout: () =>
        new SmtpClientError(
          'ETIMEDOUT',
          phase,
          `TLS handshake with ${options.host}:${options.port} timed out after ${stepTimeoutMs} ms`,
        ),
      onAbort: () => new SmtpClientError('ECONNRESET', phase, 'The probe was cancelled'),
    });
    return { socket: tlsSocket, info: describeTlsSession(tlsSocket, checkedName) };
  } catch (error) {
    secured.on('error', () => {});
    secured.destroy();
    if (error instanceof SmtpClientError) throw error;
    throw new SmtpClientError('ETLS', phase, `TLS handshake failed: ${handshakeFailure(error)}`, {
      cause: error,
    });
  }
}

/** OpenSSL's reason ("wrong version number") rather than its whole multi-line error queue. */
function handshakeFailure(error: unknown): string {
  const { reason, message } = error as { reason?: unknown; message?: unknown };
  if (typeof reason === 'string' && reason !== '') return reason;
  return String(message).replace(/\s+/g, ' ').trim();
}

/** RFC 6531 §3.4: a non-ASCII address needs the SMTPUTF8 parameter. */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/**
 * A refused MAIL FROM is not always about the sender: 421 closes the session whatever the command
 * (RFC 5321 §3.8), and 552 there refuses the declared SIZE (RFC 1870 §6.1).
 */
function refusedMailFrom(reply: ServerReply): string {
  if (reply.code === 421) return 'The server closed the session at MAIL FROM';
  if (reply.code === 552 || reply.enhanced === '5.3.4')
    return 'The server refused the message size at MAIL FROM';
  return 'The server refused the sender';
}

/** The JSON status of an OAuth error challenge (RFC 7628 §3.2.2), as sent; null for any other 334 text. */
function oauthErrorStatus(challenge: string): string | null {
  try {
    const status: unknown = JSON.parse(Buffer.from(challenge, 'base64').toString('utf8'));
    return typeof status === 'object' && status !== null ? JSON.stringify(status) : null;
  } catch {
    return null;
  }
}
