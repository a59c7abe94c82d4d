/**
 * What an injected reply says when the rule gives only its code: the RFC 3463 enhanced code a
 * production server would pair with that code at that stage, and a text that owns up to the
 * injection, so nobody debugs their client for a failure the sandbox made up.
 */
import type { ProtocolStage, SmtpReply } from '../protocol/types.js';

type ByStage = Partial<Record<ProtocolStage, string>> & { other: string };

/**
 * Enhanced codes by reply code, then stage. Each pairing follows the RFC that defines the reply:
 * RFC 5321 §4.2.2-4.3.2 for the meaning of the code at that command, RFC 3463 §3 for the subject.
 */
const ENHANCED_CODES: Readonly<Record<number, ByStage>> = {
  // 421 "Service not available, closing transmission channel": X.3.2 "System not accepting network messages".
  421: { other: '4.3.2' },
  // 450 "mailbox unavailable" (greylisting answers 450 4.2.0): X.2.0 "Other or undefined mailbox status".
  450: { other: '4.2.0' },
  // 451 "local error in processing": X.3.0 "Other or undefined mail system status".
  451: { other: '4.3.0' },
  // 452 "insufficient system storage": X.3.1 "Mail system full"; at RCPT it is also the reply to
  // too many recipients (RFC 5321 §4.5.3.1.10): X.5.3 "Too many recipients".
  452: { rcpt: '4.5.3', other: '4.3.1' },
  // 454 is defined only for security: RFC 4954 §6 "454 4.7.0 Temporary authentication failure",
  // RFC 3207 §4 for TLS; X.7.0 "Other or undefined security status".
  454: { other: '4.7.0' },
  // 500-504: syntax and sequence (RFC 5321 §4.2.2), X.5.x "Network and routing... protocol status":
  // X.5.2 syntax error, X.5.4 invalid arguments, X.5.1 invalid command (also for bad sequence).
  500: { other: '5.5.2' },
  501: { other: '5.5.4' },
  502: { other: '5.5.1' },
  503: { other: '5.5.1' },
  504: { other: '5.5.4' },
  // RFC 4954 §6: 530 5.7.0 authentication required, 534 5.7.9 mechanism too weak,
  // 535 5.7.8 invalid credentials, 538 5.7.11 encryption required for the mechanism.
  530: { other: '5.7.0' },
  534: { other: '5.7.9' },
  535: { other: '5.7.8' },
  538: { other: '5.7.11' },
  // 550 "mailbox unavailable": at RCPT X.1.1 "Bad destination mailbox address"; elsewhere a policy
  // refusal (RFC 5321 §4.3.2 lists 550 for "rejections for policy reasons"), X.7.1 "Delivery not authorized".
  550: { rcpt: '5.1.1', other: '5.7.1' },
  // 551 "User not local": X.1.6 "Destination mailbox has moved".
  551: { other: '5.1.6' },
  // 552 "exceeded storage allocation": for a message X.3.4 "Message too big for system" (RFC 1870 §6),
  // for a recipient X.2.2 "Mailbox full".
  552: { rcpt: '5.2.2', other: '5.3.4' },
  // 553 "mailbox name not allowed": X.1.7 "Bad sender's mailbox address syntax" at MAIL,
  // X.1.3 "Bad destination mailbox address syntax" at RCPT.
  553: { mail: '5.1.7', rcpt: '5.1.3', other: '5.1.0' },
  // 554 as the greeting is "No SMTP service here" (RFC 5321 §3.1): X.3.2; after that "Transaction
  // failed", in practice a policy refusal ("554 5.7.1 Relay access denied", spam): X.7.1.
  554: { connect: '5.3.2', other: '5.7.1' },
  // 555 "MAIL FROM/RCPT TO parameters not recognized": X.5.4 "Invalid command arguments".
  555: { other: '5.5.4' },
};

/** The enhanced code for `code` at `stage`; RFC 3463 §3.1 X.0.0 "Other undefined status" otherwise. */
export function defaultEnhancedCode(stage: ProtocolStage, code: number): string {
  const byStage = ENHANCED_CODES[code];
  return byStage?.[stage] ?? byStage?.other ?? `${String(code)[0]}.0.0`;
}

/** Says plainly that the failure is made up, and by which rule (ids are ASCII, as reply text must be). */
export function defaultReplyText(ruleId: string, stage: ProtocolStage, code: number): string {
  const kind = code < 500 ? 'Temporary' : 'Permanent';
  return `${kind} failure injected on purpose by Mailport chaos rule ${ruleId} (stage ${stage})`;
}

export function chaosReply(action: { code: number; enhancedCode: string; text: string }): SmtpReply {
  return Object.freeze({ code: action.code, enhanced: action.enhancedCode, text: action.text });
}
