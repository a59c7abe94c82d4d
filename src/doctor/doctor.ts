/**
 * `mailport doctor HOST`: probes the ports concurrently and puts the findings together with the
 * verdict and ready-to-paste settings.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { MailportError } from '../errors.js';
import type { Credentials } from '../smtp-client/index.js';
import { loadCaCertificates } from './certificate.js';
import { DEFAULT_DOCTOR_PORTS, DEFAULT_STEP_TIMEOUT_MS } from './defaults.js';
import { type ProbeOptions, probePort } from './probe-port.js';
import type { DoctorReport, Finding, PortReport } from './report.js';
import { clientSettings } from './settings.js';
import { recommend } from './verdict.js';

/** A name that is syntactically a domain (RFC 5321 §4.1.1.1) and says who is probing. */
export const DEFAULT_EHLO_NAME = 'mailport-doctor.invalid';

export interface DoctorOptions {
  host: string;
  ports?: readonly number[];
  /** A CA file (PEM) to trust in addition to the system store, e.g. a sandbox's. */
  caFile?: string;
  /** Check certificates against this name instead of the host. */
  servername?: string;
  stepTimeoutMs?: number;
  /** The name sent in EHLO/HELO: the one the user's client sends, to check a server that judges it. */
  ehloName?: string;
  /** A password, or an OAuth 2.0 access token (`token`) sent with XOAUTH2 or OAUTHBEARER. */
  credentials?: Credentials;
  /** The sender to try after AUTH (the application's `from`); by default the login when it is an address. */
  from?: string;
  sendTo?: string;
  /** The clock, replaceable in tests. */
  now?: () => Date;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const caFile = options.caFile ?? null;
  const caPem = caFile === null ? null : await readCa(caFile);
  const report: DoctorReport = {
    host: options.host,
    servername: options.servername ?? options.host,
    caFile,
    checkedAt: (options.now ?? (() => new Date()))().toISOString(),
    timeoutSeconds: stepTimeoutMs / 1000,
    ports: [],
    recommendation: null,
    settings: null,
    findings: [],
  };
  try {
    await lookup(options.host);
  } catch (error) {
    report.findings.push({
      level: 'error',
      cause: 'dns-failure',
      message: `${options.host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'}): check the spelling and the DNS records.`,
      verify: `dig +short ${options.host}`,
    });
    return report;
  }
  const probeOptions: ProbeOptions = {
    host: options.host,
    servername: report.servername,
    caFile,
    caPem,
    caCertificates: caPem === null ? [] : loadCaCertificates(caPem),
    stepTimeoutMs,
    ehloName: options.ehloName ?? DEFAULT_EHLO_NAME,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.from ? { from: options.from } : {}),
    ...(options.sendTo ? { sendTo: options.sendTo } : {}),
    now: options.now ?? (() => new Date()),
  };
  report.ports = await Promise.all(
    (options.ports ?? DEFAULT_DOCTOR_PORTS).map((port) => probePort(port, probeOptions)),
  );
  if (report.ports.some(greetsAsSandbox)) report.findings.push(sandboxProbesNote(probeOptions.ehloName));
  report.recommendation = recommend(report.ports);
  if (report.recommendation) {
    report.settings = clientSettings({
      host: options.host,
      servername: options.servername ?? null,
      recommendation: report.recommendation,
      user: options.credentials?.user ?? null,
      login: options.credentials && 'token' in options.credentials ? 'oauth-token' : 'password',
      caFile,
    });
  }
  return report;
}

/** A Mailport sandbox greets as "HOST ESMTP Mailport ready" (src/protocol/replies.ts). */
function greetsAsSandbox(port: PortReport): boolean {
  return /\bESMTP Mailport ready$/.test(port.banner ?? '');
}

/**
 * Doctor's probes make some mistakes on purpose, and a sandbox records each as a session with
 * problems: the user should know those sessions are doctor's, not the application's.
 */
function sandboxProbesNote(ehloName: string): Finding {
  return {
    level: 'info',
    message: `This is a Mailport sandbox. Doctor's probes make some mistakes on purpose (a TLS handshake on a STARTTLS port, MAIL before AUTH), and the sandbox records each as a session with problems: in its Sessions view and in \`mailport sessions list --problems\`, the sessions of this run (EHLO ${ehloName}, and the TLS handshakes at the same moment) are doctor's, not your application's. \`mailport sessions clear\` (or Clear all in the Sessions view) removes them before your application's next run.`,
  };
}

async function readCa(path: string): Promise<string> {
  try {
    const pem = await readFile(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in the file');
    return pem;
  } catch (error) {
    throw new MailportError('MP_ERR_USAGE', `Cannot use --ca ${path}: ${(error as Error).message}.`, {
      hint: 'give a PEM file holding the CA certificate, e.g. the ca.pem that `mailport serve` prints.',
      cause: error,
    });
  }
}
