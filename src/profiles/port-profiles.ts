/**
 * Port profiles: the protocol policy of each SMTP port role, kept as data.
 *
 * Everything the sandbox does differently per port (TLS model, AUTH rule, relay rule) is read from
 * this table; no other module compares port numbers.
 */

export type ProfileName = 'relay' | 'submissions' | 'submission' | 'alternate';

/**
 * - `none`: plaintext only, STARTTLS not offered.
 * - `starttls`: plaintext greeting, STARTTLS offered but optional (RFC 3207 on port 25).
 * - `starttls-required`: plaintext greeting, STARTTLS must come before AUTH and MAIL (RFC 3207 §4, RFC 6409).
 * - `implicit`: TLS from the first byte, no plaintext greeting (RFC 8314 §3.3).
 */
export type TlsMode = 'none' | 'starttls' | 'starttls-required' | 'implicit';

/** `off`: AUTH not offered; `optional`: offered, not needed; `required`: needed before MAIL (RFC 4954 §6, 530 5.7.0). */
export type AuthPolicy = 'off' | 'optional' | 'required';

export interface PortProfile {
  readonly name: ProfileName;
  /** Human label used in logs, the API and the UI. */
  readonly label: string;
  /** The IANA/common port this role lives on in production. */
  readonly standardPort: number;
  /** The unprivileged port the sandbox binds by default. */
  readonly defaultPort: number;
  readonly tls: TlsMode;
  readonly auth: AuthPolicy;
  /**
   * AUTH is advertised and accepted only over TLS. RFC 4954 §4 and RFC 8314 §3 forbid sending
   * credentials in cleartext; strict production servers hide AUTH until STARTTLS.
   */
  readonly authRequiresTls: boolean;
  readonly description: string;
  readonly rfcs: readonly string[];
}

export const PORT_PROFILES: Readonly<Record<ProfileName, PortProfile>> = Object.freeze({
  relay: {
    name: 'relay',
    label: 'relay (25-style)',
    standardPort: 25,
    defaultPort: 1025,
    tls: 'starttls',
    auth: 'optional',
    authRequiresTls: true,
    description:
      'Server-to-server relay: plaintext with optional STARTTLS, no AUTH needed, any recipient accepted.',
    rfcs: ['RFC 5321', 'RFC 3207'],
  },
  submissions: {
    name: 'submissions',
    label: 'submissions (465-style)',
    standardPort: 465,
    defaultPort: 1465,
    tls: 'implicit',
    auth: 'required',
    authRequiresTls: true,
    description:
      'Message submission over implicit TLS: the TLS handshake starts at the first byte, then AUTH.',
    rfcs: ['RFC 8314', 'RFC 4954'],
  },
  submission: {
    name: 'submission',
    label: 'submission (587-style)',
    standardPort: 587,
    defaultPort: 1587,
    tls: 'starttls-required',
    auth: 'required',
    authRequiresTls: true,
    description: 'Message submission: plaintext greeting, STARTTLS, a new EHLO, then AUTH before MAIL.',
    rfcs: ['RFC 6409', 'RFC 3207', 'RFC 4954'],
  },
  alternate: {
    name: 'alternate',
    label: 'alternate (2525-style)',
    standardPort: 2525,
    defaultPort: 2525,
    tls: 'starttls-required',
    auth: 'required',
    authRequiresTls: true,
    description: 'Unofficial alternate submission port, used when 587 and 465 are blocked; behaves as 587.',
    rfcs: ['RFC 6409', 'RFC 3207', 'RFC 4954'],
  },
});

export const PROFILE_NAMES: readonly ProfileName[] = ['relay', 'submissions', 'submission', 'alternate'];

/** Every port that plays a role: the standard one and the sandbox's default stand-in. */
function rolePorts(implicitTls: boolean): ReadonlySet<number> {
  return new Set(
    Object.values(PORT_PROFILES)
      .filter((profile) => (profile.tls === 'implicit') === implicitTls)
      .flatMap((profile) => [profile.standardPort, profile.defaultPort]),
  );
}

/** Ports that speak implicit TLS from the first byte: 465, and the sandbox's 1465. */
export const IMPLICIT_TLS_PORTS = rolePorts(true);
/** Ports that greet in plaintext: 25, 587, 2525, and the sandbox's 1025 and 1587. */
export const PLAINTEXT_GREETING_PORTS = rolePorts(false);

export function isProfileName(value: string): value is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(value);
}

/** True where the client has to upgrade to TLS before it may authenticate or send. */
export function requiresStartTls(profile: PortProfile): boolean {
  return profile.tls === 'starttls-required';
}

/** True where a plaintext greeting is sent (everything but implicit TLS). */
export function greetsInPlaintext(profile: PortProfile): boolean {
  return profile.tls !== 'implicit';
}

export function offersStartTls(profile: PortProfile): boolean {
  return profile.tls === 'starttls' || profile.tls === 'starttls-required';
}
