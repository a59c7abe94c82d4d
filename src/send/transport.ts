/**
 * `createMailportTransport`: a nodemailer transport that applies Mailport's decision rule. With a
 * port it configures TLS the way that port needs (465 implicit TLS, anything else STARTTLS
 * required); without one it tries 587 → 465 → 2525 and keeps the first that connects. Only
 * connection-level failures (refused, timed out, wrong TLS mode) move on to the next port.
 */
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { type FallbackPort, type PlannedAttempt, planAttempts, type TlsChoice } from './plan.js';

export interface MailportTransportOptions {
  host: string;
  /** Without a port: 587 (STARTTLS), then 465 (implicit TLS), then 2525 (STARTTLS). */
  port?: number;
  /** Default `auto`: the port decides. */
  tls?: TlsChoice;
  /** Ports standing in for 587 / 465 / 2525 when no port is given, e.g. a sandbox's 1587 / 1465 / 2525. */
  fallback?: readonly FallbackPort[];
  auth?: { user: string; pass: string };
  /** Extra CA certificates (PEM) to trust, e.g. a sandbox CA. */
  ca?: string | string[];
  /** Certificate name to check when it differs from `host`. */
  servername?: string;
  /** Per-step timeout in milliseconds (connect, greeting, each reply). Default 10 000. */
  timeoutMs?: number;
  /** Called when a port fails and the next one is tried. */
  onFallback?: (failed: { port: number; tls: string; error: Error }) => void;
}

/** nodemailer error codes that mean "this port/TLS mode does not work here", not "this mail is wrong". */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'ETLS',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
]);

export interface SentInfo extends SMTPTransport.SentMessageInfo {
  /** The port and TLS mode that delivered the message. */
  mailport: { port: number; tls: string };
}

export function createMailportTransport(options: MailportTransportOptions): Transporter<SentInfo> {
  const plan = planAttempts(options.port, options.tls ?? 'auto', options.fallback);
  const candidates = plan.map((attempt) => ({
    attempt,
    transporter: nodemailer.createTransport(smtpOptions(options, attempt)),
  }));
  let working: (typeof candidates)[number] | null = null;

  const transport = {
    name: 'Mailport',
    version: '1',
    send(mail: { data: SendMailOptions }, callback: (error: Error | null, info?: SentInfo) => void): void {
      sendWithFallback(mail.data).then(
        (info) => callback(null, info),
        (error: Error) => callback(error),
      );
    },
    // nodemailer passes `transporter.verify()` straight through: without a callback the caller
    // awaits what this returns.
    verify(callback?: (error: Error | null, success?: true) => void): Promise<true> | undefined {
      const verified = verifyWithFallback().then(() => true as const);
      if (!callback) return verified;
      verified.then(
        (success) => callback(null, success),
        (error: Error) => callback(error),
      );
      return undefined;
    },
    close(): void {
      for (const candidate of candidates) candidate.transporter.close();
    },
  };

  async function sendWithFallback(data: SendMailOptions): Promise<SentInfo> {
    const order = working
      ? [working, ...candidates.filter((candidate) => candidate !== working)]
      : candidates;
    let lastError: Error | null = null;
    for (const candidate of order) {
      try {
        const info = await candidate.transporter.sendMail(data);
        working = candidate;
        return { ...info, mailport: { port: candidate.attempt.port, tls: candidate.attempt.tls } };
      } catch (error) {
        lastError = error as Error;
        if (!isConnectionError(lastError)) throw lastError;
        options.onFallback?.({ port: candidate.attempt.port, tls: candidate.attempt.tls, error: lastError });
      }
    }
    throw lastError ?? new Error('No port to try.');
  }

  async function verifyWithFallback(): Promise<void> {
    let lastError: Error | null = null;
    for (const candidate of candidates) {
      try {
        await candidate.transporter.verify();
        working = candidate;
        return;
      } catch (error) {
        lastError = error as Error;
        if (!isConnectionError(lastError)) throw lastError;
        options.onFallback?.({ port: candidate.attempt.port, tls: candidate.attempt.tls, error: lastError });
      }
    }
    throw lastError ?? new Error('No port to try.');
  }

  return nodemailer.createTransport(
    transport as unknown as SMTPTransport,
  ) as unknown as Transporter<SentInfo>;
}

function isConnectionError(error: Error): boolean {
  const code = (error as { code?: string }).code;
  return code !== undefined && CONNECTION_ERROR_CODES.has(code);
}

function smtpOptions(options: MailportTransportOptions, attempt: PlannedAttempt): SMTPTransport.Options {
  const timeout = options.timeoutMs ?? 10_000;
  const ca = options.ca === undefined ? undefined : Array.isArray(options.ca) ? options.ca : [options.ca];
  return {
    host: options.host,
    port: attempt.port,
    // nodemailer's `secure` means implicit TLS from the first byte.
    secure: attempt.tls === 'implicit',
    requireTLS: attempt.tls === 'starttls',
    ignoreTLS: attempt.tls === 'none',
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    ...(options.auth ? { auth: options.auth } : {}),
    tls: {
      ...(ca ? { ca } : {}),
      ...(options.servername ? { servername: options.servername } : {}),
      minVersion: 'TLSv1.2',
    },
  };
}
