/**
 * The CA certificate a command trusts besides the system's: the file given (`--ca`, `--api-ca`), or
 * else, for a loopback host, the CA of a sandbox started from this directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isLoopbackHost } from '../config/host-port.js';
import { MailportError } from '../errors.js';

/**
 * The CA of a Mailport sandbox running from this directory (`mailport serve` keeps it in
 * `<data dir>/tls/ca.pem`), trusted automatically for loopback hosts when no CA file is given.
 */
export function localSandboxCa(host: string): string | undefined {
  // A URL's hostname keeps an IPv6 address in brackets.
  if (!isLoopbackHost(host.replace(/^\[(.*)\]$/, '$1'))) return undefined;
  const path = join(process.env.MAILPORT_DATA_DIR ?? '.mailport', 'tls', 'ca.pem');
  return existsSync(path) ? path : undefined;
}

/** The PEM text of a CA file option; a missing, unreadable or directory path is a usage error. */
export function readCaFile(path: string, option = '--ca'): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new MailportError('MP_ERR_USAGE', `Cannot read ${option} ${path}: ${(error as Error).message}`, {
      hint: 'give a PEM file holding the CA certificate, e.g. the ca.pem that `mailport serve` prints.',
      cause: error,
    });
  }
}

/**
 * What to say when the CA that was trusted did not verify the server: most often the ca.pem of
 * another sandbox (each data dir makes its own), e.g. of an earlier run, while the server is a new
 * one or runs in a container. `picked`: chosen by localSandboxCa, not given by the user.
 */
export function caDidNotVerify(caFile: string, picked: boolean): string {
  const why = picked ? ', trusted because the server is on this machine,' : '';
  return `${caFile}${why} did not verify this server's certificate. Pass the CA that signed it with --ca: for a Mailport sandbox, the ca.pem it printed as "TLS CA" when it started (every data dir makes its own).`;
}
