/**
 * Chaos rules: fault injection as data. A rule names an SMTP stage, what the server does there
 * instead of accepting (reply with an error, hold its reply back, drop the connection) and which
 * sessions it applies to. `validateChaosRules` is the one gate every entry point goes through
 * (`--chaos`, `MAILPORT_CHAOS`, `PUT /api/v1/chaos`, `startSandbox({ chaos })`).
 */
import { MailportError } from '../errors.js';
import { PROFILE_NAMES, type ProfileName } from '../profiles/port-profiles.js';
import type { ProtocolStage } from '../protocol/types.js';
import { parseClientNetwork } from './client-network.js';
import { defaultEnhancedCode, defaultReplyText } from './reply-defaults.js';

export type ChaosStage = ProtocolStage;

export const CHAOS_STAGES: readonly ChaosStage[] = Object.freeze([
  'connect',
  'ehlo',
  'auth',
  'mail',
  'rcpt',
  'data',
  'message',
]);

/** How every firing's transcript line starts (rule-set.ts); the web UI marks such lines as chaos. */
export const CHAOS_EVENT_PREFIX = 'chaos rule ';

/** Bounds on what a caller of the API can ask for. */
export const CHAOS_LIMITS = Object.freeze({
  maxRules: 100,
  /** A delay long enough for any client timeout, short enough to never look like a hung server. */
  maxDelayMs: 10 * 60_000,
  maxTextLength: 200,
  maxMatchLength: 256,
  /** The longest IPv6 text form (`ffff:…:255.255.255.255`, 45 characters) with `/128`. */
  maxClientLength: 49,
  maxIdLength: 64,
  maxTimes: 1_000_000,
  minCode: 400,
  maxCode: 599,
});

export type ChaosAction =
  | {
      type: 'reply';
      /** 400–599. */
      code: number;
      /** RFC 3463 `class.subject.detail`, of the class of `code`. */
      enhancedCode: string;
      text: string;
    }
  | { type: 'delay'; delayMs: number }
  | { type: 'disconnect' };

/** A validated rule, defaults filled in. */
export interface ChaosRule {
  id: string;
  stage: ChaosStage;
  action: ChaosAction;
  /** Chance that a matching session is hit, 0 to 1. */
  probability: number;
  /** Fire only this many times, then never again. */
  times?: number;
  /** Glob on the stage's subject (AUTH user, sender, recipient…), case-insensitive. */
  match?: string;
  /** Only connections from this network (`10.0.0.0/8`) or address (`::1`); see client-network.ts. */
  client?: string;
  /** Only sessions on this listener. */
  profile?: ProfileName;
}

export type ChaosActionInput =
  | { type: 'reply'; code: number; enhancedCode?: string; text?: string }
  | { type: 'delay'; delayMs: number }
  | { type: 'disconnect' };

/**
 * A rule as a caller writes it (the JSON form). Left out: `id` becomes `chaos-N` (N its position
 * from 1), `probability` 1, a reply's `enhancedCode` and `text` the defaults for its stage and code.
 */
export interface ChaosRuleInput {
  id?: string;
  stage: ChaosStage;
  action: ChaosActionInput;
  probability?: number;
  times?: number;
  match?: string;
  client?: string;
  profile?: ProfileName;
}

/** A rule as the API reports it: with how often it fired and how many firings `times` has left. */
export interface ChaosRuleStatus extends ChaosRule {
  fired: number;
  /** `times` minus `fired`; null for a rule without `times`. */
  remaining: number | null;
}

/** A rule that cannot be used; `field` is its dotted path inside the rule (`action.code`), '' for the whole. */
export class ChaosRuleError extends MailportError {
  override readonly name = 'ChaosRuleError';
  /** Position of the rule in its list, from 0. */
  readonly index: number;
  readonly field: string;
  /** What is wrong, as a sentence without the rule's position. */
  readonly problem: string;

  constructor(index: number, field: string, problem: string) {
    super('MP_ERR_CONFIG', `Chaos rule ${index + 1}: ${problem}`, {
      hint: 'A rule looks like { "stage": "rcpt", "action": { "type": "reply", "code": 451 }, "times": 2 } or, as text, rcpt:451,times=2; README.md, section Chaos, lists every field.',
    });
    this.index = index;
    this.field = field;
    this.problem = problem;
  }
}

const RULE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'stage',
  'action',
  'probability',
  'times',
  'match',
  'client',
  'profile',
]);
const ACTION_FIELDS: Readonly<Record<ChaosAction['type'], ReadonlySet<string>>> = {
  reply: new Set(['type', 'code', 'enhancedCode', 'text']),
  delay: new Set(['type', 'delayMs']),
  disconnect: new Set(['type']),
};
const ACTION_TYPES = Object.keys(ACTION_FIELDS) as ChaosAction['type'][];

export const CHAOS_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
/** RFC 3463 §2: class "." subject "." detail, subject and detail of one to three digits. */
export const ENHANCED_CODE_PATTERN = '^[45]\\.\\d{1,3}\\.\\d{1,3}$';
/** Reply text is printable US-ASCII (RFC 5321 §4.2). */
export const REPLY_TEXT_PATTERN = '^[\\x20-\\x7e]+$';
/** No spaces or control characters; `,` and `;` separate options and rules in the text syntax. */
export const MATCH_PATTERN = '^[^\\s,;\\p{Cc}]+$';

/** Validates every rule, fills in the defaults and numbers the rules without an id. */
export function validateChaosRules(inputs: readonly unknown[]): ChaosRule[] {
  if (inputs.length > CHAOS_LIMITS.maxRules) {
    throw new ChaosRuleError(
      CHAOS_LIMITS.maxRules,
      '',
      `at most ${CHAOS_LIMITS.maxRules} rules are allowed, ${inputs.length} were given.`,
    );
  }
  const rules = inputs.map((input, index) => validateChaosRule(input, index));
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    if (seen.has(rule.id))
      throw new ChaosRuleError(index, 'id', `the id "${rule.id}" is already used by an earlier rule.`);
    seen.add(rule.id);
  });
  return rules;
}

function validateChaosRule(input: unknown, index: number): ChaosRule {
  const fail: (field: string, problem: string) => never = (field, problem) => {
    throw new ChaosRuleError(index, field, problem);
  };
  const fields = objectOf(input, () => fail('', 'a rule must be an object with stage and action.'));
  for (const key of Object.keys(fields)) {
    if (!RULE_FIELDS.has(key))
      fail(key, `unknown field "${key}"; a rule has ${[...RULE_FIELDS].join(', ')}.`);
  }
  const stage = oneOf(fields.stage, CHAOS_STAGES, () =>
    fail('stage', `the stage must be one of ${CHAOS_STAGES.join(', ')}, not ${shown(fields.stage)}.`),
  );
  const id =
    fields.id === undefined
      ? `chaos-${index + 1}`
      : patterned(fields.id, CHAOS_ID_PATTERN, CHAOS_LIMITS.maxIdLength, () =>
          fail(
            'id',
            `the id must be 1 to ${CHAOS_LIMITS.maxIdLength} letters, digits, ".", "_" or "-", not ${shown(fields.id)}.`,
          ),
        );
  const rule: ChaosRule = {
    id,
    stage,
    action: validateAction(fields.action, stage, id, fail),
    probability:
      fields.probability === undefined
        ? 1
        : numberIn(fields.probability, 0, 1, false, () =>
            fail(
              'probability',
              `the probability must be a number from 0 to 1 (0.1 = one time in ten), not ${shown(fields.probability)}.`,
            ),
          ),
  };
  if (fields.times !== undefined) {
    rule.times = numberIn(fields.times, 1, CHAOS_LIMITS.maxTimes, true, () =>
      fail(
        'times',
        `times must be a whole number from 1 to ${CHAOS_LIMITS.maxTimes} (how often the rule fires before it stops), not ${shown(fields.times)}.`,
      ),
    );
  }
  if (fields.match !== undefined) {
    if (stage === 'connect') {
      fail(
        'match',
        'match cannot be used at connect: nothing is known about the session before the greeting. Use profile to pick a listener.',
      );
    }
    rule.match = patterned(fields.match, MATCH_PATTERN, CHAOS_LIMITS.maxMatchLength, () =>
      fail(
        'match',
        `match must be a glob of up to ${CHAOS_LIMITS.maxMatchLength} characters without spaces, "," or ";" (e.g. *@flaky.test), not ${shown(fields.match)}.`,
      ),
    );
  }
  if (fields.client !== undefined) {
    const client = fields.client;
    if (typeof client !== 'string' || parseClientNetwork(client) === null) {
      fail(
        'client',
        `client must be an IPv4 or IPv6 address, or a network in CIDR notation (e.g. 10.0.0.0/8, 192.0.2.7 or fd00::/8), not ${shown(client)}.`,
      );
    }
    rule.client = client;
  }
  if (fields.profile !== undefined) {
    rule.profile = oneOf(fields.profile, PROFILE_NAMES, () =>
      fail(
        'profile',
        `the profile must be one of ${PROFILE_NAMES.join(', ')}, not ${shown(fields.profile)}.`,
      ),
    );
  }
  return rule;
}

function validateAction(
  input: unknown,
  stage: ChaosStage,
  id: string,
  fail: (field: string, problem: string) => never,
): ChaosAction {
  const fields = objectOf(input, () =>
    fail(
      'action',
      'the action must be an object: { "type": "reply", "code": 451 }, { "type": "delay", "delayMs": 10000 } or { "type": "disconnect" }.',
    ),
  );
  const type = oneOf(fields.type, ACTION_TYPES, () =>
    fail(
      'action.type',
      `the action type must be one of ${ACTION_TYPES.join(', ')}, not ${shown(fields.type)}.`,
    ),
  );
  for (const key of Object.keys(fields)) {
    if (!ACTION_FIELDS[type].has(key)) {
      fail(
        `action.${key}`,
        `a ${type} action has no field "${key}"; it has ${[...ACTION_FIELDS[type]].join(', ')}.`,
      );
    }
  }
  switch (type) {
    case 'disconnect':
      return { type };
    case 'delay':
      return {
        type,
        delayMs: numberIn(fields.delayMs, 1, CHAOS_LIMITS.maxDelayMs, true, () =>
          fail(
            'action.delayMs',
            `delayMs must be a whole number of milliseconds from 1 to ${CHAOS_LIMITS.maxDelayMs} (10 minutes), not ${shown(fields.delayMs)}.`,
          ),
        ),
      };
    case 'reply': {
      const code = numberIn(fields.code, CHAOS_LIMITS.minCode, CHAOS_LIMITS.maxCode, true, () =>
        fail(
          'action.code',
          `the reply code must be a failure from 400 to 599 (4xx temporary, 5xx permanent), not ${shown(fields.code)}.`,
        ),
      );
      const codeClass = String(code)[0];
      const enhancedCode =
        fields.enhancedCode === undefined
          ? defaultEnhancedCode(stage, code)
          : patterned(fields.enhancedCode, ENHANCED_CODE_PATTERN, 11, () =>
              fail(
                'action.enhancedCode',
                `the enhanced code must be an RFC 3463 code such as ${defaultEnhancedCode(stage, code)} (class.subject.detail), not ${shown(fields.enhancedCode)}.`,
              ),
            );
      if (enhancedCode[0] !== codeClass) {
        fail(
          'action.enhancedCode',
          `the enhanced code ${enhancedCode} must have the class of the reply code ${code} (RFC 3463 §2): ${codeClass}.x.x, e.g. ${defaultEnhancedCode(stage, code)}.`,
        );
      }
      const text =
        fields.text === undefined
          ? defaultReplyText(id, stage, code)
          : patterned(fields.text, REPLY_TEXT_PATTERN, CHAOS_LIMITS.maxTextLength, () =>
              fail(
                'action.text',
                `the reply text must be 1 to ${CHAOS_LIMITS.maxTextLength} printable US-ASCII characters (RFC 5321 §4.2), not ${shown(fields.text)}.`,
              ),
            );
      return { type, code, enhancedCode, text };
    }
  }
}

function objectOf(value: unknown, otherwise: () => never): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return otherwise();
  return value as Record<string, unknown>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], otherwise: () => never): T {
  return (allowed as readonly unknown[]).includes(value) ? (value as T) : otherwise();
}

function numberIn(value: unknown, min: number, max: number, whole: boolean, otherwise: () => never): number {
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!whole || Number.isInteger(value));
  return valid ? value : otherwise();
}

function patterned(value: unknown, pattern: string, maxLength: number, otherwise: () => never): string {
  const valid =
    typeof value === 'string' && value.length <= maxLength && new RegExp(pattern, 'u').test(value);
  return valid ? value : otherwise();
}

/** A value as it appears in an error: short, and never with control characters. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
