/**
 * Probes one port: what answers, which TLS mode works (implicit TLS and plaintext/STARTTLS are
 * tried at the same time, since either may be what the port really does), the certificate, the
 * EHLO extensions before and after TLS, whether AUTH is demanded, and, with credentials, whether
 * AUTH succeeds. Credentials are only ever sent over TLS.
 */

import type { X509Certificate } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import type { CauseId } from '../explain/causes.js';
import { explainError } from '../explain/matcher.js';
import {
  type ClientTlsOptions,
  type EhloCapabilities,
  formatReply,
  SmtpClient,
  SmtpClientError,
  type TlsSessionInfo,
} from '../smtp-client/index.js';
import { analyseCertificate } from './certificate.js';
import { clockDriftFinding } from './clock.js';
import { conventionFinding } from './port-conventions.js';
import type { EhloSummary, Finding, PortReport, PortRole } from './report.js';
import { describeService, firstLine, identifyService } from './service.js';
import {
  curlBanner,
  netcat,
  opensslFor,
  swaksAuth,
  swaksEhlo,
  type VerifyTarget,
} from './verify-commands.js';

export interface ProbeOptions {
  host: string;
  servername: string;
  caFile: string | null;
  /** PEM text of the --ca file. */
  caPem: string | null;
  caCertificates: X509Certificate[];
  stepTimeoutMs: number;
  credentials?: { user: string; pass: string };
  /** Send a real test message to this address once AUTH works. */
  sendTo?: string;
  now: () => Date;
}

type Attempt = { ok: true; client: SmtpClient } | { ok: false; error: SmtpClientError };

/** Handshake failures that mean "no TLS version or cipher in common", worth a legacy retry. */
const VERSION_MISMATCH =
  /protocol version|unsupported protocol|no protocols available|handshake failure|legacy sigalg|no shared cipher|version too low/i;
const LEGACY_TLS: ClientTlsOptions = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' };

export async function probePort(port: number, options: ProbeOptions): Promise<PortReport> {
  const report = emptyReport(port);
  const target: VerifyTarget = {
    host: options.host,
    port,
    servername: options.servername,
    caFile: options.caFile,
  };
  const plainCancel = new AbortController();
  const implicitAttempt = attempt(port, true, options).then((result) => {
    // A completed TLS handshake, or a TLS alert, means the port speaks TLS first: a plaintext
    // greeting will never come.
    if (result.ok || result.error.phase !== 'connect' || refusedByTlsAlert(result.error)) plainCancel.abort();
    return result;
  });
  const plainAttempt = attempt(port, false, options, {}, plainCancel.signal);
  const [implicit, plain] = await Promise.all([implicitAttempt, plainAttempt]);

  if (implicit.ok) {
    if (plain.ok) plain.client.close();
    await runSession(implicit.client, report, options, target);
    return finish(report, options);
  }
  if (plain.ok) {
    await runSession(plain.client, report, options, target);
    return finish(report, options);
  }
  if (isVersionMismatch(implicit.error)) {
    const legacy = await attempt(port, true, options, LEGACY_TLS);
    if (legacy.ok) {
      await runSession(legacy.client, report, options, target);
      return finish(report, options);
    }
  }
  await describeFailure(report, implicit.error, plain.error, options, target);
  return finish(report, options);
}

async function attempt(
  port: number,
  implicitTls: boolean,
  options: ProbeOptions,
  extraTls: ClientTlsOptions = {},
  signal?: AbortSignal,
): Promise<Attempt> {
  try {
    const client = await SmtpClient.connect({
      host: options.host,
      port,
      implicitTls,
      tls: tlsOptions(options, extraTls),
      stepTimeoutMs: options.stepTimeoutMs,
      clientName: 'mailport-doctor.invalid',
      ...(signal ? { signal } : {}),
    });
    return { ok: true, client };
  } catch (error) {
    if (error instanceof SmtpClientError) return { ok: false, error };
    throw error;
  }
}

function tlsOptions(options: ProbeOptions, extra: ClientTlsOptions): ClientTlsOptions {
  return {
    servername: options.servername,
    verify: false,
    ...(options.caPem ? { ca: [options.caPem] } : {}),
    ...extra,
  };
}

/** The server answered the ClientHello with a TLS alert (OpenSSL: "SSL alert number N"). */
function refusedByTlsAlert(error: SmtpClientError): boolean {
  return error.code === 'ETLS' && /SSL alert number \d+/.test(describeChain(error));
}

function isVersionMismatch(error: SmtpClientError): boolean {
  return error.code === 'ETLS' && VERSION_MISMATCH.test(describeChain(error));
}

/** The messages of an error and its causes on one line, each said once (a wrapper often repeats its cause). */
function describeChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const message = current.message.replace(/\s+/g, ' ').trim();
    if (!parts.some((part) => part.includes(message))) parts.push(message);
    current = current.cause;
  }
  return parts.join(' | ');
}

async function runSession(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  report.reachability = 'open';
  report.service = 'smtp';
  report.banner = client.greeting ? firstLineOf(client.greeting.raw) : null;
  const drift = report.banner === null ? null : clockDriftFinding(report.banner, options.now());
  if (drift) report.findings.push(drift);
  try {
    let capabilities = await client.ehlo();
    if (client.tlsMode === 'implicit') {
      report.tls = 'implicit';
      report.authBeforeTls = false;
      report.starttlsOffered = capabilities.starttls;
      report.ehloAfterTls = summarise(capabilities);
      add(
        report,
        'ok',
        `Implicit TLS works: the TLS handshake comes first, then the greeting "${report.banner}".`,
        opensslFor(target, 'implicit'),
      );
    } else {
      report.ehloBeforeTls = summarise(capabilities);
      report.starttlsOffered = capabilities.starttls;
      report.authBeforeTls = capabilities.authMechanisms.length > 0;
      add(report, 'ok', `Plaintext SMTP greeting: "${report.banner}".`, swaksEhlo(target, 'none'));
      if (report.authBeforeTls) {
        add(
          report,
          'warning',
          `AUTH (${capabilities.authMechanisms.join(' ')}) is offered before TLS: a client without STARTTLS would send its password in cleartext (RFC 8314 §3).`,
          swaksEhlo(target, 'none'),
        );
      }
      if (capabilities.starttls) {
        const upgraded = await upgrade(client, report, options, target);
        if (!upgraded) {
          await client.quit();
          return;
        }
        capabilities = await client.ehlo();
        report.ehloAfterTls = summarise(capabilities);
      } else {
        report.tls = 'none';
        add(
          report,
          target.port === 25 ? 'info' : 'error',
          'STARTTLS is not offered: mail and passwords would travel unencrypted.',
          swaksEhlo(target, 'none'),
          'starttls-not-offered',
        );
      }
    }
    readCapabilities(report, capabilities);
    if (client.tlsInfo) recordTls(report, client.tlsInfo, options, target);
    await probeAuthRequired(client, report);
    await tryAuthentication(client, report, options, target);
    await client.quit();
  } catch (error) {
    client.close();
    const explanation = explainError(error, { port: target.port });
    add(
      report,
      'error',
      `The session failed: ${(error as Error).message}`,
      swaksEhlo(target, report.tls ?? 'none'),
      explanation.cause,
    );
  }
}

async function upgrade(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<boolean> {
  try {
    await client.startTls();
    report.tls = 'starttls';
    add(report, 'ok', 'STARTTLS works.', opensslFor(target, 'starttls'));
    return true;
  } catch (error) {
    if (!(error instanceof SmtpClientError)) throw error;
    if (isVersionMismatch(error) && (await legacyStartTls(report, options, target))) return false;
    report.tls = 'none';
    const { cause } = explainError(error, { port: target.port });
    add(report, 'error', starttlsFailure(error, cause), opensslFor(target, 'starttls'), cause);
    return false;
  }
}

/** Why STARTTLS, though offered, did not give a TLS session. */
function starttlsFailure(error: SmtpClientError, cause: CauseId): string {
  if (error.reply) return `STARTTLS is offered but the server refuses it: ${formatReply(error.reply)}`;
  // Our STARTTLS was right, so a plaintext answer after the 220 is the server's doing.
  if (cause === 'starttls-not-offered') {
    const after =
      error.code === 'ETIMEDOUT'
        ? `answered nothing to the TLS handshake (${error.message})`
        : 'did not speak TLS (its next bytes were not a TLS record)';
    return `The server answered 220 to STARTTLS but then ${after}: the server is misconfigured, or a firewall doing "SMTP inspection" strips STARTTLS.`;
  }
  // OpenSSL's reason says it; the rest of its error (the raw error queue) is noise here.
  const reason = (error.cause as { reason?: unknown } | undefined)?.reason;
  return `STARTTLS is offered but the TLS handshake fails: ${typeof reason === 'string' ? reason : describeChain(error)}`;
}

/** STARTTLS again with TLS 1.0 allowed, to tell "TLS too old" from other handshake failures. */
async function legacyStartTls(
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<boolean> {
  const legacy = await attempt(target.port, false, options, LEGACY_TLS);
  if (!legacy.ok) return false;
  try {
    await legacy.client.ehlo();
    await legacy.client.startTls();
    report.tls = 'starttls';
    if (legacy.client.tlsInfo) recordTls(report, legacy.client.tlsInfo, options, target);
    readCapabilities(report, await legacy.client.ehlo());
    await legacy.client.quit();
    return true;
  } catch {
    legacy.client.close();
    return false;
  }
}

function recordTls(
  report: PortReport,
  tls: TlsSessionInfo,
  options: ProbeOptions,
  target: VerifyTarget,
): void {
  const mode = report.tls === 'implicit' ? 'implicit' : 'starttls';
  report.tlsVersion = tls.protocol;
  report.tlsCipher = tls.cipher;
  if (tls.protocol && /^(?:TLSv1(?:\.1)?|SSLv[23])$/.test(tls.protocol)) {
    add(
      report,
      'error',
      `The server only negotiates ${tls.protocol}; current clients require TLS 1.2 or newer (RFC 8996) and will refuse it.`,
      opensslFor(target, mode),
      'tls-version-too-old',
    );
  }
  const analysis = analyseCertificate(
    tls,
    { caFile: options.caFile, caCertificates: options.caCertificates },
    options.now(),
    opensslFor(target, mode),
  );
  if (!analysis) return;
  report.certificate = analysis.report;
  report.findings.push(...analysis.findings);
}

function readCapabilities(report: PortReport, capabilities: EhloCapabilities): void {
  report.authMechanisms = capabilities.authMechanisms;
  report.size = capabilities.size;
  report.pipelining = capabilities.pipelining;
  report.smtputf8 = capabilities.smtputf8;
}

/** A recipient at a reserved domain (RFC 2606): a relay accepts it, a submission port wants AUTH first. */
const PROBE_RECIPIENT = 'mailport-doctor-probe@example.com';

/**
 * Does the port demand AUTH? MAIL FROM:<> then RCPT TO a foreign address without AUTH, then RSET
 * (nothing is sent: there is no DATA). 530 at MAIL (RFC 4954 §6), or a 5.7.x refusal at RCPT,
 * means AUTH is required; a recipient accepted without AUTH means the port relays.
 */
async function probeAuthRequired(client: SmtpClient, report: PortReport): Promise<void> {
  if (report.tls === 'none' && report.starttlsOffered) return;
  const mail = await client.command('MAIL FROM:<>', 'mail');
  if (mail.code === 530) {
    report.authRequired = true;
    return;
  }
  if (mail.code !== 250) return;
  const rcpt = await client.command(`RCPT TO:<${PROBE_RECIPIENT}>`, 'rcpt');
  if (rcpt.code === 250 || rcpt.code === 251) report.authRequired = false;
  else if (rcpt.code === 530 || rcpt.enhanced?.startsWith('5.7.')) report.authRequired = true;
  await client.rset();
}

async function tryAuthentication(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  const credentials = options.credentials;
  if (!credentials) return;
  const mode = report.tls === 'implicit' ? 'implicit' : 'starttls';
  if (!client.tlsMode) {
    add(
      report,
      'warning',
      'AUTH not attempted: without TLS the password would travel in cleartext.',
      swaksEhlo(target, 'none'),
    );
    return;
  }
  if (report.authMechanisms.length === 0) {
    report.authOk = false;
    report.authError = { cause: 'auth-mechanism-unsupported', reply: null };
    add(
      report,
      'error',
      'The server offers no AUTH on this port, even over TLS.',
      swaksEhlo(target, mode),
      'auth-mechanism-unsupported',
    );
    return;
  }
  try {
    const mechanism = await client.authenticate(credentials);
    report.authOk = true;
    add(
      report,
      'ok',
      `AUTH ${mechanism} as ${credentials.user} succeeded.`,
      swaksAuth(target, mode, credentials.user),
    );
  } catch (error) {
    if (!(error instanceof SmtpClientError) || error.code !== 'EAUTH') throw error;
    const explanation = explainError(error, { port: target.port });
    report.authOk = false;
    report.authError = { cause: explanation.cause, reply: error.reply?.raw ?? null };
    add(
      report,
      'error',
      `AUTH failed: ${error.message}. ${explanation.summary}`,
      swaksAuth(target, mode, credentials.user),
      explanation.cause,
    );
    return;
  }
  if (options.sendTo) await sendTestMessage(client, report, options, target);
}

async function sendTestMessage(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  const to = options.sendTo ?? '';
  const from = options.credentials?.user.includes('@') ? options.credentials.user : to;
  const message = [
    `From: <${from}>`,
    `To: <${to}>`,
    `Subject: mailport doctor test via ${options.host}:${target.port}`,
    `Date: ${options.now().toUTCString()}`,
    `Message-ID: <doctor-${Date.now()}-${target.port}@mailport.invalid>`,
    '',
    `This message was sent by mailport doctor to check port ${target.port} (${report.tls}).`,
    '',
  ].join('\r\n');
  try {
    await client.mailFrom(from);
    await client.rcptTo(to);
    const reply = await client.data(message);
    report.sendOk = true;
    add(report, 'ok', `Test message to ${to} accepted: ${firstLineOf(reply.raw)}`);
  } catch (error) {
    if (!(error instanceof SmtpClientError)) throw error;
    report.sendOk = false;
    const explanation = explainError(error, { port: target.port });
    const what = error.maybeDelivered
      ? 'The test message went out unacknowledged'
      : 'The test message was refused';
    add(report, 'error', `${what}: ${error.message}`, undefined, explanation.cause);
  }
}

async function describeFailure(
  report: PortReport,
  implicit: SmtpClientError,
  plain: SmtpClientError,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  if (refusedByTlsAlert(implicit)) {
    // An alert is a TLS record: the port speaks TLS from the first byte, and said why it refused
    // (the plaintext attempt was cancelled, so whatever it reports says nothing).
    report.reachability = 'open';
    const unrecognizedName = /unrecognized name|alert number 112\b/i.test(describeChain(implicit));
    add(
      report,
      'error',
      unrecognizedName
        ? `The port speaks implicit TLS but refused the handshake for the name ${options.servername}: the server has no certificate for that name (TLS alert "unrecognized name"). Use the host name its provider documents for SMTP, or pass it with --servername.`
        : `The port speaks implicit TLS, but the server ended the handshake with an alert (${implicit.message}).`,
      opensslFor(target, 'implicit'),
      explainError(implicit, { port: target.port }).cause,
    );
    return;
  }
  if (plain.phase === 'connect') {
    if (plain.code === 'ECONNREFUSED') {
      report.reachability = 'refused';
      add(
        report,
        'error',
        'Connection refused: nothing listens on this port, or a firewall rejects the connection.',
        netcat(target),
        'connection-refused',
      );
    } else if (plain.code === 'ETIMEDOUT') {
      report.reachability = 'timeout';
      add(
        report,
        'error',
        `No answer to the TCP handshake within ${options.stepTimeoutMs / 1000} s: a firewall or the network provider drops this port${
          target.port === 25 ? ' (most clouds and home ISPs block outbound port 25)' : ''
        }.`,
        netcat(target),
        'connection-timeout',
      );
    } else {
      report.reachability = 'timeout';
      add(report, 'error', `Cannot connect: ${plain.message}`, netcat(target), explainError(plain).cause);
    }
    return;
  }
  report.reachability = 'open';
  // The TLS handshake worked but what followed was not an SMTP greeting (e.g. IMAP on 993).
  if (implicit.phase === 'greeting' && implicit.received) {
    nameOtherService(report, implicit.received, true, target);
    return;
  }
  if (plain.phase === 'greeting' && plain.received) {
    nameOtherService(report, plain.received, false, target);
    return;
  }
  if (plain.phase === 'greeting' && plain.reply) {
    report.service = 'smtp';
    report.banner = firstLineOf(plain.reply.raw);
    const explanation = explainError(plain, { port: target.port });
    add(
      report,
      'error',
      `The server refused the session in its greeting: ${report.banner}`,
      swaksEhlo(target, 'none'),
      explanation.cause,
    );
    return;
  }
  if (plain.code === 'ETIMEDOUT' && implicit.code === 'ETLS') {
    const received = await poke(target, options.stepTimeoutMs);
    if (received && received.length > 0) {
      nameOtherService(report, received, false, target);
      return;
    }
  }
  report.reachability = 'no-greeting';
  const tlsWorked = implicit.phase === 'greeting';
  const closedAtOnce = plain.code === 'ECONNRESET' && !tlsWorked;
  add(
    report,
    'error',
    tlsWorked
      ? 'The TLS handshake succeeded but no SMTP greeting followed within the timeout.'
      : closedAtOnce
        ? 'The server closed the connection without a greeting, in plaintext and when TLS was tried: it refuses this client (an access rule, a blocklist such as fail2ban, a connection limit), or the service behind the port is down (a proxy or load balancer accepting for a dead backend).'
        : `Connected, but no greeting within ${options.stepTimeoutMs / 1000} s, in plaintext or after a TLS handshake: the server is stuck or overloaded, or a proxy accepts connections without forwarding them.`,
    curlBanner(target, tlsWorked ? 'implicit' : 'none'),
    'no-greeting',
  );
}

function nameOtherService(
  report: PortReport,
  received: Buffer,
  overTls: boolean,
  target: VerifyTarget,
): void {
  const service = identifyService(received);
  report.service = service === 'smtp' ? 'unknown' : service;
  report.banner = firstLine(received);
  add(
    report,
    'error',
    `This port answers with ${describeService(service, overTls)}: "${report.banner}". SMTP submission is 587 (STARTTLS) or 465 (implicit TLS).`,
    overTls ? opensslFor(target, 'implicit') : netcat(target),
    'not-smtp',
  );
}

/**
 * Speaks first on a port that stayed silent, to name servers that wait for the client (HTTP
 * answers `EHLO` with `400 Bad Request`). Only used after the polite probes have timed out.
 */
function poke(target: VerifyTarget, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: target.host, port: target.port });
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(chunks.length > 0 ? Buffer.concat(chunks) : null);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('connect', () => socket.write('EHLO mailport-doctor.invalid\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Buffer.concat(chunks).includes(0x0a)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

function finish(report: PortReport, options: ProbeOptions): PortReport {
  report.role = roleOf(report);
  const surprise = report.service === 'smtp' ? conventionFinding(report.port, report.tls) : null;
  if (surprise) report.findings.push(surprise);
  const certificateOk = report.certificate !== null && report.certificate.problems.length === 0;
  const modernTls = report.tlsVersion !== null && !/^(?:TLSv1(?:\.1)?|SSLv[23])$/.test(report.tlsVersion);
  const authAcceptable = options.credentials === undefined || report.authOk === true;
  report.usable =
    report.service === 'smtp' &&
    (report.tls === 'starttls' || report.tls === 'implicit') &&
    certificateOk &&
    modernTls &&
    report.port !== 25 &&
    report.role !== 'relay' &&
    authAcceptable &&
    report.sendOk !== false;
  if (report.port === 25 && report.service === 'smtp') {
    add(
      report,
      'info',
      'Port 25 is for server-to-server relay (MX); applications should submit on 587 or 465 (RFC 6409, RFC 8314).',
    );
  } else if (report.role === 'relay' && report.service === 'smtp') {
    add(
      report,
      'info',
      'This port accepts MAIL without AUTH: it behaves as a relay (25-style), not as a submission port.',
    );
  }
  return report;
}

function roleOf(report: PortReport): PortRole | null {
  if (report.service !== 'smtp' || report.tls === null) return null;
  if (report.port === 25 || report.authRequired === false) return 'relay';
  if (report.tls === 'implicit') return 'submissions';
  if (report.port === 2525) return 'alternate';
  return 'submission';
}

function summarise(capabilities: EhloCapabilities): EhloSummary {
  return {
    extensions: Object.entries(capabilities.extensions).map(([name, params]) => [name, ...params].join(' ')),
    authMechanisms: capabilities.authMechanisms,
  };
}

/** `220-mail.example.com ESMTP` of a multi-line reply reads as `220 mail.example.com ESMTP`. */
function firstLineOf(raw: string): string {
  return (raw.split('\n')[0] ?? '').replace(/^(\d{3})-/, '$1 ').trimEnd();
}

function add(
  report: PortReport,
  level: Finding['level'],
  message: string,
  verify?: string,
  cause?: Finding['cause'],
): void {
  report.findings.push({
    level,
    ...(cause ? { cause } : {}),
    message,
    ...(verify ? { verify } : {}),
  });
}

function emptyReport(port: number): PortReport {
  return {
    port,
    reachability: 'no-greeting',
    service: null,
    tls: null,
    tlsVersion: null,
    tlsCipher: null,
    certificate: null,
    banner: null,
    starttlsOffered: null,
    ehloBeforeTls: null,
    ehloAfterTls: null,
    authBeforeTls: null,
    authMechanisms: [],
    authRequired: null,
    authOk: null,
    authError: null,
    sendOk: null,
    size: null,
    pipelining: null,
    smtputf8: null,
    role: null,
    usable: false,
    findings: [],
  };
}
