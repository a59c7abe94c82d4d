/** Payloads of the Server-Sent Events at `GET /api/v1/events` (the `data:` line of each event, as JSON). */
import { Type } from '@sinclair/typebox';
import { ref } from './common.js';
import { MessageReleaseSchema, MessageSummarySchema } from './message.js';
import { SessionSummarySchema } from './session.js';

export const MessageReceivedEventSchema = Type.Object(
  { message: ref(MessageSummarySchema) },
  { $id: 'MessageReceivedEvent', description: 'Data of a `message.received` event: a message was stored.' },
);

export const MessageDeletedEventSchema = Type.Object(
  { ids: Type.Array(Type.String(), { description: 'Ids of the deleted messages.' }) },
  { $id: 'MessageDeletedEvent', description: 'Data of a `message.deleted` event: messages were deleted.' },
);

export const MessageReleasedEventSchema = Type.Object(
  {
    id: Type.String({ description: 'Id of the released message.' }),
    release: ref(MessageReleaseSchema),
  },
  {
    $id: 'MessageReleasedEvent',
    description:
      'Data of a `message.released` event: a message was released to `--release-server` and the release recorded; `release` is the record just added to its `releases`. A failed release sends none.',
  },
);

export const SessionClosedEventSchema = Type.Object(
  { session: ref(SessionSummarySchema) },
  {
    $id: 'SessionClosedEvent',
    description: 'Data of a `session.closed` event: an SMTP connection ended, with its diagnostics.',
  },
);

export const SessionDeletedEventSchema = Type.Object(
  { ids: Type.Array(Type.String(), { description: 'Ids of the deleted sessions.' }) },
  {
    $id: 'SessionDeletedEvent',
    description:
      'Data of a `session.deleted` event: sessions were deleted (`DELETE /api/v1/sessions`, or pruned by `--max-sessions`).',
  },
);

export const EVENT_SCHEMAS = [
  MessageReceivedEventSchema,
  MessageDeletedEventSchema,
  MessageReleasedEventSchema,
  SessionClosedEventSchema,
  SessionDeletedEventSchema,
];
