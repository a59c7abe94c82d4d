/**
 * Errors Mailport raises outside the SMTP protocol (where every failure is an SmtpReply instead).
 * Each code has an anchor in docs/errors.md.
 */
export type MailportErrorCode =
  | 'MP_ERR_CONFIG'
  | 'MP_ERR_PORT_IN_USE'
  | 'MP_ERR_PORT_PRIVILEGED'
  | 'MP_ERR_TLS_MATERIAL'
  | 'MP_ERR_STORAGE'
  | 'MP_ERR_API_UNREACHABLE'
  | 'MP_ERR_API'
  | 'MP_ERR_NOT_FOUND'
  | 'MP_ERR_OAUTH_TOKEN'
  | 'MP_ERR_USAGE';

export class MailportError extends Error {
  override readonly name: string = 'MailportError';
  readonly code: MailportErrorCode;
  /** What the user should do next, shown under the message by the CLI. */
  readonly hint: string | undefined;

  constructor(code: MailportErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/**
 * A listener whose port another process holds. Mailpit and MailHog default to 1025 and 8025 as the
 * sandbox does, so someone moving over often still runs one of them.
 */
export function portInUseError(
  host: string,
  port: number,
  what: string,
  flag: string,
  offMeans: string,
  cause: unknown,
): MailportError {
  return new MailportError(
    'MP_ERR_PORT_IN_USE',
    `Port ${port} on ${host} is already in use, so the ${what} cannot start.`,
    {
      hint: `Stop whatever holds it (\`ss -ltnp 'sport = :${port}'\` shows it: often another mailport serve, or Mailpit or MailHog, which default to 1025 and 8025 too), or pick another port with ${flag} PORT (0 = any free port, off = ${offMeans}).`,
      cause,
    },
  );
}

export class ConfigError extends MailportError {
  override readonly name = 'ConfigError';
  constructor(message: string, hint?: string) {
    super('MP_ERR_CONFIG', message, hint === undefined ? {} : { hint });
  }
}
