/**
 * AUTH on a port the doctor reached: whether it demands AUTH at all, whether the login works (only
 * ever over TLS), and after it whether the server takes mail from and relays for this account, or,
 * with --send-to, a real test message.
 */
import { explainError } from '../explain/matcher.js';
import { OutOfStepError, type SmtpClient, SmtpClientError } from '../smtp-client/index.js';
import { authFailure, noPasswordMechanism, noTokenMechanism } from './auth-failure.js';
import { withFix } from './fix.js';
import { mailRefusedAfterAuth, recipientRefusedAfterAuth } from './mail-after-auth.js';
import type { ProbeOptions } from './probe-port.js';
import { encryptedMode, type PortReport } from './report.js';
import { addFinding, ask, firstLineOf, hangUp, inStep, isHangUp } from './session-steps.js';
import { loginWithoutPassword } from './transcript-reading.js';
import { swaksAuth, swaksEhlo, type VerifyTarget, verifyLogin } from './verify-commands.js';

/** A recipient at a reserved domain (RFC 2606): a relay accepts it, a submission port wants AUTH first. */
const PROBE_RECIPIENT = 'mailport-doctor-probe@example.com';

/**
 * Does the port demand AUTH? MAIL FROM:<> then RCPT TO a foreign address without AUTH, then RSET
 * (nothing is sent: there is no DATA). 530 at MAIL (RFC 4954 §6), or a 5.7.x refusal at RCPT,
 * means AUTH is required; a recipient accepted without AUTH means the port relays.
 */
export async function probeAuthRequired(client: SmtpClient, report: PortReport): Promise<void> {
  if (report.tls === 'none' && report.starttlsOffered) return;
  const mail = await ask(client, 'MAIL FROM:<>', 'mail');
  if (mail.code === 530) {
    report.authRequired = true;
    return;
  }
  if (mail.code !== 250) return;
  const rcpt = await ask(client, `RCPT TO:<${PROBE_RECIPIENT}>`, 'rcpt');
  await ask(client, 'RSET', 'mail');
  if (rcpt.code === 250 || rcpt.code === 251) report.authRequired = false;
  else if (rcpt.code === 530 || rcpt.enhanced?.startsWith('5.7.')) report.authRequired = true;
}

export async function tryAuthentication(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  const credentials = options.credentials;
  const mode = encryptedMode(report);
  if (!client.tlsMode) {
    if (!credentials) return;
    addFinding(
      report,
      'warning',
      `AUTH not attempted: without TLS the ${'token' in credentials ? 'OAuth token' : 'password'} would travel in cleartext.`,
      swaksEhlo(target, 'none'),
    );
    return;
  }
  if (report.authMechanisms.length === 0) {
    if (credentials) {
      report.authOk = false;
      report.authError = { cause: 'auth-mechanism-unsupported', reply: null };
    }
    // A port that refuses MAIL without AUTH but offers none takes mail from nobody (RFC 4954 §6).
    if (credentials || report.authRequired) {
      const demanded = report.authRequired
        ? 'The port refuses mail without AUTH (530 at MAIL, or a 5.7.x refusal of a recipient at another domain) but'
        : 'The server';
      const beforeTls = report.ehloBeforeTls?.authMechanisms ?? [];
      addFinding(
        report,
        'error',
        beforeTls.length > 0
          ? `${demanded} offers AUTH (${beforeTls.join(' ')}) only before STARTTLS, not in its EHLO reply after it. Clients forget everything the server said before TLS and go by the EHLO after it (RFC 3207 §4.2), so none can authenticate, and none should over plaintext. The server must advertise AUTH on the encrypted session (the usual set-up is the reverse: AUTH only after STARTTLS).`
          : report.authRequired
            ? `${demanded} offers no AUTH mechanism, even over TLS: no client can send through it.`
            : `${demanded} offers no AUTH on this port, even over TLS.`,
        swaksEhlo(target, mode),
        'auth-mechanism-unsupported',
      );
    }
    return;
  }
  const passwordless =
    credentials && 'token' in credentials
      ? noTokenMechanism(report.authMechanisms)
      : noPasswordMechanism(report.authMechanisms);
  if (passwordless) {
    // Without credentials a warning: the port may still serve OAuth2 or Kerberos clients.
    if (credentials) {
      report.authOk = false;
      report.authError = { cause: 'auth-mechanism-unsupported', reply: null };
    }
    addFinding(
      report,
      credentials ? 'error' : 'warning',
      passwordless,
      swaksEhlo(target, mode),
      'auth-mechanism-unsupported',
    );
    return;
  }
  if (!credentials) return;
  try {
    const mechanism = await client.authenticate(credentials);
    await inStep(client);
    report.authOk = true;
    addFinding(
      report,
      'ok',
      `AUTH ${mechanism} as ${credentials.user} succeeded.`,
      verifyLogin(target, mode, credentials, mechanism),
    );
    if (loginWithoutPassword(client.transcript.entries)) {
      addFinding(
        report,
        'warning',
        `The server accepted AUTH LOGIN as ${credentials.user} after the username alone, before it asked for the password (RFC 4954 §4: a 334 challenge for it), so Mailport never sent one: this check says nothing about your password, and the server may let anyone log in as ${credentials.user}. Its AUTH set-up needs fixing.`,
        swaksAuth(target, mode, credentials.user, mechanism),
      );
    }
  } catch (error) {
    if (!(error instanceof SmtpClientError) || error.code !== 'EAUTH') throw error;
    const { message, cause } = authFailure(error, target.port, report.tlsVersion);
    report.authOk = false;
    report.authError = { cause, reply: error.reply?.raw ?? null };
    addFinding(report, 'error', message, verifyLogin(target, mode, credentials, null), cause);
    return;
  }
  if (options.sendTo) await sendTestMessage(client, report, options, target);
  else
    await probeMailAfterAuth({
      client,
      report,
      user: credentials.user,
      from: options.from ?? senderFor(credentials.user),
      target,
    });
}

/** A logged-in session the doctor probes further: whose login, sending as whom, on which port. */
interface AuthenticatedSession {
  client: SmtpClient;
  report: PortReport;
  user: string;
  from: string;
  target: VerifyTarget;
}

/** The sender the doctor uses after AUTH: the login when it is an address, else the null sender. */
function senderFor(user: string): string {
  return user.includes('@') ? user : '';
}

/**
 * After AUTH, without --send-to: does the server take MAIL from this account? MAIL FROM then
 * RSET, so nothing is sent. A port that takes the login but not the mail is no submission path.
 */
async function probeMailAfterAuth(session: AuthenticatedSession): Promise<void> {
  const { client, report, user, from, target } = session;
  const mail = await ask(client, `MAIL FROM:<${from}>`, 'mail');
  if (mail.code === 250) {
    await probeRelayAfterAuth(session);
    await ask(client, 'RSET', 'mail');
    return;
  }
  const { message, cause } = mailRefusedAfterAuth(mail, user, from, target.port);
  // A 4xx is the server's passing trouble, not a verdict on this account.
  const level = mail.code >= 500 ? 'error' : 'warning';
  addFinding(report, level, message, swaksAuth(target, encryptedMode(report), user, null), cause);
}

/**
 * After AUTH and MAIL, without --send-to: does the server relay for this login? RCPT TO a foreign
 * address, then RSET (nothing is sent). A submission server whose relay policy leaves out
 * authenticated clients takes the login and the sender, and refuses every real recipient.
 */
async function probeRelayAfterAuth(session: AuthenticatedSession): Promise<void> {
  const { client, report, user, from, target } = session;
  try {
    await client.rcptTo(PROBE_RECIPIENT);
    await inStep(client);
  } catch (error) {
    // A 421 ends the session: the outer handling says so.
    if (
      !(error instanceof SmtpClientError) ||
      error.code !== 'EENVELOPE' ||
      !error.reply ||
      error.reply.code === 421
    )
      throw error;
    const refusal = recipientRefusedAfterAuth(error, error.reply, user, PROBE_RECIPIENT, target.port);
    if (!refusal) return;
    const check = swaksAuth(target, encryptedMode(report), user, null, { from, to: PROBE_RECIPIENT });
    addFinding(report, refusal.level, refusal.message, check, refusal.cause);
  }
}

async function sendTestMessage(
  client: SmtpClient,
  report: PortReport,
  options: ProbeOptions,
  target: VerifyTarget,
): Promise<void> {
  const to = options.sendTo ?? '';
  const from = options.from ?? (options.credentials?.user.includes('@') ? options.credentials.user : to);
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
    await inStep(client);
    await client.rcptTo(to);
    await inStep(client);
    const reply = await client.data(message);
    await inStep(client);
    report.sendOk = true;
    addFinding(report, 'ok', `Test message to ${to} accepted: ${firstLineOf(reply.raw)}`);
  } catch (error) {
    // Replies out of step end the whole session: the outer handling says so.
    if (!(error instanceof SmtpClientError) || error instanceof OutOfStepError) throw error;
    report.sendOk = false;
    if (error.phase === 'mail' && error.reply?.code === 530 && options.credentials) {
      const { message, cause } = mailRefusedAfterAuth(
        error.reply,
        options.credentials.user,
        from,
        target.port,
      );
      addFinding(report, 'error', `The test message was not sent. ${message}`, undefined, cause);
      return;
    }
    const explanation = explainError(error, { port: target.port });
    if (isHangUp(error) && !error.maybeDelivered) {
      addFinding(
        report,
        'error',
        `The test message was not sent: ${hangUp(client, options.ehloName)}`,
        undefined,
        'connection-closed',
      );
      return;
    }
    const what = error.maybeDelivered
      ? 'The test message went out unacknowledged'
      : 'The test message was refused';
    addFinding(
      report,
      'error',
      withFix(`${what}: ${error.message}`, explanation),
      undefined,
      explanation.cause,
    );
  }
}
