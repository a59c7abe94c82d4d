/** Schemas of `POST /api/v1/messages/{id}/release` and of `release` in `GET /api/v1/info`. */
import { Type } from '@sinclair/typebox';
import { ProblemSchema } from './common.js';

export const ReleaseInfoSchema = Type.Object(
  {
    server: Type.String({
      description:
        'The upstream SMTP server, `host:port`, or `host` alone when the port is chosen by the decision rule (587 STARTTLS, then 465 implicit TLS, then 2525).',
      examples: ['smtp.example.com:587'],
    }),
    tls: Type.Union(
      [Type.Literal('auto'), Type.Literal('starttls'), Type.Literal('implicit'), Type.Literal('none')],
      {
        description:
          'How TLS is chosen (`--release-tls`): `auto` is implicit TLS on 465, STARTTLS elsewhere.',
      },
    ),
    from: Type.Union([Type.String(), Type.Null()], {
      description:
        'Envelope sender of every release (`--release-from`), or null to keep each message’s MAIL FROM.',
    }),
    allow: Type.Array(Type.String(), {
      description:
        'Recipient globs a release may go to (`--release-allow`). Empty: no default recipients, a release goes only to the addresses its request names.',
    }),
  },
  {
    $id: 'ReleaseInfo',
    description: 'Where messages are released to. Never carries the user name or the password.',
  },
);

export const ReleaseRequestSchema = Type.Object(
  {
    to: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 256, description: 'A recipient, `local@domain`.' }), {
        minItems: 1,
        maxItems: 100,
        description:
          'Envelope recipients. Default: the message’s own envelope recipients, only when `--release-allow` is set; without it, this is required. Every one must match `--release-allow` when it is set.',
      }),
    ),
  },
  { $id: 'ReleaseRequest', additionalProperties: false, description: 'Whom to release the message to.' },
);

export const ReleaseResultSchema = Type.Object(
  {
    server: Type.String({ description: 'The upstream host, as configured.' }),
    port: Type.Integer({ description: 'The port the message went out on.' }),
    tls: Type.Object(
      {
        mode: Type.Union([Type.Literal('starttls'), Type.Literal('implicit'), Type.Literal('none')], {
          description: 'How the connection was secured.',
        }),
        protocol: Type.Union([Type.String(), Type.Null()], {
          description: 'The TLS protocol negotiated, e.g. `TLSv1.3`; null without TLS.',
        }),
      },
      { description: 'The TLS of the connection the message went out on.' },
    ),
    from: Type.String({ description: 'The envelope sender used (empty for the null sender `<>`).' }),
    to: Type.Array(Type.String(), { description: 'The envelope recipients, each accepted by the upstream.' }),
    reply: Type.String({
      description: 'The upstream’s final reply line to the message, e.g. `250 2.0.0 Ok: queued as 4Xb1`.',
    }),
  },
  { $id: 'ReleaseResult', description: 'The message was handed to the upstream server, which accepted it.' },
);

export const ReleaseProblemSchema = Type.Object(
  {
    ...ProblemSchema.properties,
    fix: Type.String({ description: 'What to do about it.' }),
    recipients: Type.Optional(
      Type.Array(Type.String(), { description: 'The recipients that cannot be used (403, 400).' }),
    ),
    allow: Type.Optional(
      Type.Array(Type.String(), { description: 'The `--release-allow` patterns in force (403, 422).' }),
    ),
    server: Type.Optional(Type.String({ description: 'The upstream host (502).' })),
    cause: Type.Optional(
      Type.String({
        description: 'The `mailport explain` cause id of the failure, e.g. `recipient-unknown` (502).',
      }),
    ),
    summary: Type.Optional(Type.String({ description: 'The cause in one sentence (502).' })),
    reply: Type.Optional(
      Type.Union([Type.String(), Type.Null()], {
        description: 'The upstream’s refusal when it answered, e.g. `550 5.1.1 User unknown` (502).',
      }),
    ),
    maybeDelivered: Type.Optional(
      Type.Boolean({
        description:
          'The whole message went out but was never acknowledged: the upstream may have taken it, so check before releasing again (502).',
      }),
    ),
    attempts: Type.Optional(
      Type.Array(
        Type.Object(
          {
            port: Type.Integer({ description: 'The port tried.' }),
            tls: Type.String({ description: '`starttls`, `implicit`, `opportunistic` or `none`.' }),
            error: Type.Union([Type.String(), Type.Null()], { description: 'Why it failed.' }),
          },
          { description: 'One try at the upstream server.' },
        ),
        { description: 'Every port tried, in order (502).' },
      ),
    ),
    transcript: Type.Optional(
      Type.Array(Type.String(), {
        description: 'The SMTP conversation of the last try, AUTH redacted and message data elided (502).',
      }),
    ),
  },
  {
    $id: 'ReleaseProblem',
    additionalProperties: true,
    description: 'Why a release did not happen, with what to do (`fix`).',
  },
);

export const RELEASE_SCHEMAS = [
  ReleaseInfoSchema,
  ReleaseRequestSchema,
  ReleaseResultSchema,
  ReleaseProblemSchema,
];
