/**
 * The text form of chaos rules, for `--chaos`, `MAILPORT_CHAOS` and `startSandbox({ chaos })`:
 *
 *   STAGE:ACTION[,OPTION=VALUE...]
 *   ACTION  451 | 451/4.3.0 | delay=10s | disconnect
 *   OPTION  p= (or probability=) times= match= client= profile= id= text= (text takes the rest of the rule)
 *
 * e.g. `rcpt:451,match=*@flaky.test,times=2`. Several rules in one string are separated by `;`.
 * Parsing only turns text into the JSON form; `validateChaosRules` then checks it like any other.
 */
import { ConfigError } from '../errors.js';
import { parseDuration } from '../http/duration.js';
import { defaultReplyText } from './reply-defaults.js';
import {
  CHAOS_STAGES,
  type ChaosActionInput,
  type ChaosRule,
  ChaosRuleError,
  type ChaosRuleInput,
  validateChaosRules,
} from './rules.js';

export const CHAOS_SYNTAX_EXAMPLE = 'rcpt:451,match=*@flaky.test,times=2';

const REPLY_ACTION = /^(\d+)(?:\/(.*))?$/;
const DELAY_ACTION = 'delay=';
const NUMBER = /^\d+(\.\d+)?$/;

/** Splits `MAILPORT_CHAOS`-style values (`rule;rule`) into single rules, dropping empty ones. */
export function splitChaosRules(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(';'))
    .flatMap((rule) => (rule.trim() === '' ? [] : [rule.trim()]));
}

/**
 * Rules in the text form as a command line takes them (`--chaos RULE`, `mailport chaos add RULE`),
 * in their JSON form, checked. A mistake is a ConfigError that quotes the rule as written and
 * shows correct ones as `usage` takes them.
 */
export function parseChaosRuleTexts(
  texts: readonly string[],
  usage: { flag: string; reference: string },
): ChaosRuleInput[] {
  try {
    const rules = texts.map((text, index) => parseChaosRule(text, index));
    validateChaosRules(rules);
    return rules;
  } catch (error) {
    if (!(error instanceof ChaosRuleError)) throw error;
    const example = (rule: string) => `${usage.flag} '${rule}'`;
    throw new ConfigError(
      `${usage.flag} "${texts[error.index] ?? ''}": ${error.problem}`,
      `A rule is STAGE:ACTION[,OPTION=VALUE...], e.g. ${example(CHAOS_SYNTAX_EXAMPLE)}, ${example('message:554,p=0.1')} or ${example('connect:delay=10s')}; ${usage.reference} lists the stages, actions and options.`,
    );
  }
}

/** One rule in the text form, as its JSON form (not yet validated). `index` numbers errors. */
export function parseChaosRule(text: string, index = 0): ChaosRuleInput {
  const fail: (field: string, problem: string) => never = (field, problem) => {
    throw new ChaosRuleError(index, field, problem);
  };
  const colon = text.indexOf(':');
  if (colon === -1) {
    fail('', `"${text.slice(0, 60)}" is not a rule: write STAGE:ACTION, e.g. ${CHAOS_SYNTAX_EXAMPLE}.`);
  }
  const stage = text.slice(0, colon).trim().toLowerCase();
  if (!(CHAOS_STAGES as readonly string[]).includes(stage)) {
    fail('stage', `unknown stage "${stage.slice(0, 30)}"; the stages are ${CHAOS_STAGES.join(', ')}.`);
  }
  const rest = text.slice(colon + 1);
  // `text=` takes everything after it, commas included.
  const textOption = /(?:^|,)\s*text=/i.exec(rest);
  const head = textOption === null ? rest : rest.slice(0, textOption.index);
  const [actionText = '', ...options] = head.split(',').map((part) => part.trim());
  let action = parseAction(actionText, fail);
  if (textOption !== null) {
    if (action.type !== 'reply') {
      fail('action.text', 'text= only goes with a reply action, e.g. rcpt:451,text=Try again later.');
    }
    action = { ...action, text: rest.slice(textOption.index + textOption[0].length) };
  }
  const rule: Record<string, unknown> = { stage, action };
  for (const option of options) {
    if (option === '') continue;
    const equals = option.indexOf('=');
    const name = (equals === -1 ? option : option.slice(0, equals)).toLowerCase();
    const value = equals === -1 ? '' : option.slice(equals + 1);
    const field = OPTION_FIELDS[name];
    if (field === undefined) {
      fail(
        '',
        `unknown option "${name.slice(0, 30)}"; the options are p=, times=, match=, client=, profile=, id= and text=.`,
      );
    }
    if (rule[field] !== undefined) fail(field, `${name}= is given twice.`);
    rule[field] = field === 'probability' || field === 'times' ? numeric(value) : value;
  }
  return rule as unknown as ChaosRuleInput;
}

const OPTION_FIELDS: Readonly<Record<string, keyof ChaosRuleInput>> = {
  p: 'probability',
  probability: 'probability',
  times: 'times',
  match: 'match',
  client: 'client',
  profile: 'profile',
  id: 'id',
};

function parseAction(text: string, fail: (field: string, problem: string) => never): ChaosActionInput {
  if (text.toLowerCase() === 'disconnect') return { type: 'disconnect' };
  if (text.toLowerCase().startsWith(DELAY_ACTION)) {
    const duration = text.slice(DELAY_ACTION.length);
    const delayMs = parseDuration(duration);
    if (delayMs === null) {
      fail(
        'action.delayMs',
        `the delay must be a duration such as 10s, 1500ms or 2m, not "${duration.slice(0, 30)}".`,
      );
    }
    return { type: 'delay', delayMs };
  }
  const reply = REPLY_ACTION.exec(text);
  if (reply === null) {
    fail(
      'action',
      `the action must be a reply code (451, or 451/4.3.0 with its enhanced code), delay=DURATION or disconnect, not "${text.slice(0, 30)}".`,
    );
  }
  const [, code, enhancedCode] = reply;
  return { type: 'reply', code: Number(code), ...(enhancedCode === undefined ? {} : { enhancedCode }) };
}

/** A number when it looks like one; otherwise the text, for the validator to name in its error. */
function numeric(value: string): number | string {
  return NUMBER.test(value) ? Number(value) : value;
}

/**
 * Rules in either form (text or JSON) validated together, as `startSandbox` and the client take
 * them. Throws ChaosRuleError naming the rule's position.
 */
export function readChaosRules(inputs: readonly (string | ChaosRuleInput)[]): ChaosRule[] {
  return validateChaosRules(
    inputs.map((input, index) => (typeof input === 'string' ? parseChaosRule(input, index) : input)),
  );
}

/** The rule in its text form, without its id and with the text only when it is not the default. */
export function formatChaosRule(rule: ChaosRule): string {
  const { action } = rule;
  const parts = [
    `${rule.stage}:${
      action.type === 'reply'
        ? `${action.code}/${action.enhancedCode}`
        : action.type === 'delay'
          ? `delay=${action.delayMs % 1000 === 0 ? `${action.delayMs / 1000}s` : `${action.delayMs}ms`}`
          : 'disconnect'
    }`,
  ];
  if (rule.probability !== 1) parts.push(`p=${rule.probability}`);
  if (rule.times !== undefined) parts.push(`times=${rule.times}`);
  if (rule.match !== undefined) parts.push(`match=${rule.match}`);
  if (rule.client !== undefined) parts.push(`client=${rule.client}`);
  if (rule.profile !== undefined) parts.push(`profile=${rule.profile}`);
  if (action.type === 'reply' && action.text !== defaultReplyText(rule.id, rule.stage, action.code)) {
    parts.push(`text=${action.text}`);
  }
  return parts.join(',');
}
