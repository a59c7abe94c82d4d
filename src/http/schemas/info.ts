/** Schema of `GET /api/v1/info`. Field docs mirror ServerInfo in src/domain/types.ts. */
import { Type } from '@sinclair/typebox';
import { nullable, ProfileNameSchema, ref } from './common.js';
import { ReleaseInfoSchema } from './release.js';

export const ListenerInfoSchema = Type.Object(
  {
    profile: ref(ProfileNameSchema),
    label: Type.String({ description: 'Human label, e.g. `submission (587-style)`.' }),
    host: Type.String({ description: 'Address the listener is bound to.' }),
    port: Type.Integer({ description: 'The bound port (the real one when started with port 0).' }),
    standardPort: Type.Integer({
      description: 'The production port this profile stands for (25, 465, 587, 2525).',
    }),
    tls: Type.Union(
      [
        Type.Literal('none'),
        Type.Literal('starttls'),
        Type.Literal('starttls-required'),
        Type.Literal('implicit'),
      ],
      {
        description:
          'TLS model: none, optional STARTTLS, STARTTLS required before AUTH/MAIL, or implicit TLS.',
      },
    ),
    auth: Type.Union([Type.Literal('off'), Type.Literal('optional'), Type.Literal('required')], {
      description: 'AUTH policy: not offered, optional, or required before MAIL.',
    }),
  },
  { $id: 'ListenerInfo', description: 'One SMTP listener and its policy.' },
);

export const ServerInfoSchema = Type.Object(
  {
    version: Type.String({ description: 'Mailport version.' }),
    hostname: Type.String({ description: 'Name used in the SMTP greeting and the server certificate.' }),
    listeners: Type.Array(ref(ListenerInfoSchema), { description: 'The SMTP listeners that are running.' }),
    http: Type.Object(
      {
        host: Type.String({ description: 'Address the HTTP API is bound to.' }),
        port: Type.Integer({ description: 'The bound HTTP port.' }),
        url: Type.String({ description: 'Base URL of the API and UI.' }),
        authRequired: Type.Boolean({
          description:
            'Whether every route but `/healthz` and `/oauth2/token` asks for an HTTP Basic login (`--http-auth`, `--http-auth-file`); the logins themselves are never shown.',
        }),
      },
      { description: 'Where the HTTP API listens.' },
    ),
    tls: Type.Object(
      {
        caPath: Type.String({ description: 'Path of the CA certificate clients must trust.' }),
        caPem: Type.String({ description: 'The CA certificate, PEM-encoded.' }),
        trustHint: Type.String({ description: 'Environment variable line that makes Node trust the CA.' }),
      },
      { description: 'The local certificate authority that signed the server certificate.' },
    ),
    auth: Type.Object(
      {
        mode: Type.Union([Type.Literal('default'), Type.Literal('configured'), Type.Literal('any')], {
          description:
            '`default`: the built-in pair; `configured`: pairs from --auth; `any`: any credentials accepted.',
        }),
        users: Type.Array(Type.String(), {
          description: 'Usernames that may authenticate (never passwords).',
        }),
        defaultCredentials: nullable(
          Type.Object(
            {
              user: Type.String({ description: 'The built-in username.' }),
              pass: Type.String({ description: 'The built-in password (public knowledge, not a secret).' }),
            },
            { description: 'The built-in pair.' },
          ),
          'Only in `default` mode: the built-in pair; null otherwise.',
        ),
        senderMustMatchLogin: Type.Boolean({
          description:
            'With --sender-must-match-login: after AUTH, a MAIL FROM other than the login itself gets `553 5.7.1`.',
        }),
        oauth: Type.Object(
          {
            tokenUrl: nullable(
              Type.String(),
              'URL of the OAuth 2.0 token endpoint (`POST /oauth2/token`); null without the HTTP API.',
            ),
            tokenLifetimeSeconds: Type.Integer({
              description: '`expires_in` of the tokens it issues (`--oauth-token-lifetime`).',
            }),
          },
          {
            description:
              "Where applications fetch access tokens for AUTH XOAUTH2 and OAUTHBEARER: the refresh token, client secret or password is a login's password.",
          },
        ),
      },
      { description: 'How SMTP AUTH is checked.' },
    ),
    limits: Type.Object(
      {
        maxMessageSize: Type.Integer({ description: 'Largest message accepted, in bytes (SIZE, RFC 1870).' }),
        maxRecipients: Type.Integer({ description: 'Most recipients accepted per message.' }),
        maxConnections: Type.Integer({ description: 'Most simultaneous SMTP connections.' }),
        idleTimeoutSeconds: Type.Integer({
          description: 'Seconds of silence before a connection is closed.',
        }),
        maxMessages: Type.Integer({
          description: 'Messages kept before the oldest are pruned; 0 for unlimited.',
        }),
        maxSessions: Type.Integer({
          description: 'SMTP sessions kept before the oldest are pruned; 0 for unlimited.',
        }),
      },
      { description: 'Server limits.' },
    ),
    storage: Type.Object(
      {
        engine: Type.String({ description: 'Storage engine, e.g. `sqlite`.' }),
        dataDir: nullable(Type.String(), 'Directory holding the data, or null when not on disk.'),
      },
      { description: 'Where messages are stored.' },
    ),
    release: nullable(
      ref(ReleaseInfoSchema),
      'Where `POST /api/v1/messages/{id}/release` sends messages, or null when release is off (no `--release-server`).',
    ),
  },
  { $id: 'ServerInfo', description: 'What the sandbox is running and how to connect to it.' },
);

export const INFO_SCHEMAS = [ListenerInfoSchema, ServerInfoSchema];
