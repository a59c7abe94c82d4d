/**
 * What a wait or an assertion looks for in a message: to/from/subject (a string matches exactly,
 * addresses ignoring case; a RegExp is searched), a server-side `q` search, or a predicate.
 */
import type { MessageSummary, SessionSummary } from '../domain/types.js';
import type { ReceivedMessage } from './received-message.js';

export type TextMatcher = string | RegExp;

export type MessagePredicate = (message: ReceivedMessage) => boolean | Promise<boolean>;

export interface MessageCriteria {
  /** An envelope recipient (RCPT TO, so Cc and Bcc too) or a `To` header address. */
  to?: TextMatcher;
  /** The envelope sender (MAIL FROM) or a `From` header address. */
  from?: TextMatcher;
  /** The subject line: a string must equal it, a RegExp must match it. */
  subject?: TextMatcher;
  /**
   * A server-side search, as in `GET /api/v1/messages?q=`.
   * @example 'has:attachment port:1587'
   */
  q?: string;
  /** Any further check on the full message. */
  where?: MessagePredicate;
}

/** Criteria (all must hold), or a predicate on the full message. */
export type MessageFilter = MessageCriteria | MessagePredicate;

export function criteriaOf(filter: MessageFilter | undefined): MessageCriteria {
  if (filter === undefined) return {};
  return typeof filter === 'function' ? { where: filter } : filter;
}

export function matchesText(value: string, matcher: TextMatcher, ignoreCase = false): boolean {
  if (typeof matcher === 'string') {
    return ignoreCase ? value.toLowerCase() === matcher.toLowerCase() : value === matcher;
  }
  // `search` ignores `lastIndex`, so a /g or /y pattern gives the same answer every time.
  return value.search(matcher) !== -1;
}

export function formatMatcher(matcher: TextMatcher): string {
  return typeof matcher === 'string' ? JSON.stringify(matcher) : String(matcher);
}

function recipientsOf(message: MessageSummary): string[] {
  return [...new Set([...message.envelopeTo, ...message.to.map((value) => value.address)])];
}

function sendersOf(message: MessageSummary): string[] {
  return [...new Set([message.envelopeFrom, ...message.from.map((value) => value.address)])].filter(
    (address) => address !== '',
  );
}

/**
 * Why a message fails the to/from/subject criteria, one reason each; empty when they all hold.
 * `q` and `where` need the server or the full message and are checked elsewhere.
 */
export function mismatches(message: MessageSummary, criteria: MessageCriteria): string[] {
  const reasons: string[] = [];
  const { to, from, subject } = criteria;
  if (to !== undefined) {
    const recipients = recipientsOf(message);
    if (!recipients.some((address) => matchesText(address, to, true))) {
      reasons.push(`sent to ${recipients.join(', ') || '(no recipients)'}, not ${formatMatcher(to)}`);
    }
  }
  if (from !== undefined) {
    const senders = sendersOf(message);
    if (!senders.some((address) => matchesText(address, from, true))) {
      reasons.push(`sent from ${senders.join(', ') || '<>'}, not ${formatMatcher(from)}`);
    }
  }
  if (subject !== undefined && !matchesText(message.subject ?? '', subject)) {
    reasons.push(`subject ${JSON.stringify(message.subject ?? '')} does not match ${formatMatcher(subject)}`);
  }
  return reasons;
}

/** `to "alice@example.com", subject /reset/i, q "has:attachment" and a predicate`. */
export function describeCriteria(criteria: MessageCriteria): string {
  const parts: string[] = [];
  if (criteria.to !== undefined) parts.push(`to ${formatMatcher(criteria.to)}`);
  if (criteria.from !== undefined) parts.push(`from ${formatMatcher(criteria.from)}`);
  if (criteria.subject !== undefined) parts.push(`subject ${formatMatcher(criteria.subject)}`);
  if (criteria.q !== undefined && criteria.q !== '') parts.push(`q ${JSON.stringify(criteria.q)}`);
  if (criteria.where !== undefined) parts.push('the predicate');
  return parts.length === 0 ? 'any message' : parts.join(', ');
}

/**
 * A `q` the server can use to narrow its listing before the exact checks run here: the caller's
 * `q` plus `to:`/`from:` for plain addresses. The server matches those as word prefixes, which
 * every exact match also satisfies, so narrowing never drops a real match.
 */
export function narrowingQuery(criteria: MessageCriteria): string {
  const terms = criteria.q ? [criteria.q] : [];
  for (const key of ['to', 'from'] as const) {
    const value = criteria[key];
    if (typeof value === 'string' && /^[^\s"]+$/.test(value)) terms.push(`${key}:${value}`);
  }
  return terms.join(' ');
}

export type SessionPredicate = (session: SessionSummary) => boolean;

export interface SessionCriteria {
  /** The session carries this diagnostic code, e.g. `mail-before-starttls`. */
  diagnostic?: SessionSummary['diagnostics'][number]['code'];
  /** The listener profile it arrived on. */
  profile?: SessionSummary['listener']['profile'];
  outcome?: SessionSummary['outcome'];
  /** The AUTH user. */
  user?: string;
  where?: SessionPredicate;
}

export type SessionFilter = SessionCriteria | SessionPredicate;

export function sessionCriteriaOf(filter: SessionFilter): SessionCriteria {
  return typeof filter === 'function' ? { where: filter } : filter;
}

export function sessionMatches(session: SessionSummary, criteria: SessionCriteria): boolean {
  if (criteria.diagnostic !== undefined && !session.diagnostics.some((d) => d.code === criteria.diagnostic))
    return false;
  if (criteria.profile !== undefined && session.listener.profile !== criteria.profile) return false;
  if (criteria.outcome !== undefined && session.outcome !== criteria.outcome) return false;
  if (criteria.user !== undefined && session.auth?.user !== criteria.user) return false;
  return criteria.where === undefined || criteria.where(session);
}

export function describeSessionCriteria(criteria: SessionCriteria): string {
  const parts: string[] = [];
  if (criteria.diagnostic !== undefined) parts.push(`diagnostic ${criteria.diagnostic}`);
  if (criteria.profile !== undefined) parts.push(`profile ${criteria.profile}`);
  if (criteria.outcome !== undefined) parts.push(`outcome ${criteria.outcome}`);
  if (criteria.user !== undefined) parts.push(`AUTH user ${criteria.user}`);
  if (criteria.where !== undefined) parts.push('the predicate');
  return parts.length === 0 ? 'any session' : parts.join(', ');
}
