/**
 * Matches error text against the rules in rules.ts and answers with the most likely cause. The
 * matcher holds no knowledge of its own: it normalises the text, finds which kinds of port the
 * text mentions, and picks the applicable rule with the highest confidence.
 */

import { IMPLICIT_TLS_PORTS, PLAINTEXT_GREETING_PORTS } from '../profiles/port-profiles.js';
import type { CauseId, Explanation } from './causes.js';
import { translateClientMessages } from './client-translations.js';
import { BOILERPLATE, CAUSES, type ExplainRule, NOT_CODES, type PortContext, RULES } from './rules.js';

// `port 465`, `port: 465`, `port=465`, `port: '465'`: the port the client used, whatever its number.
const PORT_NAMED = /\bport\b\s*[:=]?\s*['"]?(\d{2,5})\b/gi;
// `host:465`, `[::1]:587`; not `index.js:465`.
const HOST_PORT = /[\w\]-](?<![.](?:js|ts|mjs|cjs|java|py|cs|go|php|rb|kt|c|h)):(\d{2,5})\b/g;

export interface ExplainOptions {
  /** The port the failing client used, when the text does not say (`mailport explain --port 465`). */
  port?: number;
}

export interface RuleMatch {
  rule: ExplainRule;
  cause: CauseId;
  confidence: number;
}

/**
 * The kind of port the client used: the given one, else the ports the text mentions. Any port but
 * an implicit-TLS one greets in plaintext; in `host:port` form only ports with a known role count,
 * since the other end of `127.0.0.1:40000->10.0.0.5:587` is the client's own.
 */
export function portContext(text: string, port?: number): PortContext | null {
  if (port !== undefined) return kindOf(port);
  const kinds = new Set<PortContext>();
  for (const match of text.matchAll(PORT_NAMED)) kinds.add(kindOf(Number(match[1])));
  for (const match of text.matchAll(HOST_PORT)) {
    const mentioned = Number(match[1]);
    if (IMPLICIT_TLS_PORTS.has(mentioned) || PLAINTEXT_GREETING_PORTS.has(mentioned)) {
      kinds.add(kindOf(mentioned));
    }
  }
  const [only] = kinds;
  return kinds.size === 1 && only !== undefined ? only : null;
}

function kindOf(port: number): PortContext {
  return IMPLICIT_TLS_PORTS.has(port) ? 'implicit' : 'plaintext';
}

export function normalise(text: string): string {
  let cleaned = translateClientMessages(text);
  for (const pattern of BOILERPLATE) {
    // What a pattern's `keep` group matched survives (a frame's function name names the step).
    cleaned = cleaned.replace(pattern, (...args: unknown[]) => {
      const groups = args[args.length - 1];
      return typeof groups === 'object' && groups !== null ? ((groups as { keep?: string }).keep ?? '') : '';
    });
  }
  for (const pattern of NOT_CODES) cleaned = cleaned.replace(pattern, (number) => number.replace(/\d/g, '0'));
  return cleaned;
}

/** Every rule that applies, best first. */
export function matchRules(text: string, options: ExplainOptions = {}): RuleMatch[] {
  const cleaned = normalise(text);
  const context = portContext(cleaned, options.port);
  const matches: RuleMatch[] = [];
  for (const rule of RULES) {
    if (rule.port !== undefined && rule.port !== context) continue;
    if (rule.unlessPort !== undefined && rule.unlessPort === context) continue;
    if (!rule.match.every((pattern) => pattern.test(cleaned))) continue;
    if (rule.unless?.some((pattern) => pattern.test(cleaned))) continue;
    matches.push({ rule, cause: rule.cause, confidence: rule.confidence });
  }
  // Stable sort: equal confidence keeps the rules' order (earlier = more specific).
  return matches.sort((a, b) => b.confidence - a.confidence);
}

export function explainText(text: string, options: ExplainOptions = {}): Explanation {
  const [best] = matchRules(text, options);
  if (!best || text.trim() === '') return explanationFor('unknown', 0);
  const explanation = explanationFor(best.cause, best.confidence, best.rule.fix);
  const evidence = best.rule.evidence?.(text);
  return evidence ? { ...explanation, summary: `${explanation.summary} ${evidence}` } : explanation;
}

export function explanationFor(cause: CauseId, confidence: number, fix?: string): Explanation {
  const knowledge = CAUSES[cause];
  return {
    cause,
    confidence,
    summary: knowledge.summary,
    fix: fix ?? knowledge.fix,
    references: [...knowledge.references],
  };
}

/**
 * Explains a thrown error: its message plus the fields clients attach (nodemailer `code`,
 * `command`, `response`; Mailport's `phase` and `reply`; Node's `cause` chain).
 */
export function explainError(error: unknown, options: ExplainOptions = {}): Explanation {
  return explainText(describeError(error), options);
}

export function describeError(error: unknown, depth = 0): string {
  if (error === null || error === undefined) return '';
  if (typeof error !== 'object') return String(error);
  const record = error as Record<string, unknown> & { message?: unknown; cause?: unknown };
  const parts: string[] = [];
  if (typeof record.message === 'string') parts.push(record.message);
  for (const key of ['code', 'command', 'phase', 'response', 'reason']) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'number') parts.push(`${key}: ${value}`);
  }
  const reply = record.reply as { raw?: unknown } | null | undefined;
  if (reply && typeof reply.raw === 'string') parts.push(reply.raw);
  if (record.cause !== undefined && depth < 4) parts.push(describeError(record.cause, depth + 1));
  return parts.filter((part) => part !== '').join('\n');
}
