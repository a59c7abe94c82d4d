/**
 * The decisions behind MAIL FROM and RCPT TO, as pure functions: an argument and the session facts
 * go in, an envelope address or a refusal (reply, diagnostic) comes out. The session only applies them.
 */
import type { DiagnosticCode, EnvelopeAddress } from '../domain/types.js';
import {
  checkMailbox,
  findEnvelopeMistake,
  isBarePostmaster,
  type ParameterParse,
  type Parameters,
  parseMailParameters,
  parsePathArgument,
  parseRcptParameters,
  pathSyntaxProblem,
} from './envelope.js';
import {
  badAddressReply,
  displayNameInPathReply,
  type ParameterContext,
  parameterDuplicateReply,
  parameterInvalidReply,
  parameterUnknownReply,
  pathSyntaxReply,
  pathTooLongReply,
  REPLIES,
  senderNotOwnedReply,
  severalRecipientsReply,
  sizeExceededReply,
} from './replies.js';
import type { SmtpReply } from './types.js';

export interface Refusal {
  reply: SmtpReply;
  diagnostic?: DiagnosticCode;
  detail?: string;
  /** A malformed command, counted towards `maxBadCommands`. */
  malformed?: boolean;
}

export type MailDecision =
  | { ok: true; mailFrom: EnvelopeAddress; smtpUtf8: boolean }
  | { ok: false; refusal: Refusal };

export type RcptDecision = { ok: true; recipient: EnvelopeAddress } | { ok: false; refusal: Refusal };

export interface MailContext {
  /** The client greeted with EHLO; after HELO no ESMTP parameters exist (RFC 5321 §4.1.1.11). */
  esmtp: boolean;
  /** AUTH was advertised, so MAIL FROM may carry its AUTH= parameter (RFC 4954 §5). */
  authOffered: boolean;
  maxMessageSize: number;
  /**
   * The AUTH login the sender must equal (`--sender-must-match-login`), as submission services
   * let an account send only as itself; null when any sender goes.
   */
  senderOwner: string | null;
}

export interface RcptContext {
  esmtp: boolean;
  /** MAIL FROM carried SMTPUTF8 (RFC 6531 §3.4). */
  smtpUtf8: boolean;
  recipientsSoFar: number;
  maxRecipients: number;
}

/** `MAIL FROM:<path> [params]` (RFC 5321 §4.1.1.2). */
export function decideMail(argument: string, context: MailContext): MailDecision {
  const path = parsePathArgument(argument, 'FROM');
  const namedMistake = (): Refusal | null =>
    envelopeMistakeRefusal(argument, 'MAIL FROM', REPLIES.BAD_SENDER);
  if (!path.ok) return refuse(namedMistake() ?? pathSyntaxRefusal(argument, 'FROM', REPLIES.MAIL_SYNTAX));
  const parameters = acceptParameters(
    parseMailParameters(path.parameterTokens, context.authOffered),
    path.parameterTokens,
    context.esmtp ? 'MAIL' : 'after-helo',
  );
  if (!parameters.ok) return parameters;
  const smtpUtf8 = parameters.parameters.SMTPUTF8 === true;
  // RFC 5321 §4.5.5: the null reverse-path `<>` is allowed.
  if (path.address !== '') {
    const refusal = mailboxRefusal(path.address, smtpUtf8, REPLIES.BAD_SENDER);
    if (refusal !== null) return refuse(namedMistake() ?? refusal);
  }
  // The null sender (bounces, RFC 5321 §4.5.5) belongs to no account, as Postfix's check also says.
  if (context.senderOwner !== null && path.address !== '' && !owns(context.senderOwner, path.address)) {
    return refuse({
      reply: senderNotOwnedReply(path.address, context.senderOwner),
      diagnostic: 'sender-not-owned',
      detail: `MAIL FROM <${path.address}> as user ${context.senderOwner}`,
    });
  }
  // RFC 1870 §6: refuse a declared size over the limit before any data is sent.
  const declared = parameters.parameters.SIZE;
  if (typeof declared === 'string' && Number(declared) > context.maxMessageSize) {
    return refuse({
      reply: sizeExceededReply(context.maxMessageSize),
      diagnostic: 'message-too-large',
      detail: `declared SIZE=${declared}`,
    });
  }
  return { ok: true, mailFrom: { address: path.address, params: parameters.parameters }, smtpUtf8 };
}

/** `RCPT TO:<path> [params]` (RFC 5321 §4.1.1.3). */
export function decideRcpt(argument: string, context: RcptContext): RcptDecision {
  const path = parsePathArgument(argument, 'TO');
  const namedMistake = (): Refusal | null =>
    envelopeMistakeRefusal(argument, 'RCPT TO', REPLIES.BAD_RECIPIENT);
  if (!path.ok) return refuse(namedMistake() ?? pathSyntaxRefusal(argument, 'TO', REPLIES.RCPT_SYNTAX));
  const parameters = acceptParameters(
    parseRcptParameters(path.parameterTokens),
    path.parameterTokens,
    context.esmtp ? 'RCPT' : 'after-helo',
  );
  if (!parameters.ok) return refuse(namedMistake() ?? parameters.refusal);
  if (path.address === '') return refuse({ reply: REPLIES.NULL_RECIPIENT, diagnostic: 'invalid-address' });
  if (!isBarePostmaster(path.address)) {
    const refusal = mailboxRefusal(path.address, context.smtpUtf8, REPLIES.BAD_RECIPIENT);
    if (refusal !== null) return refuse(namedMistake() ?? refusal);
  }
  // RFC 5321 §4.5.3.1.8: 452 makes the client send the remaining recipients in a new transaction.
  if (context.recipientsSoFar >= context.maxRecipients) {
    return refuse({
      reply: REPLIES.TOO_MANY_RECIPIENTS,
      diagnostic: 'too-many-recipients',
      detail: `more than ${context.maxRecipients}`,
    });
  }
  return { ok: true, recipient: { address: path.address, params: parameters.parameters } };
}

/** A login owns the one address it is, whatever the case of its letters. */
function owns(login: string, address: string): boolean {
  return login.toLowerCase() === address.toLowerCase();
}

function refuse(refusal: Refusal): { ok: false; refusal: Refusal } {
  return { ok: false, refusal };
}

function pathSyntaxRefusal(argument: string, keyword: 'FROM' | 'TO', syntax: SmtpReply): Refusal {
  const problem = pathSyntaxProblem(argument, keyword);
  return {
    reply: pathSyntaxReply(syntax, problem),
    diagnostic: 'syntax-error',
    detail: problem,
    malformed: true,
  };
}

/** A refusal that names the mistake and what to send instead, when the argument shows a known one. */
function envelopeMistakeRefusal(
  argument: string,
  command: 'MAIL FROM' | 'RCPT TO',
  badAddress: SmtpReply,
): Refusal | null {
  const mistake = findEnvelopeMistake(argument, command === 'MAIL FROM' ? 'FROM' : 'TO');
  if (mistake === null) return null;
  if (mistake.kind === 'display-name')
    return {
      reply: displayNameInPathReply(badAddress, command, mistake.address),
      diagnostic: 'invalid-address',
      detail: `a display name in ${command}: ${argument.slice(argument.indexOf(':') + 1).trim()}`,
    };
  if (command === 'MAIL FROM') return null;
  return {
    reply: severalRecipientsReply(mistake.addresses),
    diagnostic: 'invalid-address',
    detail: `several addresses in one RCPT TO: ${mistake.addresses.join(', ')}`,
  };
}

function mailboxRefusal(address: string, smtpUtf8: boolean, invalidReply: SmtpReply): Refusal | null {
  const check = checkMailbox(address, smtpUtf8);
  switch (check.verdict) {
    case 'valid':
      return null;
    case 'invalid':
      return {
        reply: badAddressReply(invalidReply, check.problem),
        diagnostic: 'invalid-address',
        detail: `${address} (${check.problem})`,
      };
    case 'too-long':
      return {
        reply: pathTooLongReply(invalidReply, check.problem),
        diagnostic: 'invalid-address',
        detail: `${address} (${check.problem})`,
      };
    case 'needs-smtputf8':
      return { reply: REPLIES.SMTPUTF8_REQUIRED, diagnostic: 'invalid-address', detail: address };
  }
}

function acceptParameters(
  parse: ParameterParse,
  tokens: readonly string[],
  where: ParameterContext,
): { ok: true; parameters: Parameters } | { ok: false; refusal: Refusal } {
  const [firstToken] = tokens;
  if (where === 'after-helo' && firstToken !== undefined) {
    const name = (firstToken.split('=')[0] ?? firstToken).toUpperCase();
    return refuse({
      reply: parameterUnknownReply(name, where),
      diagnostic: 'unknown-parameter',
      detail: `${name} after HELO`,
    });
  }
  if (parse.ok) return parse;
  switch (parse.error) {
    case 'unknown':
      return refuse({
        reply: parameterUnknownReply(parse.name, where),
        diagnostic: 'unknown-parameter',
        detail: parse.name,
      });
    case 'duplicate':
      return refuse({
        reply: parameterDuplicateReply(parse.name),
        diagnostic: 'syntax-error',
        detail: parse.name,
        malformed: true,
      });
    case 'invalid':
      return refuse({
        reply: parameterInvalidReply(parse.name),
        diagnostic: 'syntax-error',
        detail: parse.name,
        malformed: true,
      });
  }
}
