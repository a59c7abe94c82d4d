/** Schemas of the message resources (`/api/v1/messages...`). Field docs mirror src/domain/types.ts. */
import { Type } from '@sinclair/typebox';
import {
  AddressValueSchema,
  AuthFactsSchema,
  ClientEndpointSchema,
  ListenerRefSchema,
  nullable,
  ref,
  TlsFactsSchema,
} from './common.js';

const addressList = (description: string) => Type.Array(ref(AddressValueSchema), { description });

export const EnvelopeAddressSchema = Type.Object(
  {
    address: Type.String({
      description:
        'The address as given in the command, without angle brackets; empty for the null reverse-path.',
    }),
    params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Literal(true)]), {
      description:
        'ESMTP parameters given with the command (`SIZE`, `BODY`, `SMTPUTF8`...), keys upper-case; `true` for a parameter without a value.',
    }),
  },
  { $id: 'EnvelopeAddress', description: 'An address from MAIL FROM or RCPT TO.' },
);

export const EnvelopeSchema = Type.Object(
  {
    mailFrom: ref(EnvelopeAddressSchema),
    rcptTo: Type.Array(ref(EnvelopeAddressSchema), { description: 'Every accepted RCPT TO, in order.' }),
  },
  { $id: 'Envelope', description: 'The SMTP envelope (RFC 5321 §2.3.1), which may differ from the headers.' },
);

export const HeaderLineSchema = Type.Object(
  {
    name: Type.String({ description: 'Header field name as written, e.g. `Subject`.' }),
    value: Type.String({ description: 'Header field value, unfolded.' }),
  },
  { $id: 'HeaderLine', description: 'One header field of a message, in message order.' },
);

export const AttachmentInfoSchema = Type.Object(
  {
    index: Type.Integer({ description: 'Position within the message, used in `/attachments/{n}`.' }),
    filename: nullable(Type.String(), 'File name given by the sender, or null.'),
    contentType: Type.String({ description: 'MIME type, e.g. `application/pdf`.' }),
    size: Type.Integer({ description: 'Decoded size in bytes.' }),
    contentId: nullable(
      Type.String(),
      'Content-ID (without angle brackets) that HTML refers to as `cid:`, or null.',
    ),
    inline: Type.Boolean({
      description: 'True for `Content-Disposition: inline` parts referenced from the HTML.',
    }),
  },
  { $id: 'AttachmentInfo', description: 'An attachment or inline part of a message.' },
);

export const ParsedMessageSchema = Type.Object(
  {
    messageId: nullable(Type.String(), 'The Message-ID header, or null.'),
    subject: nullable(Type.String(), 'The decoded Subject header, or null.'),
    from: addressList('From header mailboxes.'),
    to: addressList('To header mailboxes.'),
    cc: addressList('Cc header mailboxes.'),
    bcc: addressList('Envelope recipients that appear in no To or Cc header (blind copies).'),
    replyTo: addressList('Reply-To header mailboxes.'),
    date: nullable(Type.String(), 'The Date header as ISO 8601, or null when missing or unparsable.'),
    text: nullable(Type.String(), 'The plain-text body, or null.'),
    html: nullable(Type.String(), 'The HTML body, or null.'),
    headers: Type.Array(ref(HeaderLineSchema), { description: 'Every header field, in message order.' }),
    attachments: Type.Array(ref(AttachmentInfoSchema), { description: 'Attachments and inline parts.' }),
  },
  { $id: 'ParsedMessage', description: 'What the message says about itself (its headers and MIME parts).' },
);

const summaryProperties = {
  id: Type.String({ description: 'Time-sortable message id (UUIDv7).' }),
  inbox: Type.String({ description: 'The inbox the message belongs to (the AUTH user, or `default`).' }),
  receivedAt: Type.String({ format: 'date-time', description: 'When the message was accepted (ISO 8601).' }),
  size: Type.Integer({ description: 'Size of the raw message in bytes.' }),
  subject: nullable(Type.String(), 'The decoded Subject header, or null.'),
  from: addressList('From header mailboxes.'),
  to: addressList('To header mailboxes.'),
  envelopeFrom: Type.String({ description: 'MAIL FROM address; empty for the null reverse-path.' }),
  envelopeTo: Type.Array(Type.String(), { description: 'RCPT TO addresses.' }),
  listener: ref(ListenerRefSchema),
  attachmentCount: Type.Integer({ description: 'Number of attachments, inline parts included.' }),
  snippet: Type.String({ description: 'Short text preview for lists.' }),
  read: Type.Boolean({ description: 'Whether the message was marked read.' }),
};

export const MessageSummarySchema = Type.Object(summaryProperties, {
  $id: 'MessageSummary',
  description: 'A row of the message list.',
});

export const MessageReleaseSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the upstream server accepted it.' }),
    to: Type.Array(Type.String(), { description: 'The envelope recipients it went to.' }),
    server: Type.String({
      description: 'The upstream SMTP server it went out through, `host:port`.',
      examples: ['smtp.example.com:587'],
    }),
    reply: Type.String({
      description: 'The upstream’s final reply line to the message.',
      examples: ['250 2.0.0 Ok: queued as 4Xb1'],
    }),
  },
  {
    $id: 'MessageRelease',
    description:
      'One successful release of the message to `--release-server` (`POST /api/v1/messages/{id}/release`). Never carries credentials.',
  },
);

export const MessageDetailSchema = Type.Object(
  {
    ...summaryProperties,
    sessionId: Type.String({
      description: 'The SMTP session that delivered it (see `/api/v1/sessions/{id}`).',
    }),
    envelope: ref(EnvelopeSchema),
    client: ref(ClientEndpointSchema),
    heloName: nullable(Type.String(), 'Name the client gave in EHLO/HELO, or null.'),
    tls: nullable(ref(TlsFactsSchema), 'TLS facts of the delivering connection; null for plaintext.'),
    auth: nullable(ref(AuthFactsSchema), 'How the client authenticated; null when it did not.'),
    parsed: ref(ParsedMessageSchema),
    releases: Type.Array(ref(MessageReleaseSchema), {
      description:
        'Each successful release to a real SMTP server, oldest first; empty when never released. Failed releases are not recorded.',
    }),
  },
  {
    $id: 'MessageDetail',
    description: 'A stored message with everything known about it (raw bytes at `/raw`).',
  },
);

/** Present only when some `key:value` of `q` was searched as free text instead. */
const QueryNotesSchema = Type.Optional(
  Type.Array(Type.String(), {
    description:
      'One sentence for each `key:value` term of `q` searched as free text instead, saying why and what to write (e.g. `after:zzz is not a date, so it was searched as text: use YYYY-MM-DD, …`); absent when every term was understood.',
  }),
);

export const MessagePageSchema = Type.Object(
  {
    items: Type.Array(ref(MessageSummarySchema), { description: 'Messages on this page, newest first.' }),
    total: Type.Integer({ description: 'Number of messages matching the query, on all pages.' }),
    nextCursor: nullable(Type.String(), 'Pass as `cursor` to get the next page; null on the last page.'),
    queryNotes: QueryNotesSchema,
  },
  { $id: 'MessagePage', description: 'One page of messages.' },
);

export const WaitResultSchema = Type.Object(
  {
    items: Type.Array(ref(MessageSummarySchema), {
      description: 'The `count` newest matching messages, newest first.',
    }),
    total: Type.Integer({ description: 'Number of messages matching the query when the wait ended.' }),
    waitedMs: Type.Integer({ description: 'How long the server waited, in milliseconds.' }),
    queryNotes: QueryNotesSchema,
  },
  { $id: 'WaitResult', description: 'Enough messages matched.' },
);

export const WaitTimeoutProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'Always `urn:mailport:problem:wait-timeout`.' }),
    title: Type.String({ description: 'Short summary of the kind of problem.' }),
    status: Type.Integer({ description: 'Always 408.' }),
    detail: Type.String({ description: 'How many messages were expected and how many matched.' }),
    instance: Type.String({ description: 'The request path.' }),
    count: Type.Integer({ description: 'How many matching messages were expected.' }),
    matched: Type.Array(ref(MessageSummarySchema), {
      description: 'The messages that did match (fewer than `count`), newest first.',
    }),
    nearest: Type.Array(ref(MessageSummarySchema), {
      description: 'The newest messages regardless of the query (up to 10), to show what arrived instead.',
    }),
    queryNotes: QueryNotesSchema,
  },
  {
    $id: 'WaitTimeoutProblem',
    description:
      'Problem details (RFC 9457) for a long-poll that ran out of time, with what arrived instead.',
  },
);

export const DeleteResultSchema = Type.Object(
  {
    deleted: Type.Integer({ description: 'Number of messages deleted.' }),
    ids: Type.Array(Type.String(), { description: 'Ids of the deleted messages.' }),
    queryNotes: QueryNotesSchema,
  },
  { $id: 'DeleteResult', description: 'What a bulk delete removed.' },
);

export const ImportResultSchema = Type.Object(
  { id: Type.String({ description: 'Id of the stored message.' }) },
  { $id: 'ImportResult', description: 'The message was stored.' },
);

export const ImportJsonBodySchema = Type.Object(
  {
    raw: Type.String({ contentEncoding: 'base64', description: 'The raw RFC 5322 message, base64-encoded.' }),
    inbox: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Inbox to store it in.' })),
    mailFrom: Type.Optional(Type.String({ description: 'Envelope sender; defaults to the From header.' })),
    rcptTo: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Envelope recipients; default to the To, Cc and Bcc headers.',
      }),
    ),
  },
  { $id: 'ImportJsonBody', description: 'A message to import, as JSON.' },
);

export const MESSAGE_SCHEMAS = [
  EnvelopeAddressSchema,
  EnvelopeSchema,
  HeaderLineSchema,
  AttachmentInfoSchema,
  ParsedMessageSchema,
  MessageSummarySchema,
  MessageReleaseSchema,
  MessageDetailSchema,
  MessagePageSchema,
  WaitResultSchema,
  WaitTimeoutProblemSchema,
  DeleteResultSchema,
  ImportResultSchema,
  ImportJsonBodySchema,
];
