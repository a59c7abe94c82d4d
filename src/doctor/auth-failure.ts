/**
 * Why AUTH failed, in the doctor's words: explain's answer, corrected by what the doctor knows and
 * an error text alone does not say. A 4xx reply is transient (RFC 4954 §6: 454 4.7.0 "temporary
 * authentication failure"), so it never means a wrong password; and the doctor authenticates only
 * over TLS, so a server asking for encryption first (538, RFC 4954 §6) does not see that TLS.
 */
import type { CauseId, Explanation } from '../explain/causes.js';
import { describeError, explainError, explanationFor, matchRules } from '../explain/matcher.js';
import { type SmtpClientError, SUPPORTED_MECHANISMS, TOKEN_MECHANISMS } from '../smtp-client/index.js';
import { withFix } from './fix.js';

export function authFailure(
  error: SmtpClientError,
  port: number,
  tlsProtocol: string | null,
): { message: string; cause: CauseId } {
  const transient = error.reply !== null && error.reply.code >= 400 && error.reply.code < 500;
  const explanation = transient ? transientExplanation(error, port) : explainError(error, { port });
  const failed = `AUTH failed: ${error.message}`;
  if (transient) {
    return {
      message: withFix(
        `${failed}. That is a temporary refusal (a 4xx reply): the server did not check the password, so it is not known to be wrong`,
        explanation,
      ),
      cause: explanation.cause,
    };
  }
  if (explanation.cause === 'auth-before-starttls') {
    return {
      message: `${failed}. The server asks for encryption before AUTH, yet this session is encrypted (${tlsProtocol ?? 'TLS'}): the server does not see the TLS, as when a proxy or load balancer ends TLS in front of it and passes the session on in plaintext. Its operator must make it trust that proxy, or do TLS itself; no client setting fixes it.`,
      cause: explanation.cause,
    };
  }
  return { message: withFix(failed, explanation), cause: explanation.cause };
}

/** Explain's best answer other than "wrong password"; a temporary failure when it has none. */
function transientExplanation(error: SmtpClientError, port: number): Explanation {
  const match = matchRules(describeError(error), { port }).find(
    (candidate) => candidate.cause !== 'auth-failed' && candidate.cause !== 'unknown',
  );
  return match
    ? explanationFor(match.cause, match.confidence, match.rule.fix)
    : explanationFor('temporary-failure', 0.5);
}

/** What each password-less mechanism needs instead of a password. */
const MECHANISM_NEEDS: Record<string, string> = {
  XOAUTH2:
    'XOAUTH2 takes an OAuth2 access token (Gmail, Microsoft 365 with basic auth turned off): configure OAuth2 in the client, e.g. nodemailer `auth: { type: "OAuth2", user, accessToken }`, and check a token here with `--oauth-token-env VAR` instead of a password',
  OAUTHBEARER: 'OAUTHBEARER takes an OAuth2 bearer token (RFC 7628): check one with `--oauth-token-env VAR`',
  GSSAPI: 'GSSAPI is a Kerberos login from a machine in the Windows or Kerberos domain',
  NTLM: 'NTLM is a Windows-domain login (Exchange on-premises): the operator can enable Basic authentication (LOGIN) on the receive connector for password clients',
};

/**
 * The server offers AUTH, but only mechanisms that take no password: a username and password will
 * not log in here, whatever they are. Null when a password mechanism is among those offered.
 */
export function noPasswordMechanism(offered: readonly string[]): string | null {
  if (
    offered.length === 0 ||
    offered.some((name) => (SUPPORTED_MECHANISMS as readonly string[]).includes(name))
  )
    return null;
  const needs = offered.map((name) => MECHANISM_NEEDS[name]).filter((need) => need !== undefined);
  return `The server offers only AUTH ${offered.join(' ')}, no password mechanism (PLAIN, LOGIN or CRAM-MD5): a username and password cannot log in here.${needs.length > 0 ? ` ${needs.join('; ')}.` : ''}`;
}

/** The server offers AUTH, but neither XOAUTH2 nor OAUTHBEARER: an OAuth token cannot log in here. */
export function noTokenMechanism(offered: readonly string[]): string | null {
  if (offered.length === 0 || offered.some((name) => (TOKEN_MECHANISMS as readonly string[]).includes(name)))
    return null;
  return `The server offers AUTH ${offered.join(' ')}, neither XOAUTH2 nor OAUTHBEARER: it takes no OAuth 2.0 token. Log in with a password instead (--pass-env), or use the provider's OAuth-enabled host (smtp.office365.com, smtp.gmail.com).`;
}
