/**
 * The reply catalogue: every reply the SMTP engine sends, by name, with its RFC 5321 code, its
 * RFC 3463 enhanced code and a sentence a person understands. No other module writes a reply code.
 *
 * Enhanced codes are null for the greeting, the EHLO/HELO reply (RFC 2034 §3 exempts both) and the
 * intermediate 3xx replies (354, 334): RFC 3463 §2 defines enhanced codes only for classes 2, 4 and 5.
 */
import type { SmtpReply } from './types.js';

const STARTTLS_HINT = 'this is a STARTTLS port: enable STARTTLS in your client';
const AUTH_HINT = 'this port requires AUTH: configure a username and password in your client';

/** Reply text is US-ASCII (RFC 5321 §4.2; UTF-8 only after SMTPUTF8, RFC 6531 §3.7.4), so no `§` here. */
function reply(code: number, enhanced: string | null, text: string | readonly string[]): SmtpReply {
  return Object.freeze({ code, enhanced, text });
}

export const REPLIES = Object.freeze({
  // Session level (RFC 5321 §4.2.3, §3.8)
  QUIT: reply(221, '2.0.0', 'Service closing transmission channel'),
  HTTP_REQUEST: reply(
    221,
    '2.7.0',
    'This is an SMTP server, not a web server: closing. The web UI and API are on the HTTP port',
  ),
  OK: reply(250, '2.0.0', 'OK'),
  IDLE_TIMEOUT: reply(421, '4.4.2', 'Idle timeout, closing connection'),
  TOO_MANY_CONNECTIONS: reply(421, '4.7.0', 'Too many connections, try again later'),
  // Sent in plaintext on an implicit-TLS port (RFC 8314 §3.3) to a client that spoke or waited in
  // cleartext, so that its error message names the mistake instead of timing out.
  IMPLICIT_TLS_REQUIRED: reply(
    421,
    '4.7.0',
    'This port expects implicit TLS from the first byte (RFC 8314): enable TLS on connect (nodemailer secure: true, smtplib.SMTP_SSL) or use the STARTTLS port',
  ),
  TOO_MANY_ERRORS: reply(421, '4.7.0', 'Too many errors, closing connection'),
  TOO_MANY_AUTH_FAILURES: reply(421, '4.7.0', 'Too many failed authentication attempts, closing connection'),
  PIPELINE_OVERFLOW: reply(
    421,
    '4.7.0',
    'Too much input sent without waiting for replies, closing connection',
  ),
  SHUTTING_DOWN: reply(421, '4.3.2', 'Server shutting down, try again later'),
  // RFC 5321 §3.1: after a greeting that refuses service, the server waits for QUIT and answers
  // every other command with 503.
  SERVICE_REFUSED: reply(
    503,
    '5.5.1',
    'No SMTP service here: the greeting refused this session, send QUIT (RFC 5321 section 3.1)',
  ),
  LOCAL_ERROR: reply(451, '4.3.0', 'Temporary server error, please try again later'),

  // Command syntax (RFC 5321 §4.2.2, §4.5.3.1.4, §2.3.8)
  // RFC 3463 §3.6: X.5.2 covers a command that "is unrecognized"; X.5.1 is for unsupported or out of sequence.
  UNKNOWN_COMMAND: reply(500, '5.5.2', 'Command not recognized'),
  INVALID_CHARACTERS: reply(500, '5.5.2', 'Command contains control characters or invalid UTF-8'),
  BARE_LF_COMMAND: reply(
    500,
    '5.5.2',
    'Line ended with a bare LF or contained a bare CR; SMTP lines must end with CRLF (RFC 5321 section 2.3.8)',
  ),
  // RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [SP "LAST"], chunk-size = 1*DIGIT (Postfix's wording).
  BDAT_SYNTAX: reply(501, '5.5.4', 'Syntax: BDAT count [LAST] (RFC 3030 section 2)'),
  // RFC 5321 §4.2.4: 502 for a recognised command the server does not offer.
  COMMAND_NOT_OFFERED: reply(502, '5.5.1', 'Command not offered by this server'),
  EHLO_SYNTAX: reply(501, '5.5.2', 'Syntax: EHLO hostname'),
  HELO_SYNTAX: reply(501, '5.5.2', 'Syntax: HELO hostname'),
  MAIL_SYNTAX: reply(501, '5.5.2', 'Syntax: MAIL FROM:<address> [parameters]'),
  RCPT_SYNTAX: reply(501, '5.5.2', 'Syntax: RCPT TO:<address> [parameters]'),
  VRFY_SYNTAX: reply(501, '5.5.2', 'Syntax: VRFY address'),
  HELP: reply(214, '2.0.0', [
    'Commands: EHLO HELO STARTTLS AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP',
    'Order: EHLO, (STARTTLS, EHLO,) AUTH, MAIL FROM, RCPT TO, DATA or BDAT (RFC 5321 section 4.1.4)',
  ]),
  VRFY: reply(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery'),

  // Sequence (RFC 5321 §4.1.4, §3.3)
  EHLO_FIRST: reply(503, '5.5.1', 'Send EHLO or HELO first'),
  EHLO_BEFORE_STARTTLS: reply(
    503,
    '5.5.1',
    'Send EHLO first: STARTTLS is an extension offered in the EHLO reply (RFC 3207 section 4)',
  ),
  EHLO_AFTER_STARTTLS: reply(503, '5.5.1', 'Send EHLO again after STARTTLS (RFC 3207 section 4.2)'),
  NESTED_MAIL: reply(503, '5.5.1', 'Sender already specified; send RSET to start a new transaction'),
  NEED_MAIL: reply(503, '5.5.1', 'Need MAIL FROM before RCPT TO, DATA and BDAT'),
  // RFC 5321 §3.3 allows 503 or 554 for DATA inside a transaction without recipients; Postfix sends 554.
  NO_RECIPIENTS_YET: reply(554, '5.5.1', 'No valid recipients: send RCPT TO before DATA'),
  NO_RECIPIENTS_BEFORE_BDAT: reply(554, '5.5.1', 'No valid recipients: send RCPT TO before BDAT'),
  // RFC 3030 section 2: one transaction sends its text with DATA or with BDAT, never both (Postfix: 503 5.5.1).
  DATA_AFTER_BDAT: reply(
    503,
    '5.5.1',
    'DATA after BDAT: end the message with BDAT <size> LAST, or send RSET (RFC 3030 section 2)',
  ),
  // RFC 3030 section 2: the chunks follow once every MAIL and RCPT reply is in (Postfix: 503 5.5.1).
  RCPT_AFTER_BDAT: reply(
    503,
    '5.5.1',
    'RCPT after BDAT: give every recipient before the first chunk, or send RSET (RFC 3030 section 2)',
  ),
  NO_VALID_RECIPIENTS: reply(554, '5.5.1', 'No valid recipients'),

  // STARTTLS (RFC 3207)
  STARTTLS_READY: reply(220, '2.0.0', 'Ready to start TLS'),
  STARTTLS_FIRST: reply(530, '5.7.0', `Must issue a STARTTLS command first (${STARTTLS_HINT})`),
  STARTTLS_NOT_OFFERED: reply(502, '5.5.1', 'STARTTLS is not offered on this port'),
  ALREADY_TLS: reply(503, '5.5.1', 'TLS is already active'),

  // AUTH (RFC 4954)
  AUTH_OK: reply(235, '2.7.0', 'Authentication successful'),
  AUTH_REQUIRED: reply(530, '5.7.0', `Authentication required (${AUTH_HINT})`),
  AUTH_FAILED: reply(535, '5.7.8', 'Authentication credentials invalid'),
  AUTH_MECH_UNSUPPORTED: reply(
    504,
    '5.5.4',
    'Unrecognized authentication mechanism (use PLAIN or LOGIN, or XOAUTH2 or OAUTHBEARER with an OAuth 2.0 token)',
  ),
  AUTH_CANCELLED: reply(501, '5.7.0', 'Authentication cancelled'),
  AUTH_SYNTAX: reply(501, '5.5.2', 'Syntax: AUTH mechanism [initial-response]'),
  BASE64_INVALID: reply(501, '5.5.2', 'Cannot decode the base64 response'),
  // RFC 4954 §4: AUTH is not advertised without TLS here, so point at the upgrade (RFC 3207 §4).
  AUTH_NEEDS_TLS: reply(
    530,
    '5.7.0',
    'Must issue a STARTTLS command first (AUTH is offered only over TLS on this port: enable STARTTLS in your client)',
  ),
  AUTH_NOT_AVAILABLE: reply(502, '5.5.1', 'AUTH is not available on this port'),
  ALREADY_AUTH: reply(503, '5.5.1', 'Already authenticated'),
  // RFC 4954 is an ESMTP extension: a client that greeted with HELO was never offered it.
  AUTH_AFTER_HELO: reply(503, '5.5.1', 'AUTH needs EHLO: greet with EHLO, not HELO, to use extensions'),
  AUTH_IN_TRANSACTION: reply(
    503,
    '5.5.1',
    'AUTH is not allowed during a mail transaction (RFC 4954 section 4)',
  ),
  AUTH_TEMPORARY_FAILURE: reply(454, '4.7.0', 'Temporary authentication failure, please try again later'),
  AUTH_LINE_TOO_LONG: reply(500, '5.5.6', 'Authentication exchange line is too long'),

  // Envelope (RFC 5321 §4.1.1.2-3, RFC 1870, RFC 6152, RFC 6531)
  BAD_SENDER: reply(501, '5.1.7', 'Bad sender address syntax'),
  BAD_RECIPIENT: reply(501, '5.1.3', 'Bad recipient address syntax'),
  NULL_RECIPIENT: reply(501, '5.1.3', 'The null address <> is not a valid recipient'),
  SMTPUTF8_REQUIRED: reply(
    553,
    '5.6.7',
    'Non-ASCII address requires the SMTPUTF8 parameter on MAIL FROM (RFC 6531 section 3.4)',
  ),
  TOO_MANY_RECIPIENTS: reply(452, '4.5.3', 'Too many recipients; send the rest in another transaction'),

  // Message content (RFC 5321 §4.1.1.4, §4.5.2, §4.5.3.1.6)
  START_DATA: reply(354, null, 'End data with <CR><LF>.<CR><LF>'),
} as const);

export function greetingReply(hostname: string): SmtpReply {
  return reply(220, null, `${hostname} ESMTP Mailport ready`);
}

/** RFC 5321 §4.1.1.1: the first line names the server, each further line is one extension keyword. */
export function ehloReply(hostname: string, clientName: string, extensions: readonly string[]): SmtpReply {
  return reply(250, null, [`${hostname} greets ${echoed(clientName)}`, ...extensions]);
}

export function heloReply(hostname: string, clientName: string): SmtpReply {
  return reply(250, null, `${hostname} greets ${echoed(clientName)}`);
}

/** RFC 4954 §4: a 334 challenge carries base64 text (possibly empty) and no enhanced code. */
export function authChallengeReply(base64Text: string): SmtpReply {
  return reply(334, null, base64Text);
}

/** What each mechanism's message looks like, for a response that is not one (RFC 4616 §2, RFC 7628 §3.1). */
const AUTH_MESSAGE_FORMS: Readonly<Record<'PLAIN' | 'XOAUTH2' | 'OAUTHBEARER', string>> = {
  PLAIN: 'authzid NUL username NUL password',
  XOAUTH2: 'user=USER ^A auth=Bearer TOKEN ^A ^A, where ^A is the byte 0x01',
  OAUTHBEARER: 'n,a=USER, ^A auth=Bearer TOKEN ^A ^A, where ^A is the byte 0x01 (RFC 7628 section 3.1)',
};

export function authMalformedReply(mechanism: keyof typeof AUTH_MESSAGE_FORMS): SmtpReply {
  return reply(
    501,
    '5.5.2',
    `Malformed AUTH ${mechanism} response (expected ${AUTH_MESSAGE_FORMS[mechanism]})`,
  );
}

export function senderOkReply(address: string): SmtpReply {
  return reply(250, '2.1.0', `Sender <${address}> OK`);
}

/** Postfix's wording for reject_sender_login_mismatch, which clients and `mailport explain` know. */
export function senderNotOwnedReply(address: string, login: string): SmtpReply {
  const hint = login.includes('@')
    ? 'send from the address you log in with'
    : 'a login that is not an address owns no sender: log in as the address you send from';
  return reply(553, '5.7.1', `<${address}>: Sender address rejected: not owned by user ${login} (${hint})`);
}

export function recipientOkReply(address: string): SmtpReply {
  return reply(250, '2.1.5', `Recipient <${address}> OK`);
}

/** RFC 3030 §2: each BDAT chunk but the last is acknowledged with its size. */
export function chunkReceivedReply(octets: number): SmtpReply {
  return reply(250, '2.0.0', `${octets} octets received`);
}

export function messageQueuedReply(id: string): SmtpReply {
  return reply(250, '2.0.0', `OK: queued as ${id}`);
}

/** A display name in the envelope: the bare address is what goes there (RFC 5321 §4.1.2). */
export function displayNameInPathReply(
  badAddress: SmtpReply,
  command: 'MAIL FROM' | 'RCPT TO',
  address: string,
): SmtpReply {
  return reply(
    501,
    badAddress.enhanced,
    `The envelope takes the bare address, not a display name: send ${command}:<${echoed(address)}>`,
  );
}

/** Several addresses in one RCPT TO: RFC 5321 §4.1.1.3 takes one forward-path per command. */
export function severalRecipientsReply(addresses: readonly string[]): SmtpReply {
  const [first, second] = addresses.map(echoed);
  const others = addresses.length > 2 ? ' and so on' : '';
  return reply(
    501,
    '5.1.3',
    `One address per RCPT TO: send RCPT TO:<${first}>, then RCPT TO:<${second}>${others} (RFC 5321 section 4.1.1.3)`,
  );
}

/**
 * A refusal with what made it, for the client's own error message: the slips and mistakes named
 * here describe what the client sent, never repeat it, and reveal nothing of the right credentials.
 */
export function withReason(refusal: SmtpReply, reason: string): SmtpReply {
  if (reason === '') return refusal;
  return reply(refusal.code, refusal.enhanced, `${refusal.text}; ${echoed(reason)}`);
}

/** RFC 5321 §4.1.1: STARTTLS, DATA and RSET take nothing after the verb (501, as Postfix answers). */
export function noArgumentsReply(verb: 'STARTTLS' | 'DATA' | 'RSET'): SmtpReply {
  return reply(501, '5.5.4', `${verb} takes no arguments: send ${verb} alone`);
}

/** RFC 5321 §4.2.4 500 for a verb the server does not know, named so a typo shows. */
export function unknownCommandReply(verb: string): SmtpReply {
  return reply(500, '5.5.2', `Command not recognized: ${verb === '' ? 'an empty line' : echoed(verb)}`);
}

/** RFC 5321 §4.1.1.1: one domain or address literal, with what is wrong with the one given. */
export function helloNameInvalidReply(problem: string): SmtpReply {
  return reply(
    501,
    '5.5.4',
    `Invalid EHLO/HELO argument: ${echoed(problem)}; give one domain name or address literal, such as mail.example.com or [192.0.2.1]`,
  );
}

/** MAIL FROM or RCPT TO that could not be read, with why (RFC 5321 §4.1.1.2-3). */
export function pathSyntaxReply(syntax: SmtpReply, problem: string): SmtpReply {
  return reply(501, syntax.enhanced, `${syntax.text} (${echoed(problem)})`);
}

/** A malformed address, with what is wrong in it (RFC 3463 X.1.7 at MAIL, X.1.3 at RCPT). */
export function badAddressReply(badAddress: SmtpReply, problem: string): SmtpReply {
  return reply(501, badAddress.enhanced, `${badAddress.text}: ${echoed(problem)}`);
}

/** RFC 5321 §4.5.3.1.10: "501 Path too long", with the bad-address enhanced code of the command. */
export function pathTooLongReply(badAddress: SmtpReply, problem: string): SmtpReply {
  return reply(501, badAddress.enhanced, `Path too long: ${problem} (RFC 5321 section 4.5.3.1)`);
}

/**
 * RFC 5321 §4.2.2 "500 Line too long", with the limit that applies to this command (§4.5.3.1.4,
 * raised for MAIL by its extensions); X.5.6 is registered for AUTH exchange lines only (RFC 4954).
 */
export function lineTooLongReply(limit: number): SmtpReply {
  return reply(
    500,
    '5.5.2',
    `Line too long: this command may have ${limit} octets with its CRLF (RFC 5321 section 4.5.3.1.4)`,
  );
}

/** RFC 1870 §6: 552 both for a declared SIZE over the limit and for a message that turns out larger. */
export function sizeExceededReply(limit: number): SmtpReply {
  return reply(552, '5.3.4', `Message size exceeds fixed maximum message size (${limit} bytes)`);
}

/**
 * 554 is the reply for a failed transaction after the end of data (RFC 5321 §4.3.2); the fault is in
 * the message text, and RFC 3463 has no code for line endings, so X.6.0 "other or undefined media
 * error". `line` is the first line of the text (from 1, headers included) that has the problem;
 * `endings` says how the lines ended (describeBareLineEndings).
 */
export function dataBareLfReply(line: number | undefined, endings: string): SmtpReply {
  return reply(
    554,
    '5.6.0',
    `Message refused: it contains a bare LF or bare CR${firstOnLine(line)} (${endings}); lines must end with CRLF (RFC 5321 section 2.3.8)`,
  );
}

/** RFC 5321 §4.5.3.1.6 sets 1000 octets including CRLF; X.6.0 is RFC 3463's "other media error". */
export function dataLineTooLongReply(limit: number, line: number | undefined): SmtpReply {
  return reply(
    554,
    '5.6.0',
    `Message refused: a line is longer than ${limit} octets${firstOnLine(line)} (RFC 5321 section 4.5.3.1.6); encode long lines`,
  );
}

/** Where in the message text a refused line is, so the sender can find it. */
function firstOnLine(line: number | undefined): string {
  return line === undefined ? '' : `, first on line ${line} of the message text`;
}

/** Why an ESMTP parameter is refused as unsupported, by what the client sent, in the reply's words. */
const UNSUPPORTED_PARAMETER_REASONS: Readonly<Record<string, string>> = {
  RET: 'DSN (RFC 3461) is not offered by this server',
  ENVID: 'DSN (RFC 3461) is not offered by this server',
  NOTIFY: 'DSN (RFC 3461) is not offered by this server',
  ORCPT: 'DSN (RFC 3461) is not offered by this server',
  AUTH: 'AUTH is not offered on this connection',
  'BODY=BINARYMIME':
    'BINARYMIME (RFC 3030) is not offered, only CHUNKING for 7bit and 8bit text; send BODY=8BITMIME',
};

/** The command a parameter came on; after HELO no parameter is taken at all. */
export type ParameterContext = 'MAIL' | 'RCPT' | 'after-helo';

/** The parameters this server takes on MAIL FROM: on RCPT TO they are misplaced, not unknown. */
const MAIL_ONLY_PARAMETERS: ReadonlySet<string> = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'AUTH']);

/**
 * RFC 5321 §4.1.1.11: 555 for a parameter the server did not advertise, with why: not offered at
 * all, not on this command, or not after HELO (the client was offered no extensions).
 */
export function parameterUnknownReply(name: string, where: ParameterContext): SmtpReply {
  let reason: string;
  if (where === 'after-helo') reason = 'ESMTP parameters need EHLO, not HELO';
  else if (where === 'RCPT' && MAIL_ONLY_PARAMETERS.has(name)) reason = 'it goes on MAIL FROM, not RCPT TO';
  else reason = UNSUPPORTED_PARAMETER_REASONS[name] ?? 'it was not advertised in the EHLO reply';
  return reply(
    555,
    '5.5.4',
    `Unsupported parameter ${echoed(name.slice(0, 64))}: ${reason} (RFC 5321 section 4.1.1.11)`,
  );
}

/** The syntax each advertised MAIL parameter takes, for the 501 that refuses a bad value. */
const PARAMETER_SYNTAX: Readonly<Record<string, string>> = {
  SIZE: 'give the message size in bytes, e.g. SIZE=12345 (RFC 1870)',
  BODY: 'use BODY=7BIT or BODY=8BITMIME (RFC 6152)',
  SMTPUTF8: 'it takes no value (RFC 6531 section 3.4)',
  AUTH: 'give AUTH=<> or AUTH=mailbox in xtext (RFC 4954 section 5)',
};

/** RFC 5321 §4.1.2 esmtp-param syntax broken, or an advertised parameter with a bad value: 501 5.5.4. */
export function parameterInvalidReply(name: string): SmtpReply {
  const syntax = PARAMETER_SYNTAX[name];
  return reply(
    501,
    '5.5.4',
    syntax === undefined
      ? `Invalid parameter ${echoed(name.slice(0, 64))}: parameters are KEYWORD or KEYWORD=value (RFC 5321 section 4.1.2)`
      : `Invalid ${name} parameter: ${syntax}`,
  );
}

export function parameterDuplicateReply(name: string): SmtpReply {
  return reply(501, '5.5.4', `Parameter ${echoed(name.slice(0, 64))} given more than once`);
}

/** Thrown by hooks to send a specific reply (e.g. a chaos trigger or storage refusal). */
export class SmtpReplyError extends Error {
  override readonly name = 'SmtpReplyError';
  readonly reply: SmtpReply;

  constructor(smtpReply: SmtpReply, options: { cause?: unknown } = {}) {
    super(replyToText(smtpReply), options.cause === undefined ? undefined : { cause: options.cause });
    this.reply = smtpReply;
  }
}

/** Client text repeated in a reply: anything but printable US-ASCII becomes `?`. */
function echoed(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function replyLines(smtpReply: SmtpReply): string[] {
  const texts = typeof smtpReply.text === 'string' ? [smtpReply.text] : [...smtpReply.text];
  // A reply line must never carry CR or LF: that would let text forge extra reply lines.
  const lines = texts.flatMap((text) => text.split(/\r\n|\r|\n/));
  return lines.length === 0 ? [''] : lines;
}

const LINE_BREAK = /[\r\n]/;

/** Wire lines of a reply without CRLF: `250-first`, `250 last`; RFC 2034 §3 puts the enhanced code on each line. */
export function formatReplyLines(smtpReply: SmtpReply): string[] {
  const prefix = smtpReply.enhanced === null ? '' : `${smtpReply.enhanced} `;
  // Most replies are one line of text: skip the splitting (a reply is formatted per command).
  if (typeof smtpReply.text === 'string' && !LINE_BREAK.test(smtpReply.text)) {
    return [withinReplyLimit(`${smtpReply.code} ${prefix}${smtpReply.text}`)];
  }
  const lines = replyLines(smtpReply);
  return lines.map((line, index) =>
    withinReplyLimit(`${smtpReply.code}${index === lines.length - 1 ? ' ' : '-'}${prefix}${line}`),
  );
}

/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets with its CRLF. */
const MAX_REPLY_LINE_OCTETS = 510;
const ELLIPSIS = '...';

/** A reply line cut to the limit, as one that echoes a long address or a chaos rule's text may need. */
function withinReplyLimit(line: string): string {
  // No UTF-8 character takes more than 4 octets: shorter lines cannot be over the limit.
  if (line.length <= MAX_REPLY_LINE_OCTETS / 4 || Buffer.byteLength(line) <= MAX_REPLY_LINE_OCTETS)
    return line;
  const kept = Buffer.from(line)
    .subarray(0, MAX_REPLY_LINE_OCTETS - ELLIPSIS.length)
    .toString('utf8');
  // A character cut in two decodes as U+FFFD: drop it rather than send half of it.
  return `${kept.replace(/\uFFFD$/, '')}${ELLIPSIS}`;
}

/** The reply as wire text, each line ending in CRLF (RFC 5321 §4.2). */
export function formatReply(smtpReply: SmtpReply): string {
  return `${formatReplyLines(smtpReply).join('\r\n')}\r\n`;
}

/** One-line form for logs and `SessionRecord.lastError`, e.g. `530 5.7.0 Must issue a STARTTLS command first`. */
export function replyToText(smtpReply: SmtpReply): string {
  const prefix = smtpReply.enhanced === null ? '' : `${smtpReply.enhanced} `;
  return `${smtpReply.code} ${prefix}${replyLines(smtpReply).join(' ')}`;
}

const FIRST_ERROR_CODE = 400;
const SERVICE_NOT_AVAILABLE = 421;

export function isErrorReply(smtpReply: SmtpReply): boolean {
  return smtpReply.code >= FIRST_ERROR_CODE;
}

/** RFC 5321 §3.8: after a 421 the server closes the connection. */
export function closesConnection(smtpReply: SmtpReply): boolean {
  return smtpReply.code === SERVICE_NOT_AVAILABLE;
}
