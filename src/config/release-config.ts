/**
 * The `--release-*` options of `mailport serve`: where a captured message may be released to (a
 * real SMTP server), how to reach it, and which recipients a release may go to. Validated at
 * start-up, so a release never fails for a reason the configuration already showed.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { checkMailbox } from '../protocol/envelope.js';
import type { TlsChoice } from '../send/plan.js';
import type { Credentials } from '../smtp-client/index.js';
import { isLoopbackHost, splitHostPort } from './host-port.js';

export interface ReleaseSettings {
  /** The upstream SMTP server, a name or an IP address. */
  host: string;
  /** null: the decision rule of `mailport send` picks it (587 STARTTLS → 465 implicit → 2525). */
  port: number | null;
  tls: TlsChoice;
  /** AUTH credentials; the password comes only from the environment and is never shown. */
  credentials: Credentials | null;
  /** PEM of `--release-ca`, trusted on top of the system's CAs. */
  ca: string | null;
  /** Envelope sender of every release; null keeps each message's own MAIL FROM. */
  from: string | null;
  /** Recipient globs (`*@example.com`); empty: a release goes only to recipients named in its request. */
  allow: string[];
}

/** The flags as commander hands them over (strings), after env defaults were applied. */
export interface RawReleaseOptions {
  releaseServer?: string;
  releaseTls?: string;
  releaseUser?: string;
  releasePassEnv?: string;
  releaseCa?: string;
  releaseFrom?: string;
  /** Repeated flags, each possibly comma-separated (as `MAILPORT_RELEASE_ALLOW` holds them). */
  releaseAllow?: string[];
}

const TLS_CHOICES: readonly TlsChoice[] = ['auto', 'starttls', 'implicit', 'none'];

const DEPENDENT_FLAGS: ReadonlyArray<[keyof RawReleaseOptions, string]> = [
  ['releaseTls', '--release-tls'],
  ['releaseUser', '--release-user'],
  ['releasePassEnv', '--release-pass-env'],
  ['releaseCa', '--release-ca'],
  ['releaseFrom', '--release-from'],
  ['releaseAllow', '--release-allow'],
];

/** The release settings, or null when `--release-server` is not given (release is off). */
export function resolveReleaseSettings(
  raw: RawReleaseOptions,
  env: NodeJS.ProcessEnv = process.env,
): ReleaseSettings | null {
  if (raw.releaseServer === undefined) {
    const orphan = DEPENDENT_FLAGS.find(([key]) => raw[key] !== undefined);
    if (orphan !== undefined) {
      throw new ConfigError(
        `${orphan[1]} was given without --release-server.`,
        'Add --release-server HOST[:PORT] (MAILPORT_RELEASE_SERVER), the SMTP server messages are released to, e.g. --release-server smtp.example.com:587.',
      );
    }
    return null;
  }
  const server = splitHostPort(raw.releaseServer, true);
  if (server === null) {
    throw new ConfigError(
      `--release-server takes the upstream SMTP server as HOST[:PORT], not "${raw.releaseServer}".`,
      'e.g. --release-server smtp.example.com (587, 465, then 2525 are tried), --release-server smtp.example.com:465 or --release-server [2001:db8::25]:587.',
    );
  }
  const tls = (raw.releaseTls ?? 'auto') as TlsChoice;
  if (!TLS_CHOICES.includes(tls)) {
    throw new ConfigError(
      `--release-tls must be one of ${TLS_CHOICES.join(', ')}, not "${raw.releaseTls}".`,
      'auto: implicit TLS on 465, STARTTLS elsewhere (as `mailport send --tls auto`).',
    );
  }
  const credentials = releaseCredentials(raw, env);
  if (credentials !== null && tls === 'none' && !isLoopbackHost(server.host)) {
    throw new ConfigError(
      `--release-tls none with --release-user would send the password to ${server.host} in cleartext.`,
      'Use --release-tls auto (or starttls, implicit); none is only for a server on this machine.',
    );
  }
  return {
    host: server.host,
    port: server.port,
    tls,
    credentials,
    ca: raw.releaseCa === undefined ? null : readCa(raw.releaseCa),
    from: raw.releaseFrom === undefined ? null : releaseFrom(raw.releaseFrom),
    allow: allowPatterns(raw.releaseAllow ?? []),
  };
}

function releaseCredentials(raw: RawReleaseOptions, env: NodeJS.ProcessEnv): Credentials | null {
  const { releaseUser: user, releasePassEnv: variable } = raw;
  if (user === undefined && variable === undefined) return null;
  if (user === undefined) {
    throw new ConfigError(
      '--release-pass-env was given without --release-user.',
      'Add --release-user USER (often the full e-mail address) for the upstream server.',
    );
  }
  if (variable === undefined) {
    throw new ConfigError(
      `--release-user ${user} was given without --release-pass-env.`,
      'The password is read only from the environment: export RELEASE_PASS=... and add --release-pass-env RELEASE_PASS.',
    );
  }
  const pass = env[variable];
  if (pass === undefined || pass === '') {
    throw new ConfigError(
      `The environment variable ${variable} (from --release-pass-env) is not set.`,
      `export ${variable}=... (the password of ${user} on the upstream server) before starting mailport serve.`,
    );
  }
  return { user, pass };
}

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `--release-ca ${file} cannot be read: ${(error as Error).message}`,
      'Give the path of a PEM file holding the CA certificate that signed the upstream server’s certificate.',
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(
      `--release-ca ${file} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line).`,
      'Give the CA certificate in PEM form, e.g. the ca.pem another Mailport prints, or convert DER with `openssl x509 -inform der -in ca.der -out ca.pem`.',
    );
  }
  return pem;
}

function releaseFrom(value: string): string {
  const address = value.trim();
  if (checkMailbox(address, true).verdict !== 'valid') {
    throw new ConfigError(
      `--release-from takes an e-mail address for the envelope sender, not "${value}".`,
      'e.g. --release-from bounces@example.com; leave it out to keep each message’s own MAIL FROM.',
    );
  }
  return address;
}

function allowPatterns(values: readonly string[]): string[] {
  const patterns = values
    .flatMap((value) => value.split(','))
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  for (const pattern of patterns) {
    // A bare domain would match no address at all: most likely `*@` was meant.
    if (/^[*?]+$/.test(pattern)) {
      throw new ConfigError(
        `--release-allow "${pattern}" has no @: a pattern is a whole address with * and ? wildcards.`,
        "write --release-allow '*@*' to allow every address (anyone who can reach the API may then mail anyone through your server), or --release-allow '*@example.com' for one domain.",
      );
    }
    if (!pattern.includes('@')) {
      throw new ConfigError(
        `--release-allow "${pattern}" matches no address: a pattern is a whole address with * and ? wildcards.`,
        `e.g. --release-allow '*@${pattern.replace(/^[*.@]+/, '') || 'example.com'}' for every address of that domain, or --release-allow qa@example.com for one.`,
      );
    }
  }
  return patterns;
}
