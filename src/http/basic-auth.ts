/**
 * HTTP Basic authentication (RFC 7617) in front of every route but `/healthz` and the OAuth token
 * endpoint: the API, the web UI's files, the event stream, `/metrics` and the OpenAPI document.
 * Browsers prompt for the login on the 401 and send it with the UI's own requests from then on.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, sendProblem } from './problem.js';
import { TOKEN_PATH } from './routes/oauth.js';
import { problemResponse } from './schemas/common.js';

/** The challenge of every 401: the realm names the sandbox, and credentials are read as UTF-8. */
export const BASIC_CHALLENGE = 'Basic realm="Mailport", charset="UTF-8"';

/**
 * Liveness probes (Docker, Kubernetes) carry no credentials, and `/healthz` tells nothing but "ok".
 * The OAuth token endpoint takes its own credentials (a login's password), and its clients send
 * their client ID and secret as the HTTP Basic login.
 */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz', TOKEN_PATH]);

const TOKEN68 = /^[A-Za-z0-9+/]+={0,2}$/;

const HOW_TO_LOG_IN =
  'Send HTTP Basic credentials: a browser asks for them, `curl -u USER:PASS` sends them, and the mailport CLI takes them in `--api http://USER:PASS@HOST:PORT`.';

/** The OpenAPI security scheme of a sandbox that asks for a login (app.ts declares it). */
export const SECURITY_SCHEME_NAME = 'basicAuth';

export const SECURITY_SCHEME = {
  type: 'http',
  scheme: 'basic',
  description:
    'The login of `mailport serve --http-auth`; every route but `/healthz` and `/oauth2/token` asks for it.',
} as const;

const LOGIN_REQUIRED = problemResponse(
  'No login, or not one of `--http-auth`; `WWW-Authenticate: Basic realm="Mailport", charset="UTF-8"` asks for it.',
);

interface HashedLogin {
  user: Buffer;
  pass: Buffer;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Asks every request but those to OPEN_ROUTES for one of `users` (name → password). */
export function requireBasicAuth(app: FastifyInstance, users: ReadonlyMap<string, string>): void {
  // Compared as digests: equal lengths for timingSafeEqual whatever was sent, and no password
  // length leaks through the comparison.
  const logins: HashedLogin[] = [...users].map(([user, pass]) => ({
    user: sha256(user),
    pass: sha256(pass),
  }));
  // The OpenAPI document says which routes ask for the login, and what they answer without it.
  app.addHook('onRoute', ({ url, schema }) => {
    if (schema === undefined || OPEN_ROUTES.has(url)) return;
    const response = (schema.response ?? {}) as Record<string, unknown>;
    response['401'] ??= LOGIN_REQUIRED;
    schema.response = response;
    Object.assign(schema, { security: [{ [SECURITY_SCHEME_NAME]: [] }] });
  });
  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
    if (OPEN_ROUTES.has(request.routeOptions.url ?? '')) return done();
    const refusal = refusalOf(request.headers.authorization, logins);
    if (refusal === null) return done();
    sendProblem(
      reply,
      request,
      new HttpProblem(401, `${refusal} ${HOW_TO_LOG_IN}`, {
        headers: { 'www-authenticate': BASIC_CHALLENGE },
      }),
    );
  });
}

/** Why `header` does not let the request in, or null when it carries one of `logins`. */
function refusalOf(header: string | undefined, logins: readonly HashedLogin[]): string | null {
  if (header === undefined || header.trim() === '')
    return 'This sandbox asks for a login (mailport serve --http-auth).';
  const [scheme = '', token = '', ...rest] = header.trim().split(/ +/);
  if (scheme.toLowerCase() !== 'basic')
    return 'This sandbox takes HTTP Basic credentials only (Authorization: Basic base64(USER:PASS)).';
  const decoded =
    rest.length === 0 && TOKEN68.test(token) ? Buffer.from(token, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon === -1) return 'The Authorization header is not Basic base64(USER:PASS).';
  return matchesAny(decoded.slice(0, colon), decoded.slice(colon + 1), logins)
    ? null
    : 'The username or password is wrong.';
}

/** Checks every login, without stopping at a match, so the time taken says nothing about which. */
function matchesAny(user: string, pass: string, logins: readonly HashedLogin[]): boolean {
  const userHash = sha256(user);
  const passHash = sha256(pass);
  let matched = false;
  for (const login of logins) {
    const userMatches = timingSafeEqual(userHash, login.user);
    const passMatches = timingSafeEqual(passHash, login.pass);
    matched = (userMatches && passMatches) || matched;
  }
  return matched;
}
