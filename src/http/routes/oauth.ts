/**
 * `POST /oauth2/token`: the sandbox's OAuth 2.0 token endpoint (RFC 6749 §3.2), for applications
 * that fetch their own access tokens. Requests are form-encoded as the RFC says (JSON is taken
 * too); answers are RFC 6749's JSON, not problem details, because OAuth client libraries read
 * `error` and `error_description` from them.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { GRANT_TYPES, OAuthError, type TokenRequest } from '../../oauth/token-issuer.js';
import type { ApiInstance, RouteContext } from '../deps.js';

export const TOKEN_PATH = '/oauth2/token';

/** A token request is a few short fields: anything longer is not one. */
const MAX_BODY_BYTES = 64 * 1024;

const FIELDS = [
  'grant_type',
  'refresh_token',
  'client_id',
  'client_secret',
  'username',
  'password',
  'scope',
] as const;

const OAuthErrorSchema = Type.Object(
  {
    error: Type.String({
      description:
        '`invalid_request`, `invalid_client`, `invalid_grant` or `unsupported_grant_type` (RFC 6749 §5.2).',
    }),
    error_description: Type.String({ description: 'What was wrong, and what to send instead.' }),
  },
  { description: 'The request was refused (RFC 6749 §5.2).' },
);

export function registerOAuthRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const { tokenIssuer, logger, metrics } = deps;
  if (!tokenIssuer) return;
  // The form parser is registered in this plugin's own scope, so no other route takes form bodies.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
      (_request, body, done) => done(null, new URLSearchParams(body as string)),
    );
    scope.post(
      TOKEN_PATH,
      {
        bodyLimit: MAX_BODY_BYTES,
        schema: {
          operationId: 'issueOAuthToken',
          tags: ['oauth'],
          summary: 'Issue an OAuth 2.0 access token for SMTP AUTH XOAUTH2 and OAUTHBEARER',
          description: `Form-encoded (or JSON) \`grant_type\`: ${GRANT_TYPES.join(', ')}. The secret is a login's password: the \`refresh_token\`, the \`client_secret\` or the \`password\`; \`client_id\` may be anything, in the body or as the user of an HTTP Basic login. Tokens last \`expires_in\` seconds (\`--oauth-token-lifetime\`). Open even under \`--http-auth\`: it takes its own credentials.`,
          response: {
            200: Type.Object(
              {
                access_token: Type.String({ description: 'The token, for AUTH XOAUTH2 or OAUTHBEARER.' }),
                token_type: Type.Literal('Bearer'),
                expires_in: Type.Integer({ description: 'Seconds the token is valid for.' }),
                scope: Type.Optional(Type.String({ description: 'The scope asked for, when one was.' })),
              },
              { description: 'The access token (RFC 6749 §5.1).' },
            ),
            400: OAuthErrorSchema,
            401: OAuthErrorSchema,
          },
        },
      },
      async (request, reply) => {
        // RFC 6749 §5.1: token responses must not be cached.
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        const basicLogin = clientLogin(request.headers.authorization);
        try {
          const fields = tokenRequest(request.body, basicLogin);
          const { subject, ...token } = tokenIssuer.grant(fields);
          metrics.tokenRequest('issued');
          logger?.info('OAuth token issued', {
            grant: fields.grant_type,
            user: subject ?? '(any login)',
            expiresIn: token.expires_in,
          });
          return token;
        } catch (error) {
          if (!(error instanceof OAuthError)) throw error;
          metrics.tokenRequest(error.code);
          logger?.info('OAuth token refused', { error: error.code, reason: error.description });
          return refuse(reply, error, basicLogin !== null);
        }
      },
    );
  });
}

function refuse(reply: FastifyReply, error: OAuthError, sentBasicLogin: boolean): FastifyReply {
  // RFC 6749 §5.2: a failed client login is a 401, with a challenge if the client used HTTP Basic.
  const status = error.code === 'invalid_client' ? 401 : 400;
  if (status === 401 && sentBasicLogin) reply.header('www-authenticate', 'Basic realm="Mailport OAuth"');
  return reply.code(status).send({ error: error.code, error_description: error.description });
}

/** The client's HTTP Basic login (RFC 6749 §2.3.1: each half form-encoded), or null. */
function clientLogin(header: string | undefined): { id: string; secret: string } | null {
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return null;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}

/** The request's fields from a form or JSON object body, and the HTTP Basic login. */
function tokenRequest(body: unknown, basicLogin: { id: string; secret: string } | null): TokenRequest {
  const pairs: [string, unknown][] =
    body instanceof URLSearchParams
      ? [...body]
      : typeof body === 'object' && body !== null && !Array.isArray(body)
        ? Object.entries(body)
        : [];
  if (pairs.length === 0) {
    throw new OAuthError(
      'invalid_request',
      'The request has no parameters: POST them form-encoded (Content-Type: application/x-www-form-urlencoded), e.g. grant_type=refresh_token&refresh_token=…&client_id=….',
    );
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!(FIELDS as readonly string[]).includes(name)) continue;
    // RFC 6749 §3.2: parameters must not be repeated.
    if (name in fields) throw new OAuthError('invalid_request', `${name} is given more than once.`);
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be a string.`);
    fields[name] = value;
  }
  if (basicLogin !== null) {
    if (fields.client_secret !== undefined) {
      throw new OAuthError(
        'invalid_request',
        'The client authenticated twice (an HTTP Basic login and client_secret in the body): use one.',
      );
    }
    fields.client_id = basicLogin.id;
    fields.client_secret = basicLogin.secret;
  }
  return fields;
}
