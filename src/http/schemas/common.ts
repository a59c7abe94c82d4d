/**
 * Schema building blocks shared by every route. Each schema with an `$id` is registered once with
 * `app.addSchema`, referenced with `ref()`, and appears under `components.schemas` in the OpenAPI
 * document, so validation, serialisation and documentation come from the same definition.
 */
import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/** A `$ref` to a registered schema that keeps the referenced schema's static type. */
export function ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new TypeError('ref() needs a schema with an $id.');
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id));
}

/** `T | null`, documented. */
export function nullable<T extends TSchema>(schema: T, description: string) {
  return Type.Union([schema, Type.Null()], { description });
}

export const AddressValueSchema = Type.Object(
  {
    name: Type.String({ description: 'Display name; empty when the header gave only an address.' }),
    address: Type.String({ description: 'The mailbox, e.g. `alice@example.com`.' }),
  },
  { $id: 'AddressValue', description: 'A mailbox from a message header.' },
);

export const TlsFactsSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('starttls'), Type.Literal('implicit')], {
      description:
        'How TLS was reached: `starttls` (upgrade, RFC 3207) or `implicit` (from the first byte, RFC 8314).',
    }),
    protocol: Type.String({ description: 'Negotiated protocol, e.g. `TLSv1.3`.' }),
    cipher: Type.String({ description: 'Negotiated cipher suite, e.g. `TLS_AES_256_GCM_SHA384`.' }),
    servername: nullable(Type.String(), 'SNI name the client asked for, or null.'),
  },
  { $id: 'TlsFacts', description: 'Facts about the TLS layer of a connection, as negotiated.' },
);

export const AuthFactsSchema = Type.Object(
  {
    user: Type.String({ description: 'Username the client authenticated as. The password is never stored.' }),
    mechanism: Type.String({
      description: 'SASL mechanism used: `PLAIN`, `LOGIN`, `XOAUTH2` or `OAUTHBEARER`.',
    }),
  },
  { $id: 'AuthFacts', description: 'How the client authenticated.' },
);

export const ProfileNameSchema = Type.Union(
  [Type.Literal('relay'), Type.Literal('submissions'), Type.Literal('submission'), Type.Literal('alternate')],
  {
    $id: 'ProfileName',
    description: 'SMTP port profile: relay (25), submissions (465), submission (587), alternate (2525).',
  },
);

export const ListenerRefSchema = Type.Object(
  {
    profile: ref(ProfileNameSchema),
    port: Type.Integer({
      description: 'The port the listener was bound to (0 for messages imported over HTTP).',
    }),
  },
  { $id: 'ListenerRef', description: 'The SMTP listener a connection arrived on.' },
);

export const ClientEndpointSchema = Type.Object(
  {
    address: Type.String({ description: 'IP address of the SMTP client.' }),
    port: Type.Integer({ description: 'Source port of the SMTP client.' }),
  },
  { $id: 'ClientEndpoint', description: 'The remote end of an SMTP connection.' },
);

export const ValidationIssueSchema = Type.Object(
  {
    location: Type.String({
      description: 'Where the invalid value is: `querystring`, `params`, `body` or `headers`.',
    }),
    path: Type.String({
      description: 'JSON pointer to the invalid value inside that location; empty for the whole.',
    }),
    message: Type.String({ description: 'What is wrong with it.' }),
  },
  { $id: 'ValidationIssue', description: 'One problem found while validating a request.' },
);

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({
      description: 'URI naming the kind of problem (RFC 9457 §3.1.1), stable across releases.',
      examples: ['urn:mailport:problem:not-found'],
    }),
    title: Type.String({
      description: 'Short summary of the kind of problem; the same for every occurrence.',
    }),
    status: Type.Integer({ description: 'The HTTP status code of this response.' }),
    detail: Type.String({ description: 'What went wrong this time, and what to do about it.' }),
    instance: Type.String({ description: 'The request path this problem occurred on.' }),
    errors: Type.Optional(
      Type.Array(ref(ValidationIssueSchema), {
        description: 'Only for validation errors: every invalid value.',
      }),
    ),
  },
  {
    $id: 'Problem',
    additionalProperties: true,
    description: 'An RFC 9457 problem details object (`application/problem+json`).',
  },
);

export type Problem = Static<typeof ProblemSchema>;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Documents an error response as `application/problem+json`. */
export function problemResponse(description: string, schema: TSchema = ref(ProblemSchema)) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema } } };
}

export const IdParamsSchema = Type.Object({
  id: Type.String({ description: 'The id of the resource.', minLength: 1, maxLength: 100 }),
});

export const PageQuerySchema = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size (1 to 500).' }),
  ),
  cursor: Type.Optional(
    Type.String({
      maxLength: 500,
      description: 'The `nextCursor` of the previous page, to get the next one.',
    }),
  ),
};

/** A yes/no query flag, written `?download=1` or `?download=true`. */
export function flag(description: string) {
  return Type.Optional(
    Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], {
      description,
    }),
  );
}

export function isFlagSet(value: '1' | 'true' | '0' | 'false' | undefined): boolean {
  return value === '1' || value === 'true';
}

export const COMMON_SCHEMAS = [
  AddressValueSchema,
  TlsFactsSchema,
  AuthFactsSchema,
  ProfileNameSchema,
  ListenerRefSchema,
  ClientEndpointSchema,
  ValidationIssueSchema,
  ProblemSchema,
];
