/**
 * Schemas of the chaos rules (`/api/v1/chaos`). Field docs mirror src/chaos/rules.ts, whose
 * validator has the last word (class of the enhanced code, unknown fields, unique ids).
 */
import { Type } from '@sinclair/typebox';
import {
  CHAOS_ID_PATTERN,
  CHAOS_LIMITS,
  CHAOS_STAGES,
  type ChaosStage,
  ENHANCED_CODE_PATTERN,
  MATCH_PATTERN,
  REPLY_TEXT_PATTERN,
} from '../../chaos/rules.js';
import { ProfileNameSchema, ref } from './common.js';

export const ChaosStageSchema = Type.Unsafe<ChaosStage>(
  Type.String({
    $id: 'ChaosStage',
    enum: [...CHAOS_STAGES],
    description:
      'Where the rule acts: `connect` (the greeting), `ehlo` (EHLO/HELO), `auth`, `mail` (MAIL FROM), `rcpt` (RCPT TO), `data` (the reply to DATA, or to BDAT LAST) or `message` (the reply after the message body).',
  }),
);

const replyFields = {
  type: Type.Literal('reply', { description: 'Reply with an error instead of accepting.' }),
  code: Type.Integer({
    minimum: CHAOS_LIMITS.minCode,
    maximum: CHAOS_LIMITS.maxCode,
    description:
      'SMTP reply code, 400 to 599: 4xx asks the client to retry, 5xx to give up; 421 also closes the connection.',
    examples: [451],
  }),
  enhancedCode: Type.String({
    pattern: ENHANCED_CODE_PATTERN,
    description:
      'RFC 3463 enhanced status code of the same class as `code` (4.x.x for 4xx). Default: the one a production server pairs with the code at this stage, e.g. 4.3.0 for 451, 5.1.1 for 550 at rcpt.',
    examples: ['4.3.0'],
  }),
  text: Type.String({
    minLength: 1,
    maxLength: CHAOS_LIMITS.maxTextLength,
    pattern: REPLY_TEXT_PATTERN,
    description:
      'Reply text, printable US-ASCII. Default: a sentence saying the failure was injected by this chaos rule.',
  }),
};

const delayFields = {
  type: Type.Literal('delay', { description: 'Hold the reply back, then accept.' }),
  delayMs: Type.Integer({
    minimum: 1,
    maximum: CHAOS_LIMITS.maxDelayMs,
    description:
      'How long to wait before replying, in ms (at most 10 minutes); cut short when the client leaves or the server stops.',
  }),
};

const disconnectFields = {
  type: Type.Literal('disconnect', { description: 'Close the connection without replying.' }),
};

const ActionDescription =
  'What the server does instead of accepting: reply with an error, hold its reply back, or drop the connection.';

export const ChaosActionInputSchema = Type.Union(
  [
    Type.Object(
      {
        ...replyFields,
        enhancedCode: Type.Optional(replyFields.enhancedCode),
        text: Type.Optional(replyFields.text),
      },
      { description: 'An error reply.' },
    ),
    Type.Object(delayFields, { description: 'A delay.' }),
    Type.Object(disconnectFields, { description: 'A dropped connection.' }),
  ],
  { $id: 'ChaosActionInput', description: ActionDescription },
);

export const ChaosActionSchema = Type.Union(
  [
    Type.Object(replyFields, { description: 'An error reply, defaults filled in.' }),
    Type.Object(delayFields, { description: 'A delay.' }),
    Type.Object(disconnectFields, { description: 'A dropped connection.' }),
  ],
  { $id: 'ChaosAction', description: ActionDescription },
);

const filterFields = {
  probability: Type.Number({
    minimum: 0,
    maximum: 1,
    description: 'Chance that a matching session is hit, 0 to 1 (0.1 = one time in ten). Default 1.',
  }),
  times: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: CHAOS_LIMITS.maxTimes,
      description:
        'Fire only this many times, then stop: `times: 2` fails twice, then lets the client through.',
    }),
  ),
  match: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: CHAOS_LIMITS.maxMatchLength,
      pattern: MATCH_PATTERN,
      description:
        'Case-insensitive glob (`*`, `?`) on the stage subject: the recipient at rcpt, the sender at mail, the AUTH user at auth, the EHLO name at ehlo, any recipient at data and message. Not at connect.',
      examples: ['*@flaky.test'],
    }),
  ),
  client: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: CHAOS_LIMITS.maxClientLength,
      description:
        'Only connections from this client network, in CIDR notation, or from this one address; IPv4 or IPv6, at every stage (connect included). An IPv4 network also matches its IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1` is in 127.0.0.0/8). Anything else is refused with a 400 naming `client`.',
      examples: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'],
    }),
  ),
  profile: Type.Optional(ref(ProfileNameSchema)),
};

const idDescription = 'Name of the rule, shown in transcripts and reply texts.';

export const ChaosRuleInputSchema = Type.Object(
  {
    id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: CHAOS_LIMITS.maxIdLength,
        pattern: CHAOS_ID_PATTERN,
        description: `${idDescription} Default \`chaos-N\`, N the rule's position from 1.`,
      }),
    ),
    stage: ref(ChaosStageSchema),
    action: ref(ChaosActionInputSchema),
    ...filterFields,
    probability: Type.Optional(filterFields.probability),
  },
  {
    $id: 'ChaosRuleInput',
    description:
      'A chaos rule as written; unknown fields are refused. Rules are tried in order, the first that fires wins.',
  },
);

export const ChaosRuleStatusSchema = Type.Object(
  {
    id: Type.String({ description: idDescription }),
    stage: ref(ChaosStageSchema),
    action: ref(ChaosActionSchema),
    ...filterFields,
    fired: Type.Integer({ description: 'How often the rule fired since it was set.' }),
    remaining: Type.Union([Type.Integer(), Type.Null()], {
      description: 'How many more times it fires (`times` minus `fired`); null without `times`.',
    }),
  },
  { $id: 'ChaosRuleStatus', description: 'A chaos rule in force, defaults filled in, with its counters.' },
);

export const ChaosRulesBodySchema = Type.Object(
  {
    rules: Type.Array(ref(ChaosRuleInputSchema), {
      maxItems: CHAOS_LIMITS.maxRules,
      description: `The new rules, at most ${CHAOS_LIMITS.maxRules}; they replace every rule in force.`,
    }),
  },
  { description: 'The chaos rules to set.' },
);

export const ChaosRulesSchema = Type.Object(
  {
    rules: Type.Array(ref(ChaosRuleStatusSchema), {
      description: 'The rules in force, in the order they are tried.',
    }),
  },
  { $id: 'ChaosRules', description: 'The chaos rules of this node (they live in memory, per node).' },
);

export const ChaosRemovedSchema = Type.Object(
  {
    removed: Type.Array(ref(ChaosRuleStatusSchema), {
      description: 'The rules that were in force, with their final counters.',
    }),
  },
  { $id: 'ChaosRemoved', description: 'What `DELETE /api/v1/chaos` removed.' },
);

export const CHAOS_SCHEMAS = [
  ChaosStageSchema,
  ChaosActionInputSchema,
  ChaosActionSchema,
  ChaosRuleInputSchema,
  ChaosRuleStatusSchema,
  ChaosRulesSchema,
  ChaosRemovedSchema,
];
