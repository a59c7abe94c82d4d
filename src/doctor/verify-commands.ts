/**
 * The manual commands that verify each finding by hand (openssl s_client, swaks, curl, nc), so a
 * person can check what the doctor says without trusting it.
 */
import { isIP } from 'node:net';
import type { Credentials } from '../smtp-client/index.js';

export interface VerifyTarget {
  host: string;
  port: number;
  servername: string;
  caFile: string | null;
}

function hostPort(target: VerifyTarget): string {
  return isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** SNI and the name check: `-servername` only for names (RFC 6066 §3), `-verify_ip` for addresses. */
function nameChecks(target: VerifyTarget): string {
  const ca = target.caFile ? ` -CAfile ${target.caFile}` : '';
  return isIP(target.servername) === 0
    ? ` -servername ${target.servername}${ca} -verify_hostname ${target.servername}`
    : `${ca} -verify_ip ${target.servername}`;
}

export function opensslStartTls(target: VerifyTarget): string {
  return `openssl s_client -starttls smtp -connect ${hostPort(target)}${nameChecks(target)} -brief`;
}

export function opensslImplicit(target: VerifyTarget): string {
  return `openssl s_client -connect ${hostPort(target)}${nameChecks(target)} -brief`;
}

export function opensslFor(target: VerifyTarget, tls: 'implicit' | 'starttls'): string {
  return tls === 'implicit' ? opensslImplicit(target) : opensslStartTls(target);
}

export function swaksEhlo(target: VerifyTarget, tls: 'implicit' | 'starttls' | 'none'): string {
  const flag = tls === 'implicit' ? ' --tls-on-connect' : tls === 'starttls' ? ' --tls' : '';
  return `swaks --server ${target.host} --port ${target.port}${flag} --quit-after EHLO`;
}

/**
 * With the mechanism that worked; without one, swaks picks among those the server offers. With an
 * envelope it goes on to RCPT TO and stops there, so nothing is sent.
 */
export function swaksAuth(
  target: VerifyTarget,
  tls: 'implicit' | 'starttls',
  user: string,
  mechanism: string | null,
  envelope?: { from: string; to: string },
): string {
  const flag = tls === 'implicit' ? '--tls-on-connect' : '--tls';
  const ca = target.caFile ? ` --tls-ca-path ${target.caFile} --tls-verify` : '';
  const auth = mechanism === null ? '--auth' : `--auth ${mechanism}`;
  const until = envelope
    ? `--from '${envelope.from || '<>'}' --to ${envelope.to} --quit-after RCPT`
    : '--quit-after AUTH';
  return `swaks --server ${target.host} --port ${target.port} ${flag}${ca} ${auth} --auth-user ${user} --auth-password "$SMTP_PASS" ${until}`;
}

/**
 * The command that repeats a login: swaks for a password; for an OAuth token, which swaks cannot
 * send, `mailport send` with the token from the environment, to the user's own mailbox.
 */
export function verifyLogin(
  target: VerifyTarget,
  tls: 'implicit' | 'starttls',
  credentials: Credentials,
  mechanism: string | null,
): string {
  if (!('token' in credentials)) return swaksAuth(target, tls, credentials.user, mechanism);
  const ca = target.caFile ? ` --ca ${target.caFile}` : '';
  return `mailport send --server ${hostPort(target)} --tls ${tls}${ca} --user ${credentials.user} --oauth-token-env SMTP_TOKEN --to ${credentials.user} --show-transcript`;
}

export function curlBanner(target: VerifyTarget, tls: 'implicit' | 'starttls' | 'none'): string {
  const scheme = tls === 'implicit' ? 'smtps' : 'smtp';
  const ssl = tls === 'starttls' ? ' --ssl-reqd' : '';
  const ca = target.caFile && tls !== 'none' ? ` --cacert ${target.caFile}` : '';
  return `curl -v ${scheme}://${hostPort(target)}${ssl}${ca} -X NOOP`;
}

export function netcat(target: VerifyTarget): string {
  return `nc -vz -w 5 ${target.host} ${target.port}`;
}
