/**
 * The manual commands that verify each finding by hand (openssl s_client, swaks, curl, nc), so a
 * person can check what the doctor says without trusting it.
 */
import { isIP } from 'node:net';

export interface VerifyTarget {
  host: string;
  port: number;
  servername: string;
  caFile: string | null;
}

function hostPort(target: VerifyTarget): string {
  return isIP(target.host) === 6 ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

export function opensslStartTls(target: VerifyTarget): string {
  const ca = target.caFile ? ` -CAfile ${target.caFile}` : '';
  return `openssl s_client -starttls smtp -connect ${hostPort(target)} -servername ${target.servername}${ca} -verify_hostname ${target.servername} -brief`;
}

export function opensslImplicit(target: VerifyTarget): string {
  const ca = target.caFile ? ` -CAfile ${target.caFile}` : '';
  return `openssl s_client -connect ${hostPort(target)} -servername ${target.servername}${ca} -verify_hostname ${target.servername} -brief`;
}

export function opensslFor(target: VerifyTarget, tls: 'implicit' | 'starttls'): string {
  return tls === 'implicit' ? opensslImplicit(target) : opensslStartTls(target);
}

export function swaksEhlo(target: VerifyTarget, tls: 'implicit' | 'starttls' | 'none'): string {
  const flag = tls === 'implicit' ? ' --tls-on-connect' : tls === 'starttls' ? ' --tls' : '';
  return `swaks --server ${target.host} --port ${target.port}${flag} --quit-after EHLO`;
}

export function swaksAuth(target: VerifyTarget, tls: 'implicit' | 'starttls', user: string): string {
  const flag = tls === 'implicit' ? '--tls-on-connect' : '--tls';
  const ca = target.caFile ? ` --tls-ca-path ${target.caFile} --tls-verify` : '';
  return `swaks --server ${target.host} --port ${target.port} ${flag}${ca} --auth PLAIN --auth-user ${user} --auth-password "$SMTP_PASS" --quit-after AUTH`;
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
