/**
 * Option parsing shared by the client-side commands (doctor, send, explain): ports, timeouts,
 * and passwords that never appear on the command line when `--pass-env` is used.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { MailportError } from '../../errors.js';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port: give a whole number from 1 to 65535.`);
  }
  return port;
}

/** `587,465,2525,25` → [587, 465, 2525, 25] (duplicates dropped, order kept). */
export function parsePortList(value: string): number[] {
  const ports = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(parsePort);
  if (ports.length === 0) throw new InvalidArgumentError('Give at least one port, e.g. --ports 587,465.');
  return [...new Set(ports)];
}

/**
 * An EHLO name as clients send them: a domain, a bare machine name or an address literal
 * (`[192.0.2.1]`); anything with spaces or line breaks would be a second command.
 */
export function parseEhloName(value: string): string {
  if (
    !/^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?|\[[0-9A-Fa-f.:]+\]|\[IPv6:[0-9A-Fa-f.:]+\])$/.test(value)
  ) {
    throw new InvalidArgumentError(
      `"${value}" is not an EHLO name: give a host name (app01.example.com) or an address literal ([192.0.2.1]).`,
    );
  }
  return value;
}

/** Seconds (fractions allowed) → milliseconds. */
export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 600) {
    throw new InvalidArgumentError(`"${value}" is not a timeout: give seconds from 0.1 to 600.`);
  }
  return Math.round(seconds * 1000);
}

/**
 * The password from `--pass` or from the environment variable named by `--pass-env` (preferred:
 * it stays out of shell history and process listings). Never printed.
 */
export function resolvePassword(options: {
  user?: string;
  pass?: string;
  passEnv?: string;
}): string | undefined {
  if (options.pass !== undefined && options.passEnv !== undefined) {
    throw new MailportError('MP_ERR_USAGE', 'Give either --pass or --pass-env, not both.', {
      hint: '--pass-env VAR reads the password from the environment variable VAR and keeps it out of shell history.',
    });
  }
  let pass = options.pass;
  if (options.passEnv !== undefined) {
    pass = process.env[options.passEnv];
    if (pass === undefined) {
      throw new MailportError(
        'MP_ERR_USAGE',
        `The environment variable ${options.passEnv} (from --pass-env) is not set.`,
        {
          hint: `export ${options.passEnv}=... before running the command.`,
        },
      );
    }
  }
  if (pass !== undefined && options.user === undefined) {
    throw new MailportError('MP_ERR_USAGE', 'A password was given without --user.', {
      hint: 'add --user USERNAME (often the full e-mail address).',
    });
  }
  if (options.user !== undefined && pass === undefined) {
    throw new MailportError('MP_ERR_USAGE', `--user ${options.user} was given without a password.`, {
      hint: 'add --pass-env VAR (or --pass PASSWORD).',
    });
  }
  return pass;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * The CA of a Mailport sandbox running from this directory (`mailport serve` keeps it in
 * `<data dir>/tls/ca.pem`), trusted automatically for loopback hosts when no --ca is given.
 */
export async function localSandboxCa(host: string): Promise<string | undefined> {
  if (!LOOPBACK_HOSTS.has(host) && !host.startsWith('127.')) return undefined;
  const path = join(process.env.MAILPORT_DATA_DIR ?? '.mailport', 'tls', 'ca.pem');
  try {
    await access(path);
    return path;
  } catch {
    return undefined;
  }
}

/** The PEM text of `--ca FILE`; a missing, unreadable or directory path is a usage error. */
export async function readCaFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new MailportError('MP_ERR_USAGE', `Cannot read --ca ${path}: ${(error as Error).message}`, {
      hint: 'give a PEM file holding the CA certificate, e.g. the ca.pem that `mailport serve` prints.',
      cause: error,
    });
  }
}
