/**
 * Which ports and TLS modes to try, by the decision rule shared with `mailport doctor`: 587 with
 * STARTTLS, else 465 with implicit TLS, else 2525 with STARTTLS; never 25 for submission
 * (RFC 6409, RFC 8314 §3.3).
 */
import type { CauseId } from '../explain/causes.js';
import { IMPLICIT_TLS_PORTS } from '../profiles/port-profiles.js';
import type { SmtpClientError } from '../smtp-client/index.js';

/** What the user asked for: `auto` lets the port decide. */
export type TlsChoice = 'auto' | 'starttls' | 'implicit' | 'none';

/**
 * - `implicit`: TLS from the first byte.
 * - `starttls`: plaintext greeting, STARTTLS required before anything else.
 * - `opportunistic`: STARTTLS when offered, plaintext otherwise (only without credentials).
 * - `none`: never TLS.
 */
export type AttemptTls = 'implicit' | 'starttls' | 'opportunistic' | 'none';

export interface PlannedAttempt {
  port: number;
  tls: AttemptTls;
}

/** One step of the fallback: a port and whether it speaks implicit TLS. */
export interface FallbackPort {
  port: number;
  implicitTls: boolean;
}

/**
 * The decision rule as data. Callers may substitute ports that play the same roles, e.g. a
 * sandbox's 1587 / 1465 / 2525.
 */
export const DEFAULT_FALLBACK: readonly FallbackPort[] = [
  { port: 587, implicitTls: false },
  { port: 465, implicitTls: true },
  { port: 2525, implicitTls: false },
];

export function planAttempts(
  port: number | undefined,
  tls: TlsChoice,
  fallback: readonly FallbackPort[] = DEFAULT_FALLBACK,
): PlannedAttempt[] {
  if (port !== undefined) return [{ port, tls: modeFor(port, IMPLICIT_TLS_PORTS.has(port), tls) }];
  return fallback.map((step) => ({ port: step.port, tls: modeFor(step.port, step.implicitTls, tls) }));
}

function modeFor(port: number, implicitTls: boolean, tls: TlsChoice): AttemptTls {
  if (tls !== 'auto') return tls;
  if (implicitTls) return 'implicit';
  // Port 25 is server-to-server: STARTTLS there is opportunistic (RFC 3207 §4).
  return port === 25 ? 'opportunistic' : 'starttls';
}

/**
 * With `auto` on a port chosen by the user, the port number only guessed the TLS mode. When the
 * server has said clearly that it wants the other one (the wrong-mode causes, named with high
 * confidence), a careful client tries the same port again in that mode. So it does when a
 * plaintext greeting never came: an implicit-TLS server (Postfix with wrappermode) waits in silence
 * for the client's TLS handshake, as a client set up for STARTTLS waits for its greeting.
 */
export function otherTlsModeFor(
  attempt: PlannedAttempt,
  cause: CauseId,
  confidence: number,
  silentGreeting = false,
): PlannedAttempt | null {
  if (attempt.tls === 'starttls' && silentGreeting) return { port: attempt.port, tls: 'implicit' };
  if (confidence < 0.9) return null;
  if (attempt.tls === 'starttls' && cause === 'plaintext-on-implicit-tls-port') {
    return { port: attempt.port, tls: 'implicit' };
  }
  if (attempt.tls === 'implicit' && cause === 'implicit-tls-on-starttls-port') {
    return { port: attempt.port, tls: 'starttls' };
  }
  return null;
}

export function describeAttempt(attempt: PlannedAttempt): string {
  switch (attempt.tls) {
    case 'implicit':
      return 'implicit TLS';
    case 'starttls':
      return 'STARTTLS';
    case 'opportunistic':
      return 'STARTTLS if offered';
    case 'none':
      return 'no TLS';
  }
}

/** The connection opened and no greeting came before the step timeout. */
export function isSilentGreeting(error: SmtpClientError): boolean {
  return error.phase === 'greeting' && error.code === 'ETIMEDOUT';
}
