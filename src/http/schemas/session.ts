/** Schemas of the session resources (`/api/v1/sessions...`). Field docs mirror src/domain/types.ts. */
import { Type } from '@sinclair/typebox';
import { DIAGNOSTIC_CODES } from '../../diagnostics/catalogue.js';
import type { DiagnosticCode } from '../../domain/types.js';
import {
  AuthFactsSchema,
  ClientEndpointSchema,
  ListenerRefSchema,
  nullable,
  ref,
  TlsFactsSchema,
} from './common.js';

export const DiagnosticCodeSchema = Type.Unsafe<DiagnosticCode>(
  Type.String({
    $id: 'DiagnosticCode',
    enum: DIAGNOSTIC_CODES,
    description:
      'Stable kebab-case id of a client mistake or session event; `mailport explain CODE` describes it.',
  }),
);

export const DiagnosticSchema = Type.Object(
  {
    code: ref(DiagnosticCodeSchema),
    message: Type.String({ description: 'What happened, in one sentence.' }),
    fix: Type.String({ description: 'How to fix the client, in one or two sentences.' }),
    detail: Type.Optional(Type.String({ description: 'Extra facts, e.g. the TLS alert reason.' })),
    t: Type.Number({ description: 'Milliseconds since the session started.' }),
  },
  { $id: 'Diagnostic', description: 'Something the client did wrong (or that went wrong), with the fix.' },
);

export const TranscriptLineSchema = Type.Object(
  {
    t: Type.Number({ description: 'Milliseconds since the session started.' }),
    dir: Type.Union([Type.Literal('C'), Type.Literal('S'), Type.Literal('*')], {
      description: '`C` client, `S` server, `*` an event (TLS established, DATA body elided).',
    }),
    text: Type.String({ description: 'The line without CRLF; AUTH payloads redacted, DATA bodies elided.' }),
  },
  { $id: 'TranscriptLine', description: 'One line of a session transcript.' },
);

export const SessionOutcomeSchema = Type.Union(
  [
    Type.Literal('delivered'),
    Type.Literal('quit'),
    Type.Literal('failed'),
    Type.Literal('disconnected'),
    Type.Literal('timeout'),
    Type.Literal('rejected'),
  ],
  {
    $id: 'SessionOutcome',
    description:
      '`delivered`: a message was accepted and the client quit; `quit`: quit without a message; `failed`: see diagnostics (and `chaos`); `disconnected`: closed without QUIT; `timeout`: idle timeout; `rejected`: refused at connect.',
  },
);

export const SessionChaosSchema = Type.Object(
  {
    rules: Type.Array(Type.String(), {
      description: 'Ids of the chaos rules that fired in the session, in the order they first fired.',
    }),
    failedOnPurpose: Type.Boolean({
      description:
        'The session failed only because of these rules: every error reply was injected by one (or followed only from one, such as 503 after a refused greeting) and the client made no mistake. Such a session is not counted by `problems=1`.',
    }),
  },
  { $id: 'SessionChaos', description: 'What chaos rules did to a session.' },
);

const summaryProperties = {
  id: Type.String({ description: 'Time-sortable session id (UUIDv7).' }),
  listener: ref(ListenerRefSchema),
  client: ref(ClientEndpointSchema),
  startedAt: Type.String({ format: 'date-time', description: 'When the connection opened (ISO 8601).' }),
  endedAt: nullable(Type.String({ format: 'date-time' }), 'When the connection closed; null while open.'),
  heloName: nullable(Type.String(), 'Name the client gave in EHLO/HELO, or null.'),
  tls: nullable(ref(TlsFactsSchema), 'TLS facts; null when the session stayed plaintext.'),
  auth: nullable(ref(AuthFactsSchema), 'How the client authenticated; null when it did not.'),
  messageIds: Type.Array(Type.String(), { description: 'Ids of the messages accepted in this session.' }),
  outcome: ref(SessionOutcomeSchema),
  lastError: nullable(
    Type.String(),
    'The last error reply sent, e.g. `530 5.7.0 Must issue a STARTTLS command first`.',
  ),
  chaos: Type.Optional(ref(SessionChaosSchema)),
  diagnostics: Type.Array(ref(DiagnosticSchema), { description: 'What the client did wrong, in order.' }),
};

export const SessionSummarySchema = Type.Object(summaryProperties, {
  $id: 'SessionSummary',
  description: 'An SMTP session without its transcript.',
});

export const SessionRecordSchema = Type.Object(
  {
    ...summaryProperties,
    transcript: Type.Array(ref(TranscriptLineSchema), { description: 'The conversation, line by line.' }),
  },
  { $id: 'SessionRecord', description: 'An SMTP session with its full transcript.' },
);

export const SessionPageSchema = Type.Object(
  {
    items: Type.Array(ref(SessionSummarySchema), { description: 'Sessions on this page, newest first.' }),
    total: Type.Integer({ description: 'Number of sessions matching the filters, on all pages.' }),
    nextCursor: nullable(Type.String(), 'Pass as `cursor` to get the next page; null on the last page.'),
  },
  { $id: 'SessionPage', description: 'One page of sessions.' },
);

export const SessionDeleteResultSchema = Type.Object(
  {
    deleted: Type.Integer({ description: 'Number of sessions deleted.' }),
    ids: Type.Array(Type.String(), { description: 'Ids of the deleted sessions.' }),
  },
  {
    $id: 'SessionDeleteResult',
    description:
      'What `DELETE /api/v1/sessions` removed. A session still open is saved again when it closes.',
  },
);

export const SESSION_SCHEMAS = [
  DiagnosticCodeSchema,
  DiagnosticSchema,
  TranscriptLineSchema,
  SessionOutcomeSchema,
  SessionChaosSchema,
  SessionSummarySchema,
  SessionRecordSchema,
  SessionPageSchema,
  SessionDeleteResultSchema,
];
