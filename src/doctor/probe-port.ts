/**
 * Probes one port: what answers, which TLS mode works (implicit TLS and plaintext/STARTTLS are
 * tried at the same time, since either may be what the port really does), the certificate, the
 * EHLO extensions before and after TLS, whether AUTH is demanded, and, with credentials, whether
 * AUTH succeeds. Credentials are only ever sent over TLS. Every step checks that the server's
 * replies are still in step with the commands, so a malformed reply is reported, not misread.
 */

import type { X509Certificate } from 'node:crypto';
import { explainError } from '../explain/matcher.js';
import {
  type ClientTlsOptions,
  type Credentials,
  commandName,
  type EhloCapabilities,
  OutOfStepError,
  SmtpClient,
  SmtpClientError,
  type TlsSessionInfo,
  unfinishedReply,
} from '../smtp-client/index.js';
import { probeAuthRequired, tryAuthentication } from './auth-probe.js';
import { analyseCertificate } from './certificate.js';
import { clockDriftFinding } from './clock.js';
import { esmtpInspectionSigns } from './esmtp-inspection.js';
import { PROTOCOL_BROKEN_UPSTREAM, withFix } from './fix.js';
import { conventionFinding } from './port-conventions.js';
import { RawProbe } from './raw-probe.js';
import { type EhloSummary, encryptedMode, type Finding, type PortReport, type PortRole } from './report.js';
import { describeService, firstLine, identifyService } from './service.js';
import { sessionFault } from './session-faults.js';
import { addFinding, firstLineOf, hangUp, inStep, isHangUp } from './session-steps.js';
import { starttlsFailure } from './starttls-failure.js';
import {
  certificateChangedTheOutcome,
  certificateRequiredAlert,
  handshakeFailureAlert,
  handshakeRefusal,
  isVersionMismatch,
  refusedByTlsAlert,
  throwawayClientCertificate,
} from './tls-refusal.js';
import { refusedEhlo } from './transcript-reading.js';
import { unfinishedGreeting } from './unfinished-greeting.js';
import { curlBanner, netcat, opensslFor, swaksEhlo, type VerifyTarget } from './verify-commands.js';

export interface ProbeOptions {
  host: string;
  servername: string;
  caFile: string | null;
  /** PEM text of the --ca file. */
  caPem: string | null;
  caCertificates: X509Certificate[];
  stepTimeoutMs: number;
  /** The name sent in EHLO/HELO. */
  ehloName: string;
  credentials?: Credentials;
  /** The sender to try after AUTH instead of `senderFor(user)`. */
  from?: string;
  /** Send a real test message to this address once AUTH works. */
  sendTo?: string;
  now: () => Date;
}

type Attempt = { ok: true; client: SmtpClient } | { ok: false; error: SmtpClientError };

const LEGACY_TLS: ClientTlsOptions = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' };
/**
 * Both connections get a healthy server's greeting within a round trip of each other; a third
 * connection, which fail2ban may count against the user, is only for a port still silent after it.
 */
const SIDE_CONNECTION_GRACE_MS = 250;

export async function probePort(port: number, options: ProbeOptions): Promise<PortReport> {
  const report = emptyReport(port);
  const target: VerifyTarget = {
    host: options.host,
    port,
    servername: options.servername,
    caFile: options.caFile,
  };
  const plainCancel = new AbortController();
  // A side connection keeps what a greeting that never completes sent; opened only when the port
  // answered the TLS attempt in plaintext and the plaintext greeting is late.
  const side: { raw: RawProbe | null; timer?: NodeJS.Timeout; plainDone: boolean } = {
    raw: null,
    plainDone: false,
  };
  const implicitAttempt = attempt(port, true, options).then((result) => {
    // A completed TLS handshake, or a TLS alert, means the port speaks TLS first: a plaintext
    // greeting will never come.
    if (result.ok || result.error.phase !== 'connect' || refusedByTlsAlert(result.error)) plainCancel.abort();
    else if (result.error.code === 'ETLS' && !side.plainDone) {
      side.timer = setTimeout(
        () => {
          side.raw = new RawProbe(options.host, port);
        },
        Math.min(SIDE_CONNECTION_GRACE_MS, options.stepTimeoutMs / 4),
      );
    }
    return result;
  });
  const plainAttempt = attempt(port, false, options, {}, plainCancel.signal).then((result) => {
    side.plainDone = true;
    clearTimeout(side.timer);
    // A greeting came: the side connection is not needed during the session.
    if (result.ok) side.raw?.close();
    return result;
  });
  const [implicit, plain] = await Promise.all([implicitAttempt, plainAttempt]);

  try {
    if (implicit.ok) {
      if (plain.ok) plain.client.close();
      await runSession(implicit.client, report, options, target);
      return finish(report, options);
    }
    if (plain.ok) {
      await runSession(plain.client, report, options, target);
      return finish(report, options);
    }
    if (refusedSecondConnection(implicit.error, plain.error)) {
      // The port greeted the TLS attempt in plaintext but refused the plaintext one: a limit on
      // connections at once from this address, which the doctor's own two connections reached.
      // The server must first notice that the TLS attempt's connection is gone.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(SIDE_CONNECTION_GRACE_MS, options.stepTimeoutMs / 4)),
      );
      const alone = await attempt(port, false, options);
      if (alone.ok) {
        await runSession(alone.client, report, options, target);
        addFinding(
          report,
          'warning',
          `The server refused a second connection from this address while the first was open (greeting "${firstLineOf(plain.error.reply?.raw ?? '')}"); one connection alone works. It limits connections at once per client: clients that open several (nodemailer \`pool: true\` with maxConnections above 1, parallel workers or cron jobs) get this refusal, so keep them to one connection.`,
          swaksEhlo(target, 'none'),
          'rate-limited',
        );
        return finish(report, options);
      }
    }
    if (isVersionMismatch(implicit.error)) {
      const legacy = await attempt(port, true, options, LEGACY_TLS);
      if (legacy.ok) {
        await runSession(legacy.client, report, options, target);
        return finish(report, options);
      }
    }
    // The TLS attempt failed only after the plaintext one gave up: a fresh side connection.
    if (plain.error.code === 'ETIMEDOUT' && implicit.error.code === 'ETLS') {
      side.raw ??= new RawProbe(options.host, port);
    }
    await describeFailure(report, implicit.error, plain.error, side.raw, options, target);
    return finish(report, options);
  } finally {
    side.raw?.close();
  }
}

/** A temporary refusal in the plaintext greeting, while the TLS attempt was greeted in plaintext. */
function refusedSecondConnection(implicit: SmtpClientError, plain: SmtpClientError): boolean {
  const code = plain.phase === 'greeting' ? plain.reply?.code : undefined;
  return (
    code !== undefined &&
    code >= 400 &&
    code < 500 &&
    implicit.code === 'ETLS' &&
    implicit.phase === 'connect' &&
    !refusedByTlsAlert(implicit)
  );
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
      clientName: options.ehloName,
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
  let starttlsWorks: Finding | null = null;
  try {
    let capabilities = await client.ehlo();
    await inStep(client);
    if (client.tlsMode === 'implicit') {
      report.tls = 'implicit';
      report.authBeforeTls = false;
      report.starttlsOffered = capabilities.starttls;
      report.ehloAfterTls = summarise(capabilities);
      addFinding(
        report,
        'ok',
        `Implicit TLS works: the TLS handshake comes first, then the greeting "${report.banner}".`,
        opensslFor(target, 'implicit'),
      );
    } else {
      report.ehloBeforeTls = summarise(capabilities);
      report.starttlsOffered = capabilities.starttls;
      report.authBeforeTls = capabilities.authMechanisms.length > 0;
      addFinding(report, 'ok', `Plaintext SMTP greeting: "${report.banner}".`, swaksEhlo(target, 'none'));
      if (report.authBeforeTls) {
        addFinding(
          report,
          'warning',
          `AUTH (${capabilities.authMechanisms.join(' ')}) is offered before TLS: a client without STARTTLS would send its password in cleartext (RFC 8314 §3).`,
          swaksEhlo(target, 'none'),
        );
      }
      if (capabilities.starttls) {
        starttlsWorks = await upgrade(client, report, options, target);
        if (starttlsWorks === null) {
          await client.quit();
          return;
        }
        capabilities = await client.ehlo();
        await inStep(client);
        report.ehloAfterTls = summarise(capabilities);
      } else {
        report.tls = 'none';
        const refusal = refusedEhlo(client.transcript.entries);
        const inspection = esmtpInspectionSigns(report.banner, capabilities);
        addFinding(
          report,
          target.port === 25 ? 'info' : 'error',
          inspection !== null
            ? `STARTTLS is not offered to this client: a firewall on the way inspects SMTP and hides it (${inspection}: a Cisco ASA or PIX with \`inspect esmtp\`), so mail and passwords would travel unencrypted. Whoever runs that firewall must turn the inspection off (\`no inspect esmtp\`) or let STARTTLS through; port 465, whose implicit TLS it cannot read, may work meanwhile.`
            : refusal === null
              ? 'STARTTLS is not offered: mail and passwords would travel unencrypted.'
              : `The server refused EHLO (${refusal}) and answers only HELO: it speaks SMTP without extensions (no ESMTP, RFC 5321 §4.1.1.1), so it offers neither STARTTLS nor AUTH; mail and passwords would travel unencrypted.`,
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
    // Its greeting looked like SMTP's; only LHLO told them apart.
    if (error instanceof SmtpClientError && error.speaksLmtp) report.service = 'lmtp';
    const failure = sessionFailure(error, client, options);
    if (failure.cause === 'client-certificate-required') {
      // TLS 1.3 completes the client's side of the handshake before the server judges it: the
      // upgrade only seemed to work.
      report.findings = report.findings.filter((finding) => finding !== starttlsWorks);
    }
    addFinding(report, 'error', failure.message, swaksEhlo(target, report.tls ?? 'none'), failure.cause);
  }
}

/** What ended a session that had started: said from the transcript when the error cannot say it. */
function sessionFailure(
  error: unknown,
  client: SmtpClient,
  options: ProbeOptions,
): { message: string; cause?: Finding['cause'] } {
  const seconds = options.stepTimeoutMs / 1000;
  if (error instanceof OutOfStepError)
    return { message: `${error.message}.`, cause: 'server-protocol-error' };
  if (error instanceof SmtpClientError && error.code === 'ETIMEDOUT') {
    const unfinished = unfinishedReply(client.transcript.entries);
    if (unfinished) {
      return {
        message: `The server left its reply to ${commandName(unfinished.command)} unfinished: it sent ${unfinished.lines.map((text) => `"${text}"`).join(', ')}, each with a dash after the code (more to come), then nothing for ${seconds} s. A reply ends with a line that has a space after the code (RFC 5321 §4.2.1): the server is broken, or a proxy in between cut its reply.`,
        cause: 'server-protocol-error',
      };
    }
  }
  if (error instanceof SmtpClientError) {
    const fault = sessionFault(error, client, options);
    if (fault) return fault;
  }
  if (error instanceof SmtpClientError && error.notSmtpReason !== null) {
    const command = client.transcript.entries.findLast((entry) => entry.dir === 'C');
    return {
      message: `The server's reply to ${command ? commandName(command.text) : 'the greeting'} breaks SMTP: ${error.notSmtpReason}. Clients cannot read it and give up: the server is broken, or something in front of it garbles its replies.`,
      cause: 'server-protocol-error',
    };
  }
  if (isHangUp(error)) return { message: hangUp(client, options.ehloName), cause: 'connection-closed' };
  const explanation = explainError(error, { port: client.port });
  return {
    message: withFix(`The session failed: ${(error as Error).message}`, explanation),
    cause: explanation.cause,
  };
}

async function upgrade(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<Finding | null> {
  try {
    await client.startTls();
    report.tls = 'starttls';
    return addFinding(report, 'ok', 'STARTTLS works.', opensslFor(target, 'starttls'));
  } catch (error) {
    if (!(error instanceof SmtpClientError) || error instanceof OutOfStepError) throw error;
    if (isVersionMismatch(error) && (await legacyStartTls(report, options, target))) return null;
    report.tls = 'none';
    const certificateDemanded =
      certificateRequiredAlert(error) ||
      (handshakeFailureAlert(error) && (await starttlsWithCertificateGetsFurther(options, target)));
    const { message, cause } = starttlsFailure(error, target.port, options.servername, certificateDemanded);
    addFinding(report, 'error', message, opensslFor(target, 'starttls'), cause);
    return null;
  }
}

/** STARTTLS again offering a throwaway client certificate (see throwawayClientCertificate). */
async function starttlsWithCertificateGetsFurther(
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<boolean> {
  const retry = await attempt(target.port, false, options, {
    certificate: await throwawayClientCertificate(),
  });
  if (!retry.ok) return false;
  try {
    await retry.client.ehlo();
    await retry.client.startTls();
    retry.client.close();
    return true;
  } catch (error) {
    retry.client.close();
    return error instanceof SmtpClientError && certificateChangedTheOutcome(error);
  }
}

/** Implicit TLS again offering a throwaway client certificate (see throwawayClientCertificate). */
async function implicitWithCertificateGetsFurther(options: ProbeOptions, port: number): Promise<boolean> {
  const retry = await attempt(port, true, options, { certificate: await throwawayClientCertificate() });
  if (retry.ok) retry.client.close();
  return certificateChangedTheOutcome(retry.ok ? null : retry.error);
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
  const mode = encryptedMode(report);
  report.tlsVersion = tls.protocol;
  report.tlsCipher = tls.cipher;
  if (tls.protocol && /^(?:TLSv1(?:\.1)?|SSLv[23])$/.test(tls.protocol)) {
    addFinding(
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

async function describeFailure(
  report: PortReport,
  implicit: SmtpClientError,
  plain: SmtpClientError,
  raw: RawProbe | null,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  if (refusedByTlsAlert(implicit)) {
    // An alert is a TLS record: the port speaks TLS from the first byte, and said why it refused
    // (the plaintext attempt was cancelled, so whatever it reports says nothing).
    report.reachability = 'open';
    const certificateDemanded =
      certificateRequiredAlert(implicit) ||
      (handshakeFailureAlert(implicit) && (await implicitWithCertificateGetsFurther(options, target.port)));
    addFinding(
      report,
      'error',
      `The port speaks implicit TLS, but ${handshakeRefusal(implicit, options.servername, certificateDemanded)}`,
      opensslFor(target, 'implicit'),
      certificateDemanded
        ? 'client-certificate-required'
        : explainError(implicit, { port: target.port }).cause,
    );
    return;
  }
  if (plain.phase === 'connect') {
    if (plain.code === 'ECONNREFUSED') {
      report.reachability = 'refused';
      addFinding(
        report,
        'error',
        'Connection refused: nothing listens on this port, or a firewall rejects the connection.',
        netcat(target),
        'connection-refused',
      );
    } else if (plain.code === 'ETIMEDOUT') {
      report.reachability = 'timeout';
      addFinding(
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
      addFinding(
        report,
        'error',
        `Cannot connect: ${plain.message}`,
        netcat(target),
        explainError(plain).cause,
      );
    }
    return;
  }
  report.reachability = 'open';
  // The TLS handshake worked but what followed was not a readable SMTP greeting (e.g. IMAP on 993).
  if (implicit.phase === 'greeting' && implicit.received) {
    unreadableGreeting(report, implicit, true, target);
    return;
  }
  if (plain.phase === 'greeting' && plain.received) {
    unreadableGreeting(report, plain, false, target);
    return;
  }
  if (plain.phase === 'greeting' && plain.reply) {
    report.service = 'smtp';
    report.banner = firstLineOf(plain.reply.raw);
    const explanation = explainError(plain, { port: target.port });
    addFinding(
      report,
      'error',
      withFix(
        plain.reply.code < 400
          ? `The server greets with "${report.banner}" instead of 220 (RFC 5321 §4.3.2 allows only 220, "ready", or 554, "refused"): no client goes on from there. ${PROTOCOL_BROKEN_UPSTREAM}`
          : `The server refused the session in its greeting: ${report.banner}`,
        explanation,
      ),
      swaksEhlo(target, 'none'),
      explanation.cause,
    );
    return;
  }
  if (plain.code === 'ETIMEDOUT' && raw && (await describeSilence(report, raw, options, target))) return;
  report.reachability = 'no-greeting';
  const tlsWorked = implicit.phase === 'greeting';
  const closedAtOnce = plain.code === 'ECONNRESET' && !tlsWorked;
  const seconds = options.stepTimeoutMs / 1000;
  addFinding(
    report,
    'error',
    tlsWorked
      ? implicit.code === 'ECONNRESET'
        ? "The TLS handshake succeeded (implicit TLS is the right mode here), then the server hung up before any SMTP greeting: a TLS proxy in front of the mail server (stunnel, HAProxy, nginx `stream`, a load balancer) accepts connections while the SMTP service behind it is down or refuses it, or the server refuses this client (an access rule, a blocklist, a connection limit). The proxy's and the server's logs say which."
        : `The TLS handshake succeeded (implicit TLS is the right mode here) but no SMTP greeting followed within ${seconds} s: the service behind the TLS endpoint is slow to greet, stuck or overloaded, or a TLS proxy in front of it does not reach a live SMTP server.${longerTimeout(seconds)}`
      : closedAtOnce
        ? 'The server closed the connection without a greeting, in plaintext and when TLS was tried: it refuses this client (an access rule, a blocklist such as fail2ban, a connection limit), or the service behind the port is down (a proxy or load balancer accepting for a dead backend).'
        : `Connected, but no greeting within ${seconds} s, in plaintext or after a TLS handshake: the server is slow to greet (some wait on purpose, like a tarpit or Postfix postscreen, or look up the client in DNS first), stuck or overloaded, or a proxy accepts connections without forwarding them.${longerTimeout(seconds)}`,
    curlBanner(target, tlsWorked ? 'implicit' : 'none'),
    'no-greeting',
  );
}

/** A greeting that may only be slow: a wait worth trying, within the 600 s --timeout allows. */
function longerTimeout(seconds: number): string {
  const longer = Math.min(600, Math.max(30, seconds * 3));
  return longer > seconds ? ` To wait longer, run again with --timeout ${longer}.` : '';
}

/**
 * The plaintext greeting never came, though the port answered the TLS attempt with something
 * else than TLS: say what the side connection saw (a greeting that never completes), or, if the
 * server waits to be spoken to, what it answers to EHLO. False when that tells nothing.
 */
async function describeSilence(
  report: PortReport,
  raw: RawProbe,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<boolean> {
  const unprompted = raw.received();
  const received = unprompted.length > 0 ? unprompted : await raw.speak(options.stepTimeoutMs);
  if (received.length === 0) return false;
  if (identifyService(received) !== 'smtp') {
    nameOtherService(report, received, false, target);
    return true;
  }
  const reason = unprompted.length > 0 ? unfinishedGreeting(unprompted) : null;
  if (reason === null) return false;
  report.reachability = 'no-greeting';
  report.service = 'smtp';
  report.banner = firstLine(received);
  addFinding(
    report,
    'error',
    `The server began an SMTP greeting but did not finish it within ${options.stepTimeoutMs / 1000} s: ${reason}. Clients wait for the whole greeting and time out: the server is broken, or a tarpit slowing down clients it suspects of spam.`,
    curlBanner(target, 'none'),
    'no-greeting',
  );
  return true;
}

/** The first bytes were not a greeting the client could read: another protocol, or SMTP broken. */
function unreadableGreeting(
  report: PortReport,
  error: SmtpClientError,
  overTls: boolean,
  target: VerifyTarget,
): void {
  const received = error.received ?? Buffer.alloc(0);
  if (identifyService(received) !== 'smtp') {
    nameOtherService(report, received, overTls, target);
    return;
  }
  report.service = 'smtp';
  report.banner = firstLine(received);
  const reason = error.notSmtpReason ?? error.message;
  addFinding(
    report,
    'error',
    `The server's greeting "${report.banner}" breaks SMTP: ${reason}. Clients cannot read it and give up: the server is broken, or something in front of it garbles its replies.`,
    overTls ? opensslFor(target, 'implicit') : netcat(target),
    'server-protocol-error',
  );
}

function nameOtherService(
  report: PortReport,
  received: Buffer,
  overTls: boolean,
  target: VerifyTarget,
): void {
  const service = identifyService(received);
  report.service = service;
  report.banner = firstLine(received);
  addFinding(
    report,
    'error',
    `This port answers with ${describeService(service, overTls)}: "${report.banner}". SMTP submission is 587 (STARTTLS) or 465 (implicit TLS).`,
    overTls ? opensslFor(target, 'implicit') : netcat(target),
    'not-smtp',
  );
}

function finish(report: PortReport, options: ProbeOptions): PortReport {
  report.role = roleOf(report);
  const surprise = report.service === 'smtp' ? conventionFinding(report.port, report.tls) : null;
  if (surprise) report.findings.push(surprise);
  const certificateOk = report.certificate !== null && report.certificate.problems.length === 0;
  const modernTls = report.tlsVersion !== null && !/^(?:TLSv1(?:\.1)?|SSLv[23])$/.test(report.tlsVersion);
  const authAcceptable = options.credentials === undefined || report.authOk === true;
  // A relay that also takes the user's own AUTH (an IP-allowlisted smtp-relay.gmail.com, Postfix
  // mynetworks) serves for submission like any other port.
  const submits = report.role !== 'relay' || report.authOk === true;
  const authPossible = !(report.authRequired === true && report.authMechanisms.length === 0);
  // A session that broke off (a hang-up, a 421, a malformed reply) proves nothing works.
  const faultless = !report.findings.some((finding) => finding.level === 'error');
  report.usable =
    report.service === 'smtp' &&
    (report.tls === 'starttls' || report.tls === 'implicit') &&
    certificateOk &&
    modernTls &&
    report.port !== 25 &&
    submits &&
    authPossible &&
    authAcceptable &&
    faultless &&
    report.sendOk !== false;
  if (report.port === 25 && report.service === 'smtp') {
    addFinding(
      report,
      'info',
      'Port 25 is for server-to-server relay (MX); applications should submit on 587 or 465 (RFC 6409, RFC 8314).',
    );
  } else if (report.role === 'relay' && report.service === 'smtp') {
    addFinding(report, 'info', relayNote(report, options));
  }
  return report;
}

function relayNote(report: PortReport, options: ProbeOptions): string {
  const accepts = 'This port accepts MAIL and a foreign recipient without AUTH';
  if (report.authOk === true && report.sendOk !== false) {
    return `${accepts}, as an IP-allowlisted relay does (smtp-relay.gmail.com, Postfix mynetworks). Your AUTH works, so it serves for submission; if the server takes mail without AUTH from anywhere, it is an open relay.`;
  }
  const check = options.credentials
    ? ''
    : ' Run doctor again with --user and --pass-env (or --oauth-token-env) to check whether AUTH works on it.';
  return `${accepts}: it behaves as a relay (25-style), not as a submission port.${check}`;
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
