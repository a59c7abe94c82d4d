/**
 * What each session diagnostic means and how to fix the client. Knowledge as data: the SMTP
 * server only reports a code (plus detail); the sentence and the fix come from here.
 */
import type { DiagnosticCode } from '../domain/types.js';

export interface DiagnosticEntry {
  /** What the client did, in one sentence. */
  message: string;
  /** How to fix it. */
  fix: string;
  /** True when the client made a configuration mistake (shown first in the UI). */
  misconfiguration: boolean;
}

export const DIAGNOSTICS: Readonly<Record<DiagnosticCode, DiagnosticEntry>> = {
  'implicit-tls-on-starttls-port': {
    message:
      'The client started a TLS handshake at once, but this port greets in plaintext and upgrades with STARTTLS.',
    fix: 'Turn implicit TLS off for this port (nodemailer `secure: false`, Python `smtplib.SMTP` + `starttls()`, PHPMailer `ENCRYPTION_STARTTLS`, Perl Net::SMTP `starttls()` instead of `SSL => 1`, git send-email `--smtp-encryption=tls`, s-nail `mta=smtp://…` with `smtp-use-starttls`, neomutt `smtp_url="smtp://…"` with `ssl_starttls=yes`, mailutils `mail` `sendmail=smtp://…`, nullmailer `--starttls` instead of `--ssl`, Postfix `smtp_tls_wrappermode = no`), or connect to the implicit-TLS (465-style) port instead.',
    misconfiguration: true,
  },
  'plaintext-on-implicit-tls-port': {
    message:
      'The client spoke plaintext SMTP (or waited for a plaintext greeting) on a port that expects TLS from the first byte.',
    fix: 'Enable implicit TLS for this port (nodemailer `secure: true`, Python `smtplib.SMTP_SSL`, PHPMailer `ENCRYPTION_SMTPS`, Perl Net::SMTP `SSL => 1`, git send-email `--smtp-encryption=ssl`, s-nail `mta=smtps://…`, neomutt `smtp_url="smtps://…"`, mailutils `mail` `sendmail=smtps://…`, nullmailer `--ssl`, Postfix `smtp_tls_wrappermode = yes` with `smtp_tls_security_level = encrypt`), or use the STARTTLS (587-style) port instead (sendEmail, which has no implicit TLS: with `-o tls=yes`).',
    misconfiguration: true,
  },
  'auth-before-starttls': {
    message: 'The client tried to authenticate before upgrading the connection with STARTTLS.',
    fix: 'Make the client issue STARTTLS (and EHLO again) before AUTH; in nodemailer do not set `ignoreTLS`, in smtplib call `starttls()` before `login()`, in s-nail set `smtp-use-starttls`, in sendEmail `-o tls=yes`, in nullmailer `--starttls`, in mailutils `mail` drop `;notls` from `sendmail=smtp://…`.',
    misconfiguration: true,
  },
  'mail-before-starttls': {
    message: 'The client sent MAIL FROM (or message text with BDAT) on a port that requires STARTTLS first.',
    fix: 'Enable STARTTLS in the client (nodemailer `requireTLS: true`, smtplib and Perl Net::SMTP `starttls()`, git send-email `--smtp-encryption=tls`, s-nail `smtp-use-starttls`, neomutt `ssl_starttls=yes`, sendEmail `-o tls=yes`, mailutils `mail` `sendmail=smtp://…` without `;notls`, nullmailer `--starttls`, Postfix `smtp_tls_security_level = encrypt`), or use the relay port for unencrypted local tests.',
    misconfiguration: true,
  },
  'mail-before-auth': {
    message:
      'The client sent MAIL FROM (or message text with BDAT) without authenticating on a port that requires AUTH.',
    fix: 'Configure a username and password in the client (nodemailer `auth: { user, pass }`, smtplib `login()`, Perl Net::SMTP `auth()`, git send-email `--smtp-user`, s-nail `mta=smtp://USER:PASS@…` with `smtp-auth=plain`, neomutt `smtp_url="smtp://USER@…"` with `smtp_pass`, sendEmail `-xu USER -xp PASS`, mailutils `mail` `sendmail=smtp://USER:PASS@…`, nullmailer `--user` and `--pass`, Postfix `smtp_sasl_auth_enable = yes` with a `smtp_sasl_password_maps` entry), or send to the relay port, which needs no AUTH.',
    misconfiguration: true,
  },
  'auth-failed': {
    message:
      'The client authenticated with a username and password, or an OAuth 2.0 token, the server does not accept.',
    fix: "Check the credentials printed by `mailport serve` (or the ones passed with `--auth USER:PASS`); a password read from a file, a secret or an environment variable often keeps a trailing line break (the detail says so when it does). For XOAUTH2 and OAUTHBEARER the token is the user's password here; the detail says when a token is expired, meant for another audience (Microsoft Graph instead of Exchange Online), lacks SMTP.Send or is not an access token. Start the server with `--auth-any` to accept any credentials and any unexpired token.",
    misconfiguration: true,
  },
  'auth-mechanism-unsupported': {
    message: 'The client asked for a SASL mechanism the server does not offer.',
    fix: 'Use a mechanism the EHLO reply lists: AUTH PLAIN or AUTH LOGIN with a password (e.g. nodemailer `authMethod: "PLAIN"`), or XOAUTH2 or OAUTHBEARER with an OAuth 2.0 token.',
    misconfiguration: true,
  },
  'auth-without-tls': {
    message: 'The client tried to authenticate over a plaintext connection, where AUTH is not offered.',
    fix: 'Upgrade with STARTTLS before AUTH, or use the implicit-TLS port, so credentials never travel in cleartext.',
    misconfiguration: true,
  },
  'tls-handshake-failed': {
    message: 'The TLS handshake failed.',
    fix: 'If the client does not trust the sandbox certificate, add its CA (shown by `mailport serve` and at /api/v1/info), e.g. `NODE_EXTRA_CA_CERTS=.mailport/tls/ca.pem`, or pass it as `tls: { ca }`.',
    misconfiguration: true,
  },
  'tls-version-too-old': {
    message: 'The client offered only TLS versions older than 1.2, which the server refuses.',
    fix: 'Allow TLS 1.2 or newer in the client (nodemailer `tls: { minVersion: "TLSv1.2" }`, .NET `SslProtocols.Tls12 | Tls13`, Java `mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3`).',
    misconfiguration: true,
  },
  'bare-lf': {
    message: 'The client ended a line with a bare LF (or a bare CR) instead of CRLF.',
    fix: 'Send CRLF line endings, as RFC 5321 §2.3.8 requires; bare LF is refused because it enables SMTP smuggling (CVE-2023-51764). Most libraries convert line endings when given the message as text.',
    misconfiguration: true,
  },
  'no-ehlo': {
    message: 'The client sent a command before greeting the server with EHLO or HELO.',
    fix: 'Send EHLO first, and again after STARTTLS (RFC 3207 §4.2 discards everything learned before the upgrade).',
    misconfiguration: true,
  },
  'message-too-large': {
    message: 'The message is larger than the server accepts.',
    fix: 'Send a smaller message (the limit is in the SIZE keyword of the EHLO reply), or raise the limit with `--max-message-size`.',
    misconfiguration: false,
  },
  'too-many-recipients': {
    message: 'The client gave more recipients than the server accepts in one transaction.',
    fix: 'Split the send into batches, or raise the limit with `--max-recipients`; RFC 5321 §4.5.3.1.8 requires clients to retry the rest after 452.',
    misconfiguration: false,
  },
  'line-too-long': {
    message:
      'The client sent a line longer than the RFCs allow (512 octets for commands, 12288 for AUTH exchange lines, 1000 for message text).',
    fix: 'Encode long message lines (quoted-printable or base64); most mail libraries do this when they build the message. An AUTH line that long carries an oversized credential or token: check what the client sends as the password.',
    misconfiguration: true,
  },
  'unknown-parameter': {
    message: 'The client sent a MAIL or RCPT parameter that the server did not advertise.',
    fix: 'Only use ESMTP parameters listed in the EHLO reply (RFC 5321 §4.1.1.11).',
    misconfiguration: true,
  },
  'too-many-connections': {
    message: 'The client opened more simultaneous connections than the server allows.',
    fix: 'Use a connection pool with fewer connections (nodemailer `pool: true, maxConnections`), or raise `--max-connections`.',
    misconfiguration: false,
  },
  'idle-timeout': {
    message: 'The client stayed silent longer than the idle timeout and was disconnected.',
    fix: 'Send commands promptly and close connections you do not use; raise `--idle-timeout` if the client is legitimately slow.',
    misconfiguration: false,
  },
  'pipelining-violation': {
    message: 'The client sent commands before the greeting or pipelined commands that must wait for a reply.',
    fix: 'Wait for the 220 greeting, and for the replies to EHLO, STARTTLS, AUTH and DATA before sending more (RFC 2920 §3.1).',
    misconfiguration: true,
  },
  'starttls-not-reissued-ehlo': {
    message: 'After STARTTLS the client did not send EHLO again before the next command.',
    fix: 'Send EHLO again after the TLS handshake, as RFC 3207 §4.2 requires.',
    misconfiguration: true,
  },
  'quit-without-starttls': {
    message:
      'The client left after EHLO, or after its HELO was refused (QUIT or hang-up), without starting TLS or sending mail: this port offers AUTH only after STARTTLS, and STARTTLS only to EHLO, so a client that does not upgrade gives up here.',
    fix: 'If the client meant to send, turn STARTTLS on (PHPMailer `SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS` with `SMTPAutoTLS` left on, nodemailer `requireTLS: true`, smtplib `starttls()` before `login()`, Perl Net::SMTP `starttls()` before `auth()`, git send-email `--smtp-encryption=tls`, s-nail `smtp-use-starttls`, neomutt `ssl_starttls=yes`, sendEmail `-o tls=yes`, mailutils `mail` `sendmail=smtp://…` without `;notls`, nullmailer `--starttls`). A health check that only greets can ignore this.',
    // A monitoring probe does exactly this on purpose.
    misconfiguration: false,
  },
  'bad-sequence': {
    message: 'The client sent commands in an order SMTP does not allow.',
    fix: 'Follow the order EHLO, (STARTTLS, EHLO,) AUTH, MAIL FROM, RCPT TO, then DATA or BDAT chunks, never both in one transaction (RFC 5321 §4.1.4, RFC 3030 §2).',
    misconfiguration: true,
  },
  'syntax-error': {
    message: 'The client sent a command the server could not parse.',
    fix: "Check the command's syntax against RFC 5321 §4.1: addresses go in angle brackets, e.g. `MAIL FROM:<a@example.com>`. An AUTH response is base64: for AUTH PLAIN of NUL, user name, NUL, password (`printf '\\0%s\\0%s' USER PASS | base64`), for AUTH LOGIN of the user name, then of the password, each on its own line. Mail libraries encode it for you when given the user and password.",
    misconfiguration: true,
  },
  'http-request': {
    message:
      'The client sent an HTTP request (a browser, curl or an HTTP library) to an SMTP port, which the server ends at once, as Postfix does.',
    fix: 'Open the web UI and the API at the HTTP port `mailport serve` printed ("Web UI + API", default http://127.0.0.1:8025). Give mail libraries this port with SMTP settings (host and port), not a URL.',
    misconfiguration: true,
  },
  'invalid-address': {
    message: 'The client sent an address that is not a valid mailbox.',
    fix: 'Send the bare address in angle brackets, one per command: `MAIL FROM:<bob@example.com>`, then `RCPT TO:<alice@example.com>` for each recipient. A display name ("Bob <bob@example.com>") belongs in the From: and To: headers, not in the envelope; several recipients go as a list, not as one comma-separated string (Python `sendmail(from_addr, ["a@example.com", "b@example.com"], msg)`); a non-ASCII address needs SMTPUTF8 on MAIL FROM (most libraries add it when the server offers it), and a domain alone can go as punycode (`xn--…`).',
    misconfiguration: true,
  },
  'sender-not-owned': {
    message:
      'The client sent MAIL FROM an address its login does not own, which Gmail, Microsoft 365 (SendAsDenied) and Postfix with reject_sender_login_mismatch refuse (the sandbox runs with --sender-must-match-login).',
    fix: 'Send from the address you log in with (nodemailer `from` equal to `auth.user`, Django `DEFAULT_FROM_EMAIL` equal to `EMAIL_HOST_USER`, Laravel `MAIL_FROM_ADDRESS` equal to `MAIL_USERNAME`), or have the provider let this login send as that address (a Gmail "Send mail as" alias, a Microsoft 365 Send As permission) and log in to the sandbox as that address.',
    misconfiguration: true,
  },
};

export const DIAGNOSTIC_CODES = Object.keys(DIAGNOSTICS) as DiagnosticCode[];
