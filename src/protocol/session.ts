/**
 * The SMTP server state machine for one connection (RFC 5321 with STARTTLS 3207, AUTH 4954,
 * SIZE 1870, PIPELINING 2920, 8BITMIME 6152, ENHANCEDSTATUSCODES 2034/3463, SMTPUTF8 6531,
 * CHUNKING 3030 without BINARYMIME).
 *
 * Pure: no sockets, timers or clock. Bytes come in through `receive`; replies, transcript lines and
 * diagnostics go out through the `ProtocolSink`; credentials and messages go to `ProtocolHooks`.
 * Policy (TLS and AUTH rules) comes only from the `PortProfile`.
 */
import { isUtf8 } from 'node:buffer';
import { isIPv6 } from 'node:net';
import type { AuthFacts, DiagnosticCode, EnvelopeAddress, TlsFacts } from '../domain/types.js';
import { offersStartTls, type PortProfile, requiresStartTls } from '../profiles/port-profiles.js';
import { bearerTokenProblems } from './bearer-token.js';
import { ChunkedMessage } from './chunked-message.js';
import { describeBareLineEndings, type ProblemReport, type TextRefusal } from './data-problems.js';
import { characterName, isAddressLiteral } from './envelope.js';
import { type DataEnd, ignoreChunkOctets, type ReaderEvent, SmtpLineReader } from './line-reader.js';
import { decideMail, decideRcpt, type Refusal } from './mail-commands.js';
import {
  authChallengeReply,
  authMalformedReply,
  chunkReceivedReply,
  closesConnection,
  dataBareLfReply,
  dataLineTooLongReply,
  ehloReply,
  formatReplyLines,
  greetingReply,
  helloNameInvalidReply,
  heloReply,
  isErrorReply,
  lineTooLongReply,
  messageQueuedReply,
  noArgumentsReply,
  REPLIES,
  recipientOkReply,
  replyToText,
  SmtpReplyError,
  senderOkReply,
  sizeExceededReply,
  unknownCommandReply,
  withReason,
} from './replies.js';
import {
  credentialSlips,
  isSupportedMechanism,
  isTokenErrorAcknowledgement,
  SASL_CANCEL,
  SaslExchange,
  type SaslStep,
  SUPPORTED_MECHANISMS,
} from './sasl.js';
import { describeClientLine, displayableMechanism, isAuthCommandLine, REDACTED } from './transcript-text.js';
import type {
  Credentials,
  ProtocolEnd,
  ProtocolHooks,
  ProtocolLimits,
  ProtocolSessionOptions,
  ProtocolSink,
  ProtocolStage,
  SmtpReply,
  StageVerdict,
  Transaction,
} from './types.js';

/** Request methods of HTTP (RFC 9110 §9) that a browser or HTTP library sends first. */
const HTTP_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'CONNECT',
]);
/** The rest of an HTTP request line: a target, then the protocol version (RFC 9112 §3). */
const HTTP_REQUEST_TARGET = /^\S+ HTTP\/\d(?:\.\d)?$/i;

/** RFC 4954 §4: an AUTH command or SASL response line may be up to 12288 octets. */
const SASL_LINE_LIMIT = 12288;
/**
 * Commands a client may send while a hook (AUTH check, delivery) is pending. A client that follows
 * RFC 2920 only pipelines a few commands here; more than this, beside the message text that BDAT
 * may pipeline (below), is abuse, not pipelining.
 */
const PENDING_INPUT_LIMIT = 1024 * 1024;

/** SMTP verbs we recognise but do not offer (RFC 5321 §4.1.1.8 EXPN, §4.1.5 TURN…). */
const NOT_OFFERED_VERBS: ReadonlySet<string> = new Set([
  'EXPN',
  'TURN',
  'ETRN',
  'ATRN',
  'SEND',
  'SOML',
  'SAML',
]);

/**
 * Why a well-formed, unexpired token was refused: the sandbox has no authorization server to ask,
 * so it takes the user's password as the token, a token its own endpoint issued for the user, or
 * any token under --auth-any.
 */
const TOKEN_NOT_ACCEPTED =
  "the token is not one this server accepts for the user: it takes the user's password as the token, a token its POST /oauth2/token issued for the user, or any unexpired token when started with --auth-any";

/**
 * Python's smtplib `auth()`, unlike `login()`, sends no EHLO after `starttls()`, and takes the 503
 * that AUTH gets then for "already authenticated": its MAIL FROM is the first thing to fail.
 */
const PYTHON_AUTH_WITHOUT_EHLO =
  " (Python's smtplib auth(), unlike login(), sends no EHLO after starttls() and takes this 503 for success: call smtp.ehlo() before smtp.auth())";

const ACCEPT: StageVerdict = Object.freeze({ verdict: 'accept' });
const NO_SUBJECTS: readonly string[] = Object.freeze([]);

/** Control characters (C0 except TAB, DEL, C1) never belong in a command line. */
const CONTROL_CHARACTER = /[^\P{Cc}\t]/u;

/**
 * RFC 3030 §2: `BDAT chunk-size [LAST]`, chunk-size 1*DIGIT. Fifteen digits keep the size exact
 * in a JavaScript number (and are 999 TB, more than any chunk).
 */
const BDAT_ARGUMENT = /^(\d{1,15})(?: +(LAST))?$/i;

/** A reply held back until its BDAT chunk has been read: the reply comes after the octets (RFC 3030 §2). */
type DeferredReply = () => void;

/** A BDAT chunk being read: refused (its octets are dropped, then the refusal sent) or taken. */
type PendingChunk =
  | { refusal: DeferredReply }
  | { refusal: null; last: boolean; transaction: MailTransaction; message: ChunkedMessage };

interface MailTransaction {
  mailFrom: EnvelopeAddress;
  rcptTo: EnvelopeAddress[];
  /** MAIL FROM carried SMTPUTF8 (RFC 6531 §3.4), so non-ASCII recipients are allowed. */
  smtpUtf8: boolean;
  /** At least one RCPT was tried: the 554 to DATA without recipients says none was valid, not none was sent. */
  recipientTried: boolean;
  /** A RCPT was refused by the engine, not by `beforeAccept`: that 554 is then not the hook's doing. */
  recipientRefusedByEngine: boolean;
  /** The text so far, once a BDAT chunk was taken: DATA is then out of sequence (RFC 3030 §2). */
  chunks: ChunkedMessage | null;
}

/**
 * Who an error reply is down to: the engine's own rules, or a `beforeAccept` refusal (a reply
 * injected on purpose, or one that follows only from it).
 */
type ReplyCause = 'engine' | 'hook';

type ConnectionState = 'commands' | 'tls-handshake';

/**
 * How the socket layer drives a session:
 * - `greet()` on connect, or after the handshake on implicit TLS (with `options.tls` set);
 * - `receive(chunk)` for every plaintext or decrypted chunk;
 * - on `sink.startTls()`: stop feeding plaintext, upgrade, then `tlsStarted(facts)` (or close);
 * - `idleTimeout()`, `shutdown()` for the server's own reasons, `clientClosed()` when the socket closes;
 * - `clientFinishedSending()` when the client half-closes: what it sent is still answered, then `sink.close()`;
 * - `sink.close()` means: end the socket once pending writes are flushed.
 * Each diagnostic code is reported at most once per session.
 */
export class SmtpProtocolSession {
  private readonly profile: PortProfile;
  private readonly hostname: string;
  private readonly limits: ProtocolLimits;
  private readonly hooks: ProtocolHooks;
  private readonly sink: ProtocolSink;
  private readonly reader: SmtpLineReader;
  private readonly senderMustMatchLogin: boolean;

  private tlsFacts: TlsFacts | null;
  private authFacts: AuthFacts | null = null;
  private clientName: string | null = null;
  private esmtp = false;
  private transaction: MailTransaction | null = null;
  /** The BDAT chunk being read, whose reply waits for its last octet. */
  private pendingChunk: PendingChunk | null = null;
  private sasl: SaslExchange | null = null;
  private readonly acceptedIds: string[] = [];
  private lastErrorText: string | null = null;
  /** An error reply was sent that no `beforeAccept` refusal explains. */
  private engineErrorSent = false;
  /**
   * Who refused the last MAIL (this engine, or `beforeAccept`), null when none was refused: RCPT and
   * DATA pipelined after it (RFC 2920) fail because of that refusal, not by a mistake of their own.
   */
  private mailRefusedBy: ReplyCause | null = null;
  private endReasonValue: ProtocolEnd | null = null;
  private quitSeen = false;
  /** The client half-closed: once its buffered input is answered, the session ends. */
  private inputFinished = false;

  /** The greeting (or the reply that refused service in its place) was sent. */
  private greeted = false;
  /** The greeting refused service (RFC 5321 §3.1): every command but QUIT gets 503. */
  private serviceRefused = false;
  private state: ConnectionState = 'commands';
  private hookPending = false;
  private pumping = false;
  private badCommands = 0;
  private authFailures = 0;
  /** STARTTLS completed and no EHLO since (RFC 3207 §4.2). */
  private ehloExpectedAfterTls = false;
  /** AUTH was refused for want of EHLO after STARTTLS: a client that goes on may believe it logged in. */
  private authRefusedBeforeEhlo = false;
  /** HELO got 530 on a STARTTLS-required port: a client that never says EHLO cannot upgrade. */
  private heloRefusedBeforeTls = false;
  /** An AUTH was refused; base64-looking lines that follow are redacted in the transcript. */
  private authRefused = false;
  private readonly reported = new Set<DiagnosticCode>();
  /** Replies produced while processing one batch of input, written in one go (RFC 2920). */
  private output = '';
  /** Messages whose 250 is in `output`: the sink hears of them once it is written. */
  private deliveredUnwritten: string[] = [];

  constructor(options: ProtocolSessionOptions) {
    this.profile = options.profile;
    this.hostname = options.hostname;
    this.limits = options.limits;
    this.hooks = options.hooks;
    this.sink = options.sink;
    this.tlsFacts = options.tls;
    this.senderMustMatchLogin = options.senderMustMatchLogin ?? false;
    this.reader = new SmtpLineReader({
      maxCommandLineLength: Math.max(options.limits.maxCommandLineLength, SASL_LINE_LIMIT),
      maxDataLineLength: options.limits.maxDataLineLength,
      maxMessageSize: options.limits.maxMessageSize,
    });
  }

  /** Name from the last EHLO/HELO (reset by STARTTLS). */
  get heloName(): string | null {
    return this.clientName;
  }

  get tls(): TlsFacts | null {
    return this.tlsFacts;
  }

  get auth(): AuthFacts | null {
    return this.authFacts;
  }

  /** Ids of messages accepted in this session, in order. */
  get messageIds(): readonly string[] {
    return this.acceptedIds;
  }

  /** The last 4xx/5xx reply sent, one line, e.g. `530 5.7.0 Must issue a STARTTLS command first (...)`. */
  get lastError(): string | null {
    return this.lastErrorText;
  }

  /**
   * Every error reply so far was a `beforeAccept` refusal or followed only from one: 503 to what
   * comes after a refused greeting, to RCPT or DATA pipelined after a refused MAIL, 554 to DATA
   * once every recipient was refused. The client did nothing wrong. True when no error was sent.
   */
  get errorsOnlyFromHook(): boolean {
    return !this.engineErrorSent;
  }

  get quitReceived(): boolean {
    return this.quitSeen;
  }

  get ended(): boolean {
    return this.endReasonValue !== null;
  }

  get endReason(): ProtocolEnd | null {
    return this.endReasonValue;
  }

  /**
   * Sends the 220 greeting: at connect, or after the handshake on implicit TLS (RFC 8314 §3.3).
   * Never throws, as `receive`: an engine bug ends only this session, with 451 4.3.0.
   */
  greet(): void {
    // A pending hook here is the `connect` stage itself: the greeting is already on its way.
    if (this.greeted || this.hookPending || this.ended) return;
    try {
      this.atStage(
        'connect',
        NO_SUBJECTS,
        () => {
          this.greeted = true;
          this.send(greetingReply(this.hostname));
        },
        () => {
          this.greeted = true;
          this.serviceRefused = true;
        },
      );
      this.flush();
    } catch (error) {
      this.internalError(error);
    }
  }

  /**
   * Bytes from the client. Never throws: an engine bug ends only this session, with 451 4.3.0 and
   * an `internal error` transcript event. Buffers are kept by reference until processed: do not reuse them.
   */
  receive(chunk: Buffer): void {
    if (this.ended) return;
    if (!this.greeted) {
      // RFC 5321 §3.1: the client waits for the greeting; what it says before is dropped.
      this.diagnose('pipelining-violation', `${chunk.length} bytes sent before the greeting`);
      this.sink.transcript('*', `discarded ${chunk.length} bytes sent before the greeting`);
      return;
    }
    // RFC 3207 §4.2 / CVE-2011-0411: nothing sent in plaintext after STARTTLS is ever executed.
    if (this.state === 'tls-handshake') return;
    this.reader.push(chunk);
    // RFC 3030 §4.2: MAIL, RCPT and BDAT with its chunk may come in one go, so a whole message may
    // wait behind a pending RCPT verdict; that is no more memory than the message itself will take.
    if (this.hookPending && this.reader.bufferedOctets > PENDING_INPUT_LIMIT + this.limits.maxMessageSize) {
      this.diagnose('pipelining-violation', 'too much input sent while a reply was pending');
      this.sendAndClose(REPLIES.PIPELINE_OVERFLOW);
      return;
    }
    this.pump();
  }

  /** The TLS handshake after STARTTLS succeeded: every earlier fact is forgotten (RFC 3207 §4.2). */
  tlsStarted(facts: TlsFacts): void {
    if (this.ended) return;
    this.tlsFacts = facts;
    if (this.state !== 'tls-handshake') return;
    // Implicit TLS and failed handshakes are recorded by the socket layer, which sees them first.
    this.sink.transcript('*', `TLS established: ${facts.protocol} ${facts.cipher}`);
    this.state = 'commands';
    this.reader.discardBuffered();
    this.clientName = null;
    this.esmtp = false;
    this.authFacts = null;
    this.resetTransaction();
    this.sasl = null;
    this.ehloExpectedAfterTls = true;
    this.pump();
  }

  idleTimeout(): void {
    if (this.ended) return;
    this.reportUnfinishedMessage();
    this.diagnose('idle-timeout');
    this.sendAndClose(REPLIES.IDLE_TIMEOUT);
  }

  shutdown(): void {
    if (this.ended) return;
    this.sendAndClose(REPLIES.SHUTTING_DOWN);
  }

  /**
   * The client sent its last byte and shut down its sending side (`nc -N`, a script's
   * `shutdown(SHUT_WR)` after QUIT). It still reads: every command it sent is answered, the
   * replies that wait for a hook (the 250 after the end of data) included, and then the session
   * closes. A QUIT among the commands ends it as usual; without one it ends as a disconnect.
   */
  clientFinishedSending(): void {
    if (this.ended) return;
    this.inputFinished = true;
    this.pump();
  }

  /** The client closed the connection (or it broke); nothing more is written. */
  clientClosed(): void {
    if (this.ended) return;
    this.reportUnfinishedMessage();
    this.reportLeftWithoutTls();
    this.endReasonValue = 'client-disconnected';
  }

  // ---------------------------------------------------------------------------------------------
  // Input loop

  /** Processes buffered input in order until it runs out, a hook is pending, or TLS starts. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (!this.ended && !this.hookPending && this.state === 'commands') {
        const event = this.reader.next();
        if (event === null) break;
        this.handleEvent(event);
      }
      if (this.inputFinished && !this.hookPending && this.state === 'commands') this.endOfInput();
      // Inside the try: the sink hears of delivered messages here, and may throw.
      this.flush();
    } catch (error) {
      this.internalError(error);
    } finally {
      this.pumping = false;
    }
  }

  private handleEvent(event: ReaderEvent): void {
    switch (event.kind) {
      case 'line-too-long':
        this.sink.transcript('C', `<line of ${event.octets} octets>`);
        // RFC 4954 §4, §6: an AUTH command or SASL response over its 12288 octets gets 500 5.5.6.
        if (this.sasl !== null || isAuthCommand(event.start)) {
          this.sasl = null;
          this.diagnose('line-too-long', `AUTH exchange line of ${event.octets} octets`);
          this.failCommand(REPLIES.AUTH_LINE_TOO_LONG);
        } else {
          this.diagnose('line-too-long', `command line of ${event.octets} octets`);
          this.failCommand(lineTooLongReply(this.commandLineLimit(verbOf(event.start))));
        }
        return;
      case 'data-end':
        this.handleDataEnd(event);
        return;
      case 'chunk-end':
        this.handleChunkEnd(event.octets);
        return;
      case 'line':
        if (this.sasl !== null) {
          this.handleSaslLine(this.sasl, event.line, event.terminator === 'crlf' && !event.bareCr);
        } else {
          this.handleCommandLine(event.line, event.octets, event.terminator === 'crlf' && !event.bareCr);
        }
        return;
    }
  }

  private handleCommandLine(line: Buffer, octets: number, wellTerminated: boolean): void {
    const text = line.toString('utf8');
    const space = text.indexOf(' ');
    const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
    const argument = space === -1 ? '' : text.slice(space + 1).trim();
    // An AUTH line is bounded by the reader's SASL limit instead (RFC 4954 §4).
    const tooLong = verb !== 'AUTH' && octets > this.commandLineLimit(verb);
    this.sink.transcript('C', tooLong ? `<line of ${octets} octets>` : this.transcriptCommand(verb, text));
    // A refused AUTH, even one refused for its line ending or characters, may be followed by its
    // SASL responses sent blindly; keep them out of the transcript.
    const authLine = isAuthCommandLine(text);
    if (authLine || isKnownVerb(verb)) this.authRefused = authLine;

    // RFC 5321 §2.3.8: a line not ending in CRLF is refused, never executed (CVE-2023-51764).
    if (!wellTerminated) {
      this.diagnose('bare-lf', 'in a command line');
      this.failCommand(REPLIES.BARE_LF_COMMAND);
      return;
    }
    if (tooLong) {
      this.diagnose('line-too-long', `command line of ${octets} octets`);
      this.failCommand(lineTooLongReply(this.commandLineLimit(verb)));
      return;
    }
    if (!isUtf8(line) || CONTROL_CHARACTER.test(text)) {
      this.diagnose('syntax-error', 'control characters or invalid UTF-8 in a command');
      this.failCommand(REPLIES.INVALID_CHARACTERS);
      return;
    }
    this.dispatch(verb, argument);
  }

  /**
   * RFC 5321 §4.5.3.1.4: 512 octets with the CRLF, which the extensions offered raise for MAIL by
   * the parameters they add: SIZE 26 (RFC 1870 §3), BODY 16 (RFC 1652 §2), SMTPUTF8 10 (RFC 6531
   * §3.4) and, where AUTH is offered, AUTH 500 (RFC 4954 §5).
   */
  private commandLineLimit(verb: string): number {
    if (verb !== 'MAIL' || !this.esmtp) return this.limits.maxCommandLineLength;
    return this.limits.maxCommandLineLength + 26 + 16 + 10 + (this.authOffered() ? 500 : 0);
  }

  private dispatch(verb: string, argument: string): void {
    // A browser or HTTP client on an SMTP port: end the session at once, as Postfix does for its
    // smtpd_forbidden_commands (CONNECT, GET, POST), rather than answer every header line with 500.
    if (HTTP_METHODS.has(verb) && HTTP_REQUEST_TARGET.test(argument)) {
      this.diagnose('http-request', `${verb} ${argument.slice(0, 80)}`);
      this.sendAndClose(REPLIES.HTTP_REQUEST);
      return;
    }
    // BDAT applies the same gates, but only once its chunk is read.
    if (verb === 'BDAT') {
      this.handleBdat(argument);
      return;
    }
    const refusal = this.gateRefusal(verb);
    if (refusal !== null) {
      refusal();
      return;
    }
    switch (verb) {
      case 'EHLO':
        this.handleEhlo(argument);
        return;
      case 'HELO':
        this.handleHelo(argument);
        return;
      case 'STARTTLS':
        this.handleStartTls(argument);
        return;
      case 'AUTH':
        this.handleAuth(argument);
        return;
      case 'MAIL':
        this.handleMail(argument);
        return;
      case 'RCPT':
        this.handleRcpt(argument);
        return;
      case 'DATA':
        this.handleData(argument);
        return;
      case 'RSET':
        this.handleRset(argument);
        return;
      case 'NOOP':
        this.send(REPLIES.OK);
        return;
      case 'QUIT':
        this.handleQuit();
        return;
      case 'VRFY':
        this.handleVrfy(argument);
        return;
      case 'HELP':
        this.send(REPLIES.HELP);
        return;
      default:
        if (NOT_OFFERED_VERBS.has(verb)) {
          this.failCommand(REPLIES.COMMAND_NOT_OFFERED);
          return;
        }
        // Go's net/smtp answers every refused AUTH with a "*" (the RFC 4954 §4 cancel line) although
        // the exchange is over: the refusal is the finding, the stray line is not the user's mistake.
        if (this.authRefused && verb === '*') {
          this.failCommand(REPLIES.UNKNOWN_COMMAND);
          return;
        }
        // The verb itself may be a stray credential after a refused AUTH, so it is not repeated then.
        if (this.authRefused) {
          this.diagnose('syntax-error', 'unknown command after a refused AUTH');
          this.failCommand(REPLIES.UNKNOWN_COMMAND);
          return;
        }
        this.diagnose('syntax-error', `unknown command ${verb.slice(0, 32)}`);
        this.failCommand(unknownCommandReply(verb.slice(0, 32)));
        return;
    }
  }

  /**
   * Checks that apply before any verb handler runs: a refused greeting (RFC 5321 §3.1), STARTTLS
   * (RFC 3207 §4: 530 to everything but NOOP, EHLO, STARTTLS, QUIT, so before the greeting check
   * too, as Postfix does), greeting first (RFC 5321 §4.1.4), then AUTH (RFC 4954 §6). Returns the
   * refusal to send, or null when the verb may run.
   */
  private gateRefusal(verb: string): DeferredReply | null {
    if (this.serviceRefused && verb !== 'QUIT') return () => this.failCommand(REPLIES.SERVICE_REFUSED);
    const needsTls = isKnownVerb(verb) && !ALLOWED_BEFORE_STARTTLS.has(verb);
    if (needsTls && requiresStartTls(this.profile) && this.tlsFacts === null) {
      return () => {
        if (verb === 'AUTH') this.diagnose('auth-before-starttls');
        if (verb === 'HELO') this.heloRefusedBeforeTls = true;
        // Message text before STARTTLS is the same mistake as its MAIL FROM.
        if (verb === 'MAIL') this.diagnose('mail-before-starttls');
        if (verb === 'BDAT') this.diagnose('mail-before-starttls', 'BDAT sent before STARTTLS');
        this.send(REPLIES.STARTTLS_FIRST);
      };
    }
    if (NEEDS_GREETING.has(verb) && this.clientName === null) {
      if (this.ehloExpectedAfterTls) {
        return () => {
          if (verb === 'AUTH') this.authRefusedBeforeEhlo = true;
          this.failCommand(
            REPLIES.EHLO_AFTER_STARTTLS,
            'starttls-not-reissued-ehlo',
            verb === 'AUTH' ? `AUTH sent before EHLO${PYTHON_AUTH_WITHOUT_EHLO}` : `${verb} sent before EHLO`,
          );
        };
      }
      // STARTTLS is offered in the EHLO reply; where TLS is required, HELO itself gets 530.
      const reply = verb === 'STARTTLS' ? REPLIES.EHLO_BEFORE_STARTTLS : REPLIES.EHLO_FIRST;
      return () => this.failCommand(reply, 'no-ehlo', `${verb} sent before EHLO`);
    }
    if (NEEDS_AUTH.has(verb) && this.profile.auth === 'required' && this.authFacts === null) {
      return () => {
        if (verb === 'MAIL') {
          this.diagnose(
            'mail-before-auth',
            this.authRefusedBeforeEhlo
              ? `its AUTH got 503 for want of EHLO after STARTTLS, and it went on as if logged in${PYTHON_AUTH_WITHOUT_EHLO}`
              : undefined,
          );
        }
        if (verb === 'BDAT') this.diagnose('mail-before-auth', 'BDAT sent before AUTH');
        this.send(REPLIES.AUTH_REQUIRED);
      };
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Verbs

  private handleEhlo(argument: string): void {
    const name = helloName(argument);
    if (name === null) {
      this.failCommand(REPLIES.EHLO_SYNTAX, 'syntax-error');
      return;
    }
    if ('problem' in name) {
      this.refuseHelloName('EHLO', argument, name.problem);
      return;
    }
    this.atStage('ehlo', [name.name], () => {
      this.greetedBy(name.name, true);
      this.send(ehloReply(this.hostname, name.name, this.extensions()));
    });
  }

  private handleHelo(argument: string): void {
    const name = helloName(argument);
    if (name === null) {
      this.failCommand(REPLIES.HELO_SYNTAX, 'syntax-error');
      return;
    }
    if ('problem' in name) {
      this.refuseHelloName('HELO', argument, name.problem);
      return;
    }
    this.atStage('ehlo', [name.name], () => {
      this.greetedBy(name.name, false);
      this.send(heloReply(this.hostname, name.name));
    });
  }

  /** RFC 5321 §4.1.4: EHLO/HELO also resets the transaction. */
  private greetedBy(name: string, esmtp: boolean): void {
    this.clientName = name;
    this.esmtp = esmtp;
    this.resetTransaction();
    this.ehloExpectedAfterTls = false;
  }

  private resetTransaction(): void {
    this.transaction?.chunks?.discard();
    this.transaction = null;
    this.mailRefusedBy = null;
  }

  private extensions(): string[] {
    const extensions = [
      'PIPELINING',
      `SIZE ${this.limits.maxMessageSize}`,
      '8BITMIME',
      'ENHANCEDSTATUSCODES',
      'SMTPUTF8',
      'CHUNKING',
    ];
    if (offersStartTls(this.profile) && this.tlsFacts === null) extensions.push('STARTTLS');
    if (this.authOffered()) extensions.push(`AUTH ${SUPPORTED_MECHANISMS.join(' ')}`);
    return extensions;
  }

  /** RFC 4954 §4 / RFC 8314 §3: AUTH is advertised only where credentials would not travel in cleartext. */
  private authOffered(): boolean {
    return this.profile.auth !== 'off' && (this.tlsFacts !== null || !this.profile.authRequiresTls);
  }

  private refuseHelloName(verb: 'EHLO' | 'HELO', argument: string, problem: string): void {
    this.failCommand(
      helloNameInvalidReply(problem),
      'syntax-error',
      `${verb} ${argument.slice(0, 64)} (${problem})`,
    );
  }

  private handleStartTls(argument: string): void {
    // RFC 3207 §4: STARTTLS takes no parameters (501).
    if (argument.length > 0) {
      this.failCommand(noArgumentsReply('STARTTLS'), 'syntax-error', `STARTTLS ${argument.slice(0, 32)}`);
      return;
    }
    if (this.tlsFacts !== null) {
      this.fail(REPLIES.ALREADY_TLS, 'bad-sequence');
      return;
    }
    if (!offersStartTls(this.profile)) {
      this.failCommand(REPLIES.STARTTLS_NOT_OFFERED);
      return;
    }
    this.send(REPLIES.STARTTLS_READY);
    const dropped = this.reader.discardBuffered();
    if (dropped > 0) {
      this.diagnose(
        'pipelining-violation',
        `${dropped} bytes sent after STARTTLS were discarded (CVE-2011-0411)`,
      );
      this.sink.transcript('*', `discarded ${dropped} bytes pipelined after STARTTLS`);
    }
    this.state = 'tls-handshake';
    this.flush();
    this.sink.startTls();
  }

  private handleAuth(argument: string): void {
    if (this.profile.auth === 'off') {
      this.fail(REPLIES.AUTH_NOT_AVAILABLE);
      return;
    }
    if (!this.authOffered()) {
      this.diagnose('auth-without-tls');
      const canUpgrade = offersStartTls(this.profile) && this.tlsFacts === null;
      this.fail(canUpgrade ? REPLIES.AUTH_NEEDS_TLS : REPLIES.AUTH_NOT_AVAILABLE);
      return;
    }
    if (!this.esmtp) {
      this.fail(REPLIES.AUTH_AFTER_HELO, 'bad-sequence', 'AUTH after HELO');
      return;
    }
    if (this.authFacts !== null) {
      this.fail(REPLIES.ALREADY_AUTH, 'bad-sequence');
      return;
    }
    if (this.transaction !== null) {
      this.fail(REPLIES.AUTH_IN_TRANSACTION, 'bad-sequence');
      return;
    }
    const [mechanismToken, initialResponse, ...extra] = argument
      .split(' ')
      .filter((token) => token.length > 0);
    if (mechanismToken === undefined || extra.length > 0) {
      this.failCommand(REPLIES.AUTH_SYNTAX, 'syntax-error');
      return;
    }
    const mechanism = mechanismToken.toUpperCase();
    if (!isSupportedMechanism(mechanism)) {
      this.diagnose('auth-mechanism-unsupported', displayableMechanism(mechanismToken) ?? undefined);
      this.fail(REPLIES.AUTH_MECH_UNSUPPORTED);
      return;
    }
    const exchange = new SaslExchange(mechanism);
    this.sasl = exchange;
    this.applySaslStep(exchange, exchange.start(initialResponse));
  }

  private handleSaslLine(exchange: SaslExchange, line: Buffer, wellTerminated: boolean): void {
    const text = line.toString('latin1');
    this.sink.transcript('C', this.saslLineAsRecorded(exchange, text));
    if (!wellTerminated) {
      this.sasl = null;
      this.diagnose('bare-lf', 'in an AUTH response');
      this.failCommand(REPLIES.BARE_LF_COMMAND);
      return;
    }
    this.applySaslStep(exchange, exchange.respond(text));
  }

  /**
   * A SASL line is a credential, except a cancel and the answer to a refused token's error
   * challenge: the expected empty or ^A response, or a command sent by a client that did not expect
   * the challenge (Symfony Mailer sends RSET).
   */
  private saslLineAsRecorded(exchange: SaslExchange, text: string): string {
    if (text === SASL_CANCEL) return SASL_CANCEL;
    const firstWord = text.split(' ', 1)[0]?.toUpperCase() ?? '';
    if (exchange.awaitsTokenErrorAnswer && (isTokenErrorAcknowledgement(text) || isKnownVerb(firstWord))) {
      return text;
    }
    return REDACTED;
  }

  private applySaslStep(exchange: SaslExchange, step: SaslStep): void {
    if (step.kind === 'challenge') {
      this.send(authChallengeReply(step.text));
      return;
    }
    // Any reply other than 334 ends the exchange (RFC 4954 §4).
    this.sasl = null;
    switch (step.kind) {
      case 'credentials':
        this.verifyCredentials(exchange, step.credentials);
        return;
      case 'token-refused': {
        const unanswered = step.acknowledged
          ? []
          : [
              'the client answered the 334 error challenge with more than the empty (XOAUTH2) or ^A (OAUTHBEARER) response it asks for',
            ];
        this.refuseAuth(step.username, [...step.reasons, ...unanswered]);
        return;
      }
      case 'cancelled':
        this.fail(REPLIES.AUTH_CANCELLED);
        return;
      case 'invalid-base64':
        this.failCommand(withReason(REPLIES.BASE64_INVALID, step.mistake), 'syntax-error', step.mistake);
        return;
      case 'malformed':
        this.failCommand(
          withReason(authMalformedReply(step.mechanism), step.mistake),
          'syntax-error',
          step.mistake,
        );
        return;
    }
  }

  private verifyCredentials(exchange: SaslExchange, credentials: Credentials): void {
    // A token that is expired, for another audience or not a token at all would be refused by
    // any server, so it is refused before the hook, and the reasons are said.
    if ('token' in credentials) {
      const problems = bearerTokenProblems(credentials.token, credentials.username, Date.now());
      if (problems.length > 0) {
        this.refuseToken(exchange, credentials.username, problems);
        return;
      }
    }
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.hooks.authenticate(credentials);
    } catch {
      this.send(REPLIES.AUTH_TEMPORARY_FAILURE);
      return;
    }
    if (typeof verdict === 'boolean') {
      this.finishAuth(exchange, credentials, verdict);
      return;
    }
    this.awaitHook(
      Promise.resolve(verdict),
      (accepted) => this.finishAuth(exchange, credentials, accepted),
      () => this.send(REPLIES.AUTH_TEMPORARY_FAILURE),
    );
  }

  private finishAuth(exchange: SaslExchange, credentials: Credentials, accepted: boolean): void {
    const { username, mechanism } = credentials;
    if (accepted) {
      // The lines after an accepted AUTH are commands again, not credentials sent blindly.
      this.authRefused = false;
      this.atStage('auth', [username], () => {
        this.authFacts = { user: username, mechanism };
        this.send(REPLIES.AUTH_OK);
      });
      return;
    }
    if ('token' in credentials) {
      this.refuseToken(exchange, username, [TOKEN_NOT_ACCEPTED]);
      return;
    }
    this.refuseAuth(username, credentialSlips(credentials));
  }

  /** RFC 7628 §3.2.2: a refused token gets a 334 error challenge first, and the 535 after the client's answer. */
  private refuseToken(exchange: SaslExchange, username: string, reasons: string[]): void {
    this.sasl = exchange;
    this.send(authChallengeReply(exchange.refuseToken(username, reasons)));
  }

  private refuseAuth(username: string, reasons: string[]): void {
    this.authFailures += 1;
    this.diagnose('auth-failed', [`user ${JSON.stringify(username)}`, ...reasons].join('; '));
    if (this.authFailures > this.limits.maxAuthFailures) {
      this.sendAndClose(REPLIES.TOO_MANY_AUTH_FAILURES);
      return;
    }
    this.send(withReason(REPLIES.AUTH_FAILED, reasons.join('; ')));
  }

  private handleMail(argument: string): void {
    if (this.transaction !== null) {
      this.fail(REPLIES.NESTED_MAIL, 'bad-sequence');
      return;
    }
    this.mailRefusedBy = null;
    const decision = decideMail(argument, {
      esmtp: this.esmtp,
      authOffered: this.authOffered(),
      maxMessageSize: this.limits.maxMessageSize,
      senderOwner: this.senderMustMatchLogin ? (this.authFacts?.user ?? null) : null,
    });
    if (!decision.ok) {
      this.mailRefusedBy = 'engine';
      this.refuse(decision.refusal);
      return;
    }
    const { mailFrom, smtpUtf8 } = decision;
    this.atStage(
      'mail',
      [mailFrom.address],
      () => {
        this.transaction = {
          mailFrom,
          rcptTo: [],
          smtpUtf8,
          recipientTried: false,
          recipientRefusedByEngine: false,
          chunks: null,
        };
        this.send(senderOkReply(mailFrom.address));
      },
      () => {
        this.mailRefusedBy = 'hook';
      },
    );
  }

  private handleRcpt(argument: string): void {
    const transaction = this.transaction;
    if (transaction === null) {
      this.needMail();
      return;
    }
    // RFC 3030 §2: the envelope is complete before the first chunk is sent.
    if (transaction.chunks !== null) {
      this.fail(REPLIES.RCPT_AFTER_BDAT, 'bad-sequence', 'RCPT after BDAT in the same transaction');
      return;
    }
    transaction.recipientTried = true;
    const decision = decideRcpt(argument, {
      esmtp: this.esmtp,
      smtpUtf8: transaction.smtpUtf8,
      recipientsSoFar: transaction.rcptTo.length,
      maxRecipients: this.limits.maxRecipients,
    });
    if (!decision.ok) {
      transaction.recipientRefusedByEngine = true;
      this.refuse(decision.refusal);
      return;
    }
    const { recipient } = decision;
    this.atStage('rcpt', [recipient.address], () => {
      transaction.rcptTo.push(recipient);
      this.send(recipientOkReply(recipient.address));
    });
  }

  private handleData(argument: string): void {
    if (argument.length > 0) {
      this.failCommand(noArgumentsReply('DATA'), 'syntax-error', `DATA ${argument.slice(0, 32)}`);
      return;
    }
    const transaction = this.transaction;
    if (transaction === null) {
      this.needMail();
      return;
    }
    if (transaction.chunks !== null) {
      this.fail(REPLIES.DATA_AFTER_BDAT, 'bad-sequence', 'DATA after BDAT in the same transaction');
      return;
    }
    if (transaction.rcptTo.length === 0) {
      this.noRecipients(transaction, REPLIES.NO_RECIPIENTS_YET);
      return;
    }
    this.atStage('data', recipientAddresses(transaction.rcptTo), () => {
      this.send(REPLIES.START_DATA);
      // RFC 2920 §3.1: DATA ends a command group; message text may only follow the 354.
      if (this.reader.bufferedOctets > 0) {
        this.diagnose('pipelining-violation', 'message text sent before the 354 reply');
      }
      this.reader.startData();
    });
  }

  /**
   * RFC 5321 §3.3: 554 inside a transaction without recipients, as Postfix answers; a client that
   * never sent RCPT made a sequence mistake, one whose every RCPT failed did not.
   */
  private noRecipients(transaction: MailTransaction, notYet: SmtpReply): void {
    if (transaction.recipientTried) {
      this.send(REPLIES.NO_VALID_RECIPIENTS, transaction.recipientRefusedByEngine ? 'engine' : 'hook');
    } else {
      this.fail(notYet, 'bad-sequence');
    }
  }

  private handleDataEnd(end: DataEnd): void {
    this.sink.transcript('*', `<message body: ${end.size} bytes>`);
    const transaction = this.transaction;
    // RFC 5321 §4.1.1.4: the end of data closes the transaction, accepted or not.
    this.transaction = null;
    if (transaction === null) return;
    this.acceptMessage(transaction, end, ['message'], 'in the message text');
  }

  /**
   * The complete text of a transaction, by DATA or BDAT: refused for what it holds, or delivered
   * once `beforeAccept` lets it through `stages`. A refused message is not delivered: nothing is stored.
   */
  private acceptMessage(
    transaction: MailTransaction,
    end: DataEnd,
    stages: readonly ProtocolStage[],
    where: string,
  ): void {
    if (end.body === null) {
      this.refuseMessage(end, where);
      return;
    }
    const delivery: Transaction = {
      envelope: { mailFrom: transaction.mailFrom, rcptTo: transaction.rcptTo },
      data: end.body,
      heloName: this.clientName,
      tls: this.tlsFacts,
      auth: this.authFacts,
    };
    this.atStages(stages, recipientAddresses(transaction.rcptTo), () => this.deliver(delivery));
  }

  /**
   * `BDAT <size> [LAST]` (RFC 3030 §2). The chunk's octets follow the command whatever the reply
   * will be, so they are always read, and dropped when the command is refused: the next command
   * is found where the client put it. The reply, refusal included, comes after the last octet.
   */
  private handleBdat(argument: string): void {
    const match = BDAT_ARGUMENT.exec(argument);
    if (match === null) {
      // Without a size the chunk's end is unknown: what follows is read as commands, as Postfix does.
      this.failCommand(REPLIES.BDAT_SYNTAX, 'syntax-error', `BDAT ${argument.slice(0, 32)}`);
      return;
    }
    const octets = Number(match[1]);
    const gate = this.gateRefusal('BDAT');
    if (gate !== null) {
      this.skipChunk(octets, gate);
      return;
    }
    // BDAT needs MAIL and RCPT just as DATA does (RFC 3030 §2 leaves RFC 5321 §3.3's order as it is).
    const transaction = this.transaction;
    if (transaction === null) {
      this.skipChunk(octets, () => this.needMail());
      return;
    }
    if (transaction.rcptTo.length === 0) {
      this.skipChunk(octets, () => this.noRecipients(transaction, REPLIES.NO_RECIPIENTS_BEFORE_BDAT));
      return;
    }
    transaction.chunks ??= new ChunkedMessage(this.limits);
    const message = transaction.chunks;
    this.pendingChunk = { refusal: null, last: match[2] !== undefined, transaction, message };
    this.reader.startChunk(octets, (piece) => message.append(piece));
  }

  /** Reads a refused chunk's octets without keeping them; `refusal` is sent after the last one. */
  private skipChunk(octets: number, refusal: DeferredReply): void {
    this.pendingChunk = { refusal };
    this.reader.startChunk(octets, ignoreChunkOctets);
  }

  private handleChunkEnd(octets: number): void {
    const chunk = this.pendingChunk;
    this.pendingChunk = null;
    this.sink.transcript('*', `<BDAT chunk: ${octets} octets>`);
    if (chunk === null) return;
    if (chunk.refusal !== null) {
      chunk.refusal();
      return;
    }
    const { transaction, message } = chunk;
    const found = message.problems;
    const [problem, ...more] = found.problems;
    if (problem !== undefined) {
      // RFC 3030 §2: a failed chunk fails the transaction; the client must not send more chunks
      // and any it pipelined meanwhile get 503 as out of sequence.
      this.resetTransaction();
      this.refuseMessage({ ...found, problems: [problem, ...more] }, BDAT_TEXT);
      return;
    }
    if (!chunk.last) {
      this.send(chunkReceivedReply(octets));
      return;
    }
    // BDAT LAST ends the transaction, accepted or not, as the end of data does.
    this.transaction = null;
    const end = message.finish();
    this.sink.transcript('*', `<message body: ${end.size} bytes>`);
    // No 354 was asked for: BDAT LAST passes the `data` stage and the `message` stage together.
    this.acceptMessage(transaction, end, ['data', 'message'], BDAT_TEXT);
  }

  private deliver(delivery: Transaction): void {
    let stored: Promise<{ id: string }>;
    try {
      stored = Promise.resolve(this.hooks.deliver(delivery));
    } catch (error) {
      stored = Promise.reject(error);
    }
    this.awaitHook(
      stored,
      ({ id }) => {
        this.acceptedIds.push(id);
        if (this.ended) {
          this.sink.delivered(id);
          return;
        }
        // Written with the replies to whatever the client pipelined after the end of data.
        this.send(messageQueuedReply(id));
        this.deliveredUnwritten.push(id);
      },
      (error) => {
        if (error instanceof SmtpReplyError) {
          this.respond(error.reply);
        } else {
          this.sink.transcript(
            '*',
            `delivery failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          this.send(REPLIES.LOCAL_ERROR);
        }
      },
    );
  }

  /** Every problem becomes a diagnostic; the most important one decides the reply. */
  private refuseMessage(refusal: TextRefusal, where: string): void {
    this.diagnoseDataProblems(refusal, where);
    this.send(dataProblemReply(refusal, this.limits));
  }

  private diagnoseDataProblems({ problems, lines, endings }: ProblemReport, where: string): void {
    for (const problem of problems) {
      const line = lines[problem];
      const detail = line === undefined ? where : `${where}, first on line ${line}`;
      switch (problem) {
        case 'too-large':
          this.diagnose('message-too-large', `more than ${this.limits.maxMessageSize} bytes ${detail}`);
          break;
        case 'bare-lf':
          this.diagnose('bare-lf', `${detail} (${describeBareLineEndings(endings)})`);
          break;
        case 'line-too-long':
          this.diagnose('line-too-long', `a line over ${this.limits.maxDataLineLength} octets ${detail}`);
          break;
      }
    }
  }

  /**
   * RCPT, DATA or BDAT without a transaction: the client's mistake, unless its MAIL was refused (that
   * refusal is already diagnosed, or was on purpose).
   */
  private needMail(): void {
    if (this.mailRefusedBy !== null) this.send(REPLIES.NEED_MAIL, this.mailRefusedBy);
    else this.fail(REPLIES.NEED_MAIL, 'bad-sequence');
  }

  private handleRset(argument: string): void {
    if (argument.length > 0) {
      this.failCommand(noArgumentsReply('RSET'), 'syntax-error', `RSET ${argument.slice(0, 32)}`);
      return;
    }
    this.resetTransaction();
    this.send(REPLIES.OK);
  }

  private handleQuit(): void {
    this.reportLeftWithoutTls();
    this.quitSeen = true;
    this.send(REPLIES.QUIT);
    this.close('quit');
  }

  private handleVrfy(argument: string): void {
    if (argument.length === 0) {
      this.failCommand(REPLIES.VRFY_SYNTAX, 'syntax-error');
      return;
    }
    this.send(REPLIES.VRFY);
  }

  // ---------------------------------------------------------------------------------------------
  // Hooks, replies, transcript

  /**
   * Asks `beforeAccept` whether a stage goes ahead: `accept` runs the stage's own success, a
   * refusal sends its reply instead (after `onRefused`), a disconnect closes without a word.
   */
  private atStage(
    stage: ProtocolStage,
    subjects: readonly string[],
    accept: () => void,
    onRefused?: () => void,
  ): void {
    const verdict = this.hooks.beforeAccept?.(stage, subjects) ?? ACCEPT;
    if (verdict instanceof Promise) {
      this.awaitHook(
        verdict,
        (settled) => this.applyVerdict(settled, accept, onRefused),
        (error) => this.internalError(error),
      );
    } else {
      this.applyVerdict(verdict, accept, onRefused);
    }
  }

  /** `atStage` for each stage in turn: `accept` runs once every one has accepted. */
  private atStages(stages: readonly ProtocolStage[], subjects: readonly string[], accept: () => void): void {
    const [stage, ...rest] = stages;
    if (stage === undefined) accept();
    else this.atStage(stage, subjects, () => this.atStages(rest, subjects, accept));
  }

  private applyVerdict(verdict: StageVerdict, accept: () => void, onRefused?: () => void): void {
    // The session may have ended while the verdict was pending (client left, server shut down).
    if (this.ended) return;
    switch (verdict.verdict) {
      case 'accept':
        accept();
        return;
      case 'refuse':
        onRefused?.();
        this.respond(verdict.reply, 'hook');
        return;
      case 'disconnect':
        this.close('closed-by-server');
        return;
    }
  }

  /** Stops reading until `pending` settles, then replies and resumes with the queued input (RFC 2920). */
  private awaitHook<T>(
    pending: Promise<T>,
    onValue: (value: T) => void,
    onError: (error: unknown) => void,
  ): void {
    this.hookPending = true;
    this.flush();
    pending.then(
      (value) => this.resumeAfterHook(() => onValue(value)),
      (error: unknown) => this.resumeAfterHook(() => onError(error)),
    );
  }

  private resumeAfterHook(reply: () => void): void {
    this.hookPending = false;
    try {
      reply();
    } catch (error) {
      // Thrown inside a promise callback this would be an unhandled rejection.
      this.internalError(error);
      return;
    }
    if (this.ended) return;
    // The pump writes the reply together with the replies to any input queued meanwhile.
    this.pump();
  }

  /** Everything the half-closed client sent is answered; an unfinished line or message is dropped. */
  private endOfInput(): void {
    if (this.ended) return;
    this.reportUnfinishedMessage();
    this.reportLeftWithoutTls();
    this.close('client-disconnected');
  }

  /** A bug must not take the process (and every other session) down with it: end this session only. */
  private internalError(error: unknown): void {
    this.sink.transcript('*', `internal error: ${error instanceof Error ? error.message : String(error)}`);
    this.sendAndClose(REPLIES.LOCAL_ERROR);
  }

  /** A hook's reply; the connection is closed after a 421 (RFC 5321 §3.8). */
  private respond(reply: SmtpReply, cause: ReplyCause = 'engine'): void {
    if (closesConnection(reply)) {
      this.sendAndClose(reply, cause);
    } else {
      this.send(reply, cause);
    }
  }

  private send(reply: SmtpReply, cause: ReplyCause = 'engine'): void {
    if (this.ended) return;
    for (const line of formatReplyLines(reply)) {
      this.sink.transcript('S', line);
      this.output += `${line}\r\n`;
    }
    if (!isErrorReply(reply)) return;
    this.lastErrorText = replyToText(reply);
    // After a greeting refused on purpose every command but QUIT fails because of it (RFC 5321 §3.1).
    if (cause === 'engine' && !this.serviceRefused) this.engineErrorSent = true;
  }

  private fail(reply: SmtpReply, diagnostic?: DiagnosticCode, detail?: string): void {
    if (diagnostic !== undefined) this.diagnose(diagnostic, detail);
    this.send(reply);
  }

  private refuse(refusal: Refusal): void {
    if (refusal.malformed === true) {
      this.failCommand(refusal.reply, refusal.diagnostic, refusal.detail);
    } else {
      this.fail(refusal.reply, refusal.diagnostic, refusal.detail);
    }
  }

  /** A malformed or unknown command: counted, and past the limit the connection is closed. */
  private failCommand(reply: SmtpReply, diagnostic?: DiagnosticCode, detail?: string): void {
    if (diagnostic !== undefined) this.diagnose(diagnostic, detail);
    this.badCommands += 1;
    if (this.badCommands > this.limits.maxBadCommands) {
      this.sendAndClose(REPLIES.TOO_MANY_ERRORS);
      return;
    }
    this.send(reply);
  }

  private sendAndClose(reply: SmtpReply, cause: ReplyCause = 'engine'): void {
    this.send(reply, cause);
    this.close('closed-by-server');
  }

  private close(reason: ProtocolEnd): void {
    if (this.ended) return;
    this.flush();
    this.endReasonValue = reason;
    this.sink.close();
  }

  private flush(): void {
    if (this.output === '') return;
    const data = this.output;
    this.output = '';
    this.sink.write(data);
    if (this.deliveredUnwritten.length > 0) {
      const ids = this.deliveredUnwritten;
      this.deliveredUnwritten = [];
      for (const id of ids) this.sink.delivered(id);
    }
  }

  /** Each diagnostic is reported once per session, with the detail of its first occurrence. */
  private diagnose(code: DiagnosticCode, detail?: string): void {
    if (this.reported.has(code)) return;
    this.reported.add(code);
    this.sink.diagnostic(code, detail);
  }

  /**
   * On a STARTTLS port AUTH appears only after the upgrade: a client that greets, finds no AUTH and
   * leaves without a word, by QUIT (PHPMailer) or by hanging up (aiosmtplib), with STARTTLS off,
   * would otherwise leave no trace of why. So would one whose HELO got 530 (s-nail and neomutt
   * with STARTTLS and AUTH off say HELO, and hang up on the refusal).
   */
  private reportLeftWithoutTls(): void {
    // A client that asked for STARTTLS and then left failed the handshake: the connection says why.
    const gaveUp =
      (this.clientName !== null || this.heloRefusedBeforeTls) &&
      this.tlsFacts === null &&
      this.state !== 'tls-handshake' &&
      requiresStartTls(this.profile) &&
      this.reported.size === 0;
    if (!gaveUp) return;
    this.diagnose(
      'quit-without-starttls',
      this.clientName === null
        ? 'HELO refused before STARTTLS (STARTTLS is offered to EHLO only)'
        : undefined,
    );
  }

  /** A message cut off by a timeout or disconnect still tells why it would have been refused. */
  private reportUnfinishedMessage(): void {
    this.diagnoseDataProblems(
      this.reader.pendingDataProblems,
      'in a message that never ended with <CRLF>.<CRLF>',
    );
    const chunk = this.reader.unfinishedChunk;
    if (chunk === null) return;
    this.sink.transcript(
      '*',
      `<BDAT chunk cut off: ${chunk.octets - chunk.missing} of ${chunk.octets} octets received>`,
    );
    const chunks = this.transaction?.chunks ?? null;
    if (chunks !== null)
      this.diagnoseDataProblems(chunks.problems, 'in a BDAT message that never got its last chunk');
  }

  /** The client line as recorded: credentials redacted (RFC 4954 §4 payloads), control characters escaped. */
  private transcriptCommand(verb: string, text: string): string {
    // After a refused AUTH, a client may send its SASL responses anyway, as unknown commands.
    return describeClientLine(text, this.authRefused && !isKnownVerb(verb));
  }
}

const KNOWN_VERBS: ReadonlySet<string> = new Set([
  'EHLO',
  'HELO',
  'STARTTLS',
  'AUTH',
  'MAIL',
  'RCPT',
  'DATA',
  'RSET',
  'NOOP',
  'QUIT',
  'VRFY',
  'HELP',
  'BDAT',
  ...NOT_OFFERED_VERBS,
]);

/** RFC 3207 §4: where TLS is required, every other command gets 530 until STARTTLS. */
const ALLOWED_BEFORE_STARTTLS = new Set(['NOOP', 'EHLO', 'STARTTLS', 'QUIT']);

/** Where a BDAT message's problems were found, for their diagnostics. */
const BDAT_TEXT = 'in the BDAT message text';

/** Commands that mean nothing before EHLO/HELO (RFC 5321 §4.1.4). */
const NEEDS_GREETING: ReadonlySet<string> = new Set(['STARTTLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'BDAT']);

/** Commands refused until AUTH on a port that requires it (RFC 4954 §6). */
const NEEDS_AUTH: ReadonlySet<string> = new Set(['MAIL', 'RCPT', 'DATA', 'BDAT', 'VRFY']);

function isKnownVerb(verb: string): boolean {
  return KNOWN_VERBS.has(verb);
}

/** The start of a command line names the AUTH verb (case-insensitive, RFC 5321 §2.4). */
function isAuthCommand(lineStart: Buffer): boolean {
  return /^AUTH(?: |$)/i.test(lineStart.toString('latin1'));
}

/** The verb of a line known only by its first octets. */
function verbOf(lineStart: Buffer): string {
  return (lineStart.toString('latin1').split(' ')[0] ?? '').toUpperCase();
}

function recipientAddresses(recipients: readonly EnvelopeAddress[]): string[] {
  return recipients.map((recipient) => recipient.address);
}

/**
 * A domain (RFC 5321 §4.1.2) of at most 255 octets, U-labels allowed (RFC 6531 §3.3). Underscores
 * are let through, as Postfix does: container and Windows host names often have them.
 */
const HELLO_DOMAIN =
  /^(?=.{1,255}$)[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,61}[\p{L}\p{N}_])?)*$/u;
const HELLO_LABEL_CHARACTER = /[\p{L}\p{N}_-]/u;

/**
 * The EHLO/HELO argument: one domain or address literal (RFC 5321 §4.1.1.1); null when missing,
 * and what is wrong with it when it is neither.
 */
function helloName(argument: string): { name: string } | { problem: string } | null {
  if (argument === '') return null;
  if (argument.startsWith('[') && argument.endsWith(']')) {
    const literal = argument.slice(1, -1);
    if (isAddressLiteral(literal)) return { name: argument };
    return {
      problem: isIPv6(literal)
        ? `an IPv6 address literal carries its tag: [IPv6:${literal}] (RFC 5321 section 4.1.3)`
        : `${argument.slice(0, 64)} is no IPv4 or IPv6 address literal (RFC 5321 section 4.1.3)`,
    };
  }
  if (HELLO_DOMAIN.test(argument)) return { name: argument };
  return { problem: helloNameProblem(argument) };
}

/** Why a name that is not bracketed is no domain, in words a person can act on. */
function helloNameProblem(name: string): string {
  if (isIPv6(name)) return `an IPv6 address goes in brackets with its tag: [IPv6:${name}]`;
  if (/\s/.test(name))
    return "it is more than one word: a computer name with spaces is no host name (set the client's EHLO name: nodemailer name, Python local_hostname, PHPMailer Helo)";
  if (Buffer.byteLength(name) > 255) return 'it is longer than the 255 octets of a domain';
  const labels = name.split('.');
  if (labels.includes('')) return 'it has an empty label: a dot at its start or end, or two dots in a row';
  if (labels.some((label) => Buffer.byteLength(label) > 63))
    return 'a label is over 63 octets (RFC 1035 section 2.3.4)';
  const bad = [...name].find((char) => char !== '.' && !HELLO_LABEL_CHARACTER.test(char));
  if (bad !== undefined)
    return `it holds ${characterName(bad)}: a host name has only letters, digits, hyphens and dots`;
  return 'a label starts or ends with a hyphen, which a host name cannot';
}

/** RFC 1870 §6 for size; RFC 3463 §3.7 X.6.0 (media error) for text the server will not accept. */
function dataProblemReply(
  { problems: [problem], lines, endings }: TextRefusal,
  limits: ProtocolLimits,
): SmtpReply {
  switch (problem) {
    case 'too-large':
      return sizeExceededReply(limits.maxMessageSize);
    case 'bare-lf':
      return dataBareLfReply(lines[problem], describeBareLineEndings(endings));
    case 'line-too-long':
      return dataLineTooLongReply(limits.maxDataLineLength, lines[problem]);
  }
}
