/**
 * What Mailport knows about SMTP client errors, as data: one entry per cause (summary, fix,
 * references) and the rules that recognise a cause in the output of real clients (nodemailer,
 * Python smtplib, PHPMailer, Symfony Mailer, JavaMail, Ruby and Perl Net::SMTP, .NET SmtpClient and
 * MailKit, Go net/smtp, Rust lettre, Elixir's gen_smtp and OTP's ssl, Dart's mailer, emailjs, curl, swaks, msmtp, git send-email, s-nail, neomutt, sendEmail,
 * GNU mailutils mail, nullmailer, openssl s_client, PHP mail(), Thunderbird, Outlook, Apple Mail), in
 * the smtp(8) log lines of a Postfix relaying through a provider, or in a bare SMTP reply.
 *
 * Rules match meaning, not one literal message: reply codes, RFC 3463 enhanced codes, error
 * codes (ECONNREFUSED, CERT_HAS_EXPIRED...) and the key phrases each client uses. The matcher
 * (matcher.ts) picks the rule with the highest confidence; ties go to the earlier rule.
 */
import type { CauseId } from './causes.js';

export interface CauseKnowledge {
  summary: string;
  fix: string;
  references: string[];
}

/** Which kind of port the text must mention for the rule to apply (ports found by matcher.ts). */
export type PortContext = 'implicit' | 'plaintext';

export interface ExplainRule {
  /** Stable, descriptive id (used in tests and `--debug` output). */
  id: string;
  cause: CauseId;
  /**
   * 0..1. Specific phrases and codes score high, generic words low. 0 only for `unknown`: text known
   * to be ambiguous, answered with how to get a clearer one (the rule's `fix`).
   */
  confidence: number;
  /** Every pattern must match. */
  match: RegExp[];
  /** The rule does not apply when any of these match. */
  unless?: RegExp[];
  /** Applies only when the text names a port of this kind (e.g. `:465`, `port 587`). */
  port?: PortContext;
  /** Does not apply when the port is of this kind: for guesses that only hold on the other one. */
  unlessPort?: PortContext;
  /** Clients known to print this text. */
  seenIn: string[];
  /** A fix more precise than the cause's general one, for this variant. */
  fix?: string;
  /** A sentence quoting what in the text shows the cause (a server reply), added to the summary. */
  evidence?: (text: string) => string | null;
}

const RFC = {
  smtp: 'RFC 5321 (SMTP)',
  replyCodes: 'RFC 5321 §4.2 (reply codes)',
  enhanced: 'RFC 3463 (enhanced status codes)',
  starttls: 'RFC 3207 (STARTTLS)',
  implicitTls: 'RFC 8314 §3.3 (implicit TLS for submission, port 465)',
  submission: 'RFC 6409 (message submission, port 587)',
  auth: 'RFC 4954 (SMTP AUTH)',
  size: 'RFC 1870 (SIZE)',
  tls12: 'RFC 8996 (TLS 1.0 and 1.1 deprecated)',
  clientCertificate: 'RFC 8446 §4.3.2 and §4.4.2.4 (TLS 1.3 client certificates), RFC 5246 §7.4.6 (TLS 1.2)',
  pkix: 'RFC 5280 (certificate validation)',
  hostname: 'RFC 6125 (checking the server name in a certificate)',
  greylisting: 'RFC 6647 (greylisting)',
  relay: 'RFC 5321 §3.6.2 (relaying)',
  duplicates: 'RFC 1047 (duplicate messages and SMTP)',
  smtputf8: 'RFC 6531 (SMTPUTF8)',
  utf8Headers: 'RFC 6532 (UTF-8 headers)',
  eightBitMime: 'RFC 6152 (8BITMIME)',
  idna: 'RFC 5890 (IDNA, punycode)',
} as const;

export const CAUSES: Readonly<Record<CauseId, CauseKnowledge>> = {
  'implicit-tls-on-starttls-port': {
    summary:
      'The client started TLS at once (implicit TLS, "SSL"), but the server greets in plaintext and expects STARTTLS: the TLS library read "220 ..." as a TLS record.',
    fix: 'On port 587 (and 25/2525) turn implicit TLS off and let the client upgrade with STARTTLS: nodemailer `secure: false` (add `requireTLS: true`), Python `smtplib.SMTP()` + `starttls()` instead of `SMTP_SSL`, PHPMailer `SMTPSecure = ENCRYPTION_STARTTLS`, MailKit `SecureSocketOptions.StartTls`, JavaMail `mail.smtp.starttls.enable=true` without `mail.smtp.ssl.enable`, curl `smtp://` with `--ssl-reqd`, swaks `--tls`, Perl Net::SMTP `starttls()` instead of `SSL => 1`, git send-email `--smtp-encryption=tls`, s-nail `mta=smtp://…` with `smtp-use-starttls`, neomutt `smtp_url="smtp://…"` with `ssl_starttls=yes`, mailutils `mail` `sendmail=smtp://…` instead of `smtps://`, nullmailer `--starttls` instead of `--ssl`, Postfix relayhost `smtp_tls_wrappermode = no`. Or keep implicit TLS and use port 465.',
    references: [RFC.starttls, RFC.implicitTls, RFC.submission],
  },
  'plaintext-on-implicit-tls-port': {
    summary:
      'The client connected in plaintext and waited for a greeting, but the port expects TLS from the first byte (implicit TLS, port 465), so the server waits for a TLS handshake and the greeting never comes.',
    fix: 'Enable implicit TLS for port 465: nodemailer `secure: true`, Python `smtplib.SMTP_SSL`, PHPMailer `SMTPSecure = ENCRYPTION_SMTPS`, MailKit `SecureSocketOptions.SslOnConnect`, JavaMail `mail.smtp.ssl.enable=true`, curl `smtps://`, swaks `--tls-on-connect`, msmtp `tls_starttls off`, Perl Net::SMTP `SSL => 1`, git send-email `--smtp-encryption=ssl`, s-nail `mta=smtps://…`, neomutt `smtp_url="smtps://…"`, mailutils `mail` `sendmail=smtps://…`, nullmailer `--ssl`, Postfix relayhost `smtp_tls_wrappermode = yes` with `smtp_tls_security_level = encrypt`. .NET System.Net.Mail.SmtpClient cannot do implicit TLS at all: use port 587 with `EnableSsl = true`, or MailKit; neither can sendEmail: use port 587 with `-o tls=yes`. Or use port 587 with STARTTLS.',
    references: [RFC.implicitTls, RFC.starttls],
  },
  'starttls-not-offered': {
    summary:
      'The client requires STARTTLS, but the server did not offer it in its EHLO reply (or refused the command). Either this port does not do STARTTLS (e.g. it is an implicit-TLS port behind a proxy, or a plaintext relay), or something between you and the server strips STARTTLS.',
    fix: 'Check with `openssl s_client -starttls smtp -connect HOST:587`. Use the provider\'s STARTTLS port (587), or port 465 with implicit TLS. If a firewall or antivirus "SMTP inspection" strips STARTTLS, turn that feature off. Never fall back to sending credentials in cleartext.',
    references: [RFC.starttls, RFC.submission],
  },
  'cert-hostname-mismatch': {
    summary: "The server's certificate is valid, but not for the host name the client connected to.",
    fix: "Connect using a name listed in the certificate (often the provider's canonical name, e.g. smtp.provider.com rather than mail.yourdomain.com or an IP address), or have the server's certificate reissued with that name. `mailport doctor HOST --servername NAME` shows which names the certificate holds. Do not turn verification off.",
    references: [RFC.hostname, RFC.pkix],
  },
  'cert-expired': {
    summary: "The server's certificate (or one in its chain) has expired.",
    fix: "The server must renew its certificate (e.g. `certbot renew`, then reload the mail server). If the certificate looks valid elsewhere, check this machine's clock (`date -u`, enable NTP): a clock far in the future makes valid certificates look expired.",
    references: [RFC.pkix],
  },
  'cert-not-yet-valid': {
    summary:
      "The server's certificate is not valid yet. Almost always this machine's clock is wrong (behind), or the certificate was issued moments ago with a start date in the future.",
    fix: 'Fix the client clock (`date -u`; enable NTP: `timedatectl set-ntp true`, or sync the VM/container host). If the clock is right, the server must install a certificate whose validity has started.',
    references: [RFC.pkix],
  },
  'cert-self-signed': {
    summary: 'The server presents a self-signed certificate, which no client trusts by default.',
    fix: 'Trust that certificate explicitly (nodemailer `tls: { ca: fs.readFileSync("server.pem") }`, `NODE_EXTRA_CA_CERTS=server.pem`, Python `ssl.create_default_context(cafile=...)`, curl `--cacert`, swaks `--tls-ca-path`), or give the server a certificate from a public CA. For a Mailport sandbox, trust its CA file (`mailport serve` prints the path).',
    references: [RFC.pkix],
  },
  'cert-untrusted-ca': {
    summary:
      "The server's certificate chain does not lead to a CA this client trusts: a private or sandbox CA, a missing intermediate certificate, or a TLS-inspecting proxy/antivirus that re-signs traffic.",
    fix: 'Add the issuing CA to the client (`NODE_EXTRA_CA_CERTS=ca.pem`, nodemailer `tls: { ca }`, Python `cafile=`, Java `keytool -importcert` into the truststore, curl `--cacert`, `mailport doctor` and `mailport send` `--ca FILE`). For a Mailport sandbox that CA is the `ca.pem` that `mailport serve` prints as "TLS CA". If the server omits its intermediate certificate, the server must send the full chain. Keep verification on.',
    references: [RFC.pkix],
  },
  'tls-version-too-old': {
    summary:
      'Client and server share no TLS version or cipher: one side only speaks TLS 1.0/1.1 (or old ciphers), which the other refuses.',
    fix: 'Use TLS 1.2 or newer on both sides: upgrade the old side; in Java set `mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3`, in .NET target 4.7+ or set `SslProtocols.Tls12 | Tls13`, in nodemailer `tls: { minVersion: "TLSv1.2" }`. Lowering the client\'s minimum to TLS 1.0 is a last resort for a legacy server you cannot change.',
    references: [RFC.tls12],
  },
  'client-certificate-required': {
    summary:
      'The server demands a TLS client certificate (mutual TLS) and the client sent none, or one the server does not trust: it ends the handshake with a fatal alert (TLS 1.3 "certificate required", alert 116; TLS 1.2 "handshake failure" right after asking for a certificate, or "bad certificate").',
    fix: 'Configure the client certificate and its private key that the server trusts (the server\'s operator issues them, or tells which CA must sign them): nodemailer `tls: { cert: fs.readFileSync("client.crt"), key: fs.readFileSync("client.key") }`, Python `context.load_cert_chain("client.crt", "client.key")`, PHPMailer `SMTPOptions = [\'ssl\' => [\'local_cert\' => ..., \'local_pk\' => ...]]`, Go `tls.Config{Certificates: ...}`, JavaMail a keystore (`javax.net.ssl.keyStore`), curl `--cert` and `--key`, swaks `--tls-cert` and `--tls-key`, msmtp `tls_cert_file` and `tls_key_file`, Postfix `smtp_tls_cert_file` and `smtp_tls_key_file`. Without a certificate, use a port that authenticates with AUTH instead (587 or 465 of the provider\'s submission service).',
    references: [RFC.clientCertificate],
  },
  'connection-refused': {
    summary:
      'Nothing accepts connections on that host and port (the server is down, listens elsewhere, or a firewall rejects the connection).',
    fix: 'Check host and port (587 STARTTLS, 465 implicit TLS, 2525 alternate); check the server is running and listening on that interface (`ss -ltn`); for localhost in Docker, use the service name instead of 127.0.0.1. `mailport doctor HOST` probes all submission ports.',
    references: [RFC.smtp],
  },
  'connection-timeout': {
    summary:
      'The TCP connection was never answered: a firewall or the cloud provider drops traffic to that port (outbound port 25 is blocked on most clouds and home ISPs), or the host is unreachable.',
    fix: 'Use the submission ports 587 or 465 (or 2525) rather than 25; check security groups, firewall egress rules and VPNs; `nc -vz HOST 587` from the same machine tells you whether the port is reachable.',
    references: [RFC.submission, RFC.implicitTls],
  },
  'no-greeting': {
    summary:
      'The connection opened but the server never sent its 220 greeting: it stayed silent or hung up. The server is overloaded, stuck or refuses this client, a proxy accepts connections without forwarding them, or the port expects TLS first.',
    fix: 'If this is port 465 (or any implicit-TLS port), enable implicit TLS in the client. Otherwise check the server health, its log (a server that refuses your IP may hang up without a word) and any proxy or load balancer in front of it; `mailport doctor HOST` tells implicit TLS apart from a silent or refusing server.',
    references: [RFC.smtp, RFC.implicitTls],
  },
  'connection-closed': {
    summary:
      'The server, or something between you and it (a firewall, proxy, load balancer or antivirus), closed or reset the connection, and the output does not show at which step or why. Common reasons: a TLS mode that does not match the port, a server that refuses this client (an IP blocklist, fail2ban, a connection limit), or a dead service behind a proxy.',
    fix: "Find out where it happens: `mailport doctor HOST` probes each port in both TLS modes and says whether the server refuses you. Or run the client with its transcript (swaks, `curl -v`, nodemailer `logger: true`, Python `set_debuglevel(1)`, PHPMailer `SMTPDebug = SMTP::DEBUG_CONNECTION`, msmtp `--debug`) and run `mailport explain` on that. Port 465 needs implicit TLS; 587, 25 and 2525 greet in plaintext and upgrade with STARTTLS. The server's log says why it dropped the connection.",
    references: [RFC.smtp, RFC.implicitTls, RFC.starttls],
  },
  'dns-failure': {
    summary: 'The SMTP host name does not resolve (typo, missing DNS record, or no working DNS resolver).',
    fix: "Check the host name spelling (`dig +short smtp.example.com`); in containers check the resolver and service names; use the provider's documented SMTP host.",
    references: ['RFC 1035 (DNS)'],
  },
  'auth-required': {
    summary:
      'The server requires authentication before it accepts mail (530 5.7.0), and the client sent MAIL FROM without logging in.',
    fix: 'Configure a username and password (nodemailer `auth: { user, pass }`, Python `login()`, PHPMailer `SMTPAuth = true`, .NET `Credentials`, JavaMail `mail.smtp.auth=true`, Perl Net::SMTP `auth()`, git send-email `--smtp-user` and `--smtp-pass`, s-nail `mta=smtp://USER:PASS@…` with `smtp-auth=plain`, neomutt `smtp_url="smtp://USER@…"` with `smtp_pass`, sendEmail `-xu USER -xp PASS`, mailutils `mail` `sendmail=smtp://USER:PASS@…`, nullmailer `--user` and `--pass`, Postfix relayhost `smtp_sasl_auth_enable = yes` with `smtp_sasl_password_maps`), and make sure STARTTLS happens first so AUTH is offered.',
    references: [`${RFC.auth} §6`, RFC.submission],
  },
  'auth-failed': {
    summary: 'The server rejected the username or password (535 5.7.8 and its variants).',
    fix: 'Check the username (often the full e-mail address) and password. Gmail and Microsoft 365 with 2FA need an app password or OAuth2 (XOAUTH2); Microsoft 365 also needs SMTP AUTH enabled for the mailbox. For a Mailport sandbox use the credentials `mailport serve` printed.',
    references: [`${RFC.auth} §6`, RFC.enhanced],
  },
  'auth-before-starttls': {
    summary:
      'The client tried to authenticate (or send) before upgrading the connection with STARTTLS; the server hides AUTH, or refuses it, until the connection is encrypted.',
    fix: 'Upgrade with STARTTLS before AUTH: nodemailer `requireTLS: true` (and not `ignoreTLS`), Python call `starttls()` then `ehlo()` before `login()`, .NET `EnableSsl = true`, JavaMail `mail.smtp.starttls.enable=true`, PHPMailer `SMTPSecure = ENCRYPTION_STARTTLS`, swaks `--tls`, curl `--ssl-reqd`, Perl Net::SMTP `starttls()` before `auth()`, git send-email `--smtp-encryption=tls`, s-nail `smtp-use-starttls`, neomutt `ssl_starttls=yes`, sendEmail `-o tls=yes`, mailutils `mail` `sendmail=smtp://…` without `;notls`, nullmailer `--starttls`, Postfix relayhost `smtp_tls_security_level = encrypt`. Or use port 465 with implicit TLS.',
    references: [`${RFC.starttls} §4`, `${RFC.auth} §4`, RFC.submission],
  },
  'auth-mechanism-unsupported': {
    summary:
      'Client and server have no SASL mechanism in common (e.g. the server only offers XOAUTH2, or the client insists on CRAM-MD5).',
    fix: 'Use a mechanism listed after `AUTH` in the EHLO reply (PLAIN or LOGIN over TLS are universal); for Microsoft 365/Gmail with basic auth disabled, use OAuth2 (XOAUTH2). `mailport doctor HOST` lists the offered mechanisms.',
    references: [`${RFC.auth} §3`],
  },
  'oauth-token-error': {
    summary:
      "The client could not get an OAuth 2.0 access token: the provider's token endpoint refused its refresh token, client credentials or scope, so no SMTP login was even tried.",
    fix: 'The words after the error code say which part: `invalid_grant` the refresh token (expired or revoked: sign in again and store the new one), `invalid_client` the client id or secret, `unauthorized_client` a refresh token issued to another client, `invalid_scope` the scope (Gmail https://mail.google.com/, Microsoft 365 https://outlook.office.com/SMTP.Send). Test the token you get with `mailport send --user MAILBOX --oauth-token-env VAR` before wiring it into the application.',
    references: ['RFC 6749 §5.2 (OAuth 2.0 token endpoint errors)', 'RFC 7628 (SASL OAUTHBEARER)'],
  },
  'relay-denied': {
    summary:
      'The server will not relay to that recipient for you: you are not authenticated (or not allowed) to send to domains it does not host.',
    fix: 'Authenticate (AUTH over STARTTLS on port 587) before sending, use the submission port instead of the MX on port 25, and send from an address your account may use.',
    references: [RFC.relay, RFC.submission],
  },
  'sender-rejected': {
    summary:
      'The server refused the sender: the MAIL FROM address (or its domain) is not one your account may use, fails verification, or your IP is blocked.',
    fix: "Send from the authenticated account's own address or a verified alias/domain (e.g. verified identities on SES/SendGrid); check SPF/DKIM/DMARC for the domain; if the reply names a blocklist, delist your IP or relay through your provider.",
    references: [`${RFC.smtp} §4.1.1.2`, RFC.enhanced],
  },
  'recipient-unknown': {
    summary:
      'The receiving server says the recipient mailbox does not exist (550 5.1.1) or cannot take mail.',
    fix: 'Check the recipient address for typos; remove addresses that bounce permanently from your lists. A full mailbox (5.2.2) clears only when its owner makes room.',
    references: [`${RFC.smtp} §4.1.1.3`, RFC.enhanced],
  },
  'no-valid-recipients': {
    summary:
      'No recipient was accepted, so the message could not be sent: the server refused every RCPT TO of the transaction and then refused DATA for want of a recipient (pipelining clients send DATA before they read the RCPT replies). That DATA reply is only the consequence: the reply to RCPT TO says why the recipients were refused.',
    fix: 'Read the server\'s reply to RCPT TO: it says why the recipients were refused. 550 5.1.1 (user unknown): check the address; 554 or 550 5.7.1 relay access denied: authenticate (AUTH over STARTTLS on port 587) before sending to other domains; a 4xx: try again later; an access rule ("Access denied", "Administrative prohibition"): ask the server\'s operator which recipients it takes from you. Run `mailport explain` on that reply, or on the client\'s whole transcript (swaks, `curl -v`, msmtp `--debug`, nodemailer `logger: true`).',
    references: [
      `${RFC.smtp} §3.3 (DATA needs a recipient accepted first)`,
      `${RFC.smtp} §4.1.1.4 (DATA)`,
      'RFC 2920 (pipelining)',
    ],
  },
  'message-too-large': {
    summary:
      'The message is larger than the server accepts (552 5.3.4 / 5.2.3). Attachments grow by a third when base64-encoded.',
    fix: 'Check the SIZE limit in the EHLO reply (`mailport doctor HOST`), send smaller attachments or links instead, or raise the server limit.',
    references: [RFC.size, RFC.enhanced],
  },
  'message-rejected': {
    summary:
      'The server refused the message itself after reading it: a spam or virus filter or a content policy judged what it says or carries, or the message breaks the format SMTP requires (a line over 1000 octets, a bare LF).',
    fix: 'Look at what the filter objects to: the reply often names it (spam score, a virus, a blocked attachment type, a URL on a blocklist). Authenticate the sending domain (SPF, DKIM, DMARC), send a text part with the HTML, avoid link shorteners and executable attachments, and check the message with `mailport messages checks ID` (it scores it with SpamAssassin when the sandbox runs with --spamassassin). A sandbox copy of the exact message shows what was sent.',
    references: [`${RFC.smtp} §4.1.1.4 (DATA)`, RFC.enhanced],
  },
  'non-ascii-not-supported': {
    summary:
      'The mail has non-ASCII characters where the client or the server cannot carry them: an address such as jörg@bücher.example needs SMTPUTF8 on both sides, 8-bit text sent as it is needs 8BITMIME, or the client library itself writes only ASCII (Python smtplib given a str message).',
    fix: 'For a non-ASCII address: send through a server that offers SMTPUTF8 (Postfix `smtputf8_enable = yes`, its default unless `compatibility_level` is 0) with a client that declares it when offered (nodemailer, Go net/smtp, curl, Python `send_message()`, aiosmtplib, Jakarta Mail with `mail.mime.allowutf8=true`, PHPMailer 6.10+, Symfony Mailer 7.4, `mailport send`). A non-ASCII domain alone can go as punycode, which every server takes (`jörg@bücher.example` is not ASCII in its local part; `bob@bücher.example` is `bob@xn--bcher-kva.example`). A non-ASCII local part has no ASCII form: without SMTPUTF8, ask for an ASCII address. For 8-bit text: let the mail library encode the body (quoted-printable or base64) or declare `BODY=8BITMIME` to a server that offers 8BITMIME.',
    references: [RFC.smtputf8, RFC.utf8Headers, RFC.eightBitMime, RFC.idna],
  },
  greylisted: {
    summary:
      'The receiving server greylists: it temporarily refuses mail from senders it has not seen before, expecting a retry minutes later.',
    fix: 'Nothing is wrong: retry after a few minutes (a real MTA queue does this automatically). Do not treat 4xx greylisting replies as permanent failures.',
    references: [RFC.greylisting, `${RFC.smtp} §4.5.4.1`],
  },
  'rate-limited': {
    summary:
      'The server is throttling you: too many messages, recipients, connections or login attempts in a period, or a sending quota is used up.',
    fix: "Slow down and retry later; use a connection pool with fewer connections, batch recipients, respect the provider's sending limits, or raise your quota.",
    references: [`${RFC.smtp} §4.5.3.1.10`, RFC.enhanced],
  },
  'temporary-failure': {
    summary:
      'The server reported a temporary problem (4xx: 421, 450, 451, 452): its own error, overload, or maintenance.',
    fix: 'Retry later with backoff; 4xx replies mean "try again", not "give up" (RFC 5321 §4.2.1). If it persists, the server\'s operator must look at its logs.',
    references: [`${RFC.replyCodes}`, RFC.enhanced],
  },
  'no-reply-after-data': {
    summary:
      'The whole message was sent, but the server never answered it: the connection closed, or the reply did not come in time. The message may have been accepted anyway, so sending it again may deliver it twice.',
    fix: "Check whether the message arrived (the recipient's mailbox, or the server's log for its Message-ID) before sending it again. If it keeps happening: a server that scans content can take long to answer the final dot, and RFC 5321 gives it 10 minutes, so raise the client's timeout for that reply (nodemailer `socketTimeout`, Python `smtplib.SMTP(timeout=...)`, swaks `--timeout`, `mailport send --timeout`). A proxy, firewall or antivirus that cuts long or large transfers, or a server that crashes on the message, looks the same: the server's logs tell which.",
    references: [
      `${RFC.smtp} §4.1.1.4 (DATA)`,
      `${RFC.smtp} §4.5.3.2.6 (10 minutes for the final reply)`,
      RFC.duplicates,
    ],
  },
  'not-smtp': {
    summary:
      'The port answered, but with another protocol (IMAP, POP3, HTTP, LMTP): the client is pointed at the wrong port.',
    fix: 'SMTP submission is port 587 (STARTTLS) or 465 (implicit TLS); 143/993 are IMAP, 110/995 POP3, 80/443 HTTP, 24 LMTP.',
    references: [RFC.submission, RFC.implicitTls],
  },
  'server-protocol-error': {
    summary:
      "The server speaks SMTP but breaks its rules: a reply the client cannot read (no reply code, a code that changes inside a multi-line reply, lines after the last one) or a reply that does not answer the command sent (a 250 greeting, 354 to MAIL FROM, 250 to AUTH or STARTTLS). Either the server is broken, or something between you and it rewrites the conversation: a firewall's SMTP inspection (Cisco ASA/PIX `inspect esmtp` masks the greeting with asterisks and turns the commands it does not allow into X's), an antivirus mail proxy, or a load balancer.",
    fix: 'No client setting fixes this. See the exact bytes with `mailport send --show-transcript` or `swaks --server HOST --port PORT` (`mailport doctor HOST` names the broken reply). A greeting made of asterisks, `XXXXXXXA` in the EHLO reply or `Command unrecognized: "XXXX"` is a Cisco firewall\'s SMTP inspection: ask whoever runs it to turn it off (`no inspect esmtp` in the `global_policy`) or to let STARTTLS and AUTH through. Otherwise try from another network to rule out a proxy, and report the transcript to the server\'s operator.',
    references: [`${RFC.smtp} §4.2 (reply format)`, `${RFC.smtp} §4.3.2 (replies each command may get)`],
  },
  'no-local-mta': {
    summary:
      "The program does not speak SMTP itself: it hands the message to a local `sendmail` program (PHP's mail(), cron, mail/mailx, Ruby's `:sendmail` delivery, nodemailer's sendmail transport), and that program is missing, or the mail system behind it is not set up or not running. No SMTP server was contacted.",
    fix: 'Give the program a working sendmail, or let it send over SMTP itself. Install a small MTA that relays to your provider (`msmtp-mta` with an msmtprc, or Postfix with `relayhost = [smtp.example.com]:587`), or switch the code to SMTP (PHPMailer or Symfony Mailer, nodemailer\'s SMTP transport, ActionMailer `delivery_method = :smtp`). For development, `mailport sendmail` is a sendmail stand-in that submits to the sandbox (127.0.0.1:1025, or any server with `-S HOST:PORT --tls auto --user USER --pass-env VAR`): PHP `sendmail_path = "npx mailport sendmail -t -i"`, elsewhere the path of a script that runs `mailport sendmail "$@"`.',
    references: [
      'sendmail(1) command-line interface (Postfix, msmtp-mta and other MTAs provide it)',
      RFC.submission,
    ],
  },
  'no-ehlo': {
    summary:
      'The server wants EHLO (or HELO) before this command: the client sent MAIL FROM, AUTH or another command without greeting first, or did not greet again after STARTTLS, which makes the server forget everything said before the handshake (RFC 3207 §4.2).',
    fix: 'Send EHLO first, and again right after the TLS handshake of STARTTLS; libraries do both when left to their own sequence. Python smtplib: `s.starttls()` then `s.ehlo()` before `s.mail()` (`sendmail()`, `send_message()` and `login()` greet by themselves; `mail()` and `docmd()` do not). With `openssl s_client -starttls smtp`, type `EHLO name` before AUTH or MAIL FROM. If EHLO itself was refused, that earlier reply says why.',
    references: [`${RFC.smtp} §4.1.4 (order of commands)`, `${RFC.starttls} §4.2`],
  },
  'bad-sequence': {
    summary:
      'The client sent a command out of order (503 "bad sequence of commands"): RCPT TO or DATA before MAIL FROM, a second MAIL FROM or an AUTH inside a transaction, STARTTLS on a session already encrypted, or DATA and BDAT in one transaction. A client that pipelines sees this too after its MAIL FROM was refused: the refusal of MAIL FROM is the real error.',
    fix: "Follow SMTP's order: EHLO, (STARTTLS, EHLO,) AUTH, MAIL FROM, RCPT TO for each recipient, then DATA; RSET before a new MAIL FROM when a transaction failed half-way. If the client sends commands by hand (`docmd()`, a raw socket), check each reply before the next command; if the text also shows a refused MAIL FROM, fix that (run `mailport explain` on its reply).",
    references: [
      `${RFC.smtp} §4.1.4 (order of commands)`,
      `${RFC.smtp} §4.2.4 (503)`,
      'RFC 2920 (pipelining)',
    ],
  },
  'not-http': {
    summary:
      "An HTTP client (a browser, curl, fetch, an API or webhook client, a health check) was pointed at a port that speaks SMTP, not HTTP: it read the mail server's `220` greeting where it expected an HTTP status line.",
    fix: "Point the HTTP client at the service's HTTP port; for a Mailport sandbox, the web UI and API are at http://127.0.0.1:8025 (`serve --http-port`), and the SMTP ports (1025, 1587, 1465, 2525) are for mail clients. To try SMTP with curl, use an `smtp://` URL (`smtps://` for port 465): `curl smtp://127.0.0.1:1025 --mail-from a@example.com --mail-rcpt b@example.com -T mail.eml`. Browsers refuse ports 25, 465 and 587 outright (ERR_UNSAFE_PORT).",
    references: ['RFC 9112 §4 (HTTP/1.1 status line)', `${RFC.smtp} §4.3.1 (the 220 greeting)`],
  },
  'unsupported-parameter': {
    summary:
      "The client added a parameter to MAIL FROM or RCPT TO for an extension the server did not offer in its EHLO reply (DSN's RET=, ENVID=, NOTIFY= and ORCPT=, BODY=, SIZE=, SMTPUTF8), so the server refused the command (555, RFC 5321 §4.1.1.11).",
    fix: 'Send only the parameters of extensions the EHLO reply lists (`mailport doctor HOST` shows them). Libraries do when left to decide; drop options forced by hand (Python `mail_options=[...]`/`rcpt_options=[...]`, a hand-built `MAIL FROM:<...> RET=HDRS`), or send through a server that offers the extension (Postfix offers DSN, SIZE, 8BITMIME and SMTPUTF8).',
    references: [`${RFC.smtp} §4.1.1.11 (parameters not offered: 555)`, 'RFC 3461 (DSN)', RFC.size],
  },
  'no-error': {
    summary:
      'This output shows a successful exchange: the server accepted the message (250) or the TLS check passed.',
    fix: "Nothing to fix here. If the mail did not arrive, look at the recipient side (spam folder, the server's queue and logs) or at a later error.",
    references: [RFC.replyCodes],
  },
  unknown: {
    summary: 'Mailport cannot tell the cause from this text, and would rather say so than guess.',
    fix: 'Run `mailport doctor HOST` to probe the server directly, or `mailport send --show-transcript` to see the full SMTP conversation; paste the server reply (the line starting with a 3-digit code) into `mailport explain`.',
    references: [RFC.replyCodes],
  },
};

/** Text that clients print regardless of the actual cause; removed before matching. */
export const BOILERPLATE: readonly RegExp[] = [
  // Terminal colours (ESC [ ... m), as Node's inspect and loggers print them: `\u001b[33m535\u001b[39m`
  // would hide the reply code from a word boundary.
  new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'),
  // curl's progress meter (without -sS): its byte counts and speeds (`0    552 --:--:--`) are not
  // reply codes. The meter can share a line with what follows it (`…     0*   Trying …`).
  /^[ \t]*% Total +% Received.*$|^[ \t]+Dload +Upload +Total +Spent +Left +Speed[ \t]*$/gm,
  /(?:^|\r)[ \t]*\d{1,3}(?: +[\d.]+[kMGTP]? +\d{1,3}){2} +[\d.]+[kMGTP]?(?: +[\d.]+[kMGTP]?){2}(?: +(?:--:--:--|\d+:\d\d:\d\d)){3} +[\d.]+[kMGTP]?/gm,
  // Mailport's own answer, as `mailport send` prints it after a failure: its summary and fix name
  // every cause they rule out ("the client requires STARTTLS"), which are no evidence of this one.
  /^Cause: {6}[a-z0-9-]+ {2}\((?:not recognised|\d{1,3}% sure: [^\n]*)\)\r?\n(?:[^\n]*\n){0,60}?References: [^\n]*$/gm,
  // MailKit's SslHandshakeException lists every possible reason, whatever the real one was.
  /^[ \t]*\d\. The server is using a self-signed certificate which cannot be verified\.[ \t]*$/gim,
  /^[ \t]*\d\. The local system is missing a Root or Intermediate certificate.*$/gim,
  /^[ \t]*\d\. A Certificate Authority CRL server for one or more of the certificates.*$/gim,
  /^[ \t]*\d\. The certificate presented by the server is expired or invalid\.?[ \t]*$/gim,
  /^[ \t]*\d\. The set of SSL\/TLS protocols supported by the client and server do not match\.?[ \t]*$/gim,
  /^[ \t]*\d\. You are using a version of MailKit.*$/gim,
  /This usually means that the SSL certificate presented by the server is not trusted by the system for one or more of\s+the following reasons:/gi,
  // openssl s_client's session fields: `Timeout   : 7200 (sec)` is the ticket lifetime, not a timeout.
  /^[ \t]*Timeout\s*:\s*\d+ \(sec\)[ \t]*$/gim,
  // Stack frames: their file names and line numbers (`line 535`, `index.js:465:12`) are not SMTP facts.
  // A Python frame and the source lines under it: the code of the library that raised the error
  // (`raise SMTPException("No suitable authentication method found.")`) is not what happened. The
  // function name stays (`in create_connection`, `in ehlo`): it tells the step that failed.
  /^([ \t]*)File ".*", line \d+(?:, (?<keep>in \S+))?.*(?:\r?\n\1[ \t]+\S.*)*$/gm,
  /^[ \t]*at .*[(\s][^\s(]+:\d+(?::\d+)?\)?[ \t]*$/gm,
  // Ruby's `/usr/lib/ruby/3.1.0/socket.rb:452:in `read'`: the method name stays, as for Python.
  /(?:(?<![^\s(])[^\s(]+\.rb|<internal:[\w/]+>):\d+:(?=in [`'])/g,
  // PHP's `#0 /path/SmtpTransport.php(315): ...` and `... on line 85`.
  /(?<=\.php)\(\d+\)|\bon line \d+/g,
  // Numbers that are not reply codes: nodemailer's info object (`envelopeTime: 451`, `messageSize:
  // 535`) and Postfix's log fields (`size=535`, `delays=0.05/0.04/5/0`).
  /\b(?:envelopeTime|messageTime|messageSize)\s*:\s*\d+/g,
  /\b(?:delay|delays|size|nrcpt)=[\d./]+/g,
  // A syslog line's process id (`postfix/smtp[535]:`, `msmtp[10054]:`).
  /(?<=\w)\[\d{1,10}\](?=:)/g,
  // Message ids (a header echoed by a client's debug output, nodemailer's info.messageId) and queue
  // ids: their digits are a clock, a process id or a counter
  // (`<20261206223352.10054-1-alice@example.com>`, `queued as 421`), no error.
  /(?<=\bqueued as )[\w.@-]{1,200}/gi,
  /(?<=\b(?:Message-ID|messageId|In-Reply-To|References)["']?[ \t]{0,3}[:=][ \t]{0,3}["']?)<[^<>\s]{1,998}>(?:[ \t]{1,3}<[^<>\s]{1,998}>)*/gi,
  // A log line's clock (`03:25:52`, `12:00:25,535`, `2026-12-06T03:25:52.550Z`, `at 14:25`): its
  // minutes are not ports (`03:25` is no host:25) and its milliseconds no reply codes.
  /(?:(?<![\w.:])|(?<=\dT))\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?=Z\b|[^\w:]|$)/gm,
];

/**
 * Numbers shaped like reply codes or enhanced status codes that are neither; the matcher turns
 * their digits into zeros, so no `535` or `5.1.1` pattern finds one and a `host:port` stays one.
 */
export const NOT_CODES: readonly RegExp[] = [
  // IPv4 addresses and four-part versions (`10.5.1.1:587`, `3.5.2.2`), versions glued to a name
  // (`lodash@5.1.1`, `pkg-5.6.7`, `v5.1.1`, `Python/3.5.1`). A code after a reply code
  // (`550-5.1.1`) or a field (`dsn=5.1.1`) stays.
  /(?<![\d.])\d+(?:\.\d+){3,}|(?<=[A-Za-z@/]|[A-Za-z]-)\d+\.\d+\.\d+/g,
  // Process, user and thread ids: `Main PID: 535 (node)`, `[pid 552]`, `uid=421`, `Thread-530`.
  /\b(?:pid|uid|gid|tid|thread)[ =:#-]{1,3}\d+/gi,
  // Quantities: curl's `} [535 bytes data]`, swaks's `~> 421 lines sent`, `(552 ms)`, Node's
  // `<Buffer 32 32 30 ... 554 more bytes>`.
  /(?<![\w.,])[245]\d\d(?= ?(?:more )?(?:bytes?|[KMG]i?B|ms|milliseconds?|secs?|seconds?|lines?|octets?|characters?)\b(?! ?(?:too|length|limit|exceed)))/g,
];

const ALL = ['all clients'];

const THUNDERBIRD_SETTINGS = 'Account Settings > Outgoing Server (SMTP) > Edit';
const THUNDERBIRD_TIMEOUT = /connection to (?:the )?(?:Outgoing server \(SMTP\)|SMTP server) \S+ timed out/i;
const OUTLOOK_SETTINGS = 'File > Account Settings > the account > Change > More Settings > Advanced';
const OUTLOOK_TIMEOUT =
  /0x8004210B|0x800CCC19|timed out waiting for a response from the sending \(SMTP\) server/i;
const APPLE_MAIL_SETTINGS =
  'Mail > Settings > Accounts > Server Settings > Outgoing Mail Account (on iOS: Settings > Apps > Mail > Mail Accounts > the account > Outgoing Mail Server > SMTP)';
// PHP's own SMTP client, used by mail() where php.ini sets SMTP and smtp_port (Windows) instead
// of sendmail_path: plaintext, no STARTTLS, no AUTH.
const PHP_MAIL_FIX =
  "PHP's mail() on Windows sends through the `SMTP` and `smtp_port` settings of php.ini, in plaintext, with neither STARTTLS nor AUTH, so it cannot use a submission port (587, 465). Send with PHPMailer or Symfony Mailer (STARTTLS and AUTH on 587), or point php.ini at a relay that takes mail from this machine without a login (a Mailport sandbox: `SMTP = 127.0.0.1`, `smtp_port = 1025`). On Linux and macOS, mail() runs `sendmail_path` instead (`mailport sendmail` can be that program).";

const GREETING_REFUSED_FIX =
  "The server refuses every session from your address before any command (a 554 or other 5xx greeting, RFC 5321 section 3.1): your IP is blocklisted or outside the networks it serves, or this port is not for clients like you. Send through your provider's submission server (587 with AUTH), or ask the server's operator which addresses it accepts.";

/** Clients whose DNS and connect errors come from the operating system's socket layer. */
/** gen_smtp, the SMTP client behind Elixir's Swoosh and Bamboo. */
const GEN_SMTP = ['gen_smtp (Swoosh, Bamboo)'];
/** Where OTP's ssl alerts are printed: gen_smtp and any other Erlang client. */
const ERLANG_CLIENTS = [...GEN_SMTP, 'Erlang/OTP ssl'];
/** gen_smtp's host in its error terms: an Erlang string, an Elixir charlist ('…' or ~c"…") or a binary. */
const GEN_SMTP_HOST = String.raw`(?:~c)?["'][^"'\n]{0,255}["']`;
/** gen_smtp's `{network_failure, Host, {error, closed}}`: the server hung up, at a step it does not name. */
const GEN_SMTP_CLOSED = new RegExp(
  String.raw`\{:?network_failure,\s*${GEN_SMTP_HOST},\s*\{:?error,\s*:?closed\}\}`,
);

const SOCKET_LEVEL_CLIENTS = [
  'nodemailer',
  'Python smtplib',
  'curl',
  'JavaMail',
  'Go net/smtp',
  '.NET SmtpClient',
  'msmtp',
  'swaks',
  'PHPMailer',
];

/**
 * The server answered in SMTP, so the TLS mode and the connection worked: Mailport's own `phase:`
 * or, in the line it prints, `a reply (PHASE)` (from `ehlo` on, the server had greeted), a server
 * reply in a client's transcript (swaks `<-`, `<~` and `<**` for an error, curl -v `<`, msmtp `<--`
 * and `server message:`, nodemailer's logger `S:`, Python's debug `reply: b'`, PHPMailer's
 * `SERVER -> CLIENT:`, Perl Net::Cmd's `<<<` after its object's name, s-nail's `>>> SERVER:`), a
 * Ruby or Python stack frame of a command after the greeting, or a client that failed sending a
 * command (JavaMail, .NET: both read the greeting before they send anything).
 */
const SERVER_ANSWERED =
  /Can't send command to SMTP host|Unable to write data to the transport connection|\bphase: (?:ehlo|auth|mail|rcpt|data)\b|\ba reply \((?:ehlo|auth|mail|rcpt|data)\)|(?:^|\s)(?:<(?:-+|~\*?|\*\*)?|S:)[ \t]+[2-5]\d\d[ -]|reply: b'[2-5]\d\d[ -]|SERVER -> CLIENT: [2-5]\d\d[ -]|\)<<< [2-5]\d\d[ -]|>>> SERVER: [2-5]\d\d[ -]|server message: [2-5]\d\d\b|in [`'](?:block in )?(?:Net::SMTP#)?(?:getok|ehlo|helo|starttls|mailfrom|rcptto|data|authenticate|auth_\w+)'|^in (?:ehlo|helo|ehlo_or_helo_if_needed|starttls|login|auth|mail|rcpt|data|sendmail|send_message)$/m;

/**
 * The output names the greeting as the step that failed: Mailport's phase, JavaMail's bad greeting
 * (`response: -1` is its end of stream), msmtp's initial OK message, aiosmtplib's connect step,
 * curl's and Symfony Mailer's unexpected greeting code, swaks connected and then nothing but an
 * error or a hang-up, Ruby reading the first reply in `do_start`, Python's in `connect`, Symfony
 * Mailer's in `start()`, Perl's Net::SMTP failing in its constructor (which reads the greeting and
 * the EHLO reply) with the 421 that Net::Cmd makes up for a read that found nothing.
 */
const AT_GREETING =
  /\bphase: greeting\b|Got bad greeting from SMTP host|Could not connect to SMTP host[^\n]{0,300}response: -1|cannot get initial OK message|Error connecting to \S+ on port \d+: (?:Connection lost|Unexpected EOF)|Got unexpected smtp-server response|Expected response code "220"|=== Connected to [^\n]{0,300}\r?\n(?:[ \t]*\r?\n)*(?:<(?:\*\*|~\*) |\*\*\* Remote host closed)|in [`'](?:Net::SMTP#)?(?:recv|check)_response'[^\n]{0,1000}\r?\n[ \t]*from [^\n]{0,300}in [`'](?:block in )?(?:Net::SMTP#)?do_start'|^in connect\r?\nin getreply$|SmtpTransport->getFullResponse\(\)\r?\n#\d+ [^\n]{0,500}?SmtpTransport->start\(\)|Net::SMTP: 421 \[Net::SMTP\] (?:Connection closed|Timeout)/m;

/**
 * A Windows Sockets error number as clients print it: `SocketException (10054)`, `[WinError 10054]`,
 * `errno=10054`, `Socket Error # 10054`. Never a bare number: a process id is one too, in a
 * Message-ID (`<20261206223352.10054-1-alice@example.com>`, as git send-email writes them) or in
 * a syslog line (`msmtp[10054]:`).
 */
function winsockError(code: number): string {
  return String.raw`(?<=\(|\b(?:WinError|errno|error|code)\W{0,3})${code}\b`;
}

/**
 * A connection refused by an address of Docker's bridge networks (172.16.0.0/12, the host's
 * gateway as a container sees it): a server on the host that listens on 127.0.0.1 alone.
 */
function containerCallingHost(text: string): string | null {
  const address = /ECONNREFUSED (172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}):\d+/.exec(text)?.[1];
  return address === undefined
    ? null
    : `${address} is on a Docker bridge network: the program most likely runs in a container and called the host, whose server listens on 127.0.0.1 alone, which connections from containers never reach: it must listen on 0.0.0.0 or on the bridge address (a Mailport sandbox: \`--host 0.0.0.0\`).`;
}

/** How a program in a container reaches an SMTP server, a Mailport sandbox in particular. */
const SANDBOX_NOT_REACHABLE =
  'From a container, 127.0.0.1 is the container itself: run the sandbox as a service of the same Compose file and use its service name (`mailport:1587`), or reach the host as `host.docker.internal` (on Linux with `--add-host=host.docker.internal:host-gateway`) and start the sandbox with `--host 0.0.0.0`, since by default it listens on 127.0.0.1 alone. Give it the name the client connects to with `--hostname` (`MAILPORT_HOSTNAME`), so that its certificate names it and TLS verifies.';

/** The peer closed the connection (an orderly close: end of stream), in each client's words. */
const CLOSED = new RegExp(
  String.raw`Connection closed unexpectedly|closed the connection unexpectedly|Connection unexpectedly closed|has been closed unexpectedly|Remote host closed connection unexpectedly|Unexpected socket close|net_io_connectionclosed|transport connection: The connection was closed|unexpectedly disconnected|server sent an empty reply|Unexpected EOF received|\bConnection lost\b|end of file reached|response: (?:\[EOF\]|-1)|response reading failed|Connection closed by (?:the )?(?:remote|foreign) host|unexpected EOF on command channel|\[Net::SMTP\] Connection closed|established connection was aborted|WSAECONNABORTED|${winsockError(10053)}|incomplete response`,
  'i',
);

/**
 * Go's net/smtp returns a bare EOF when the server hangs up: alone, after the caller's words, or
 * after log.Fatal's date and time (also inside a journald or syslog line).
 */
const GO_EOF = /(?:^|:\s*|msg=|\b\d{4}\/\d\d\/\d\d +(?:\d\d:\d\d:\d\d(?:\.\d+)? )?)EOF(?:\s|$)/m;

/**
 * The peer reset the connection (a TCP RST), in each client's and operating system's words; a write
 * after it fails with EPIPE. The last two are libcurl's texts for its errors 56 and 55 (a read or a
 * write on the connection failed), as programs that embed libcurl (Zabbix, PHP's curl) print them.
 */
const RESET = new RegExp(
  String.raw`ECONNRESET|Connection reset|forcibly closed by the remote host|${winsockError(10054)}|errno["']?\s*[:=]?\s*-?104\b|\bEPIPE\b|Broken pipe|Failure when receiving data from the peer|Failed sending data to the peer`,
  'i',
);

/** Matches where any of the patterns does (multi-line and case-insensitive, as they all may be). */
function anyOf(...patterns: RegExp[]): RegExp {
  return new RegExp(patterns.map((pattern) => pattern.source).join('|'), 'im');
}

/** The peer hung up, either way. */
const HUNG_UP = anyOf(CLOSED, GO_EOF, RESET);

/**
 * The output shows a completed TLS handshake: Mailport's own words for a greeting that did not
 * follow one, swaks' `=== TLS started`, curl -v's `* SSL connection using`, nodemailer's logger's
 * `Secure connection established to`, a Python traceback reading through `ssl.py` (its frames
 * `recv_into` then `read`, which a plain socket does not have). What goes wrong after it cannot be
 * the TLS mode or the certificate.
 */
const TLS_ESTABLISHED =
  /, after a completed TLS handshake|=== TLS started with cipher|^\* SSL connection using TLS|\] Secure connection established to |^in recv_into\r?\nin read\r?$/m;

/** Why a hang-up follows a completed implicit-TLS handshake at once. */
const TLS_FRONT_HUNG_UP =
  "The TLS handshake completed, so implicit TLS is the right mode for this port and the certificate was accepted; then the server hung up before its SMTP greeting. Either a TLS proxy in front of the mail server (stunnel, HAProxy, nginx `stream`, a cloud load balancer, a Kubernetes ingress) accepts connections while the SMTP service behind it is down, unreachable from the proxy or refusing it, or the server refuses this client once connected (an access rule, an IP blocklist such as fail2ban, a connection limit). The proxy's and the server's logs say which; `openssl s_client -connect HOST:PORT` shows the same hang-up by hand.";

/** Why no greeting follows a completed implicit-TLS handshake. */
const TLS_FRONT_SILENT =
  "The TLS handshake completed, so implicit TLS is the right mode for this port and the certificate was accepted, but no SMTP greeting followed. The mail service behind the TLS endpoint is stuck or overloaded, or a TLS proxy in front of it (stunnel, HAProxy, nginx `stream`, a cloud load balancer) accepts connections without reaching a live SMTP server: check that service and the proxy's log. Some servers greet late on purpose (a tarpit, Postfix postscreen's greet wait, a slow DNS lookup of the client): a longer client timeout tells those apart.";

/**
 * A TLS handshake that got no answer: the TCP connection opened, then nothing. Mailport's own
 * client, Python's ssl module and curl (28) say so; a timeout of the TCP connect reads differently.
 */
const TLS_HANDSHAKE_TIMEOUT =
  /TLS handshake with \S+ timed out|The handshake operation timed out|SSL connection timeout/i;

/** The sandbox's refusal of an over-long command line, which names the limit. */
const COMMAND_LINE_TOO_LONG = /Line too long: this command may have \d+ octets/i;

/** Why a session dies at the EHLO right after a working STARTTLS handshake. */
const STARTTLS_SESSION_LOST =
  'The TLS handshake after STARTTLS completed, then the server hung up on (or never answered) the EHLO that must follow it (RFC 3207 §4.2): its TLS layer does not pass the session on to the SMTP service, as with a TLS proxy such as stunnel in front of it, or a bug in the server. No client setting fixes that: the server must be fixed. Meanwhile use port 465 with implicit TLS if the provider offers it.';

/**
 * A transcript line where the client sent a command: swaks ` -> `, nodemailer's logger `C:`,
 * PHPMailer `CLIENT -> SERVER:`, `>>>`, curl -v `> `, Python's set_debuglevel(1) `send: '`.
 */
const CLIENT_SENT = String.raw`(?:->|C:|CLIENT -> SERVER:|>>>|^>|send: ')[ \t]*`;

/**
 * A transcript line with the server's reply: swaks `<-` (`<**` for one it did not expect), `S:`,
 * PHPMailer `SERVER -> CLIENT:`, Perl `<<<`, Python's set_debuglevel(1) `reply: b'`.
 */
const SERVER_REPLIED = String.raw`(?:<\*\*|<-+|<<<|S:|SERVER -> CLIENT:|reply: b')[ \t]*`;

/** The client sent this command, and the next line holds a reply matching `reply`. */
function sentThenReplied(command: string, reply: string): RegExp {
  return new RegExp(String.raw`${CLIENT_SENT}${command}\b[^\n]*\r?\n[^\n]*?${reply}`, 'im');
}

/** A client that gave up waiting for the greeting (or for any first reply). */
const GREETING_WAIT =
  /Greeting never received|waiting for (?:the )?(?:server )?(?:greeting|banner)|Timeout \(\d+ secs?\) waiting for server response|Operation timed out after \d+ milliseconds with 0 bytes received|Read timed out/i;

/** The TCP connect itself got no answer in time (not a reply that never came). */
const CONNECT_TIMEOUT = new RegExp(
  String.raw`connect ETIMEDOUT|Connection timed out|connect timed out|dial tcp [^\n]{0,300}?i\/o timeout|Net::OpenTimeout|Timed out connecting to|errno["']?\s*[:=]?\s*-?110\b|Errno 110|\(110\)|${winsockError(10060)}|WSAETIMEDOUT|did not properly respond after a period of time|Connection timeout|Failed to connect to [^\n]{0,300}?(?:Timed out|Timeout was reached)|no answer to the TCP handshake|connect: timeout`,
  'i',
);

/**
 * A server's 421 saying it timed the client out (Postfix "421 4.4.2 HOST Error: timeout exceeded");
 * not Net::Cmd's own "421 [Net::SMTP] Timeout", which it makes up when no reply came.
 */
const SERVER_TIMED_OUT_CLIENT =
  /\b421[ -](?!\[Net::)(?:4\.4\.2\b|[^\n]{0,300}?(?:timeout exceeded|timed out|timeout))/i;

/** A 5xx reply code, as clients quote one; not a port (`port: 587`, `host:587`) or a line number. */
const REPLY_5XX = /(?<![\w.:/-]|\bport:? ?)5\d\d(?:[ -]|,\s*b['"]|"|$)/m;

/**
 * A read that timed out or found nothing once the TCP connection was open: before the greeting,
 * the port did not speak first (PHPMailer's debug output shows an empty server line, Symfony
 * Mailer says so of the 220 it expected, Postfix names the greeting it was waiting for; Perl's
 * Net::SMTP fails its constructor, which reads the greeting, with Net::Cmd's made-up 421). Rust's
 * std (lettre) reports a read timeout as EAGAIN: "Resource temporarily unavailable (os error 11)",
 * 35 on macOS.
 */
const NOTHING_READ =
  /Net::ReadTimeout|read tcp \S+: i\/o timeout|Connection unexpectedly closed: timed out|SERVER -> CLIENT:[ \t]*\r?\n|code "?220"? but got (?:an )?empty (?:response|code)|code "?220"? but got code "", with message ""|Resource temporarily unavailable \(os error (?:11|35)\)|network read error: the operation timed out|Connection to "[^"\n]{1,300}" timed out|waiting for server ready message|while receiving the initial server greeting|Net::Cmd::getline\(\): timeout|Net::SMTP: 421 \[Net::SMTP\] Timeout/;

/** A client naming the envelope step that failed with a 4xx reply (curl): try again, not refused. */
const TEMPORARY_AT_STEP = /\b(?:MAIL|RCPT) failed: 4\d\d\b/i;

/** An error anywhere in the text means the output does not show a clean success. */
const FAILURE_SIGNS =
  /\b[45]\d\d[ -]|\b[45]\d\d, b'|error|exception|fail|refused|denied|timed? ?out|rejected: \[ ?['"]|traceback|\*\*\*/i;

const RELAY_DENIED =
  /relay(?:ing)? (?:access )?(?:denied|not permitted|not allowed|disallowed|prohibited)|Unable to relay|not permitted to relay|we do not relay|relaying denied|cannot relay|no relaying|allowed rcpthosts|\b5\.7\.64\b|\b5\.7\.54\b/i;

/**
 * What a Cisco ASA or PIX with ESMTP inspection leaves of a session: a greeting masked with
 * asterisks (a few digits left), EHLO keywords it hides turned into X's, and the server's refusal
 * of a command the firewall rewrote into X's.
 */
const CISCO_INSPECTION = /\b220[ -]\*[*0-9 ]{15,}\s*$|\b250[ -]X{6,}[A-Z]?\b|Command unrecognized: "?X{4,}/m;
const CISCO_INSPECTION_FIX =
  'A Cisco ASA or PIX firewall between you and the server inspects SMTP (`inspect esmtp`): it masks the greeting with asterisks, hides STARTTLS and AUTH in the EHLO reply as `XXXXXXXA`, and rewrites commands it does not allow into XXXX, which the server then refuses. Ask whoever runs that firewall to turn the inspection off (`policy-map global_policy` → `class inspection_default` → `no inspect esmtp`) or allow STARTTLS and AUTH through it; or send from a network without it, over port 465 (implicit TLS, which the inspection cannot read).';

/** What to do when the port is an LMTP server, or anything else that knows neither EHLO nor HELO. */
const LMTP_FIX =
  "The server knows neither EHLO nor HELO, so it is not an SMTP server for clients: most often it is an LMTP server (RFC 2033; Dovecot or Cyrus, on port 24 or a socket), which a mail server uses to hand mail to its mailboxes and which answers LHLO instead, sometimes another service behind the port. Point the client at the mail server's submission port: 587 with STARTTLS, or 465 with implicit TLS. `mailport doctor HOST:PORT` says whether the port answers LHLO.";

/**
 * A server refusing the name the client gave in EHLO/HELO (Postfix `reject_non_fqdn_helo_hostname`,
 * `reject_unknown_helo_hostname`, Exim and Sendmail HELO checks): the client's name, not its IP.
 */
export const HELO_NAME_REFUSED =
  /Helo command rejected|need fully[- ]qualified (?:host ?name|domain)|\bFQDN\b|(?:invalid|bad|illegal|syntactically invalid) (?:HELO|EHLO)(?!\. response=)|(?:HELO|EHLO) (?:name|host ?name|argument)s? (?:is )?(?:invalid|not|rejected|must)|Syntax: (?:HELO|EHLO) hostname|(?:HELO|EHLO) requires (?:a )?domain/i;

/**
 * A server refusing DATA (or BDAT) because no RCPT TO was accepted: Postfix "554 5.5.1 Error: no
 * valid recipients", Mailport "554 5.5.1 No valid recipients", Exim "503 Valid RCPT command must
 * precede DATA", Sendmail "503 5.0.0 Need RCPT (recipient)", Exchange "503 5.5.2 Need rcpt
 * command", qmail "503 RCPT first (#5.5.1)".
 */
const NO_RECIPIENTS_AT_DATA =
  /no valid recipients|valid RCPT command must precede (?:DATA|BDAT)|All RCPT commands were rejected|Need RCPT \(recipient\)|Need rcpt command|\bRCPT first\b/i;

/**
 * A reply as clients print it: `554 5.7.1 text` (in quotes where the client quotes it, as Symfony
 * Mailer's `with message "550 ..."`), or Python's `(554, b'5.7.1 text')`.
 */
const REPLY_IN_LINE =
  /(?<![\w.:/-]|\bport:? ?)(?<quote>["']?)(?<code>[45]\d\d)[ -]+(?<text>\S[^\n]*)|\((?<pyCode>[45]\d\d), b?(?<pyQuote>['"])(?<pyText>.*?)\k<pyQuote>[,)]/;

/** What clients print after the reply: Ruby's exception class, curl's "(last error)". */
const AFTER_REPLY = /(?:^| )\((?:Net::SMTP\w+|last error)\)$/;

/**
 * The server's refusal of a recipient, as the text shows it: the first 4xx or 5xx reply that is not
 * the DATA refusal that followed it. Exim quotes it inside its DATA refusal ("503-All RCPT commands
 * were rejected with this error:" then "503-<the reply>").
 */
export function refusedRecipientReply(text: string): string | null {
  const exim = /All RCPT commands were rejected with this error:\s*(?:<\*\*\s+)?503-(.+)/i.exec(text);
  if (exim?.[1]) return exim[1].trim();
  for (const line of text.split(/\r?\n/)) {
    if (NO_RECIPIENTS_AT_DATA.test(line)) continue;
    const groups = REPLY_IN_LINE.exec(line)?.groups;
    if (!groups) continue;
    if (groups.pyCode) return `${groups.pyCode} ${groups.pyText ?? ''}`.trim();
    const words = groups.text ?? '';
    const closingQuote = groups.quote ? words.indexOf(groups.quote) : -1;
    const reply = closingQuote > 0 ? words.slice(0, closingQuote) : words;
    return `${groups.code} ${reply.replace(AFTER_REPLY, '')}`.trim();
  }
  return null;
}

/** The sentence that quotes the recipient's refusal, when the text holds it. */
function recipientRefusal(text: string): string | null {
  const reply = refusedRecipientReply(text);
  return reply === null ? null : `The server refused the recipient with "${reply}".`;
}

/**
 * Clients seen here declaring SMTPUTF8 by themselves when the server offers it, and the ones that
 * did not (nor can be told to), for the fixes of the non-ASCII rules.
 */
const SMTPUTF8_CLIENTS =
  'Clients that declare SMTPUTF8 by themselves when the server offers it: nodemailer, Go net/smtp, curl, Python `send_message()` (or `sendmail(..., mail_options=["SMTPUTF8"])`), aiosmtplib, Jakarta Mail with `mail.mime.allowutf8=true`, PHPMailer 6.10+ (CharSet utf-8), Symfony Mailer 7.4, `mailport send`. Ruby\'s Net::SMTP 0.3, Perl\'s Net::SMTP, msmtp 1.8 and swaks send the address without it: give them an ASCII address.';

const PUNYCODE_HINT =
  'A non-ASCII domain alone can go as punycode, which every server takes (`bob@bücher.example` is `bob@xn--bcher-kva.example`, `idn2 bücher.example`); a non-ASCII local part has no ASCII form.';

/** Postfix `smtputf8_enable` (and the Postfix-compatible sandbox): where the server side is fixed. */
const SERVER_SMTPUTF8 =
  'turn SMTPUTF8 on at the server (Postfix `smtputf8_enable = yes`, its default unless `compatibility_level` is 0; a Mailport sandbox offers it)';

/**
 * A server refusing a non-ASCII address for want of SMTPUTF8: RFC 6531 §3.6's X.6.7 ("non-ASCII
 * addresses not permitted for that sender/recipient"), Postfix with `strict_smtputf8 = yes`
 * ("553 5.6.7 Must declare SMTPUTF8 to send unicode address"), Mailport's own reply.
 */
const SMTPUTF8_REQUIRED =
  /(?<![\w.@/])5\.6\.7\b(?![.\d])|Must declare SMTPUTF8|requires the SMTPUTF8 parameter/i;

/**
 * An address with a non-ASCII character, in its local part or its domain. Each branch starts at a
 * non-ASCII character or an `@` and its runs are bounded, so a megabyte of text is read in linear time.
 */
const NON_ASCII_ADDRESS = /[\u0080-\uffff][^\s<>"'@]{0,64}@[^\s<>"'@]|@[^\s<>"'@]{0,255}[\u0080-\uffff]/;

/** A server refusing an address for its syntax (Postfix "501 5.1.3 Bad recipient address syntax"). */
const ADDRESS_SYNTAX_REFUSED = /\b5\.1\.[37]\b|Bad (?:recipient|sender) address syntax/i;

/** What to do when a server cannot read an address: its form is wrong, not the mailbox. */
const ADDRESS_SYNTAX_FIX =
  'Send each address bare, in angle brackets: `MAIL FROM:<bob@example.com>`, `RCPT TO:<alice@example.com>`. The usual culprits are a display name in the envelope ("Bob <bob@example.com>" given where only the address belongs), a trailing space or newline from a file or an environment variable, several recipients in one string ("a@x.com, b@x.com" instead of a list), an empty variable (`bob@` when the variable holding the domain is unset), a name with no @domain, or non-ASCII characters sent without SMTPUTF8 (a domain can go as punycode, `xn--…`). Libraries take the envelope from the To:/From: headers when given full addresses; an envelope built by hand (Python `sendmail(from_addr, to_addrs, msg)`, JavaMail `Transport.send(msg, addresses)`, a socket) must hold bare addresses.';

/** Libraries that refuse an address themselves, before any server saw it. */
const LIBRARY_ADDRESS_FIX =
  'The library refused the address itself, before connecting, because it is not a full address (`user@example.com`): no server was asked. Check the variable or setting it came from (empty, a name without @domain, a display name mixed in); a display name goes in its own argument.';

/** The sentence that says the refusal is about the address's form, quoting the reply when it can. */
function addressSyntaxRefusal(text: string): string | null {
  const reply = refusedRecipientReply(text);
  const quoted = reply === null ? '' : ` ("${reply}")`;
  return `The reply${quoted} refuses the form of the address, not the mailbox: the server could not read it as an address.`;
}

/**
 * Symfony Mailer's words when the server closed the connection where a reply was due: its stream
 * reads nothing once the server has hung up. "220" (the greeting, or the answer to STARTTLS) is
 * left to the greeting rules.
 */
const SYMFONY_NO_REPLY =
  /Expected response code "(?!220")(\d{3}(?:\/\d{3})*)" but got (?:an )?empty response/i;

/** The command whose reply Symfony expected, named by the code(s) it quotes. */
const SYMFONY_EXPECTED_STEP: Readonly<Record<string, string>> = {
  '250': 'EHLO, MAIL FROM or the end of the message',
  '250/251/252': 'RCPT TO',
  '354': 'DATA',
  '235': 'AUTH (the login)',
  '334': 'a step of AUTH (the login)',
};

function symfonyHungUpStep(text: string): string | null {
  const codes = SYMFONY_NO_REPLY.exec(text)?.[1];
  if (codes === undefined) return null;
  const step = SYMFONY_EXPECTED_STEP[codes] ?? `the command answered by ${codes}`;
  return `Symfony Mailer expected the reply to ${step} and found the connection closed.`;
}

/** The token Exchange Online's SMTP AUTH takes: one fact, for every fix that names it. */
const EXCHANGE_SMTP_SCOPES =
  'https://outlook.office.com/SMTP.Send (with offline_access to refresh it; an application: https://outlook.office365.com/.default with the SMTP.SendAsApp permission), not Microsoft Graph';

/**
 * A 334 whose text is base64 JSON (`eyJ` is `{"`): the error challenge a server sends for a refused
 * OAuth 2.0 token (RFC 7628 §3.2.2; Gmail's for XOAUTH2), printed by clients that did not expect it.
 */
const OAUTH_ERROR_CHALLENGE = /\b334\b[^A-Za-z0-9\n]{1,4}(?:b['"])?(eyJ[A-Za-z0-9+/]{8,}={0,2})/;
/** `mailport send` and `doctor` print the challenge decoded. */
const DECODED_OAUTH_ERROR_CHALLENGE = /refused the OAuth token \(its error challenge: (\{[^\n]*?\})\)/;

function oauthErrorChallenge(text: string): string | null {
  const encoded = OAUTH_ERROR_CHALLENGE.exec(text)?.[1];
  const json =
    encoded === undefined
      ? DECODED_OAUTH_ERROR_CHALLENGE.exec(text)?.[1]
      : Buffer.from(encoded, 'base64').toString('utf8');
  if (json === undefined) return null;
  let status: unknown;
  try {
    status = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof status !== 'object' || status === null) return null;
  const { scope } = status as { scope?: unknown };
  const wanted =
    typeof scope === 'string' && scope !== '' ? ` It asks for a token with the scope ${scope}.` : '';
  return `The server's OAuth error challenge (a 334 reply) refuses the token: ${JSON.stringify(status)}.${wanted}`;
}

export const RULES: readonly ExplainRule[] = [
  // --- Success ------------------------------------------------------------------------------
  {
    id: 'success-queued',
    cause: 'no-error',
    confidence: 0.35,
    match: [
      /\b250[ -](?:2\.\d\.\d+ )?[^\n]{0,300}?(?:queued|accepted|message sent|ok\b)|\bqueued as\b|message (?:sent|accepted|queued)\b|sent successfully|\bmessageId\b|"accepted":\s*\[\s*"|accepted: \[ ?'/i,
    ],
    unless: [FAILURE_SIGNS],
    seenIn: ['nodemailer', 'swaks', 'curl', 'Python smtplib', 'msmtp'],
  },
  {
    id: 'openssl-verify-ok',
    cause: 'no-error',
    confidence: 0.35,
    match: [/Verify return code: 0 \(ok\)/i],
    unless: [/errno|alert|verify error/i],
    seenIn: ['openssl s_client'],
  },

  // --- Wrong TLS mode: implicit TLS against a plaintext/STARTTLS port -----------------------
  {
    // Mailport's own client sent STARTTLS, got 220 and began the handshake: a plaintext answer
    // there is the server's fault (or a middlebox's), not a client using the wrong TLS mode.
    id: 'no-tls-after-starttls-220',
    cause: 'starttls-not-offered',
    confidence: 0.97,
    match: [
      /\bphase: starttls\b/,
      /wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|unknown[ _]protocol|record[ _]layer[ _]failure|handshake .{0,200}timed out/i,
    ],
    seenIn: ['mailport'],
    fix: 'The server answered 220 to STARTTLS but did not start TLS (it answered in plaintext, or not at all): fix its TLS configuration, or turn off the "SMTP inspection" of a firewall in between (it rewrites STARTTLS). Meanwhile use another port that works, e.g. 465 with implicit TLS.',
  },
  {
    // Mailport's own client: STARTTLS and its handshake worked, then the EHLO that must follow got
    // a hang-up or nothing. The session is lost in the server's TLS layer, whatever the client.
    id: 'no-reply-after-starttls-handshake',
    cause: 'starttls-not-offered',
    confidence: 0.85,
    match: [/, the first command after a completed STARTTLS handshake/],
    seenIn: ['mailport'],
    fix: STARTTLS_SESSION_LOST,
  },
  {
    // swaks' transcript of the same: its EHLO over the new TLS session gets nothing back.
    id: 'swaks-no-reply-after-starttls-handshake',
    cause: 'starttls-not-offered',
    confidence: 0.85,
    match: [
      /^ -> STARTTLS\r?$/m,
      /^ ~> EHLO [^\n]*\n<~\* Timeout \(\d+ secs?\) waiting for server response/m,
    ],
    unless: [/^<~ +\d/m],
    seenIn: ['swaks'],
    fix: STARTTLS_SESSION_LOST,
  },
  {
    // A transcript where STARTTLS got its 220, and the handshake then met plaintext: the client's
    // TLS mode is right, and the server (or something in front of it) did not start TLS.
    id: 'plaintext-after-starttls-accepted',
    // As the doctor says it: in effect STARTTLS is not available on the way to this server.
    cause: 'starttls-not-offered',
    confidence: 0.97,
    match: [
      // The transcript, or the client's own words or stack frame for the upgrade after the 220.
      anyOf(
        sentThenReplied('STARTTLS', String.raw`\b220\b`),
        // Python's traceback frames are reduced to `in FUNCTION` lines before the rules run.
        /Unable to connect with STARTTLS|Could not convert socket to TLS|SMTPTransport\.startTLS\(|^in starttls$/,
      ),
      /wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long|first record does not look like a TLS handshake|Unrecognized SSL message|unknown[ _]protocol/i,
    ],
    seenIn: [
      'swaks',
      'curl',
      'PHPMailer',
      'Perl Net::SMTP',
      'Symfony Mailer',
      'JavaMail',
      'aiosmtplib',
      'Python smtplib',
    ],
    fix: "The server answered STARTTLS with 220 and then did not speak TLS: what came next was plaintext, so the client's TLS setting is right. Something between the two intercepts SMTP (an antivirus or firewall mail proxy, a Cisco `inspect esmtp`), or the server's TLS is broken. Try from another network, and run `mailport doctor HOST --ports PORT`, which shows what followed the 220; report it to whoever runs the server.",
  },
  {
    id: 'tls-wrong-version-number',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.95,
    match: [/wrong[ _]version[ _]number/i],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'swaks', 'openssl s_client', 'PHPMailer', 'msmtp'],
  },
  {
    id: 'tls-packet-length-too-long',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.9,
    match: [
      /packet[ _]length[ _]too[ _]long|record[ _]layer[ _]failure|tls_get_more_records|ssl3_get_record/i,
    ],
    seenIn: ['nodemailer', 'openssl s_client', 'curl'],
  },
  {
    id: 'tls-unknown-protocol',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.85,
    match: [/unknown[ _]protocol|SSL23_GET_SERVER_HELLO/i],
    seenIn: ['openssl s_client (OpenSSL 1.0)', 'PHPMailer'],
  },
  {
    id: 'java-plaintext-connection',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.95,
    match: [/Unrecognized SSL message,? plaintext connection|Unsupported or unrecognized SSL message/i],
    seenIn: ['JavaMail'],
  },
  {
    id: 'go-first-record',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.95,
    match: [/first record does not look like a TLS handshake/i],
    seenIn: ['Go net/smtp'],
  },
  {
    id: 'rustls-corrupt-message',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.85,
    // Display form, or the Debug form a Rust program prints with `{:?}`.
    match: [/received corrupt message|InvalidMessage\(InvalidContentType\)/i],
    seenIn: ['lettre (rustls)'],
  },
  {
    // PHPMailer's debug level 2 hides the OpenSSL error: errno 0 after a TCP connect that worked
    // means its `ssl://` handshake failed, and on a plaintext port that is the wrong TLS mode.
    id: 'phpmailer-tls-failed-plaintext-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.85,
    match: [/Failed to connect to server:\s+\(0\)/i],
    port: 'plaintext',
    seenIn: ['PHPMailer'],
  },
  {
    id: 'phpmailer-tls-failed',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.55,
    match: [/Failed to connect to server:\s+\(0\)/i],
    seenIn: ['PHPMailer'],
    fix: "PHPMailer reached the server, but its TLS handshake failed (error 0). Usually `SMTPSecure = PHPMailer::ENCRYPTION_SMTPS` is set for port 587 or 2525: use `ENCRYPTION_STARTTLS` there, and `ENCRYPTION_SMTPS` only with port 465. If the port is 465, the server's certificate failed the check instead: set `$mail->SMTPDebug = SMTP::DEBUG_CONNECTION` to see the OpenSSL error, or run `mailport doctor HOST`.",
  },
  {
    id: 'phpmailer-tls-failed-implicit-port',
    cause: 'cert-untrusted-ca',
    confidence: 0.6,
    match: [/Failed to connect to server:\s+\(0\)/i],
    port: 'implicit',
    seenIn: ['PHPMailer'],
    fix: "On an implicit-TLS port PHPMailer's error 0 means the TLS handshake failed, most often on the server's certificate (an unknown CA, a wrong name, expired). Set `$mail->SMTPDebug = SMTP::DEBUG_CONNECTION` to see the OpenSSL error and run `mailport explain` on that, or run `mailport doctor HOST --port 465`. Do not turn off `verify_peer`.",
  },
  {
    // PHP streams name the scheme: `ssl://` is TLS from the first byte (Swift Mailer and Symfony
    // Mailer `encryption: ssl`, Laravel `MAIL_ENCRYPTION=ssl`); OpenSSL's reason is often hidden.
    id: 'php-ssl-scheme-on-plaintext-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.88,
    match: [
      /\bssl:\/\/\S/i,
      /unable to connect|could not be established|SSL operation failed|Unknown error/i,
    ],
    port: 'plaintext',
    seenIn: ['Swift Mailer', 'Symfony Mailer', 'PHP streams'],
    fix: '`ssl://` starts TLS at once, but this port greets in plaintext and expects STARTTLS. On 587 (and 25/2525) set `MAIL_ENCRYPTION=tls` (Laravel, Swift Mailer `encryption: tls`) or use a `smtp://` DSN (Symfony Mailer upgrades with STARTTLS by itself); keep `ssl` (`smtps://`) only with port 465.',
  },
  {
    // The status line alone, as `grep status=deferred` shows it: on a plaintext port the usual cause
    // is wrappermode set for 587; the warning line before it would say more.
    id: 'postfix-tls-failed-plaintext-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.65,
    match: [/Cannot start TLS: handshake failure/i],
    port: 'plaintext',
    seenIn: ['Postfix'],
    fix: "Postfix's TLS handshake failed on a port that greets in plaintext. Most often `smtp_tls_wrappermode = yes` is set for port 587 (or 25/2525): set it to `no` and keep `smtp_tls_security_level = encrypt`, so that Postfix upgrades with STARTTLS. If wrappermode is already off, the two sides share no TLS version or cipher: the `TLS library problem` warning logged just before this line names the reason.",
  },
  {
    id: 'gnutls-unexpected-packet',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.9,
    match: [/An unexpected TLS packet was received/i],
    seenIn: ['msmtp (GnuTLS)'],
  },
  {
    id: 'dotnet-unexpected-packet-format',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.9,
    match: [/unexpected packet format|Cannot determine the frame size or a corrupted frame/i],
    seenIn: ['.NET SmtpClient', 'MailKit'],
  },
  {
    id: 'mailkit-port-reserved-for-plaintext',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.97,
    match: [/typically reserved for plain-?text connections/i],
    seenIn: ['MailKit'],
  },
  {
    id: 'tls-eof-on-plaintext-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.8,
    match: [
      /unexpected[ _]eof[ _]while[ _]reading|EOF occurred in violation of protocol|socket disconnected before secure TLS connection|SSL_ERROR_SYSCALL|Error in the pull function|handshake[^\n]{0,200}?(?:EOF|closed)|closed[^\n]{0,100}?during[^\n]{0,100}?handshake/i,
    ],
    port: 'plaintext',
    seenIn: ['Python smtplib', 'nodemailer', 'curl', 'JavaMail'],
  },
  {
    // Only when the reset hit the TLS handshake: a plaintext client reset on 587 never tried TLS.
    id: 'reset-on-plaintext-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.55,
    match: [RESET, /SSL|TLS|handshake/i],
    unless: [SERVER_ANSWERED],
    port: 'plaintext',
    seenIn: ['nodemailer', 'Python smtplib', 'curl', '.NET SmtpClient'],
  },
  {
    id: 'reset-on-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.55,
    match: [RESET],
    unless: [/SSL|TLS|handshake/i, SERVER_ANSWERED],
    port: 'implicit',
    seenIn: ['nodemailer', 'Python smtplib', '.NET SmtpClient'],
  },
  {
    id: 'tls-eof',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.5,
    match: [
      /unexpected[ _]eof[ _]while[ _]reading|EOF occurred in violation of protocol|socket disconnected before secure TLS connection|SSL_ERROR_SYSCALL|Error in the pull function|SSL_connect: Connection reset|TLS\/SSL connection has been closed|non-properly terminated/i,
    ],
    seenIn: ['Python smtplib', 'nodemailer', 'curl'],
  },
  {
    id: 'node-eproto',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.45,
    match: [/\bEPROTO\b/],
    seenIn: ['nodemailer'],
  },

  // --- The message went out, its reply never came --------------------------------------------
  {
    id: 'no-reply-after-final-dot',
    cause: 'no-reply-after-data',
    confidence: 0.9,
    match: [
      // Mailport's own client and Postfix say so; swaks shows the final `.` followed by the hang-up
      // or timeout.
      /after the whole message was sent|while sending end of data|message may be sent more than once|^ *[-~]> +\.[ \t]*\r?\n(?:.*\n){0,2}?.*(?:closed|time(?:d ?)?out|EOF|reset|disconnect)/im,
    ],
    seenIn: ['swaks', 'mailport', 'Postfix'],
  },

  {
    id: 'symfony-closed-before-reply',
    cause: 'connection-closed',
    confidence: 0.7,
    match: [SYMFONY_NO_REPLY],
    seenIn: ['Symfony Mailer', 'Laravel'],
    evidence: symfonyHungUpStep,
    fix: "The server hung up instead of answering that command. At EHLO or MAIL FROM it refuses this client (an IP blocklist such as fail2ban, a connection or rate limit); at AUTH it often closes after failed logins or on a login over an unencrypted connection; at DATA or after the message a content or size filter drops the connection rather than replying, and the message may have been accepted anyway, so check before sending it again. The exception's `getDebug()` (Symfony's TransportExceptionInterface) holds the whole SMTP conversation: run `mailport explain` on it. The server's log says why it closed.",
  },

  {
    // Postfix's smtp(8) names the step at which the relay host hung up. The greeting and the end
    // of data have rules of their own.
    id: 'postfix-lost-connection-at-step',
    cause: 'connection-closed',
    confidence: 0.7,
    match: [
      /lost connection with \S+ while (?:performing the (?:EHLO|HELO|LHLO) handshake|sending (?:MAIL FROM|RCPT TO|DATA command|message body))/,
    ],
    seenIn: ['Postfix'],
    fix: "The relay host closed the connection at the step Postfix names. At EHLO or HELO it refuses this host: its IP (a blocklist, a connection limit) or its EHLO name (set `smtp_helo_name` to this host's fully-qualified name, with matching forward and reverse DNS). At MAIL FROM or RCPT TO it drops the sender or the recipient without a reply, often after failed logins (check `smtp_sasl_password_maps` and the relay's AUTH). During the message body a size limit (compare `message_size_limit` with the SIZE the relay offers), a content filter or a proxy cuts the transfer. The relay's own log says why.",
  },

  // --- Wrong TLS mode: plaintext against an implicit-TLS port ------------------------------
  // A wait or a hang-up before the greeting: on 465, or when no port is known, a server that waited
  // in vain for a TLS handshake. Not so on a port that greets in plaintext (`unlessPort`); and with
  // no port known, a reset is not read as one (such a server gives up with a close, not a reset).
  {
    id: 'greeting-never-received-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.95,
    match: [
      /Greeting never received|waiting for (?:the )?(?:server )?(?:greeting|banner)|Timeout[^\n]{0,100}?waiting for server response|0 bytes received|The operation has timed out|Read timed out|timed out|response: -1|Connection unexpectedly closed|closed the connection unexpectedly|Connection closed unexpectedly|unexpectedly disconnected|net_io_connectionclosed|Unexpected socket close|empty reply|cannot get initial|\bEOF\b|connection was closed/i,
    ],
    // A timeout of the TCP connect itself (Python's shows in its `create_connection` frame).
    unless: [
      SERVER_ANSWERED,
      CONNECT_TIMEOUT,
      TLS_ESTABLISHED,
      TLS_HANDSHAKE_TIMEOUT,
      /i\/o timeout|Failed to connect|^in create_connection$/im,
    ],
    port: 'implicit',
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'JavaMail',
      '.NET SmtpClient',
      'MailKit',
      'curl',
      'swaks',
      'msmtp',
    ],
  },
  {
    // openssl s_client -starttls smtp against port 465: no greeting came, so no STARTTLS either, and
    // the handshake it tries anyway meets the closed connection. A plaintext server without STARTTLS
    // answers that handshake with a plaintext reply instead (wrong version number).
    id: 'openssl-starttls-on-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.98,
    match: [
      /Didn't find STARTTLS in server response/,
      /unexpected[ _]eof[ _]while[ _]reading|SSL_ERROR_SYSCALL/i,
    ],
    unless: [/wrong[ _]version[ _]number|packet[ _]length[ _]too[ _]long/i],
    unlessPort: 'plaintext',
    seenIn: ['openssl s_client'],
    fix: 'Port 465 expects TLS from the first byte: use `openssl s_client -connect HOST:465` without `-starttls smtp` (and the same in the application: implicit TLS, not STARTTLS). Or keep STARTTLS and use port 587.',
  },
  {
    id: 'server-says-implicit-tls-expected',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.97,
    match: [/expects implicit TLS|implicit TLS (?:is )?required|TLS from the first byte/i],
    seenIn: ['Mailport sandbox replies'],
  },
  {
    // Postfix 3.x names the fix itself; Postfix 2.x cannot do implicit TLS at all.
    id: 'postfix-smtps-wrappermode',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.97,
    match: [
      /SMTPS wrappermode \(TCP port 465\) requires|smtp_tls_wrappermode requires|CLIENT wrappermode \(port smtps\/465\) is unimplemented/i,
    ],
    seenIn: ['Postfix'],
    fix: 'Postfix speaks implicit TLS to port 465 only with both `smtp_tls_wrappermode = yes` and `smtp_tls_security_level = encrypt` (in main.cf, or as `-o` options of a dedicated transport in master.cf); Postfix before 3.0 cannot do it at all. Or relay through port 587 with STARTTLS: `relayhost = [smtp.example.com]:587`, `smtp_tls_security_level = encrypt`, `smtp_tls_wrappermode = no`.',
  },
  {
    id: 'nodemailer-greeting-never-received',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.8,
    match: [/Greeting never received/i],
    unless: [TLS_ESTABLISHED],
    unlessPort: 'plaintext',
    seenIn: ['nodemailer'],
  },
  {
    id: 'javamail-response-minus-one',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.85,
    match: [/Could not connect to SMTP host.{0,300}response: -1/is],
    unlessPort: 'plaintext',
    seenIn: ['JavaMail'],
  },
  {
    id: 'javamail-bad-greeting-eof',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.7,
    match: [/Got bad greeting from SMTP host[\s\S]{0,300}?\[EOF\]/i],
    unlessPort: 'plaintext',
    seenIn: ['JavaMail'],
  },
  {
    id: 'python-connection-unexpectedly-closed',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.65,
    match: [/Connection unexpectedly closed/i],
    unless: [SERVER_ANSWERED, RESET],
    unlessPort: 'plaintext',
    seenIn: ['Python smtplib'],
  },
  {
    id: 'msmtp-empty-reply',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.8,
    match: [/server sent an empty reply|cannot get initial OK message/i],
    unless: [SERVER_ANSWERED, RESET],
    unlessPort: 'plaintext',
    seenIn: ['msmtp'],
  },
  {
    id: 'mailkit-unexpectedly-disconnected',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.6,
    match: [/(?:SMTP )?server has unexpectedly disconnected/i],
    unless: [SERVER_ANSWERED, RESET],
    unlessPort: 'plaintext',
    seenIn: ['MailKit'],
  },
  {
    id: 'dotnet-operation-timed-out',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.55,
    match: [/The operation has timed out/i],
    unlessPort: 'plaintext',
    seenIn: ['.NET SmtpClient (cannot do implicit TLS on 465)'],
  },
  {
    // Typically a plaintext smtp.Dial against port 465, which closes after waiting for a ClientHello.
    id: 'go-bare-eof',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.5,
    match: [GO_EOF],
    unless: [SERVER_ANSWERED],
    unlessPort: 'plaintext',
    seenIn: ['Go net/smtp'],
  },
  {
    id: 'closed-before-greeting',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.5,
    match: [CLOSED],
    unless: [SERVER_ANSWERED, RESET, TLS_ESTABLISHED],
    unlessPort: 'plaintext',
    seenIn: [
      '.NET SmtpClient',
      'nodemailer',
      'swaks',
      'mailport',
      'Ruby Net::SMTP',
      'Symfony Mailer',
      'aiosmtplib',
      'curl',
    ],
  },

  // --- Implicit TLS worked, then no greeting: the SMTP service behind the TLS endpoint --------
  {
    // A TLS 1.3 server that wants a client certificate ends with an alert, which Mailport reports
    // as an error: a clean hang-up right after the handshake is the service, not the certificate.
    id: 'closed-after-tls-handshake',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [
      /closed the connection unexpectedly while Mailport waited for the greeting, after a completed TLS handshake/,
    ],
    seenIn: ['mailport'],
    fix: TLS_FRONT_HUNG_UP,
  },
  {
    // nodemailer's logger: the handshake done, then the hang-up, and no server line in between.
    id: 'nodemailer-closed-after-tls-handshake',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [/\] Secure connection established to /, /Connection closed unexpectedly/],
    unless: [SERVER_ANSWERED],
    seenIn: ['nodemailer'],
    fix: TLS_FRONT_HUNG_UP,
  },
  {
    // smtplib.SMTP_SSL: the greeting read (`connect`, then `getreply`) timed out on a TLS socket.
    id: 'python-greeting-timeout-after-tls-handshake',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [TLS_ESTABLISHED, /^in connect\r?\nin getreply\r?$/m, /The read operation timed out/],
    seenIn: ['Python smtplib'],
    fix: TLS_FRONT_SILENT,
  },
  {
    id: 'greeting-timeout-after-tls-handshake',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [TLS_ESTABLISHED, GREETING_WAIT],
    unless: [SERVER_ANSWERED],
    seenIn: ['mailport', 'swaks', 'curl', 'nodemailer'],
    fix: TLS_FRONT_SILENT,
  },

  {
    // Implicit TLS: the client's hello went unanswered. A server that greets in plaintext would
    // have answered it at once with its 220, which TLS cannot read ("wrong version number"), so
    // this is a silent server, not a TLS-mode mismatch. After STARTTLS it is the server's TLS
    // layer instead (no-tls-after-starttls-220).
    id: 'tls-handshake-unanswered',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [TLS_HANDSHAKE_TIMEOUT],
    unless: [/\bphase: starttls\b|^in starttls$|STARTTLS/m],
    seenIn: ['mailport', 'Python smtplib', 'curl'],
    fix: 'The TCP connection opened, but the server never answered the TLS handshake. This is not a wrong TLS mode: a server that greets in plaintext answers a TLS hello at once with its 220, which fails fast as "wrong version number". The service on that port is stuck or overloaded, a proxy or load balancer (a Docker port mapping, HAProxy, a cloud load balancer) accepts connections for a backend that is down, or a firewall lets the TCP handshake through and then drops the traffic. Check the server and whatever is in front of it; `mailport doctor HOST --ports PORT` shows whether anything answers in plaintext or TLS, and `openssl s_client -connect HOST:PORT` shows the handshake.',
  },

  // --- The server hung up on a plaintext port, or at a step the text does not show -----------
  {
    // On a port that greets in plaintext, a hang-up before the greeting is the server's refusal
    // (or a dead service behind a proxy), not a client waiting for the wrong TLS mode.
    id: 'closed-at-greeting-plaintext-port',
    cause: 'no-greeting',
    confidence: 0.8,
    match: [AT_GREETING, HUNG_UP],
    unless: [SERVER_ANSWERED],
    port: 'plaintext',
    seenIn: ['JavaMail', 'Ruby Net::SMTP', 'aiosmtplib', 'swaks', 'msmtp', 'mailport'],
    fix: "The server hung up before its greeting on a port that greets in plaintext. It refuses this client (an access rule, an IP blocklist such as fail2ban, a connection limit: the server's log says which), or the service behind the port is down (a proxy, load balancer or Docker port mapping accepting for a dead backend), or the port is in fact an implicit-TLS one. `mailport doctor HOST --ports PORT` tells these apart.",
  },
  {
    id: 'connection-closed',
    cause: 'connection-closed',
    confidence: 0.5,
    match: [HUNG_UP],
    seenIn: ALL,
  },

  // --- No greeting on a plaintext port -----------------------------------------------------
  {
    id: 'greeting-timeout-plaintext-port',
    cause: 'no-greeting',
    confidence: 0.85,
    match: [
      /Greeting never received|waiting for (?:the )?(?:server )?(?:greeting|banner)|Timeout[^\n]{0,100}?waiting for server response|0 bytes received|Read timed out/i,
    ],
    port: 'plaintext',
    seenIn: ['nodemailer', 'swaks', 'curl', 'JavaMail', 'mailport'],
  },
  {
    id: 'nothing-read-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.95,
    match: [NOTHING_READ],
    unless: [SERVER_ANSWERED],
    port: 'implicit',
    seenIn: [
      'Ruby Net::SMTP',
      'Go net/smtp',
      'PHPMailer',
      'Symfony Mailer',
      'msmtp',
      'aiosmtplib',
      'Postfix',
    ],
  },
  {
    // A client that sent nothing to an implicit-TLS port waited for a greeting; a Mailport sandbox
    // (and servers like it) then answers in plaintext with 421 before it closes. A client that shows
    // only the code (curl) still shows it at the greeting, and the user said the port is 465.
    id: 'greeting-421-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.8,
    match: [AT_GREETING, /(?<![\w.:/-])421\b/],
    port: 'implicit',
    seenIn: ['curl'],
  },
  {
    id: 'nothing-read-plaintext-port',
    cause: 'no-greeting',
    confidence: 0.8,
    match: [NOTHING_READ],
    unless: [SERVER_ANSWERED],
    port: 'plaintext',
    seenIn: ['Ruby Net::SMTP', 'Go net/smtp', 'PHPMailer', 'Symfony Mailer', 'msmtp', 'Postfix'],
  },
  {
    // Rails' and PHPMailer's classic: port 465 with STARTTLS (or no TLS) configured, so the
    // client waits for a plaintext greeting that never comes.
    id: 'nothing-read',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.6,
    match: [NOTHING_READ],
    unless: [SERVER_ANSWERED],
    unlessPort: 'plaintext',
    seenIn: ['Ruby Net::SMTP', 'Go net/smtp', 'PHPMailer', 'Symfony Mailer', 'msmtp'],
  },
  {
    id: 'greeting-timeout',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.65,
    match: [GREETING_WAIT],
    unless: [TLS_ESTABLISHED],
    unlessPort: 'plaintext',
    seenIn: ['mailport', 'swaks', 'curl', 'JavaMail'],
  },

  // --- STARTTLS not offered -------------------------------------------------------------------
  {
    id: 'starttls-not-offered',
    cause: 'starttls-not-offered',
    confidence: 0.97,
    match: [
      /STARTTLS extension not supported|does not support TLS via the STARTTLS command|does not support the STARTTLS extension|host does not support STARTTLS|did not advertise STARTTLS|Didn't find STARTTLS|Server does not support secure connections|STARTTLS (?:is )?not (?:offered|advertised|supported|available)|command STARTTLS failed|STARTTLS command failed|TLS is required, but was not offered|(?:does not|doesn't) support (?:the )?STARTTLS|Command (?:unknown|unrecognized|not recognized): ['"]?STARTTLS\b|Unrecognized command:? ['"]?STARTTLS\b/i,
    ],
    seenIn: [
      'Python smtplib',
      'msmtp',
      'MailKit',
      'JavaMail',
      'swaks',
      'openssl s_client',
      '.NET SmtpClient',
      'Postfix',
    ],
  },
  {
    id: 'starttls-refused',
    cause: 'starttls-not-offered',
    confidence: 0.8,
    match: [
      /Error upgrading connection with STARTTLS|STARTTLS attempted but failed|HELO does not support required STARTTLS|Requested SSL level failed|\b454[ -](?:4\.7\.0 )?TLS not available|TLS not available|refused to start TLS/i,
    ],
    // swaks says so when the server accepted STARTTLS and the handshake itself failed: its reason decides.
    unless: [/TLS startup failed/i],
    seenIn: ['nodemailer', 'curl', 'Postfix'],
  },

  // --- Certificates ---------------------------------------------------------------------------
  {
    id: 'go-cert-time-after',
    cause: 'cert-expired',
    confidence: 0.97,
    match: [/expired or is not yet valid: current time \S+ is after/i],
    seenIn: ['Go net/smtp'],
  },
  {
    id: 'go-cert-time-before',
    cause: 'cert-not-yet-valid',
    confidence: 0.97,
    match: [/expired or is not yet valid: current time \S+ is before/i],
    seenIn: ['Go net/smtp'],
  },
  {
    id: 'cert-expired',
    cause: 'cert-expired',
    confidence: 0.95,
    match: [
      /certificate (?:has )?expired|CERT_HAS_EXPIRED|CertificateExpiredException|Verify return code: 10\b|expired certificate|certificate_expired|invalid peer certificate: Expired/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'curl',
      'swaks',
      'openssl s_client',
      'JavaMail',
      'msmtp',
      'MailKit',
    ],
  },
  {
    id: 'cert-not-yet-valid',
    cause: 'cert-not-yet-valid',
    confidence: 0.95,
    match: [
      /not yet valid|CERT_NOT_YET_VALID|CertificateNotYetValidException|not yet activated|Verify return code: 9\b|NotValidYet/i,
    ],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'openssl s_client', 'JavaMail', 'msmtp'],
  },
  {
    id: 'java-validity-check-failed',
    cause: 'cert-expired',
    confidence: 0.75,
    match: [/validity check failed/i],
    seenIn: ['JavaMail'],
    fix: "The server's certificate is outside its validity period: expired, or (if this machine's clock is behind) not valid yet. Compare the certificate's dates with `mailport doctor HOST`; renew the certificate, or fix the clock.",
  },
  {
    id: 'dotnet-not-time-valid',
    cause: 'cert-expired',
    confidence: 0.6,
    match: [/NotTimeValid/],
    seenIn: ['.NET SmtpClient', 'MailKit'],
  },
  {
    id: 'cert-hostname-mismatch',
    cause: 'cert-hostname-mismatch',
    confidence: 0.95,
    match: [
      /(?:does not|doesn't) match certificate's altnames|hostname '[^'\n]{0,300}' doesn't match|doesn't contain any IP SANs|ERR_TLS_CERT_ALTNAME_INVALID|hostname mismatch|IP address mismatch|certificate is valid for [^\n]{1,1000}?, not |not valid for any names|No subject alternative (?:DNS )?names? matching|No name matching [^\n]{1,300}? found|does not match target host ?name|no alternative certificate subject name matches|RemoteCertificateNameMismatch|host name did not match the name given in the server's SSL certificate|certificate owner does not match hostname|No subject alternative names present|relies on legacy Common Name field|did not match expected CN|subjectAltName did not match|name in the certificate does not match|does not match the server certificate|Can't verify identity of server|NotValidForName|not valid for name|Verify return code: 62\b|certificate is not valid for|hostname verification failed|TLS certificate does not match:/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'Go net/smtp',
      'JavaMail',
      'curl',
      'MailKit',
      '.NET SmtpClient',
      'msmtp',
      'PHPMailer',
      'openssl s_client',
      'Perl Net::SMTP',
      'git send-email',
      's-nail',
    ],
  },
  {
    // TLS alert 112 (RFC 6066 §3): the server has no certificate for the name the client sent in
    // SNI, and says so instead of presenting one that would fail the name check.
    id: 'tls-unrecognized-name',
    cause: 'cert-hostname-mismatch',
    confidence: 0.85,
    match: [/unrecognized[ _]name|alert number 112\b/i],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'openssl s_client'],
    fix: "The server does not serve the host name the client asked for (sent as SNI): it has no certificate for it. Connect with the name the provider documents for SMTP (its canonical name, not an alias or CNAME of your own), or set the client's TLS server name to it (nodemailer `tls: { servername }`, openssl `-servername`). `mailport doctor HOST --servername NAME` tries a name. Do not turn verification off.",
  },
  {
    id: 'cert-self-signed-in-chain',
    cause: 'cert-untrusted-ca',
    confidence: 0.93,
    match: [
      /self[- ]signed certificate in (?:the )?certificate chain|SELF_SIGNED_CERT_IN_CHAIN|Verify return code: 19\b/i,
    ],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'openssl s_client'],
  },
  {
    id: 'cert-self-signed',
    cause: 'cert-self-signed',
    confidence: 0.92,
    match: [
      /self[- ]signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT|Verify return code: 18\b|certificate is self-signed/i,
    ],
    unless: [/in (?:the )?certificate chain/i],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'openssl s_client', 'swaks', 'PHPMailer'],
  },
  {
    id: 'cert-untrusted-ca',
    cause: 'cert-untrusted-ca',
    confidence: 0.92,
    match: [
      /unable to get (?:local )?issuer certificate|issuer is unknown|unable to verify the first certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT|PKIX path building failed|unable to find valid certification path|signed by unknown authority|hasn't got a known issuer|certificate is not trusted|Verify return code: 2[01]\b|UntrustedRoot|PartialChain|root certificate authority'?s? certificate is not trusted|unknown[ _]?ca\b|UnknownIssuer|untrusted issuer|does not chain with any of the trust anchors/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'curl',
      'openssl s_client',
      'JavaMail',
      'Go net/smtp',
      'msmtp',
      '.NET SmtpClient',
      'MailKit',
    ],
  },
  {
    id: 'cert-verify-failed',
    cause: 'cert-untrusted-ca',
    confidence: 0.6,
    match: [
      /certificate[ _]verify[ _]failed|remote certificate is invalid|remote certificate was rejected|RemoteCertificateChainErrors|SSL certificate problem|certificate verification failed|establish an SSL or TLS connection|Server certificate not verified/i,
    ],
    seenIn: [
      'Python smtplib',
      'PHPMailer',
      'swaks',
      '.NET SmtpClient',
      'MailKit',
      'curl',
      'msmtp',
      'Postfix',
    ],
  },
  {
    // Windows (SChannel), MailKit and .NET check revocation by default; a CRL or OCSP server they
    // cannot reach fails the certificate as surely as an untrusted one.
    id: 'cert-revocation-unchecked',
    cause: 'cert-untrusted-ca',
    confidence: 0.85,
    match: [
      /unable to get certificate CRL|unable to check revocation|revocation server was offline|RevocationStatusUnknown|OfflineRevocation/i,
    ],
    seenIn: ['MailKit', '.NET SmtpClient'],
    fix: "The certificate chain itself may be fine: the client could not reach the CA's revocation service (CRL or OCSP) to check it, and treats that as a failure. Let this machine reach the CRL and OCSP addresses named in the certificate (a firewall or proxy often blocks them), or, in MailKit, set `client.CheckCertificateRevocation = false` when the network cannot reach them. Keep the rest of the verification on.",
  },
  {
    // Case matters: Java's SSLHandshakeException is any handshake failure, not a certificate one.
    id: 'mailkit-ssl-handshake',
    cause: 'cert-untrusted-ca',
    confidence: 0.6,
    match: [/\bSslHandshakeException\b/],
    seenIn: ['MailKit'],
  },

  // --- Client certificate (mutual TLS) ---------------------------------------------------------
  {
    // TLS 1.3's alert 116 (RFC 8446 §6.2): the server asked for a client certificate and got none.
    // With TLS 1.3 the client's handshake is done first, so it arrives on the first read.
    id: 'tls-certificate-required',
    cause: 'client-certificate-required',
    confidence: 0.97,
    match: [/certificate[ _]required|alert number 116\b/i],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'aiosmtplib',
      'curl',
      'openssl s_client',
      'Ruby Net::SMTP',
      'Go net/smtp',
      'JavaMail',
    ],
  },
  {
    // A server that judges the certificate it asked for: "bad certificate" (alert 42) is about the
    // client's, since a client refusing the server's reports its own verify error instead.
    id: 'tls-bad-certificate',
    cause: 'client-certificate-required',
    confidence: 0.85,
    match: [
      /Received fatal alert: bad_certificate|alert bad certificate|alert number 42\b|ALERT_BAD_CERTIFICATE|remote error: tls: bad certificate/i,
    ],
    seenIn: ['JavaMail', 'nodemailer', 'Python smtplib', 'curl', 'openssl s_client', 'Go net/smtp'],
  },
  {
    // TLS 1.2 has no alert for a missing certificate: servers send "handshake failure", as for a
    // cipher mismatch. openssl s_client shows the CertificateRequest that came before it.
    id: 'openssl-certificate-request-then-failure',
    cause: 'client-certificate-required',
    confidence: 0.9,
    match: [
      /Acceptable client certificate CA names|Client Certificate Types:/,
      /alert handshake failure|alert number 40\b/i,
    ],
    seenIn: ['openssl s_client'],
  },
  {
    // swaks over TLS 1.3 without --tls-cert: the handshake completes, then the server hangs up
    // before any reply (its alert is not shown).
    id: 'swaks-closed-after-tls13-without-certificate',
    cause: 'client-certificate-required',
    confidence: 0.6,
    match: [
      /=== TLS started with cipher TLSv1\.3/,
      /=== TLS no local certificate set/,
      /\*\*\* Remote host closed connection unexpectedly|\*\*\* TLS read failed/,
    ],
    unless: [/^<~\*? +\d/m],
    seenIn: ['swaks'],
    fix: 'The server ended the session right after the TLS 1.3 handshake, before any reply: most often it demands a client certificate, and swaks sent none ("TLS no local certificate set"). Run `openssl s_client -connect HOST:PORT` (add `-starttls smtp` for 587) to see the alert, and give swaks the certificate with `--tls-cert` and `--tls-key`; applications set it in their TLS options (nodemailer `tls: { cert, key }`). If s_client shows no alert, only the hang-up, no certificate is asked for: a TLS proxy in front of the mail server (stunnel, HAProxy, a load balancer) accepts connections while the SMTP service behind it is down or refuses it, and its log says which.',
  },

  // --- TLS version / cipher -------------------------------------------------------------------
  {
    // OpenSSL 3 refuses servers without RFC 5746 secure renegotiation, and SHA-1 handshake
    // signatures, both of which only servers too old for TLS 1.2 done right still use.
    id: 'legacy-server-tls',
    cause: 'tls-version-too-old',
    confidence: 0.9,
    match: [/unsafe legacy renegotiation disabled|wrong signature type/i],
    seenIn: ['openssl s_client', 'curl', 'Python smtplib', 'PHPMailer', 'msmtp'],
    fix: "The server's TLS is too old for this client's OpenSSL 3: it lacks secure renegotiation (RFC 5746) or signs the handshake with SHA-1. Upgrade the server's TLS stack (or put a current TLS proxy in front of it). Allowing it on the client (OpenSSL `Options = UnsafeLegacyServerConnect`, `@SECLEVEL=0`) reopens the weaknesses those checks close: a last resort for a server you cannot change.",
  },
  {
    // OpenSSL's security level 2 (Debian, RHEL, Ubuntu defaults) refuses RSA keys under 2048 bits
    // and SHA-1 signatures in the chain, before any name or trust check.
    id: 'certificate-crypto-too-weak',
    cause: 'tls-version-too-old',
    confidence: 0.9,
    match: [
      /(?:EE|CA) certificate key too weak|(?:EE|CA)_KEY_TOO_SMALL|ca md too weak|CA_MD_TOO_WEAK|key too small/i,
    ],
    seenIn: ['Python smtplib', 'curl', 'swaks', 'PHPMailer', 'Ruby Net::SMTP'],
    fix: "The server's certificate uses cryptography this client's TLS library refuses: an RSA key shorter than 2048 bits, or a SHA-1 signature in its chain. The server needs a new certificate (RSA 2048+ or ECDSA, signed with SHA-256). Lowering the client's security level (OpenSSL `@SECLEVEL=1`) only hides the problem.",
  },
  {
    id: 'tls-protocol-version',
    cause: 'tls-version-too-old',
    confidence: 0.9,
    match: [
      /unsupported[ _]protocol|protocol[ _]?version|no protocols available|No appropriate protocol|do not possess a common algorithm|server selected unsupported protocol version|protocol version not supported|Server chose TLSv1(?:\.1)?, but that protocol version is not enabled|TLSv1(?:\.[01])? [^\n]{0,200}?(?:disabled|not (?:enabled|supported))|TLS ?v?1\.[01]\b[^\n]{0,200}?not supported|\b4\.7\.66\b|inappropriate fallback|legacy sigalg/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'curl',
      'openssl s_client',
      'JavaMail',
      '.NET SmtpClient',
      'Go net/smtp',
      'swaks',
    ],
  },
  {
    // The alert a TLS 1.2 server sends for no common cipher, and also for a missing client
    // certificate (only openssl s_client shows the CertificateRequest that tells them apart).
    id: 'tls-handshake-failure-alert',
    cause: 'tls-version-too-old',
    confidence: 0.62,
    match: [
      /alert handshake failure|alert number 40\b|remote error: tls: handshake failure|Received fatal alert: handshake_failure|HANDSHAKE_FAILURE/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'curl',
      'swaks',
      'Go net/smtp',
      'Ruby Net::SMTP',
      'Symfony Mailer',
    ],
    fix: 'The server ended the TLS handshake with "handshake failure". Either the two sides share no TLS version or cipher (use TLS 1.2 or newer on both; upgrade the old side), or the server demands a client certificate (mutual TLS), which TLS 1.2 servers refuse with this same alert. `openssl s_client -connect HOST:PORT` (add `-starttls smtp` for 587) prints "Acceptable client certificate CA names" in the second case, and `mailport doctor HOST` tells the two apart; a client certificate is configured in the TLS options (nodemailer `tls: { cert, key }`, Python `load_cert_chain()`, curl `--cert`/`--key`).',
  },
  {
    id: 'tls-cipher-mismatch',
    cause: 'tls-version-too-old',
    confidence: 0.6,
    match: [
      /handshake[ _]?failure|no shared cipher|no ciphers available|Could not negotiate a supported cipher suite|dh key too small|DH_KEY_TOO_SMALL|Remote host terminated the handshake|message received was unexpected or badly formatted|remote party has closed the transport stream|unexpected EOF or 0 bytes from the transport stream/i,
    ],
    seenIn: ['Python smtplib', 'openssl s_client', 'JavaMail', '.NET SmtpClient', 'Go net/smtp'],
  },
  {
    id: 'java-remote-host-terminated-handshake',
    cause: 'tls-version-too-old',
    confidence: 0.65,
    // Java 11+ says "terminated the handshake"; Java 8 "closed connection during handshake".
    match: [/Remote host terminated the handshake|Remote host closed connection during handshake/i],
    seenIn: ['JavaMail'],
    fix: 'The server closed the connection during the TLS handshake, without saying why. Most often the two sides share no TLS version or cipher (Java 8u291 and later refuse TLS 1.0 and 1.1; set `mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3`, and upgrade a server that offers nothing newer), or the server cannot complete TLS itself (no certificate for this name, a broken key). Run with `-Djavax.net.debug=ssl:handshake` to see how far it got, and `mailport doctor HOST` to see what the server negotiates.',
  },
  {
    id: 'javamail-convert-socket',
    cause: 'tls-version-too-old',
    confidence: 0.4,
    match: [/Could not convert socket to TLS/i],
    seenIn: ['JavaMail'],
    fix: "JavaMail's STARTTLS handshake failed, and the reason is in the nested exception (`nested exception is:` or `Caused by:`): run `mailport explain` on the whole stack trace. The usual ones: a certificate Java does not trust (`PKIX path building failed`: import the CA with `keytool -importcert`), a TLS version mismatch (`No appropriate protocol`: set `mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3`), a host name the certificate does not hold (`No subject alternative names`).",
  },

  {
    // MailConnectException names the host, the port and the connect timeout it was given (-1:
    // none), never the reason, which its nested exception holds.
    id: 'javamail-connect-exception',
    cause: 'unknown',
    confidence: 0,
    match: [/Couldn't connect to host, port: [^,;\s]+, \d+; timeout -?\d+/],
    seenIn: ['JavaMail'],
    fix: 'JavaMail\'s "Couldn\'t connect to host" gives the host, the port and the timeout it was given, not the reason: that is the nested exception after it (`java.net.ConnectException: Connection refused`: nothing listens on that host and port; `SocketTimeoutException: connect timed out`: a firewall drops the traffic, and most clouds block port 25; `UnknownHostException`: the name does not resolve). Paste the whole stack trace into `mailport explain`, or run `mailport doctor HOST`. From a container, `localhost` is the container itself. `timeout -1` means none was set, so JavaMail waits as long as the system does: set `mail.smtp.connectiontimeout` and `mail.smtp.timeout` (milliseconds).',
  },

  // --- Wrappers that keep the reason in an inner exception ----------------------------------
  // Alone, these say only that sending failed; with the inner exception pasted too, its own rule
  // (a reply code, a socket error) scores higher and answers.
  {
    id: 'commons-email-send-failed',
    cause: 'unknown',
    confidence: 0,
    match: [/Sending the email to the following server failed/],
    seenIn: ['Apache Commons Email'],
    fix: 'Apache Commons Email wraps the JavaMail error, and the reason is in the `Caused by:` lines of the stack trace (a `MessagingException`, `AuthenticationFailedException` or `SocketTimeoutException`): paste the whole trace into `mailport explain`, or print `e.getCause()`. `mailport doctor HOST` probes the server meanwhile.',
  },
  {
    id: 'dotnet-failure-sending-mail',
    cause: 'unknown',
    confidence: 0,
    match: [/Failure sending mail\./],
    seenIn: ['.NET SmtpClient', 'PowerShell Send-MailMessage'],
    fix: '.NET\'s SmtpClient says "Failure sending mail." for any failure and keeps the reason in its inner exceptions: log `ex.ToString()` (not `ex.Message`), or in PowerShell `$Error[0].Exception.InnerException` and its InnerException in turn, and paste that into `mailport explain`. SmtpClient cannot do implicit TLS: on port 465 use 587 with `EnableSsl = true`, or MailKit.',
  },
  {
    id: 'dotnet-unable-to-connect',
    cause: 'unknown',
    confidence: 0,
    match: [/Unable to connect to the remote server/],
    seenIn: ['.NET SmtpClient', 'PowerShell Send-MailMessage'],
    fix: 'The connection to the server failed, and the inner SocketException says how: "actively refused it" (nothing listens there: wrong port or host), "did not properly respond after a period of time" (a firewall or the cloud drops the traffic; most block port 25), or a name that does not resolve. Log `ex.ToString()` or, in PowerShell, `$Error[0].Exception.InnerException.InnerException`, or run `mailport doctor HOST` to try every port.',
  },

  // --- Erlang/OTP ssl, and gen_smtp (the SMTP client of Elixir's Swoosh and Bamboo) ----------
  // OTP logs each alert it sends or receives ("TLS client: In state … generated CLIENT ALERT: Fatal
  // - Unknown CA") and returns it as {tls_alert, {Alert, Text}}; gen_smtp wraps failures in
  // {error, retries_exceeded | no_more_hosts, {Type, Host, Reason}}, in Erlang or Elixir syntax.
  {
    // The first byte of "220 …" (ASCII 50; "421"/"554" are 52/53) read as a TLS record type.
    id: 'otp-plaintext-record',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.96,
    match: [/unsupported_record_type,\s*(?:50|52|53)\b/],
    seenIn: ERLANG_CLIENTS,
    fix: 'The port greets in plaintext and expects STARTTLS, but the client started TLS at once. With gen_smtp (Swoosh, Bamboo) on port 587 (or 25/2525) set `ssl: false, tls: :always`; `ssl: true` is for port 465 only.',
  },
  {
    id: 'otp-hostname-check-failed',
    cause: 'cert-hostname-mismatch',
    confidence: 0.95,
    match: [/hostname_check_failed/],
    seenIn: ERLANG_CLIENTS,
    fix: 'OTP checked the server\'s certificate against the name it connected to (or `server_name_indication`) and found no match. Use the host name the provider documents (not an IP address or an alias), pass it in `tls_options` as `server_name_indication: ~c"smtp.example.com"`, and for a wildcard certificate (`*.example.com`) add `customize_hostname_check: [match_fun: :public_key.pkix_verify_hostname_match_fun(:https)]`: OTP\'s default check does not accept wildcards. `mailport doctor HOST` shows the names the certificate holds.',
  },
  {
    // OTP sends certificate_expired for any date outside the validity period, also "not yet valid".
    id: 'otp-certificate-expired',
    cause: 'cert-expired',
    confidence: 0.96,
    match: [/CLIENT ALERT: Fatal - Certificate Expired|\{:?certificate_expired,/],
    seenIn: ERLANG_CLIENTS,
    fix: "OTP refused the server's certificate for its dates: it has expired, or (OTP says the same) is not valid yet. Compare the certificate's dates (`mailport doctor HOST`) with the clock of the machine that sends: a clock that is wrong by days causes both. An expired certificate is the server's to renew; never set `verify: :verify_none` to get past it.",
  },
  {
    // The client judged the server's certificate (generated, not received): with unknown_ca,
    // certificate_expired and hostname_check_failed reported apart, what OTP reports as "bad
    // certificate" is mostly a self-signed one (its reason, selfsigned_peer, is not always printed).
    id: 'otp-client-alert-bad-certificate',
    cause: 'cert-self-signed',
    confidence: 0.88,
    match: [/generated CLIENT ALERT: Fatal - Bad Certificate|selfsigned_peer/],
    seenIn: ERLANG_CLIENTS,
    fix: 'OTP refused the server\'s certificate as a bad one: most often self-signed (a test server, a sandbox), or one whose signature or issuer does not check out. Trust that certificate (or the CA that signed it) in `tls_options`: `cacertfile: ~c"/path/to/ca.pem"` (for Mailport\'s sandbox, `.mailport/tls/ca.pem`), keeping `verify: :verify_peer`.',
  },
  {
    id: 'otp-unknown-ca',
    cause: 'cert-untrusted-ca',
    confidence: 0.95,
    match: [/CLIENT ALERT: Fatal - Unknown CA|\{:?unknown_ca,|max_path_length_reached/],
    seenIn: ERLANG_CLIENTS,
    fix: "OTP could not chain the server's certificate to a CA it trusts. In `tls_options` give it CAs to trust: `cacerts: :public_key.cacerts_get()` (the system's, OTP 25+) or `cacertfile: ~c\"/path/to/ca.pem\"` (for Mailport's sandbox, `.mailport/tls/ca.pem`), and `depth: 99`: gen_smtp's own default `depth: 0` refuses any certificate signed through an intermediate CA, which is nearly every public one.",
  },
  {
    // OTP 26 made verify_peer the client default; without CA certificates the connection is
    // refused before a byte is sent ({options, incompatible, …}); OTP 25 says {options, {cacertfile, []}}.
    id: 'otp-verify-peer-without-cacerts',
    cause: 'cert-untrusted-ca',
    confidence: 0.94,
    match: [
      /options,\s*:?incompatible,\s*\[[^\]\n]{0,100}verify_peer[^\]\n]{0,100}cacerts[^\]\n]{0,40}undefined|\{:?options,\s*\{:?cacertfile,\s*(?:\[\]|''|"")\}\}/,
    ],
    seenIn: ERLANG_CLIENTS,
    fix: 'OTP was told to verify the server\'s certificate (`verify: :verify_peer`, the default since OTP 26) but given no CA certificates to verify it with, so it did not connect. Add them to `tls_options`: `[verify: :verify_peer, cacerts: :public_key.cacerts_get(), server_name_indication: ~c"smtp.example.com", depth: 99, customize_hostname_check: [match_fun: :public_key.pkix_verify_hostname_match_fun(:https)]]`.',
  },
  {
    // gen_smtp logs nothing itself when the handshake after STARTTLS fails with {error, _}; OTP's
    // own "[notice] TLS :client: …" line (matched above) names the reason when the log keeps it.
    id: 'gen-smtp-tls-failed',
    cause: 'cert-untrusted-ca',
    confidence: 0.55,
    match: [/temporary_failure,\s*[^\n]{0,300}?:?tls_failed\b/],
    seenIn: GEN_SMTP,
    fix: 'The server accepted STARTTLS, then the TLS handshake failed, and gen_smtp does not say why: OTP logs the reason at notice level (`[notice] TLS :client: … CLIENT ALERT: …`), so look for that line (lower the Logger level to :notice) and run `mailport explain` on it. The usual reasons, in order: OTP 26+ verifies certificates by default and needs CAs (`tls_options: [verify: :verify_peer, cacerts: :public_key.cacerts_get(), server_name_indication: ~c"smtp.example.com", depth: 99]`); a name check that fails (connect to the documented host name; wildcard certificates need `customize_hostname_check: [match_fun: :public_key.pkix_verify_hostname_match_fun(:https)]`); a server that speaks only TLS 1.3 while gen_smtp\'s default `versions` stop at TLS 1.2 (add `:"tlsv1.3"`). `mailport doctor HOST` shows the certificate and TLS versions the server offers.',
  },
  {
    // gen_smtp's own check: `auth: :always`, and no AUTH in the EHLO reply.
    id: 'gen-smtp-auth-not-offered',
    cause: 'auth-before-starttls',
    confidence: 0.8,
    match: [new RegExp(String.raw`\{:?missing_requirement,\s*${GEN_SMTP_HOST},\s*:?auth\}`)],
    seenIn: GEN_SMTP,
    fix: "The server's EHLO reply offered no AUTH, and gen_smtp was told `auth: :always`. Submission servers offer AUTH only after STARTTLS: on port 587 set `tls: :always` (gen_smtp's default `:if_available` goes on in plaintext when the TLS handshake fails: then the TLS error is the one to fix), on port 465 `ssl: true`. If TLS is already on, the port does not take logins at all (port 25 between servers): use the provider's submission port.",
  },
  {
    id: 'gen-smtp-starttls-not-offered',
    cause: 'starttls-not-offered',
    confidence: 0.92,
    match: [new RegExp(String.raw`\{:?missing_requirement,\s*${GEN_SMTP_HOST},\s*:?tls\}`)],
    seenIn: GEN_SMTP,
    fix: "gen_smtp was told `tls: :always` and the server's EHLO reply offered no STARTTLS. On port 465 TLS starts at once: set `ssl: true` instead. On 587 the server (or a firewall or antivirus in between that strips STARTTLS) does not offer it: check with `mailport doctor HOST`, and do not fall back to plaintext with a password.",
  },
  {
    id: 'gen-smtp-auth-failed',
    cause: 'auth-failed',
    confidence: 0.85,
    match: [/permanent_failure,\s*[^\n]{0,300}?:?auth_failed\b/],
    seenIn: GEN_SMTP,
    fix: "gen_smtp tried each login method it shares with the server (CRAM-MD5, LOGIN, PLAIN, XOAUTH2) and the server refused them all; gen_smtp keeps the server's reply to itself (pass `trace_fun: &:io.format/2` to see it). Check `username` and `password` where the application runs (an unset environment variable gives an empty one); Gmail and Microsoft 365 need an app password or OAuth2 with 2-step verification on.",
  },
  {
    id: 'gen-smtp-no-credentials',
    cause: 'auth-required',
    confidence: 0.9,
    match: [/\bno_credentials\b/],
    seenIn: GEN_SMTP,
    fix: 'gen_smtp was told `auth: :always` but has no `username` or no `password`, so it did not connect. Set both where the application runs: in Elixir usually `config/runtime.exs` reading environment variables that are not set on that machine.',
  },
  {
    // gen_smtp's connect gives up after `timeout` (5 s); a reply it waits up to 20 minutes for.
    id: 'gen-smtp-network-timeout',
    cause: 'connection-timeout',
    confidence: 0.8,
    match: [new RegExp(String.raw`\{:?network_failure,\s*${GEN_SMTP_HOST},\s*\{:?error,\s*:?timeout\}\}`)],
    seenIn: GEN_SMTP,
    fix: 'gen_smtp got no answer. Within seconds (its connect `timeout`, 5 s by default) this is a connection that never opened: port blocked by a firewall or the cloud (most block 25), or the wrong host; try 587, or 2525. After many minutes it is a reply that never came: on port 465 the server waits for TLS from the first byte while gen_smtp waits for its greeting in plaintext, so set `ssl: true` there. `mailport doctor HOST` tries every port.',
  },
  {
    id: 'gen-smtp-closed-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.7,
    port: 'implicit',
    match: [GEN_SMTP_CLOSED],
    seenIn: GEN_SMTP,
    fix: 'On port 465 the server waits for TLS from the first byte; gen_smtp without `ssl: true` waits for a plaintext greeting instead, until the server gives up and closes. Set `ssl: true` (and leave `tls` alone) for 465, or use 587 with `ssl: false, tls: :always`.',
  },
  {
    id: 'gen-smtp-closed',
    cause: 'connection-closed',
    confidence: 0.65,
    match: [GEN_SMTP_CLOSED],
    seenIn: GEN_SMTP,
    fix: 'The server closed the connection and gen_smtp does not say at which step. On port 465 without `ssl: true` this is the server giving up on a client that never started TLS. Otherwise the server hung up on the client: a limit on connections or rate, a block on the sending IP, or a proxy in between. `mailport doctor HOST` shows where it ends.',
  },
  {
    id: 'gen-smtp-unexpected-response',
    cause: 'server-protocol-error',
    confidence: 0.8,
    match: [/\{:?unexpected_response,/],
    seenIn: GEN_SMTP,
    fix: "The server's multi-line reply changed its code part-way (RFC 5321 §4.2.1 keeps one code for every line), and gen_smtp gave up. The server, or something between it and the client, is broken: `mailport doctor HOST` shows the reply.",
  },

  // --- emailjs (Node.js): SMTPError messages that name a state, not a reply ------------------
  {
    // Said for any socket timeout, before or after the connection opened.
    id: 'emailjs-timed-out-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.65,
    port: 'implicit',
    match: [/timedout while connecting to smtp server/],
    seenIn: ['emailjs'],
    fix: 'emailjs gave up waiting, and on port 465 that is most often a plaintext connection waiting for a greeting while the server waits for TLS: set `ssl: true` (and leave `tls` unset) for 465, or use port 587 with `tls: true`. If `ssl` is already on, the port is blocked on the way (a firewall or the cloud provider): `mailport doctor HOST` tries every port.',
  },
  {
    id: 'emailjs-timed-out',
    cause: 'connection-timeout',
    confidence: 0.6,
    match: [/timedout while connecting to smtp server/],
    seenIn: ['emailjs'],
    fix: 'emailjs waited longer than its `timeout` for the server, and does not say at which step: a connection that never opened (a port blocked by a firewall or the cloud provider, most block 25), a server that accepted the connection and never greeted, or, on port 465, a client without `ssl: true` waiting for a plaintext greeting. `mailport doctor HOST` shows which.',
  },
  {
    id: 'emailjs-connection-ended',
    cause: 'connection-closed',
    confidence: 0.6,
    match: [/SMTPError: connection has (?:ended|closed)/],
    seenIn: ['emailjs'],
  },
  {
    // The EHLO reply emailjs quotes (its `smtp` field) shows whether AUTH was offered at all.
    id: 'emailjs-no-common-mechanism',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.85,
    match: [/no form of authorization supported/, /\b250[- ]AUTH\b/],
    seenIn: ['emailjs'],
    fix: 'The server offers AUTH, but none of the mechanisms emailjs speaks (PLAIN, LOGIN, CRAM-MD5, XOAUTH2) with the credentials given: XOAUTH2 needs `authentication: [AUTH_METHODS.XOAUTH2]` and an OAuth2 access token as `password`; servers that offer only NTLM or GSSAPI need another client.',
  },
  {
    id: 'emailjs-no-auth-offered',
    cause: 'auth-before-starttls',
    confidence: 0.8,
    match: [/no form of authorization supported/],
    unless: [/\b250[- ]AUTH\b/],
    seenIn: ['emailjs'],
    fix: 'The server offered no AUTH on this connection. Submission servers offer it only after STARTTLS: set `tls: true` for port 587 (emailjs does not upgrade by itself), or `ssl: true` for 465. If TLS is already on, the port takes no logins at all (port 25 between servers): use the submission port.',
  },
  {
    // Only when a `ca`, `key` or `cert` is given with `ssl` and the handshake finished unverified.
    id: 'emailjs-ssl-not-authorized',
    cause: 'cert-untrusted-ca',
    confidence: 0.55,
    match: [/could not establish an ssl connection/],
    seenIn: ['emailjs'],
    fix: "emailjs finished the TLS handshake but Node did not verify the server's certificate against the `ca` given, and emailjs does not say why: an unknown CA, a self-signed or expired certificate, or a name that does not match. `mailport doctor HOST --ca FILE` shows which. Note that emailjs given `ssl: true` or `tls: true` (no options) checks no certificate at all.",
  },

  // --- Dart's mailer package (Flutter and Dart servers): its exceptions print their message alone --
  {
    id: 'dart-mailer-greeting-timeout-plaintext',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.75,
    match: [/Timed out while waiting for greeting \(try ssl\)/],
    unlessPort: 'plaintext',
    seenIn: ['Dart mailer'],
    fix: 'The connection opened in plaintext and no greeting came, and the mailer package itself suggests TLS: on port 465 the server waits for TLS from the first byte. Use `SmtpServer(host, port: 465, ssl: true)`, or port 587 with `ssl: false` (the mailer then upgrades with STARTTLS by itself).',
  },
  {
    // Said only when the socket is already TLS: the handshake worked, the greeting never came.
    id: 'dart-mailer-greeting-timeout-tls',
    cause: 'no-greeting',
    confidence: 0.8,
    match: [/Timed out while waiting for greeting\./],
    seenIn: ['Dart mailer'],
    fix: 'The TLS handshake worked (`ssl: true`), then the server sent no greeting: the server behind a TLS proxy or load balancer is down or stuck, or refuses this client in silence. `mailport doctor HOST --ports 465` shows what the port does; try 587 with `ssl: false`.',
  },
  {
    id: 'dart-mailer-not-secure',
    cause: 'starttls-not-offered',
    confidence: 0.9,
    match: [/Aborting because connection is not secure/],
    seenIn: ['Dart mailer'],
    fix: 'The mailer package refuses to log in or send over a connection without TLS, and this server offered no STARTTLS. On port 465 set `ssl: true` (TLS from the first byte); on 587 the server, or a firewall or antivirus in between, does not offer STARTTLS: check with `mailport doctor HOST`. `allowInsecure: true` is for a local test server only.',
  },
  {
    // mailer before 4.0; later versions quote the reply ("Authentication Failed (code: 535)").
    id: 'dart-mailer-incorrect-password',
    cause: 'auth-failed',
    confidence: 0.9,
    match: [/Incorrect username (?:\([^)\n]{0,320}\) )?\/ password/],
    seenIn: ['Dart mailer'],
  },
  {
    id: 'dart-mailer-socket-closed',
    cause: 'connection-closed',
    confidence: 0.65,
    match: [/Socket was closed even though a response was expected/],
    seenIn: ['Dart mailer'],
  },

  // --- Connection ---------------------------------------------------------------------------
  {
    id: 'dns',
    cause: 'dns-failure',
    confidence: 0.95,
    match: [
      // \b: Java's FileNotFoundException holds "NotFound" too.
      /\bENOTFOUND\b|EAI_AGAIN|EAI_NONAME|getaddrinfo|Name or service not known|nodename nor servname|No such host is known|no such host|Could not resolve host|UnknownHostException|Unknown SMTP host|Temporary failure in name resolution|cannot locate host|NXDOMAIN|\bquery(?:A|Aaaa|Mx) E[A-Z]+|server misbehaving|Bad hostname|does not resolve|remote name could not be resolved|Host or domain name not found|host name lookup failure|Could not find the host/i,
    ],
    seenIn: SOCKET_LEVEL_CLIENTS,
  },
  {
    // EADDRNOTAVAIL on connect: no route from this machine's own addresses to the one dialled,
    // typically `localhost` resolving to ::1 in a container without IPv6.
    id: 'connect-address-not-available',
    cause: 'unknown',
    confidence: 0,
    match: [/Cannot assign requested address|EADDRNOTAVAIL|requested address is not valid in its context/i],
    seenIn: ['Python smtplib', 'nodemailer', 'Go net/smtp', 'JavaMail', '.NET SmtpClient'],
    fix: 'The connection could not even start from this machine: the address dialled cannot be reached from any address it has. Most often a container where `localhost` resolves to ::1 without IPv6, or a `source_address`/`localAddress` the machine does not have. Dial 127.0.0.1 on the same host, or from another container the service name (`mailport:1025` in Docker Compose), and check what the name resolves to with `getent hosts NAME`.',
  },
  {
    // Node 17 and later resolve `localhost` as the OS lists it, IPv6 first on many systems, while
    // development servers often listen on 127.0.0.1 alone.
    id: 'refused-ipv6-localhost',
    cause: 'connection-refused',
    confidence: 0.96,
    match: [/ECONNREFUSED ::1:\d+|dial tcp \[::1\]:\d+: connect: connection refused/i],
    seenIn: ['nodemailer', 'Go net/smtp'],
    fix: `The client dialled localhost's IPv6 address ::1, and nothing listens there: the server most likely listens on IPv4 127.0.0.1 alone (Node 17 and later no longer put IPv4 first when a name has both). Connect to 127.0.0.1 instead of localhost, or make the server listen on ::1 too. ${SANDBOX_NOT_REACHABLE}`,
  },
  {
    // The ports of local SMTP sandboxes (Mailport's, Mailpit's and MailHog's 1025). Addresses
    // reach the rules with their digits zeroed (matcher.ts), hence `[\d.]+`.
    id: 'refused-local-sandbox-port',
    cause: 'connection-refused',
    confidence: 0.96,
    match: [/ECONNREFUSED (?:[\d.]+|localhost):(?:1025|1465|1587|2525)\b/i],
    seenIn: ['nodemailer'],
    fix: `Nothing listens on that port there: start the sandbox first (\`npx mailport serve\`, which prints its ports: 1025 relay, 1465 implicit TLS, 1587 STARTTLS, 2525 alternate). ${SANDBOX_NOT_REACHABLE}`,
    evidence: containerCallingHost,
  },
  {
    id: 'refused',
    cause: 'connection-refused',
    confidence: 0.95,
    match: [
      new RegExp(
        String.raw`ECONNREFUSED|Connection refused|actively refused|errno["']?\s*[:=]?\s*-?111\b|\(111\)|${winsockError(10061)}|WSAECONNREFUSED|Couldn't connect to server`,
        'i',
      ),
    ],
    seenIn: ALL,
    evidence: containerCallingHost,
  },
  {
    id: 'connect-permission-denied',
    cause: 'connection-refused',
    confidence: 0.7,
    match: [
      /(?:unable to connect|connect(?:ion)?|Failed to connect).{0,300}Permission denied|Permission denied \(13\)|\bEACCES\b/i,
    ],
    seenIn: ['PHPMailer', 'Python smtplib', 'nodemailer'],
    fix: "This machine forbids the outgoing connection before it leaves: on SELinux hosts allow the web server to connect (`setsebool -P httpd_can_network_connect 1`), and check local firewall rules or the hosting provider's outbound SMTP policy.",
  },
  {
    id: 'connect-timeout',
    cause: 'connection-timeout',
    confidence: 0.9,
    match: [CONNECT_TIMEOUT],
    unless: [SERVER_TIMED_OUT_CLIENT, TLS_HANDSHAKE_TIMEOUT],
    seenIn: [...SOCKET_LEVEL_CLIENTS, 'aiosmtplib', 'Ruby Net::SMTP'],
  },
  {
    // The server's own timeout (RFC 5321 §4.5.3.2), said in a 421 before it hangs up: the
    // connection worked, the client was too slow between commands.
    id: 'server-timed-out-client',
    cause: 'temporary-failure',
    confidence: 0.9,
    match: [SERVER_TIMED_OUT_CLIENT],
    seenIn: ['Postfix', 'nodemailer'],
    fix: 'The server closed the session because it waited too long for the client\'s next command (Postfix says "421 4.4.2 … Error: timeout exceeded" after `smtpd_timeout`, 300 s by default, often less at providers): the connection itself worked, and the message was not taken. Send it again. If it recurs, the client pauses inside the session: build the message (templates, attachments) before connecting rather than between MAIL FROM and DATA, and do not keep an idle pooled connection open longer than the server allows (open one per batch, or let the pool reconnect).',
  },
  {
    id: 'python-connect-timeout',
    cause: 'connection-timeout',
    confidence: 0.85,
    // The traceback shows the timeout came from the TCP connect, not from waiting for a reply.
    match: [/^in create_connection$/m, /timed out/i],
    seenIn: ['Python smtplib'],
  },
  {
    id: 'unreachable',
    cause: 'connection-timeout',
    confidence: 0.75,
    match: [
      /Network is unreachable|ENETUNREACH|No route to host|EHOSTUNREACH|Errno 11[13]\b|errno["']?\s*[:=]?\s*-?11[13]\b|Errno 101\b/i,
    ],
    seenIn: ['nodemailer', 'Python smtplib', 'curl', 'Go net/smtp', 'msmtp'],
    fix: 'The connection failed at once, before the server could answer: this machine has no route to that address. "Network is unreachable" usually means the host name resolved to an IPv6 address and this machine or container has no IPv6 route (connect to the IPv4 address, or make the resolver prefer it: `node --dns-result-order=ipv4first`), or the container has no network at all (Docker `--network none`, a VPN that is down). "No route to host" usually means a firewall on the way refuses with an ICMP error, or the host is down. `ip route get ADDRESS` and `nc -vz -4 HOST 587` on the same machine show which.',
  },
  {
    // Mailport's client and doctor: the greeting and earlier replies came, then one did not.
    id: 'stopped-answering-mid-session',
    cause: 'temporary-failure',
    confidence: 0.7,
    match: [/\bstopped answering\b/i],
    seenIn: ['mailport'],
    fix: "The connection works (the server greeted and answered the earlier commands), so this is no firewall: the server is stuck or overloaded at this step (often a slow DNS or anti-spam lookup), or a proxy in front of it stalls. Retry later; if it persists, the server's log says which. A longer client timeout helps only a server that is merely slow.",
  },
  {
    id: 'generic-timeout',
    cause: 'connection-timeout',
    confidence: 0.5,
    // Not "timeout -1": JavaMail's connect error quotes the timeout it was given, whatever failed.
    match: [/ETIMEDOUT|timed out|(?<!\d; )timeout/i],
    seenIn: ['nodemailer', 'Python smtplib', 'PHPMailer'],
  },
  {
    // A command the server does not know, in a reply that does not say which: the fix lists the
    // usual commands that meet this reply.
    id: 'command-not-recognized',
    cause: 'unknown',
    confidence: 0,
    match: [
      /\b50[02][ -](?:5\.(?:5\.[12]|3\.3) )?(?:Error: )?(?:command not recognized|Command unrecognized|Unrecognized command)/i,
    ],
    seenIn: ['Postfix', 'Gmail', 'Sendmail', 'Exchange', 'mailport'],
    fix: 'The server did not recognise a command the client sent; most servers do not say which (the Mailport sandbox does: `Command not recognized: STARTLS`). Look at the command just before the reply (`mailport send --show-transcript`, swaks, `curl -v`): STARTTLS or AUTH that the EHLO reply did not offer (`mailport doctor HOST` lists what is offered, before and after TLS); an HTTP request (`GET / HTTP/1.1`) from a browser or a health check pointed at the SMTP port; or a hand-written session with a typo, a command sent before the previous reply arrived, or lines ended with LF instead of CRLF.',
  },
  {
    // PHPMailer prints this line alone whatever failed: no cause is more likely than another.
    id: 'phpmailer-connect-failed',
    cause: 'unknown',
    confidence: 0,
    match: [/SMTP connect\(\) failed|Could not connect to SMTP host|Failed to connect to server/i],
    seenIn: ['PHPMailer'],
    fix: "PHPMailer prints this same line for a TLS mode that does not match the port, a refused or blocked connection, a host name that does not resolve and a server that refused the session. Set `$mail->SMTPDebug = SMTP::DEBUG_CONNECTION;` (level 3) and run `mailport explain` on that output, or run `mailport doctor HOST` to probe the server's ports.",
  },
  {
    // git send-email dies with this line whenever Net::SMTP->new fails and drops Net::SMTP's reason:
    // on 465 without `--smtp-encryption=ssl` that is the greeting it waited two minutes for.
    id: 'git-send-email-plaintext-on-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.7,
    match: [/Unable to initialize SMTP properly[^\n]{0,1000}?encryption=(?:tls)?\s/],
    port: 'implicit',
    seenIn: ['git send-email'],
    fix: 'Port 465 expects TLS from the first byte: give git send-email `--smtp-encryption=ssl` (`sendemail.smtpEncryption = ssl`), or keep `tls` (STARTTLS) and use port 587 (`sendemail.smtpServerPort`).',
  },
  {
    // The same line with `--smtp-encryption=ssl` on 587 (or 25, 2525): the TLS handshake met a port
    // that greets in plaintext and upgrades with STARTTLS.
    id: 'git-send-email-implicit-on-starttls-port',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.7,
    match: [/Unable to initialize SMTP properly[^\n]{0,1000}?encryption=ssl\s/],
    // With IO::Socket::SSL's own error above it (a certificate, say), that line is the answer.
    unless: [/SSL connect attempt failed|IO::Socket::SSL|certificate verify failed/i],
    port: 'plaintext',
    seenIn: ['git send-email'],
    fix: 'This port greets in plaintext and upgrades with STARTTLS (587, 25 and 2525 do): give git send-email `--smtp-encryption=tls` (`sendemail.smtpEncryption = tls`), or keep `ssl` (implicit TLS) and use port 465 (`sendemail.smtpServerPort`).',
  },
  {
    // Jakarta Mail's InternetAddress refuses a string that is no address (`Illegal address in
    // string ``''`, `Missing final '@domain' in string ``bob''`) and does not say whose it was.
    id: 'jakarta-address-exception',
    cause: 'unknown',
    confidence: 0,
    match: [/AddressException: /],
    seenIn: ['JavaMail'],
    fix: `${LIBRARY_ADDRESS_FIX} Jakarta Mail quotes the string it could not read between \`\` and '' (empty for an unset value); it does not say whether it was the sender or a recipient.`,
  },
  {
    // RFC 3463's X.1.0, "other address status", in a bare reply: the text names no command, and
    // both MAIL FROM and RCPT TO get it (the step rules answer when the client names its step).
    id: 'address-rejected-side-unknown',
    cause: 'unknown',
    confidence: 0,
    match: [/\b5\.1\.0\b/, /address/i],
    seenIn: ['Postfix', 'Exchange'],
    fix: 'The server refused an address (RFC 3463 5.1.0, "other address status") without saying which one. The command it answered tells: after MAIL FROM it is the sender (an address the account may not send as, or a domain the server does not accept), after RCPT TO a recipient (no such mailbox, or a domain the server does not take mail for). Turn on the client\'s SMTP transcript (nodemailer `logger: true`, smtplib `set_debuglevel(1)`, PHPMailer `SMTPDebug = 2`) or run `mailport send --server HOST:PORT --from SENDER --to RECIPIENT` to see which command got it, then `mailport explain` that.',
  },
  {
    // Amazon SES checks every address of the message (From, To, Cc, Reply-To) and does not say
    // which one has no domain.
    id: 'ses-address-without-domain',
    cause: 'unknown',
    confidence: 0,
    match: [/Missing final '@domain'|(?:Local address|Domain) contains control or whitespace/i],
    unless: [/AddressException/],
    seenIn: ['Amazon SES'],
    fix: `Amazon SES found an address without its @domain, or with a control character or a space in it (often a line break read from a file or an environment variable), in the envelope or in a From, To, Cc or Reply-To header, and does not say which: print the addresses just before sending. ${ADDRESS_SYNTAX_FIX}`,
  },
  {
    // A file the client was told to read is not there: a CA bundle, a key store, a certificate or
    // an attachment. Nothing was sent, and nothing about the server is known.
    id: 'local-file-missing',
    cause: 'unknown',
    confidence: 0,
    match: [
      /FileNotFoundException: [^\n]*\(No such file or directory\)|ENOENT: no such file or directory, open|FileNotFoundError: \[Errno 2\] No such file or directory/,
    ],
    unless: [/sendmail/i],
    seenIn: ['JavaMail', 'nodemailer', 'Python'],
    fix: 'A file the program was told to read does not exist at that path (the path is in the message): a CA file or trust store, a client certificate or key, or an attachment. Nothing reached the server. Fix the path, relative paths being relative to the directory the program runs in; for a Mailport sandbox the CA is `.mailport/tls/ca.pem` in the directory `mailport serve` runs in (it prints the full path as "TLS CA").',
  },
  {
    id: 'git-send-email-smtp-not-initialized',
    cause: 'unknown',
    confidence: 0,
    match: [/Unable to initialize SMTP properly/],
    seenIn: ['git send-email'],
    fix: 'git send-email prints this same line for a refused or blocked connection, a host name that does not resolve, a server that never greeted (two minutes of waiting: port 465 without `--smtp-encryption=ssl`) and a failed TLS handshake; `--smtp-debug=1` adds the TLS error, not the others. Run `mailport doctor HOST --ports PORT` with the server and port it prints, or `mailport explain --port PORT` on the output.',
  },
  {
    // Another protocol's greeting, at a line start or quoted in a client's message; or a client
    // saying that the first line had no reply code (Python's -1, aiosmtplib's malformed line).
    id: 'not-smtp',
    cause: 'not-smtp',
    confidence: 0.9,
    match: [
      /did not speak SMTP|(?:^[ \t]*|[=(:'"] ?)(?:\* OK|\+OK)\b|HTTP\/1\.[01] \d{3}|SSH-2\.0-|IMAP4|POP3 (?:server )?ready|SMTPConnectError: \(-1,|Malformed SMTP response line/im,
    ],
    seenIn: [
      'mailport',
      'curl',
      'nodemailer',
      'Python smtplib',
      'aiosmtplib',
      'Ruby Net::SMTP',
      'PHPMailer',
      'Symfony Mailer',
      'Go net/smtp',
      'JavaMail',
    ],
  },
  {
    // Mailport's own SMTP client (send, doctor, release) saying the server broke SMTP.
    id: 'mailport-server-protocol-error',
    cause: 'server-protocol-error',
    confidence: 0.95,
    match: [
      /broke SMTP|breaks SMTP|a protocol error on its side|Reply code changed inside a multi-line reply|is not an SMTP reply code|first byte of a line is not a reply code|yet more lines followed|left its reply to [^\n]{0,300}? unfinished|greets twice|greeted a second time/,
    ],
    seenIn: ['mailport'],
  },
  {
    // The same inspection hiding STARTTLS: in effect STARTTLS is not offered, and the fix is the firewall's.
    id: 'starttls-masked-by-esmtp-inspection',
    cause: 'starttls-not-offered',
    confidence: 0.98,
    match: [/STARTTLS/i, CISCO_INSPECTION],
    seenIn: ['nodemailer', 'swaks'],
    fix: CISCO_INSPECTION_FIX,
  },
  {
    // Ruby's Net::SMTP wanted a 334 challenge (AUTH LOGIN, CRAM-MD5) or the 354 to DATA and got a 2xx:
    // net-smtp 0.3 raises SMTPUnknownError from check_auth_continue/check_continue, older ones say
    // "could not get 3xx". Postfix's smtp-sink answers every command 250, AUTH LOGIN included.
    id: 'ruby-2xx-where-3xx-expected',
    cause: 'server-protocol-error',
    confidence: 0.85,
    match: [/check_(?:auth_)?continue'?: 2\d\d\b[^\n]*\(Net::SMTPUnknownError\)|could not get 3xx \(2\d\d\b/],
    seenIn: ['Ruby Net::SMTP', 'Ruby mail gem'],
    fix: "The server answered with a 2xx where SMTP asks for a 3xx: a 334 challenge after AUTH LOGIN or CRAM-MD5 (RFC 4954 §4), or 354 after DATA. It does not really implement that command: a test sink (Postfix's smtp-sink answers every command 250) or a broken server. Against a sink, send without a login (`authentication: nil`) or with `:plain`; otherwise report the transcript to the server's operator.",
  },
  {
    // A positive greeting other than 220 (RFC 5321 §4.3.2 allows only 220 and 554 there), as each
    // client shows it: in its error, or as the first reply of its transcript (swaks, PHPMailer).
    id: 'greeting-not-220',
    cause: 'server-protocol-error',
    confidence: 0.85,
    match: [
      /Invalid greeting\. response=[23]\d\d\b|SMTPConnectError: \(?[23]\d\d\b|=== Connected to [^\n]*\r?\n<\*\* [23]\d\d\b|Expected response code "220" but got code "[23]\d\d"|bad greeting from SMTP host[^\n]*response: [23]\d\d\b|bad response on connection[\s\S]{0,300}?smtp: '[23]\d\d\b|^(?:(?!SERVER -> CLIENT:)[\s\S])*SERVER -> CLIENT: (?!220)[23]\d\d\b[^\n]*\n[^\n]*Could not connect to SMTP host/,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'aiosmtplib',
      'swaks',
      'Symfony Mailer',
      'JavaMail',
      'emailjs',
      'PHPMailer',
    ],
    fix: "The server greeted with a reply other than 220, the only positive greeting SMTP has (RFC 5321 §3.1, §4.3.2), so the client stopped before EHLO. The server, or a proxy or firewall in front of it, does not follow SMTP, and no client setting fixes that: `mailport doctor HOST --ports PORT` shows the greeting, and the server's operator must correct it. A test server that answers everything with 250 (a sink) is not an SMTP server for this client.",
  },
  {
    // curl's DATA step wanted 354 and got a 2xx: a sink answering 250 to everything, or a broken server.
    id: 'data-answered-2xx',
    cause: 'server-protocol-error',
    confidence: 0.85,
    match: [
      anyOf(
        /\bDATA failed: 2\d\d\b|Expected response code "354" but got code "2\d\d"|SMTPSendFailedException: 2\d\d\b/,
        sentThenReplied('DATA', String.raw`${SERVER_REPLIED}2\d\d\b`),
      ),
    ],
    seenIn: ['curl', 'Symfony Mailer', 'JavaMail', 'Perl Net::SMTP', 'swaks'],
    fix: 'The server answered DATA with a 2xx, where SMTP asks for 354 before the message text (RFC 5321 §4.1.1.4), so the client did not send it. The server does not implement DATA as SMTP defines it: a test sink that answers 250 to every command, or a broken server. `mailport send --server HOST:PORT --show-transcript` shows each reply; report it to whoever runs the server.',
  },
  {
    // A client giving up on a 2xx reply, one it did not expect at that step (a sink's 250 to DATA,
    // say), in words that name no step: gen_smtp (Swoosh, Bamboo), s-nail, nullmailer.
    id: 'failure-on-2xx-reply',
    cause: 'server-protocol-error',
    confidence: 0.85,
    match: [
      /(?:permanent|temporary)_failure,\s*[^,{}]+,\s*(?:<<)?"2\d\d\b|SMTP server: 2\d\d\b[^\n]*\r?\n[^\n]*message not sent|\bsmtp: Failed: 2\d\d\b/,
    ],
    seenIn: ['gen_smtp', 's-nail', 'nullmailer'],
  },
  {
    // nodemailer quoting a first line without a reply code: another protocol, or no protocol.
    id: 'nodemailer-greeting-without-code',
    cause: 'not-smtp',
    confidence: 0.85,
    match: [/Invalid greeting\. response=(?!\d{3}(?:[ -]|$))/m],
    seenIn: ['nodemailer'],
  },
  {
    // Python smtplib reads a reply line without a code as -1; SMTPConnectError (the greeting) is
    // another protocol (not-smtp above), any later reply a server breaking SMTP mid-session.
    id: 'smtplib-reply-without-code',
    cause: 'server-protocol-error',
    confidence: 0.85,
    match: [/SMTP(?:Helo|Response|Sender|Data|Authentication)(?:Error|Exception|Refused)?: \(-1,/],
    seenIn: ['Python smtplib'],
  },
  {
    // Cisco ASA/PIX ESMTP inspection masks the banner with asterisks (a few digits left) and
    // rewrites commands and EHLO keywords it does not allow into X's.
    id: 'cisco-esmtp-inspection',
    cause: 'server-protocol-error',
    confidence: 0.9,
    match: [CISCO_INSPECTION],
    unless: [/STARTTLS/i],
    seenIn: ['Cisco ASA', 'Exchange', 'swaks', 'openssl s_client'],
    fix: CISCO_INSPECTION_FIX,
  },
  {
    // A server that answers LHLO (RFC 2033), or greets as LMTP: mailport's own probe says so.
    id: 'lmtp-server',
    cause: 'not-smtp',
    confidence: 0.95,
    match: [/speaks LMTP|^[^\n]*\b220[ -][^\n]*\bLMTP\b/im],
    seenIn: ['mailport', 'Cyrus'],
    fix: "This port is an LMTP server (RFC 2033; Dovecot or Cyrus, usually on port 24 or a socket): the service a mail server uses to hand mail to its own mailboxes, not one applications submit to. Point the client at the same mail server's submission port: 587 with STARTTLS, or 465 with implicit TLS.",
  },
  {
    // EHLO refused, then HELO refused as an unknown command (500/502): an LMTP server (Dovecot
    // answers both "500 5.5.1 Unknown command") or something else that is not SMTP for clients.
    id: 'ehlo-and-helo-unknown',
    cause: 'not-smtp',
    confidence: 0.9,
    match: [
      /Invalid HELO\. response=50[02]\b|SMTPHeloError: \(50[02],|does not accept EHLO or HELO commands[\s\S]{0,1000}?\b50[02][ -]|-> HELO [^\n]*\n<\*\* 50[02]\b|Remote access denied: 50[02]\b|refused EHLO \(50[02]\b[^)]*\) and HELO: 50[02]\b/,
    ],
    seenIn: ['nodemailer', 'Python smtplib', 'msmtp', 'swaks', 'curl', 'mailport'],
    fix: LMTP_FIX,
  },
  {
    // An HTTP client read an SMTP greeting where its status line should be, and quotes it: Python's
    // http.client (requests, urllib3) BadStatusLine('220 ...'), Go's malformed HTTP response
    // "220 ..." (or, when the greeting came before its request was written, its "Unsolicited
    // response received on idle HTTP channel"), Node's parser (fetch, http) with data: '220 ...'.
    id: 'http-client-read-smtp-greeting',
    cause: 'not-http',
    confidence: 0.95,
    match: [
      /(?:BadStatusLine|malformed HTTP response|Invalid (?:HTTP )?status line|HPE_INVALID_CONSTANT|Expected HTTP\/|does not match the HTTP\/1\.1 protocol|Received HTTP\/0\.9|Unsolicited response received on idle HTTP channel starting with)[\s\S]{0,400}?(?:^|['"(=:] ?)220[ -]/im,
    ],
    seenIn: ['Python requests', 'Python urllib', 'Go net/http', 'Node.js fetch', 'Node.js http'],
  },
  {
    id: 'sandbox-http-request',
    cause: 'not-http',
    confidence: 0.97,
    match: [/This is an SMTP server, not a web server/i],
    seenIn: ['mailport'],
  },
  {
    // The same without the greeting in the text: some non-HTTP answer, most often a mail port's.
    // Chromium refuses the mail ports 25, 465 and 587 before connecting.
    id: 'http-client-not-http-reply',
    cause: 'not-http',
    confidence: 0.7,
    match: [
      /Received HTTP\/0\.9 when not allowed|ERR_INVALID_HTTP_RESPONSE|ERR_UNSAFE_PORT|Unsolicited response received on idle HTTP channel|HPE_INVALID_CONSTANT|BadStatusLine|malformed HTTP (?:response|status code)|Invalid (?:HTTP )?status line|does not match the HTTP\/1\.1 protocol/i,
    ],
    seenIn: ['curl', 'Chromium', 'Python requests', 'Go net/http', 'Node.js fetch'],
  },
  {
    // msmtp says this of any line that is not an SMTP reply, most often the greeting of another
    // protocol; a broken SMTP server after the greeting looks the same.
    id: 'msmtp-invalid-reply',
    cause: 'not-smtp',
    confidence: 0.7,
    match: [/the server sent an invalid reply/i],
    seenIn: ['msmtp'],
  },
  {
    // smtplib's own usage error: a command on an SMTP object with no connection (never connected,
    // or closed by quit(), a with-block, or an earlier failure). The server was never asked.
    id: 'smtplib-not-connected',
    cause: 'unknown',
    confidence: 0,
    match: [/SMTPServerDisconnected: please run connect\(\) first/],
    seenIn: ['Python smtplib'],
    fix: 'smtplib says this when the script sends a command on an `SMTP` object that has no connection, so no server was asked anything: it was created without a host (`smtplib.SMTP()` then `login()`; pass the host and port, or call `connect(host, port)` first), or it is used after `quit()` or after its `with` block ended, or an earlier error closed it (look for the first exception in the output and run `mailport explain` on that).',
  },
  {
    // curl's SMTP says this (and nothing else) when a reply code was not the one it expected, most
    // often the server's answer to the end of the message; it waits for SMTP replies, not banners.
    id: 'curl-weird-server-reply',
    cause: 'unknown',
    confidence: 0,
    match: [/\(8\) Weird server reply/i],
    seenIn: ['curl'],
    fix: "curl only says that the server answered with a reply code it did not expect; it does not show the reply. With SMTP that is most often the server refusing the message after it was sent (552 too large, 554 rejected by policy or as spam, 451 try again later), not a wrong port. Run curl again with `-v` and run `mailport explain` on the server's `<` lines.",
  },
  {
    // openssl s_client's summary after a handshake that never finished; the reason, when there is
    // one, is in the error lines above it, which other rules read.
    id: 'openssl-no-handshake',
    cause: 'unknown',
    confidence: 0,
    match: [/no peer certificate available/i],
    seenIn: ['openssl s_client'],
    fix: "openssl s_client's TLS handshake did not finish, so no certificate was seen; the error lines above this one say why, and `mailport explain` reads them too. Against 587, 25 or 2525 the server greets in plaintext: add `-starttls smtp` (`openssl s_client -starttls smtp -connect HOST:587 -servername HOST`). Against 465 leave it out; a hang-up there (`unexpected eof`, `errno=104`) is the server or a proxy refusing the connection, which `mailport doctor HOST` tells apart.",
  },

  // --- Programs that hand mail to a local sendmail ------------------------------------------------
  {
    // The sendmail program is not there: the shell (PHP's mail(), Ruby's mail gem), Node's spawn,
    // mailutils, cron's syslog line.
    id: 'sendmail-program-missing',
    cause: 'no-local-mta',
    confidence: 0.95,
    match: [
      /\bsendmail: (?:command )?not found|\bsendmail: No such file or directory|No such file or directory - \S*sendmail|spawn \S*sendmail ENOENT|Could not execute mail delivery program|No MTA installed|Sending data to \S*sendmail failed: Cannot execute/i,
    ],
    seenIn: ['PHP mail()', 'Ruby mail gem', 'nodemailer', 'GNU mailutils mail', 'cron'],
  },
  {
    // Postfix is installed but not running: its sendmail leaves the message in the maildrop queue.
    id: 'postfix-not-running',
    cause: 'no-local-mta',
    confidence: 0.9,
    match: [/postdrop: warning: unable to look up public\/pickup|\bsendmail: fatal: [^\n]*\/etc\/postfix/],
    seenIn: ['Postfix sendmail'],
    fix: 'Postfix\'s sendmail is there but Postfix is not running (or not configured): the message waits in its maildrop queue until it runs. Start it (`systemctl start postfix`, or `postfix start` in a container) after setting `relayhost = [smtp.example.com]:587` with SASL in main.cf, or replace it with `mailport sendmail` for development (PHP `sendmail_path = "npx mailport sendmail -t -i"`).',
  },
  {
    // Exim did not try at all: an earlier attempt failed and its retry rules hold the next back.
    id: 'exim-retry-time-not-reached',
    cause: 'unknown',
    confidence: 0,
    match: [/retry time not reached/i],
    seenIn: ['Exim'],
    fix: "Exim did not contact the server this time: an earlier attempt failed, and its retry rules hold the next one back, so this line says nothing of the reason. Find that attempt's line in the log (`exigrep ADDRESS /var/log/exim4/mainlog`, or `exim -Mvl MESSAGE-ID` for the message) and run `mailport explain` on it; `mailport doctor HOST` probes the smarthost meanwhile. `exinext DOMAIN` tells when the next try is due, and once the cause is fixed `exim -qff` delivers the queue at once.",
  },
  {
    // PHPMailer's default mailer is PHP's mail(), which runs sendmail_path; PHPMailer says only
    // that mail() returned false.
    id: 'phpmailer-mail-function-failed',
    cause: 'no-local-mta',
    confidence: 0.85,
    match: [/Could not instantiate mail function/i],
    seenIn: ['PHPMailer'],
    fix: 'PHPMailer was left on its default mailer, PHP\'s mail(), and mail() failed: PHP could not run its `sendmail_path` (no sendmail installed, as in most containers), or, on Windows, has no `SMTP` server in php.ini. Make PHPMailer speak SMTP itself: `$mail->isSMTP()` with `Host`, `Port = 587`, `SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS`, `SMTPAuth = true`, `Username` and `Password`. Or keep mail() and give it a sendmail: a relaying MTA (Postfix with a `relayhost`), or for development `sendmail_path = "npx mailport sendmail -t -i"` in php.ini.',
  },
  {
    // mailutils runs sendmail and only says that it failed; the reason is in sendmail's own output.
    id: 'mailutils-sendmail-failed',
    cause: 'no-local-mta',
    confidence: 0.6,
    match: [/\bmail: cannot send message: Process exited with a non-zero status/],
    seenIn: ['GNU mailutils mail'],
  },
  {
    // sSMTP (a sendmail that relays to one `mailhub`) prints this for a name that does not resolve,
    // a refused connection and a blocked port alike; its default mailhub is the host "mail".
    id: 'ssmtp-cannot-open',
    cause: 'unknown',
    confidence: 0,
    match: [/\b(?:ssmtp|send-mail|sendmail): Cannot open [^\s:]+:\d+/],
    seenIn: ['sSMTP'],
    fix: 'sSMTP could not connect to its `mailhub` (in /etc/ssmtp/ssmtp.conf; the default is a host named "mail", which rarely exists): the name does not resolve, the connection was refused, or the port is blocked, and it does not say which. Set `mailhub=smtp.example.com:587` with `UseSTARTTLS=YES` (or `:465` with `UseTLS=YES`) and `AuthUser`/`AuthPass`, and run `mailport doctor smtp.example.com` to see which port works. sSMTP is no longer maintained; msmtp (`msmtp-mta`) is its usual replacement.',
  },

  // --- Mailers of shell scripts and cron: sendEmail, GNU mailutils mail, nullmailer ------------
  {
    // sendEmail drops the server's reply to AUTH and names the host and port instead.
    id: 'sendemail-auth-failed',
    cause: 'auth-failed',
    confidence: 0.85,
    match: [/SMTP-AUTH: Authentication to \S+ failed/],
    seenIn: ['sendEmail'],
    fix: "Check the username and password given to sendEmail with `-xu` and `-xp` (often the full e-mail address, or an app password with 2FA). sendEmail hides the server's reply: `-v -v` prints the dialogue, whose 535 `mailport explain` can read.",
  },
  {
    // sendEmail has no implicit TLS: on 465 it waits its `-o timeout` for a plaintext greeting.
    id: 'sendemail-timeout-on-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.8,
    match: [/Timeout while reading from \S+ There was no response/],
    port: 'implicit',
    seenIn: ['sendEmail'],
    fix: "sendEmail cannot speak implicit TLS, which port 465 expects from the first byte: use the server's STARTTLS port (587) with `-o tls=yes`.",
  },
  {
    id: 'sendemail-timeout',
    cause: 'no-greeting',
    confidence: 0.6,
    match: [/Timeout while reading from \S+ There was no response/],
    unlessPort: 'implicit',
    seenIn: ['sendEmail'],
    fix: 'sendEmail waited `-o timeout` seconds (60 by default) for a reply that never came, most often the greeting: a port that expects implicit TLS (465, which sendEmail cannot speak: use 587 with `-o tls=yes`), or a firewall that accepts the connection and passes nothing. `mailport doctor HOST --ports PORT` shows which it is.',
  },
  {
    // IO::Socket::SSL's verify error, without OpenSSL's reason (expired, self-signed, unknown CA).
    id: 'sendemail-certificate-verify-failed',
    cause: 'cert-untrusted-ca',
    confidence: 0.65,
    match: [/sendEmail\[\d+\]: ERROR => TLS setup failed: [^\n]*certificate verify failed/],
    seenIn: ['sendEmail'],
    fix: "sendEmail says this of any certificate it cannot verify: one from a CA missing from OpenSSL's default store (give that CA with `SSL_CERT_FILE=ca.pem sendEmail …`; for a Mailport sandbox, the CA file `mailport serve` prints), but also a self-signed or an expired one. `mailport doctor HOST --ports PORT` names which. sendEmail has no option to turn verification off, nor should it.",
  },
  {
    // Every refusal ends as this one sentence, without the server's reply.
    id: 'mailutils-rejected',
    cause: 'unknown',
    confidence: 0,
    match: [/cannot send message: Operation rejected by remote party/],
    seenIn: ['GNU mailutils mail'],
    fix: 'GNU mailutils `mail` prints this same line for every reply it did not like: no AUTH before STARTTLS (`;notls` in the `sendmail=smtp://…` URL), a missing login (`smtp://USER:PASS@…`), a plaintext greeting expected on port 465 (`smtps://`), a refused sender or recipient. Run it again with `--debug-level=mailer.prot` and run `mailport explain` on that output, or `mailport doctor HOST` to probe the server.',
  },
  {
    // mailutils never checks the server's certificate, so its TLS error is the handshake itself.
    id: 'mailutils-tls-error',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.6,
    match: [/Cannot open mailer: TLS error/],
    seenIn: ['GNU mailutils mail'],
    fix: 'GNU mailutils `mail` could not finish a TLS handshake it started at once, most often `sendmail=smtps://…` against a port that greets in plaintext (587, 25): use `sendmail=smtp://…`, which upgrades with STARTTLS when the server offers it, or port 465 with `smtps://`.',
  },
  {
    // nullmailer-smtp says this where the server offers no AUTH: on 587, before STARTTLS.
    id: 'nullmailer-no-auth-offered',
    cause: 'auth-before-starttls',
    confidence: 0.75,
    match: [/Server does not advertise any supported authentication methods/],
    seenIn: ['nullmailer'],
    fix: 'The server offered no AUTH, which a submission port does only after STARTTLS: add `--starttls` to the line of `/etc/nullmailer/remotes` (or `--ssl` on port 465). If the server offers no AUTH even then, drop `--user` and `--pass`.',
  },
  {
    id: 'nullmailer-connect-failed',
    cause: 'connection-refused',
    confidence: 0.6,
    match: [/smtp: Failed: Connect failed/],
    seenIn: ['nullmailer'],
    fix: 'nullmailer-smtp says only this of a connection it could not open: a refused port, a host that does not resolve or is unreachable. Check the host and `--port` in `/etc/nullmailer/remotes` and that the server listens there: `mailport doctor HOST --ports PORT`.',
  },
  {
    // GnuTLS's verdict, as nullmailer-smtp words it: the same for every chain it cannot verify.
    id: 'nullmailer-certificate-untrusted',
    cause: 'cert-untrusted-ca',
    confidence: 0.6,
    match: [/Server SSL\/TLS certificate is untrusted/],
    seenIn: ['nullmailer'],
    fix: 'nullmailer-smtp says this of any certificate it cannot verify: one from a CA it does not trust (give that CA with `--x509cafile=FILE` in `/etc/nullmailer/remotes`; for a Mailport sandbox, the CA file `mailport serve` prints), but also a self-signed or an expired one. `mailport doctor HOST --ports PORT` names which. Keep verification on (no `--insecure`).',
  },
  {
    id: 'nullmailer-certificate-hostname',
    cause: 'cert-hostname-mismatch',
    confidence: 0.9,
    match: [/Server SSL\/TLS certificate does not match hostname/],
    seenIn: ['nullmailer'],
  },
  // --- Desktop mail clients and PHP's mail(): their own words, without the server's ------------
  // Thunderbird's send errors (mailnews' messengercompose.ftl) and Outlook's (its 0x800CCCxx and
  // 0x800421xx codes, with or without their text) name a step, not a reply; when they quote the
  // server ("The server responded: 530 ..."), the reply's own rules score higher.
  {
    id: 'thunderbird-unknown-server',
    cause: 'dns-failure',
    confidence: 0.9,
    match: [/(?:Outgoing server \(SMTP\)|SMTP server) \S+ is unknown/i],
    seenIn: ['Thunderbird'],
  },
  {
    // Thunderbird says this for a refused connection, and some versions for a TLS handshake that
    // failed because the Connection security does not match the port.
    id: 'thunderbird-connect-failed',
    cause: 'connection-refused',
    confidence: 0.75,
    match: [/is refusing SMTP connections/i],
    seenIn: ['Thunderbird'],
    fix: `${THUNDERBIRD_SETTINGS}: check the server name and port, and that Connection security matches the port: 'STARTTLS' for 587 (and 2525), 'SSL/TLS' for 465. If they are right, something blocks the connection: a firewall or antivirus on this machine, or the network (many block outgoing 25, some 465 or 587: try 587, 465, then 2525). \`mailport doctor HOST\` tests each port and TLS mode from this machine.`,
  },
  {
    id: 'thunderbird-connection-lost',
    cause: 'connection-closed',
    confidence: 0.75,
    match: [/was lost in the middle of the transaction/i],
    seenIn: ['Thunderbird'],
  },
  {
    id: 'thunderbird-timeout-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.96,
    match: [THUNDERBIRD_TIMEOUT],
    port: 'implicit',
    seenIn: ['Thunderbird'],
    fix: `${THUNDERBIRD_SETTINGS}: set Connection security to 'SSL/TLS' for port 465 (with 'STARTTLS' or 'None' the server waits for a TLS handshake that never comes), or use port 587 with 'STARTTLS'.`,
  },
  {
    id: 'thunderbird-timeout',
    cause: 'connection-timeout',
    confidence: 0.6,
    match: [THUNDERBIRD_TIMEOUT],
    unlessPort: 'implicit',
    seenIn: ['Thunderbird'],
    fix: `Nothing answered in time. On port 465, Connection security must be 'SSL/TLS' (${THUNDERBIRD_SETTINGS}): with 'STARTTLS' or 'None' the server waits for a TLS handshake that never comes. Otherwise the port is blocked on the way (outgoing 25 is blocked by most networks): try 587 with 'STARTTLS', then 2525. \`mailport doctor HOST\` shows which ports answer from here.`,
  },
  {
    id: 'thunderbird-starttls-not-advertised',
    cause: 'starttls-not-offered',
    confidence: 0.95,
    match: [/Unable to establish a secure link with .{0,200}?using STARTTLS/i],
    seenIn: ['Thunderbird'],
    fix: `${THUNDERBIRD_SETTINGS}: on port 465 choose Connection security 'SSL/TLS' (that port speaks TLS from the first byte, it never offers STARTTLS); on 587 the server, or a firewall or antivirus that strips STARTTLS, must be fixed. Do not switch to 'None' while a password is sent.`,
  },
  {
    id: 'thunderbird-auth-failure',
    cause: 'auth-failed',
    confidence: 0.85,
    match: [
      /Unable to authenticate to (?:the )?(?:Outgoing server \(SMTP\)|SMTP server)|Kerberos\/GSSAPI ticket was not accepted by the Outgoing server|Login to server \S+ with username .{0,200}? failed/i,
    ],
    seenIn: ['Thunderbird'],
    fix: `Thunderbird sends the password it saved: remove it (Settings > Privacy & Security > Saved Passwords) and send again to be asked for it. Gmail, iCloud, Yahoo and Fastmail need an app password, or Authentication method 'OAuth2' where offered; Microsoft 365 needs 'OAuth2'. Check the User Name in ${THUNDERBIRD_SETTINGS} (often the full address).`,
  },
  {
    id: 'thunderbird-plain-password-not-offered',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.85,
    match: [/does not allow plaintext passwords|does not allow normal passwords/i],
    seenIn: ['Thunderbird'],
    fix: `The server offers no password login that Thunderbird may send as it is. Most servers offer one only over TLS: set Connection security to 'STARTTLS' for 587 or 'SSL/TLS' for 465 (${THUNDERBIRD_SETTINGS}). If the provider documents a challenge-response login, choose Authentication method 'Encrypted password'. \`mailport doctor HOST\` lists the mechanisms offered before and after TLS.`,
  },
  {
    id: 'thunderbird-encrypted-password-not-offered',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.85,
    match: [/does not seem to support encrypted passwords/i],
    seenIn: ['Thunderbird'],
    fix: `Authentication method 'Encrypted password' means CRAM-MD5 or NTLM, which most servers no longer offer. Choose 'Normal password' in ${THUNDERBIRD_SETTINGS}, with Connection security 'STARTTLS' (587) or 'SSL/TLS' (465) so that the password travels inside TLS.`,
  },
  {
    id: 'thunderbird-auth-method-not-offered',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.8,
    match: [/does not support the selected authentication method/i],
    seenIn: ['Thunderbird'],
    fix: `Choose an Authentication method the server offers in ${THUNDERBIRD_SETTINGS}: most offer 'Normal password' over TLS, Gmail and Microsoft 365 'OAuth2'. A server that offers no login before TLS gives this too: set Connection security to 'STARTTLS' (587) or 'SSL/TLS' (465). \`mailport doctor HOST\` lists the mechanisms offered before and after TLS.`,
  },
  {
    id: 'outlook-cannot-locate-server',
    cause: 'dns-failure',
    confidence: 0.85,
    match: [/0x800CCC0D|Cannot locate server/i],
    seenIn: ['Outlook'],
  },
  {
    id: 'outlook-cannot-connect',
    cause: 'connection-refused',
    confidence: 0.7,
    match: [/0x800CCC0E|0x80042109|cannot connect to your outgoing \(SMTP\) e-?mail server/i],
    seenIn: ['Outlook'],
    fix: `Check the outgoing server name, then the port and encryption pair (${OUTLOOK_SETTINGS}): 587 with 'STARTTLS' ('TLS' in older Outlook), 465 with 'SSL/TLS' ('SSL'). Then check that no firewall or antivirus stops Outlook (many networks block outgoing 25; try 587, 465, then 2525). \`mailport doctor HOST\` tests each port and TLS mode from this machine.`,
  },
  {
    id: 'outlook-timeout-implicit-port',
    cause: 'plaintext-on-implicit-tls-port',
    confidence: 0.96,
    match: [OUTLOOK_TIMEOUT],
    port: 'implicit',
    seenIn: ['Outlook'],
    fix: `Set "Use the following type of encrypted connection" to 'SSL/TLS' ('SSL' in older Outlook) for port 465 (${OUTLOOK_SETTINGS}); with 'STARTTLS', 'TLS' or 'None' the server waits for a TLS handshake that never comes. Or use port 587 with 'STARTTLS'.`,
  },
  {
    id: 'outlook-timeout',
    cause: 'connection-timeout',
    confidence: 0.6,
    match: [OUTLOOK_TIMEOUT],
    unlessPort: 'implicit',
    seenIn: ['Outlook'],
    fix: `Nothing answered in time. On port 465 the encrypted connection must be 'SSL/TLS' ('SSL' in older Outlook; ${OUTLOOK_SETTINGS}): with anything else the server waits for a TLS handshake that never comes. Otherwise the port is blocked on the way: try 587 with 'STARTTLS', then 2525. \`mailport doctor HOST\` shows which ports answer from here.`,
  },
  {
    id: 'outlook-connection-dropped',
    cause: 'connection-closed',
    confidence: 0.7,
    match: [/0x800CCC0F|connection to the server was interrupted/i],
    seenIn: ['Outlook'],
  },
  {
    // "SSL" in Outlook is implicit TLS; against 587 (the most common case) the handshake meets a
    // plaintext greeting. On 465 the same code means the handshake itself failed, cause unknown.
    id: 'outlook-encryption-type',
    cause: 'implicit-tls-on-starttls-port',
    confidence: 0.75,
    match: [
      /0x800CCC1A|does not support the connection encryption type you have specified|Unable to connect using SSL/i,
    ],
    unlessPort: 'implicit',
    seenIn: ['Outlook'],
    fix: `Pair port and encryption (${OUTLOOK_SETTINGS}): 587 with 'STARTTLS' ('TLS' in older Outlook), 465 with 'SSL/TLS' ('SSL'). 'Auto' can pick the wrong one for a server Outlook does not know.`,
  },
  {
    id: 'outlook-no-ssl-support',
    cause: 'starttls-not-offered',
    confidence: 0.85,
    match: [/0x800CCC7D|does not support SSL-secured connections/i],
    seenIn: ['Outlook'],
    fix: `On port 465 choose 'SSL/TLS' ('SSL' in older Outlook) rather than 'STARTTLS' or 'TLS' (${OUTLOOK_SETTINGS}); on 587 the server, or a firewall or antivirus that strips STARTTLS, must be fixed. Do not switch encryption off while a password is sent.`,
  },
  {
    id: 'outlook-no-common-auth-method',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.85,
    match: [
      /0x800CCC80|None of the authentication methods supported by this client are supported by your server/i,
    ],
    seenIn: ['Outlook'],
    fix: `Clear "Log on using Secure Password Authentication (SPA)" (Outgoing Server tab), and set the encrypted connection to 'STARTTLS' for 587 or 'SSL/TLS' for 465 (${OUTLOOK_SETTINGS}): most servers offer a password login only over TLS. Microsoft 365 and Gmail accounts need Outlook's modern (OAuth) sign-in instead.`,
  },
  {
    // The server's reply to MAIL FROM follows "The server responded:"; a reply that says more
    // (530 STARTTLS, 530 AUTH) has a rule of its own that scores higher.
    id: 'outlook-sender-refused',
    cause: 'sender-rejected',
    confidence: 0.6,
    match: [/0x800CCC78|Verify the e-?mail address in your account properties/i],
    seenIn: ['Outlook'],
  },
  // Apple Mail (macOS) and Mail on iOS: a sentence per failure, the server name in curly quotes.
  {
    id: 'apple-mail-port-refused',
    cause: 'connection-refused',
    confidence: 0.8,
    match: [/refused to allow a connection on port \d+/i],
    seenIn: ['Apple Mail'],
    fix: `${APPLE_MAIL_SETTINGS}: check the server name and port, with "Use TLS/SSL" on (Mail then speaks implicit TLS on 465 and STARTTLS on 587). If they are right, the network or a firewall blocks that port: try 587, then 465. \`mailport doctor HOST\` tests each port from this machine.`,
  },
  {
    id: 'apple-mail-connection-failed',
    cause: 'connection-refused',
    confidence: 0.6,
    match: [/connection to the outgoing server .{0,200}? failed/i],
    seenIn: ['Mail on iOS'],
    fix: `${APPLE_MAIL_SETTINGS}: check the host name, the port and "Use SSL" (on for both 465 and 587: Mail picks implicit TLS or STARTTLS by the port). A network that blocks the port gives the same message: try another network, or port 587, then 465. \`mailport doctor HOST\` tests each port from a computer on the same network.`,
  },
  {
    id: 'apple-mail-password-incorrect',
    cause: 'auth-failed',
    confidence: 0.85,
    match: [/user ?name or password for .{0,200}? is incorrect/i],
    seenIn: ['Apple Mail', 'Mail on iOS'],
    fix: `Re-enter the password for the outgoing server (${APPLE_MAIL_SETTINGS}); it is stored apart from the incoming one. Gmail, iCloud and Yahoo need an app password there, not the account password; Microsoft 365 accounts are better added as Exchange or Outlook.com accounts (OAuth).`,
  },
  {
    id: 'php-mail-connect-failed',
    cause: 'connection-refused',
    confidence: 0.85,
    match: [/Failed to connect to mailserver at/i],
    seenIn: ["PHP's mail() on Windows"],
    fix: PHP_MAIL_FIX,
  },
  {
    id: 'php-mail-starttls-required',
    cause: 'auth-before-starttls',
    confidence: 0.97,
    match: [/mail\(\): SMTP server response: 5\d\d/i, /STARTTLS|\b5\.7\.11\b|TLS required/i],
    seenIn: ["PHP's mail() on Windows"],
    fix: PHP_MAIL_FIX,
  },
  {
    id: 'php-mail-auth-required',
    cause: 'auth-required',
    confidence: 0.97,
    match: [
      /mail\(\): SMTP server response: 5\d\d/i,
      /\b530\b|\b5\.7\.(?:0|1|57)\b.{0,80}auth|Authentication required/i,
    ],
    unless: [/STARTTLS|\b5\.7\.11\b|TLS required/i],
    seenIn: ["PHP's mail() on Windows"],
    fix: PHP_MAIL_FIX,
  },

  // --- AUTH ---------------------------------------------------------------------------------
  {
    id: 'must-issue-starttls-first',
    cause: 'auth-before-starttls',
    confidence: 0.96,
    match: [
      /Must issue a STARTTLS command first|STARTTLS (?:is )?required|requires? (?:a )?(?:STARTTLS|TLS)\b|\b5\.7\.11\b|Encryption required for requested authentication mechanism|TLS required|must (?:use|issue) (?:STARTTLS|TLS)|\b538[ -]/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'JavaMail',
      '.NET SmtpClient',
      'MailKit',
      'swaks',
      'curl',
      'PHPMailer',
    ],
  },
  {
    id: 'auth-not-advertised',
    cause: 'auth-before-starttls',
    confidence: 0.75,
    match: [
      /SMTP AUTH extension (?:is )?not supported|server doesn't support AUTH|does not support authentication|did not advertise authentication|no advertised types available|authentication not enabled|\bunencrypted connection\b|AUTH (?:is )?not (?:offered|advertised|available)|Authentication is not allowed at this stage|cannot use a secure authentication method|Command (?:unknown|unrecognized): ['"]?AUTH\b|AUTH command failed:? 50[02]\b/i,
    ],
    seenIn: [
      'Python smtplib',
      'Go net/smtp',
      'msmtp',
      'MailKit',
      'swaks',
      'Postfix',
      'PHPMailer',
      'Perl Net::SMTP',
      'neomutt',
    ],
  },
  {
    // A transcript where EHLO was refused and the client fell back to HELO: no ESMTP, so no AUTH
    // (nor STARTTLS) at all, and no order of commands would change that.
    id: 'auth-not-advertised-without-esmtp',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.9,
    match: [
      sentThenReplied('EHLO', String.raw`\b5\d\d\b`),
      new RegExp(`${CLIENT_SENT}HELO\\b`, 'im'),
      /SMTP AUTH extension (?:is )?not supported|doesn't support AUTH|does not support authentication|did not advertise authentication|AUTH (?:is )?not (?:offered|advertised|available)|Command (?:unknown|unrecognized): ['"]?AUTH\b|AUTH command failed:? 50[02]\b/i,
    ],
    seenIn: ['swaks', 'Python smtplib', 'PHPMailer', 'Perl Net::SMTP'],
    fix: "The server refused EHLO and answers only HELO: it speaks SMTP without extensions (RFC 5321 §2.2.1 requires servers to support EHLO), so it offers no AUTH and no STARTTLS, and no client setting makes it take a login. Send through the provider's submission server (port 587 or 465) instead; if something in front of this one rewrites EHLO (a firewall's SMTP inspection turns commands into XXXX), have that turned off. `mailport doctor HOST` shows the EHLO reply.",
  },
  {
    // AUTH answered with a 2xx other than 235 (RFC 4954 §4 allows 334 or 235): a sink or a broken server.
    id: 'auth-answered-2xx',
    cause: 'server-protocol-error',
    confidence: 0.95,
    match: [
      anyOf(
        /SMTPAuthenticationError: \(2(?!35)\d\d,|Expected response code "(?:235|334)" but got code "2(?!35)\d\d"|AuthenticationFailedException: 2(?!35)\d\d\b|bad response on command 'AUTH'[\s\S]{0,300}?smtp: '2(?!35)\d\d\b/,
        sentThenReplied('AUTH', String.raw`${SERVER_REPLIED}2(?!35)\d\d\b`),
      ),
    ],
    seenIn: ['Python smtplib', 'aiosmtplib', 'swaks', 'Symfony Mailer', 'JavaMail', 'emailjs'],
    fix: 'The server answered AUTH with a 2xx other than 235, where SMTP asks for 334 (a challenge) or 235 (logged in) (RFC 4954 §4), so the client could not tell whether it was logged in. It does not implement AUTH: a test sink that answers 250 to every command (send without a login there), or a broken server; `mailport send --show-transcript` shows the replies.',
  },
  {
    // Perl's Net::SMTP logs in through Authen::SASL, loaded only then; Debian's git-email merely
    // recommends it, so git send-email fails every AUTH with this line where it is missing.
    id: 'perl-authen-sasl-missing',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.9,
    match: [/Need MIME::Base64 and Authen::SASL todo auth/],
    seenIn: ['Perl Net::SMTP', 'git send-email'],
    fix: "The client cannot authenticate at all: Perl's Net::SMTP (behind git send-email) needs the Authen::SASL module for AUTH, and it is not installed. Install it (`apt-get install libauthen-sasl-perl`, `dnf install perl-Authen-SASL`, or `cpan Authen::SASL`) and send again; the server is not at fault.",
  },
  {
    // A transcript where the EHLO reply offers STARTTLS but no AUTH, the client never sent
    // STARTTLS, and then gave up authenticating: it did not upgrade first.
    id: 'auth-given-up-without-starttls',
    cause: 'auth-before-starttls',
    confidence: 0.9,
    match: [
      /\b250[ -]STARTTLS\b/i,
      /Could not authenticate|authentication failed|Authentication is not allowed|Command (?:unknown|unrecognized): ['"]?AUTH\b|AUTH command failed:? 50[02]\b/i,
    ],
    unless: [/\bAUTH[ =]/, new RegExp(`${CLIENT_SENT}STARTTLS`, 'im')],
    seenIn: ['PHPMailer', 'Perl Net::SMTP', 'git send-email'],
  },
  {
    // smtplib encodes the AUTH exchange as ASCII: a non-ASCII password (or user name) fails in the
    // client, before the server judged anything. Not the mail's characters, and not a wrong password.
    id: 'python-login-not-ascii',
    cause: 'auth-failed',
    confidence: 0.97,
    match: [/^in (?:login|auth|auth_\w+)\r?\n(?:in \S+\r?\n)*UnicodeEncodeError: 'ascii' codec/m],
    seenIn: ['Python smtplib'],
    fix: "The password (or user name) has non-ASCII characters, and Python's smtplib encodes the AUTH exchange as ASCII, so `login()` raised UnicodeEncodeError before anything reached the server: the server has not refused it. AUTH PLAIN carries UTF-8 (RFC 4616), so send it yourself: `s.docmd('AUTH', 'PLAIN ' + base64.b64encode(f'\\0{user}\\0{password}'.encode()).decode())` after `starttls()`; or use an ASCII password (an app password).",
  },
  {
    // RFC 4954 §6: 432 4.7.12, the password is right but must be changed before it may be used.
    id: 'password-transition-needed',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [/\b4\.7\.12\b|password transition is needed/i],
    seenIn: ['RFC 4954 servers', 'Exchange'],
    fix: "The server accepted the password but says it must be changed first (expired, or set to change at next login): log in to the account's web mail or the provider's portal, set a new password, and put the new one in the client's settings.",
  },
  {
    id: 'gmail-app-password',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [
      /Application-specific password required|InvalidSecondFactor|\b534[ -]5\.7\.9\b[\s\S]{0,300}?(?:password|Application)/i,
    ],
    seenIn: ['Gmail via any client'],
    fix: 'This Google account has 2-step verification: create an app password (Google Account → Security → App passwords) and use it instead of the account password, or use OAuth2 (XOAUTH2).',
  },
  {
    id: 'gmail-web-login',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [/Please log in via your web browser|WebLoginRequired|\b534[ -]5\.7\.14\b/i],
    seenIn: ['Gmail via any client'],
    fix: 'Google blocked the sign-in as suspicious: sign in once in a browser from the same network, then use an app password or OAuth2.',
  },
  // Microsoft 365 gives every refused login 535 5.7.139; the words after it say why.
  {
    id: 'm365-smtp-auth-disabled',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [/SmtpClientAuthentication is disabled/i],
    seenIn: ['Microsoft 365 via any client'],
    fix: 'Microsoft 365 refuses basic SMTP AUTH for this tenant or mailbox: enable "Authenticated SMTP" for the mailbox (Microsoft 365 admin center → user → Mail → Manage email apps) and check security defaults, or use OAuth2 (XOAUTH2).',
  },
  {
    id: 'm365-security-defaults',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [/security defaults policy/i],
    seenIn: ['Microsoft 365 via any client'],
    fix: "The tenant's security defaults block every basic-auth login, SMTP AUTH included, whatever the mailbox setting says. Use OAuth2 (XOAUTH2) in the client, or have an admin turn security defaults off (Microsoft Entra admin center → Identity → Overview → Properties → Manage security defaults) and protect sign-ins with Conditional Access instead, then enable Authenticated SMTP for the mailbox.",
  },
  {
    id: 'm365-credentials-incorrect',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [/user credentials were incorrect/i],
    seenIn: ['Microsoft 365 via any client'],
    fix: "Microsoft 365 rejected the user name or password; SMTP AUTH itself is allowed, or the reply would say so. Use the full e-mail address as the user name and the account's current password (an app password if the account uses per-user MFA), or OAuth2 (XOAUTH2).",
  },
  {
    id: 'm365-auth-unsuccessful',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [/\b5\.7\.139\b/],
    seenIn: ['Microsoft 365 via any client'],
    fix: 'Microsoft 365 refused the login; the words after 5.7.139 say why. "SmtpClientAuthentication is disabled": enable Authenticated SMTP for the mailbox (admin center → user → Mail → Manage email apps). "security defaults": use OAuth2 (XOAUTH2), or an admin turns security defaults off. "credentials were incorrect": fix the user name (the full address) or password. "basic authentication is disabled": use OAuth2.',
  },
  // The token endpoint's errors (RFC 6749 §5.2), as nodemailer, Google's and Microsoft's libraries
  // print them: the SMTP server was never reached.
  {
    // The sandbox's own token endpoint (POST /oauth2/token) names what it takes.
    id: 'sandbox-oauth-token-refused',
    cause: 'oauth-token-error',
    confidence: 0.97,
    match: [/In this sandbox (?:a refresh token|the client secret) is the password of a login/],
    seenIn: ['Mailport sandbox token endpoint'],
    fix: "The Mailport sandbox's token endpoint refused the request, and its description says what it takes: the refresh token (grant_type=refresh_token) or the client secret (client_credentials) is the password of one of the sandbox's logins, `mailport` by default or the PASS of `--auth USER:PASS`; any client id is taken. While testing against the sandbox, set the application's refresh token (nodemailer's `auth.refreshToken`) to that password and its token URL (`auth.accessUrl`) to the sandbox's `/oauth2/token`.",
  },
  {
    id: 'oauth-invalid-grant',
    cause: 'oauth-token-error',
    confidence: 0.95,
    match: [/\binvalid_grant\b|Token has been expired or revoked|AADSTS(?:700082|50173|700084|70008)\b/i],
    seenIn: ['nodemailer', 'google-auth-library', 'MSAL', 'Python google-auth'],
    fix: "The token endpoint refused the refresh token: it expired or was revoked. Google drops refresh tokens of an app whose OAuth consent screen is in 'Testing' after 7 days (publish the app), and any refresh token when the user changes the password or removes the app's access; Microsoft's expire after 90 days unused (AADSTS700082) or when the password changes (AADSTS50173). Sign in again, store the new refresh token, and keep using the newest one the endpoint returns. A service account's JWT assertion is also refused as invalid_grant when this machine's clock is off.",
  },
  {
    id: 'oauth-invalid-client',
    cause: 'oauth-token-error',
    confidence: 0.95,
    match: [/\binvalid_client\b|AADSTS(?:7000215|7000222|700016)\b/i],
    seenIn: ['nodemailer', 'google-auth-library', 'MSAL'],
    fix: "The token endpoint does not know the client: the client id or secret is wrong (AADSTS7000215: the secret's ID was given instead of its value), the secret expired (AADSTS7000222: create a new one under Certificates & secrets), or the application is registered in another tenant (AADSTS700016: check the tenant id in the token URL). Copy the values again from the provider's console.",
  },
  {
    id: 'oauth-unauthorized-client',
    cause: 'oauth-token-error',
    confidence: 0.93,
    match: [/\bunauthorized_client\b/i],
    seenIn: ['nodemailer', 'google-auth-library'],
    fix: "The client may not use this grant: the refresh token was issued to another client id than the one refreshing it (get it again with this client's id and secret), or a Google service account lacks domain-wide delegation for https://mail.google.com/ (Admin console → Security → API controls → Domain-wide delegation).",
  },
  {
    id: 'oauth-invalid-scope',
    cause: 'oauth-token-error',
    confidence: 0.93,
    match: [/\binvalid_scope\b|AADSTS70011\b/i],
    seenIn: ['nodemailer', 'google-auth-library', 'MSAL'],
    fix: `The scope asked for is unknown or not granted to the client. For SMTP ask for https://mail.google.com/ (Gmail) or, for Microsoft 365, ${EXCHANGE_SMTP_SCOPES}.`,
  },
  {
    id: 'oauth-consent-or-mfa-required',
    cause: 'oauth-token-error',
    confidence: 0.93,
    match: [/\b(?:consent_required|interaction_required)\b|AADSTS(?:65001|50076|50079|53003)\b/i],
    seenIn: ['MSAL', 'nodemailer'],
    fix: 'The user (or an admin, AADSTS65001) has not consented to the scope, or a Conditional Access policy demands MFA (AADSTS50076, 50079, 53003), which no refresh without the user can satisfy. Sign in interactively once to consent, have an admin grant consent for the tenant, or send as an application (client credentials with SMTP.SendAsApp) where policy allows it.',
  },
  {
    id: 'nodemailer-oauth-cannot-renew',
    cause: 'oauth-token-error',
    confidence: 0.92,
    match: [/Can't create new access token for user|Can't generate token\. Check your auth options/],
    seenIn: ['nodemailer'],
    fix: "nodemailer's access token expired (or it was given none) and it has no way to get another: give `auth: { type: 'OAuth2', user, clientId, clientSecret, refreshToken }` so it refreshes by itself, or a fresh `accessToken` for every transport. Check each of those options is set where the application runs: an unset environment variable leaves it out.",
  },
  {
    id: 'oauth-error-challenge',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [anyOf(OAUTH_ERROR_CHALLENGE, DECODED_OAUTH_ERROR_CHALLENGE)],
    seenIn: ['Gmail and Microsoft 365 via Python smtplib, Symfony Mailer, PHPMailer'],
    fix: 'The server refused the OAuth 2.0 access token sent with AUTH XOAUTH2 or OAUTHBEARER. It is expired (access tokens last about an hour: refresh it right before sending), for another scope (Gmail wants https://mail.google.com/, Microsoft 365 https://outlook.office.com/SMTP.Send, never a Microsoft Graph token), or not an access token at all (an ID token, a refresh token); the user= must be the mailbox the token was issued to. A client should answer the challenge with an empty line (XOAUTH2) or ^A (OAUTHBEARER) to get the final 535, which may say more. A Mailport sandbox (`mailport serve --auth-any`) refuses a token with the same faults and says which it is.',
    evidence: oauthErrorChallenge,
  },
  {
    id: 'm365-oauth-token-refused',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [/\b535\b[^\n]{0,8}?\b5\.7\.3\b/, /XOAUTH2|OAuth|access[ _]?token|Bearer/i],
    seenIn: ['Microsoft 365 via any client'],
    fix: `Microsoft 365 refused the OAuth token (535 5.7.3). Request it for Exchange Online: ${EXCHANGE_SMTP_SCOPES}. An application also needs admin consent and its service principal registered in Exchange Online (New-ServicePrincipal, then Add-MailboxPermission). The AUTH user must be the mailbox the token was issued to (or, for an application, one it was given), and Authenticated SMTP must be enabled for that mailbox. A Mailport sandbox (\`mailport serve --auth-any\`) reads a Microsoft token's audience, scopes, user and expiry and names the one that is wrong.`,
  },
  {
    // Exchange Online's refusal of any login, password or token, names no reason: only its
    // front-end host (…prod.outlook.com) says who answered.
    id: 'm365-535-auth-unsuccessful',
    cause: 'auth-failed',
    confidence: 0.94,
    match: [
      /\b535\b[^\n]{0,8}?\b5\.7\.3 Authentication unsuccessful\b/i,
      /\.outlook\.com\b|office365|outlook\.office/i,
    ],
    seenIn: ['Microsoft 365 via any client'],
    fix: `Microsoft 365 refused the login without saying why. In order of likelihood: SMTP AUTH is off for the mailbox or the tenant (admin center → user → Mail → Manage email apps → Authenticated SMTP; security defaults block it for everyone); the password is wrong, or the account has MFA and needs an app password; the user name is not the mailbox's full address. With OAuth (XOAUTH2), the token must be for ${EXCHANGE_SMTP_SCOPES}, and issued to the AUTH user. \`mailport doctor smtp.office365.com --ports 587 --user ADDRESS --pass-env VAR\` (or \`--oauth-token-env VAR\`) tries the login and shows the exchange.`,
  },
  {
    id: 'too-many-login-attempts',
    cause: 'rate-limited',
    confidence: 0.95,
    match: [
      /Too many (?:failed )?(?:login|authentication|auth) (?:attempts|failures)|\b4\.7\.12\b.*(?:rate|many)/i,
    ],
    seenIn: ['Gmail', 'Postfix', 'Exim'],
  },
  {
    // The sandbox read an XOAUTH2 or OAUTHBEARER message it could not take apart: built by hand.
    id: 'auth-token-message-malformed',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [/Malformed AUTH (?:XOAUTH2|OAUTHBEARER) response/i],
    seenIn: ['Mailport sandbox replies'],
    fix: "The server could not read the XOAUTH2 or OAUTHBEARER message, so it never looked at the token; the reply says which part is wrong. XOAUTH2 is the base64, once, of `user=USER`, the byte 0x01, `auth=Bearer TOKEN`, then two 0x01 bytes (in Python `f'user={user}\\x01auth=Bearer {token}\\x01\\x01'`, not the text ^A); OAUTHBEARER starts with `n,a=USER,` and then the same 0x01-separated fields (RFC 7628). Mail libraries build it for you: nodemailer `auth: { type: 'OAuth2', user, accessToken }`, Python `smtp.auth('XOAUTH2', lambda challenge=None: message)` with the string above, PHPMailer `AuthType = 'XOAUTH2'` with an OAuth provider.",
  },
  {
    // The server could not decode the AUTH exchange: the responses were not the base64 the
    // mechanism defines, so the password was never checked (a hand-written or shell-built AUTH).
    id: 'auth-response-not-decodable',
    cause: 'auth-failed',
    confidence: 0.95,
    match: [
      /Malformed AUTH PLAIN response|Cannot decode (?:the )?(?:base64 )?response|Invalid base64 data|invalid base64|Invalid characters in base64/i,
    ],
    seenIn: ['mailport', 'Dovecot', 'Postfix', 'Exim'],
    fix: "The server could not read the AUTH exchange, so it never checked the password: each response must be base64, laid out as the mechanism says. AUTH PLAIN sends the base64 of NUL, user, NUL, password (`printf '\\0%s\\0%s' USER PASS | base64`), not of `user:password`; AUTH LOGIN sends the user name, then the password, each base64 on its own line. A string made in a shell often ends with a newline (`echo` without `-n`) or was never encoded. Mail libraries do this for you: give them the user and password instead of writing AUTH by hand, or test with `swaks --auth PLAIN --auth-user USER --auth-password PASS`.",
  },
  {
    // The sandbox names a slip in what the client sent (never the password itself): the value was
    // read with its line break, or with spaces, or not at all.
    id: 'auth-failed-credential-slip',
    cause: 'auth-failed',
    confidence: 0.97,
    match: [
      /Authentication credentials invalid; the (?:password|user name) (?:ends with a line break|starts or ends with a space|is empty)/i,
    ],
    seenIn: ['Mailport sandbox replies'],
    fix: 'The password (or user name) is right or not, but what the client sent has a slip the server names: a line break or a space at its end, or nothing at all. Values read from a file, a secret or an environment variable keep the line break a file ends with: create secrets with `echo -n` or `printf %s` (`kubectl create secret … --from-literal`, not a file written by `echo`), and trim where the value is read (Node `.trim()`, Python `.strip()`, PHP `trim()`, shell `$(cat file)` rather than `read`). An empty password is an unset variable or a setting under another name: print which variable the application reads, and check it is set where the application runs (the container, the CI job, the service unit).',
  },
  {
    // The sandbox read the OAuth token and names what no server would take in it.
    id: 'auth-failed-token-named',
    cause: 'auth-failed',
    confidence: 0.97,
    match: [/Authentication credentials invalid; the (?:application )?token\b/i],
    seenIn: ['Mailport sandbox replies'],
    fix: `The reply names what is wrong with the OAuth 2.0 access token, so fix that: fetch a fresh token right before sending (they last about an hour); for Microsoft 365 request it for ${EXCHANGE_SMTP_SCOPES}; send the access_token of the token response, not the ID or refresh token; use the mailbox the token was issued to as the user; and pass the token alone (no 'Bearer ' prefix, no line break). In nodemailer that is \`auth: { type: 'OAuth2', user, accessToken }\`.`,
  },
  {
    // Symfony Mailer tries every mechanism the server offers with the one password: against a
    // server that offers XOAUTH2 too (Gmail, Microsoft 365) the password is also sent as a token,
    // and that attempt's 334 error challenge is no sign the application meant OAuth.
    id: 'symfony-every-authenticator',
    cause: 'auth-failed',
    confidence: 0.965,
    match: [
      /Authenticator "(?:LOGIN|PLAIN|CRAM-MD5)" returned "[^\n]*?\b535\b/,
      /Authenticator "XOAUTH2" returned "[^\n]*?\b334\b/,
    ],
    seenIn: ['Symfony Mailer (Laravel)'],
    fix: 'Symfony Mailer tried every login method the server offers with the same password: LOGIN and PLAIN were refused (535), and XOAUTH2 got the OAuth error challenge (334) because a password is no OAuth token. So the user name or password is wrong: check MAILER_DSN (user and password percent-encoded in it: `@` as %40, `#` as %23) and that the value is set where the application runs; Gmail and Microsoft 365 with 2-step verification need an app password. If you meant OAuth, the token goes in the password field and was refused too: see `mailport explain` on a fresh token.',
  },
  {
    id: 'auth-535',
    cause: 'auth-failed',
    confidence: 0.93,
    match: [
      /(?<![.=/:])\b535\b|\b5\.7\.8\b|Username and Password not accepted|BadCredentials|Invalid login|Authentication unsuccessful|Incorrect authentication data|Authentication credentials invalid|authentication failure|AuthenticationFailedException|Login denied|Password command failed|invalid credentials|bad username or password|Invalid user or password|Invalid username or password/i,
    ],
    // A 4xx is transient (RFC 4954 §6: 454 4.7.0 "Temporary authentication failure"): the password
    // was not judged, so it is no wrong-password answer.
    unless: [
      /remote party has closed|transport stream|temporary authentication failure|(?<![.=/:\d])\b454\b[^\n]{0,40}?\b4\.7\.0\b/i,
    ],
    seenIn: [
      'nodemailer',
      'Python smtplib',
      'JavaMail',
      'curl',
      'swaks',
      'msmtp',
      'PHPMailer',
      'MailKit',
      'Go net/smtp',
    ],
  },
  {
    id: 'auth-failed-phrase',
    cause: 'auth-failed',
    confidence: 0.75,
    match: [
      // Ruby raises SMTPAuthenticationError for every 53x reply, 530 (not logged in) included.
      /authentication failed|Could not authenticate|Failed to authenticate on SMTP server|AUTH (?:PLAIN|LOGIN|CRAM-MD5) failed|No authentication type succeeded|MailKit\.Security\.AuthenticationException|\bEAUTH\b|SMTPAuthenticationError/i,
    ],
    unless: [
      /remote party has closed|transport stream|System\.Security\.Authentication\.AuthenticationException|Missing credentials/i,
    ],
    seenIn: ['msmtp', 'PHPMailer', 'MailKit', 'nodemailer', 'mailport'],
  },
  {
    // Cyrus SASL (Postfix's client) found no mechanism it may use among those the server offers.
    id: 'sasl-no-worthy-mechanism',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.96,
    match: [/No worthy mechs found|cannot authenticate to server [^\n]{0,300}?: no mechanism available/i],
    seenIn: ['Postfix'],
    fix: "Postfix's SASL client may use none of the mechanisms the server offers. Install the mechanism plugins (`apt install libsasl2-modules`, `dnf install cyrus-sasl-plain`), and allow PLAIN and LOGIN where TLS protects them: `smtp_sasl_security_options = noanonymous` (not `noplaintext`) and `smtp_sasl_tls_security_options = noanonymous`, with `smtp_tls_security_level = encrypt` so TLS is always there.",
  },
  {
    // Mailport's own words for an EHLO reply without AUTH on the encrypted session: no mechanism
    // mismatch, but SMTP AUTH off on that port (Postfix's smtpd_sasl_auth_enable = no).
    id: 'no-auth-over-tls',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.96,
    match: [/\(no AUTH offered, even over TLS\)/],
    seenIn: ['mailport'],
    fix: 'The server offers no AUTH at all on this port, even after STARTTLS or over implicit TLS, so no client can log in here. If the port takes your mail without a login (a relay that trusts your network), send without credentials; otherwise use the port the provider documents for logins (587 or 465), or ask its admin to turn SMTP AUTH on for this one (Postfix: `smtpd_sasl_auth_enable = yes`, in master.cf `-o smtpd_sasl_auth_enable=yes` on the submission service). `mailport doctor HOST` checks every port.',
  },
  {
    // Mailport's own words when its client, told not to use TLS, meets a port that offers AUTH
    // only after STARTTLS: the TLS setting, not the mechanisms, is what to change.
    id: 'no-auth-before-starttls',
    cause: 'auth-before-starttls',
    confidence: 0.96,
    match: [/\(no AUTH offered in plaintext, STARTTLS offered\)/],
    seenIn: ['mailport'],
    fix: 'The port offers AUTH only after STARTTLS (RFC 3207, RFC 6409), and the client did not upgrade: send with STARTTLS (`mailport send --tls starttls` or `--tls auto`, `mailport sendmail --tls starttls`; in other clients the STARTTLS setting, e.g. nodemailer `requireTLS: true`), or use the implicit-TLS port (465) with `--tls implicit`.',
  },
  {
    id: 'auth-mechanism',
    cause: 'auth-mechanism-unsupported',
    confidence: 0.94,
    match: [
      /Unrecognized authentication (?:type|mechanism)|\b504[ -]5\.[57]\.4\b|Unsupported authentication mechanism|authentication mechanism [^\n]{0,100}?not supported|mechanism (?:is )?not supported|No suitable authentication method|cannot find a usable authentication method|authentication method [^\n]{0,100}? not supported|no supported authentication (?:methods?|mechanisms?)|Basic authentication is (?:not supported|disabled)|\b5\.7\.30\b|Authentication mechanism is too weak|Unknown authentication (?:mechanism|method)|none of which Mailport supports|\(no AUTH offered\)|requested type not available|No auth types supported|No compatible authentication mechanism|No authentication mechanisms supported by both server and client/i,
    ],
    seenIn: ['Python smtplib', 'msmtp', 'Exchange', 'Microsoft 365', 'nodemailer', 'mailport'],
  },
  {
    id: 'nodemailer-missing-credentials',
    cause: 'auth-required',
    confidence: 0.95,
    match: [/Missing credentials for "?[\w-]+"?/i],
    seenIn: ['nodemailer'],
    fix: 'nodemailer has `auth.user` but no `auth.pass` (or no user), so it did not even try to log in: the password setting is empty, most often an environment variable that is not set where the app runs. Set it, and keep `auth.type` unset unless you use OAuth2.',
  },
  {
    // JavaMail with `mail.smtp.auth=true` and Ruby's Net::SMTP given an auth type check that both
    // are set before they connect, and give up without sending AUTH.
    id: 'credentials-not-set',
    cause: 'auth-required',
    confidence: 0.95,
    match: [/no password specified\?|SMTP-AUTH requested but missing (?:secret phrase|user name)/i],
    seenIn: ['JavaMail', 'Ruby Net::SMTP'],
    fix: 'The client is set to authenticate but has no password (or no user name), so it never sent AUTH: the setting is empty where the application runs, most often an environment variable that is not set there. JavaMail: pass the user and password to `Transport.send(msg, user, password)` or give the Session an `Authenticator` (Spring Boot: `spring.mail.username` and `spring.mail.password`); Rails: `user_name` and `password` in `smtp_settings`.',
  },
  {
    // .NET names reply 530 to MAIL FROM so whatever the server said. Its SmtpClient sends MAIL FROM
    // even after the server refused AUTH, and never sends AUTH when EnableSsl is off and the server
    // offers AUTH only after STARTTLS: a wrong password and a missing upgrade end here too.
    id: 'dotnet-not-authenticated',
    cause: 'auth-required',
    confidence: 0.95,
    match: [
      /requires a secure connection or the client was not authenticated/i,
      /Authentication Required|not authenticated|\b5\.7\.57\b|\b5\.5\.1\b/i,
    ],
    unless: [/(?<![.=/:])\b535\b|Authentication unsuccessful|\b5\.7\.139\b|STARTTLS/i],
    seenIn: ['.NET SmtpClient'],
    fix: 'System.Net.Mail sent the message without logging in. Set `EnableSsl = true` (the server offers AUTH only after STARTTLS), set `UseDefaultCredentials = false` before `Credentials = new NetworkCredential(user, password)` (setting it afterwards clears them), and check the password itself: SmtpClient goes on to MAIL FROM after the server refused AUTH, so a wrong password (Gmail and Microsoft 365 with 2FA need an app password) ends in this same error. MailKit reports the refused AUTH itself.',
  },
  {
    id: 'client-not-authenticated',
    cause: 'auth-required',
    confidence: 0.93,
    match: [
      /Authentication required|authentication is required|requires authentication|Client was not authenticated|not authenticated to send|\b5\.7\.57\b|SMTP AUTH is required|Missing credentials|Authentication info was not provided|must authenticate|Sender requires authentication|Unauthenticated senders? (?:are )?not allowed|\b530[ -]5\.7\.1\b/i,
    ],
    unless: [/\b(?:SPF|DKIM|DMARC)\b/],
    seenIn: ['Gmail', 'Exchange', 'Postfix', 'nodemailer', '.NET SmtpClient', 'curl', 'Python smtplib'],
  },
  {
    id: 'dotnet-secure-connection-or-auth',
    cause: 'auth-required',
    confidence: 0.6,
    match: [/requires a secure connection or the client was not authenticated/i],
    seenIn: ['.NET SmtpClient'],
  },
  {
    id: 'reply-530',
    cause: 'auth-required',
    confidence: 0.7,
    // 5.7.0 alone is any security refusal; only with 530, or without a code of its own, it is AUTH.
    match: [/(?<![.=/:])\b530\b|(?<!\b5[45]\d[ -])\b5\.7\.0\b/],
    // A 5.7.0 to the final dot (nodemailer's "Message failed") is a policy refusal of the message:
    // AUTH came before MAIL, long before.
    unless: [/\bMessage failed: 5\d\d 5\.7\.0\b/],
    seenIn: ALL,
  },

  // --- Non-ASCII: addresses need SMTPUTF8 (RFC 6531), 8-bit text 8BITMIME (RFC 6152) ---------
  {
    // smtplib's sendmail() encodes a str message as ASCII (Python 3.11: `_fix_eols(msg).encode('ascii')`).
    id: 'python-sendmail-str-not-ascii',
    cause: 'non-ascii-not-supported',
    confidence: 0.97,
    match: [/^in sendmail\r?\nUnicodeEncodeError: 'ascii' codec/m],
    seenIn: ['Python smtplib'],
    fix: "Python's smtplib `sendmail()` encodes a message given as str in ASCII, so a non-ASCII character anywhere in it (é in the Subject or the body) raised UnicodeEncodeError before anything was sent, whatever the server. Build an `email.message.EmailMessage` (`msg.set_content(text)`) and send it with `s.send_message(msg)`, which picks a transfer encoding every server takes and ends lines with CRLF; or pass bytes with CRLF line ends (`msg.as_bytes(policy=email.policy.SMTP)`): smtplib leaves the line ends of bytes as they are, and servers refuse a bare LF.",
  },
  {
    // smtplib writes its commands in ASCII unless the transaction declared SMTPUTF8.
    id: 'python-smtplib-address-not-ascii',
    cause: 'non-ascii-not-supported',
    confidence: 0.97,
    match: [/^in (?:mail|rcpt)\r?\n(?:in \S+\r?\n)*UnicodeEncodeError: 'ascii' codec/m],
    seenIn: ['Python smtplib'],
    fix: `The address has non-ASCII characters, and smtplib writes MAIL FROM and RCPT TO in ASCII unless the transaction declares SMTPUTF8 (RFC 6531 §3.4): \`sendmail()\` does not by itself. Use \`s.send_message(msg)\` (it declares SMTPUTF8 when an address needs it and the server offers it) or \`s.sendmail(from, to, msg.as_bytes(policy=email.policy.SMTP), mail_options=['SMTPUTF8'])\`, with a server that offers SMTPUTF8: ${SERVER_SMTPUTF8}. ${PUNYCODE_HINT}`,
  },
  {
    // The same error without its traceback: which value was not ASCII is not known.
    id: 'python-ascii-codec',
    cause: 'non-ascii-not-supported',
    confidence: 0.6,
    match: [/(?:UnicodeEncodeError: )?'ascii' codec can't encode/],
    seenIn: ['Python smtplib'],
    fix: "Python's smtplib writes in ASCII what it is given as str: a message passed to `sendmail()`, the addresses, the login. Which one held the non-ASCII character shows in the traceback's last smtplib line (`in sendmail`, `in mail`/`in rcpt`, `in login`). A message: build an `email.message.EmailMessage` and send it with `s.send_message(msg)`. An address: `send_message()` declares SMTPUTF8 when the server offers it. A password: use an ASCII one (an app password), or send AUTH PLAIN as UTF-8 with `docmd()`.",
  },
  {
    // The client saw no SMTPUTF8 in the EHLO reply and gave up before sending the address.
    id: 'smtputf8-not-offered',
    cause: 'non-ascii-not-supported',
    confidence: 0.97,
    match: [
      /require internationalized email support, but the server does not advertise the required SMTPUTF8|SMTPUTF8 not supported by server|SMTPUTF8 is not supported by this server|does not support (?:the )?SMTPUTF8|not ASCII and the server does not offer SMTPUTF8|non-ASCII characters not supported in local-part/i,
    ],
    seenIn: ['Python smtplib', 'aiosmtplib', 'Symfony Mailer', 'PHPMailer 6.10+', 'mailport'],
    fix: `The address has non-ASCII characters, which only an SMTPUTF8 transaction may carry (RFC 6531 §3.2), and the server does not offer SMTPUTF8, so the client sent nothing: ${SERVER_SMTPUTF8}, or send to an ASCII address. ${PUNYCODE_HINT} Symfony Mailer 5.4 refuses a non-ASCII local part in the sender whatever the server offers; Symfony Mailer 7.4 declares SMTPUTF8 when the server offers it.`,
  },
  {
    id: 'smtputf8-required',
    cause: 'non-ascii-not-supported',
    confidence: 0.96,
    match: [SMTPUTF8_REQUIRED],
    seenIn: [
      'Postfix (strict_smtputf8)',
      'Mailport',
      'Ruby Net::SMTP',
      'Perl Net::SMTP',
      'msmtp',
      'swaks',
      'Symfony Mailer',
    ],
    fix: `The server takes a non-ASCII address only in a transaction that declares SMTPUTF8 on MAIL FROM (RFC 6531 §3.4), and the client sent it without. ${SMTPUTF8_CLIENTS} ${PUNYCODE_HINT}`,
  },
  {
    // Postfix with smtputf8_enable = no does not offer SMTPUTF8, and refuses the parameter.
    id: 'smtputf8-parameter-refused',
    cause: 'non-ascii-not-supported',
    confidence: 0.95,
    match: [/Unsupported option:? SMTPUTF8/i],
    seenIn: ['Postfix (smtputf8_enable = no)'],
    fix: `The client declared SMTPUTF8 on MAIL FROM, but this server does not offer it (Postfix with \`smtputf8_enable = no\`): ${SERVER_SMTPUTF8}, or send to ASCII addresses and stop forcing the parameter. ${PUNYCODE_HINT}`,
  },
  {
    // A non-ASCII address sent in another charset than UTF-8: Jakarta Mail writes ISO-8859-1 unless
    // mail.mime.allowutf8 is set; Postfix and Mailport refuse the bytes.
    id: 'command-not-utf8',
    cause: 'non-ascii-not-supported',
    confidence: 0.85,
    match: [/bad UTF-8 syntax|invalid UTF-8/i],
    seenIn: ['Jakarta Mail (against Postfix or Mailport)'],
    fix: `The client sent an address with non-ASCII characters in another charset than UTF-8, which the server cannot read. Jakarta Mail and JavaMail do so unless the Session has \`mail.mime.allowutf8=true\`; with it they send UTF-8 and declare SMTPUTF8 when the server offers it (Spring Boot: \`spring.mail.properties.mail.mime.allowutf8=true\`). ${PUNYCODE_HINT} Mailport's sandbox gives the same reply to control characters in a command: if the address is ASCII, look for a stray byte in it.`,
  },
  {
    // PHPMailer before 6.10 validates addresses as ASCII (a non-ASCII domain is converted to
    // punycode when PHP's intl extension is loaded, a local part never).
    id: 'phpmailer-invalid-non-ascii-address',
    cause: 'non-ascii-not-supported',
    confidence: 0.9,
    match: [/Invalid address:\s+\([\w-]+\):\s*[^\s@]*[\u0080-\uffff]/i],
    seenIn: ['PHPMailer 6.6'],
    fix: `PHPMailer refused the address itself, before connecting: before version 6.10 it takes no non-ASCII local part, and a non-ASCII domain only with PHP's intl extension and \`$mail->CharSet = PHPMailer::CHARSET_UTF8\` (it converts the domain to punycode). PHPMailer 6.10+ sends non-ASCII addresses with SMTPUTF8 when the server offers it: upgrade, or use an ASCII address. ${PUNYCODE_HINT}`,
  },
  {
    // s-nail has no SMTPUTF8: it refuses a non-ASCII address itself, in any locale.
    id: 's-nail-address-invalid-byte',
    cause: 'non-ascii-not-supported',
    confidence: 0.9,
    match: [/contains invalid byte '\\x[89a-f][0-9a-f]'/i],
    seenIn: ['s-nail 14.9'],
    fix: `s-nail refused the address itself, before connecting: it has no SMTPUTF8, so it takes no non-ASCII local part, in any locale. A non-ASCII domain alone it writes as punycode by itself (\`bob@bücher.example\` goes out as \`bob@xn--bcher-kva.example\`). Send to an ASCII address, or through a client that declares SMTPUTF8 to a server that offers it. ${SMTPUTF8_CLIENTS}`,
  },
  {
    // Postfix refuses a non-ASCII domain sent without SMTPUTF8 as bad syntax, whatever
    // smtputf8_enable says; only a text that shows the address tells why.
    id: 'non-ascii-address-syntax',
    cause: 'non-ascii-not-supported',
    confidence: 0.85,
    match: [NON_ASCII_ADDRESS, ADDRESS_SYNTAX_REFUSED],
    seenIn: ['Postfix', 'swaks', 'msmtp'],
    fix: `The server refused the non-ASCII address as bad syntax: without SMTPUTF8 an address must be ASCII (Postfix answers so to a non-ASCII domain sent without it, even when it offers SMTPUTF8). ${PUNYCODE_HINT} For a non-ASCII local part, ${SERVER_SMTPUTF8} and use a client that declares it. ${SMTPUTF8_CLIENTS}`,
  },
  {
    // Net::Cmd writes bytes: a character string holding a character above U+00FF cannot be written.
    id: 'perl-wide-character',
    cause: 'non-ascii-not-supported',
    confidence: 0.9,
    match: [/Wide character in (?:syswrite|print)\b[^\n]*Net\/Cmd\.pm/],
    seenIn: ['Perl Net::SMTP'],
    fix: "Perl's Net::SMTP writes bytes, and the message (or an address) was a character string with characters above U+00FF (€, emoji), so nothing more was sent. Encode it first: `$smtp->data(Encode::encode('UTF-8', $message))` with `Content-Type: text/plain; charset=UTF-8` in its headers, or build the message with Email::MIME or MIME::Entity, which encode the text as quoted-printable or base64 that every server takes. A non-ASCII address also needs SMTPUTF8, which Net::SMTP cannot declare: use an ASCII one.",
  },
  {
    id: 'eight-bit-without-8bitmime',
    cause: 'non-ascii-not-supported',
    confidence: 0.95,
    match: [/server does not (?:offer|support) 8BITMIME/i],
    seenIn: ['mailport', 'lettre'],
    fix: 'The message has 8-bit octets (UTF-8 text sent with `Content-Transfer-Encoding: 8bit`), and the server does not offer 8BITMIME (RFC 6152 §3), so nothing was sent. Encode the text parts as quoted-printable or base64 (mail libraries do when they build the message: Python `EmailMessage.set_content()`, nodemailer, PHPMailer), or send through a server that offers 8BITMIME (Postfix and a Mailport sandbox do).',
  },

  // --- Command order: the client's sequence, not the server's policy ----------------------------
  {
    // Postfix "503 5.5.1 Error: send HELO/EHLO first" (also after STARTTLS without a new EHLO),
    // Exchange "503 5.5.2 Send hello first", Sendmail "Polite people say HELO first", Gmail
    // "EHLO/HELO first", Mailport "Send EHLO again after STARTTLS".
    id: 'no-ehlo',
    cause: 'no-ehlo',
    confidence: 0.93,
    match: [
      /\b(?:send|say) (?:HELO\/EHLO|EHLO\/HELO|EHLO or HELO|HELO or EHLO|HELO|EHLO|hello) (?:first|again after STARTTLS)\b|\b(?:EHLO\/HELO|HELO\/EHLO|HELO or EHLO|EHLO or HELO) (?:first|required)\b|Send EHLO first\b|\bAUTH needs EHLO\b/i,
    ],
    seenIn: ['Postfix', 'Exchange', 'Sendmail', 'Gmail', 'Exim', 'smtp-server', 'mailport', 'Python smtplib'],
  },
  {
    // Postfix "need MAIL command" / "nested MAIL command" / "MAIL transaction in progress",
    // Sendmail "Need MAIL before RCPT", Exim "sender not yet given", RFC 5321's own "Bad sequence".
    id: 'bad-sequence',
    cause: 'bad-sequence',
    confidence: 0.8,
    match: [
      /\bneed MAIL (?:command|before RCPT|FROM before)\b|Need MAIL FROM before|nested MAIL command|\bsender (?:already (?:given|specified)|not yet given)\b|MAIL transaction in progress|already authenticated|No identity changes permitted|not allowed during a mail transaction|\bTLS (?:is )?already active\b|Bad sequence of commands|\b(?:DATA|RCPT) after BDAT\b/i,
    ],
    seenIn: ['Postfix', 'Sendmail', 'Exim', 'Exchange', 'smtp-server', 'mailport', 'Python smtplib'],
  },
  {
    // aiosmtplib refuses a second upgrade itself, before any command is sent.
    id: 'aiosmtplib-starttls-twice',
    cause: 'bad-sequence',
    confidence: 0.9,
    match: [/Connection already using TLS/i],
    seenIn: ['aiosmtplib'],
    fix: 'The connection is already encrypted when the code calls `starttls()`: aiosmtplib 2 and later upgrade with STARTTLS inside `connect()` whenever the server offers it (`start_tls=None`, the default), and `use_tls=True` is implicit TLS from the first byte. Remove the `starttls()` call, or pass `start_tls=False` to `SMTP()` or `connect()` to upgrade by hand.',
  },

  // --- MAIL FROM and RCPT TO parameters the server does not offer ------------------------------
  {
    // RFC 5321 §4.1.1.11: 555 for a MAIL FROM or RCPT TO parameter the server does not know or offer.
    // Postfix "555 5.5.4 Unsupported option: RET=HDRS", the sandbox "Unsupported parameter RET".
    // SMTPUTF8 refused this way has a rule of its own (non-ASCII).
    id: 'unsupported-parameter',
    cause: 'unsupported-parameter',
    confidence: 0.9,
    match: [
      /\b555[ -]5\.5\.4\b|\bUnsupported (?:option|parameter)\b|parameters? not (?:recognized|implemented)/i,
    ],
    seenIn: ['Postfix', 'mailport', 'Python smtplib'],
  },

  // --- Envelope -------------------------------------------------------------------------------
  {
    // The login worked (235, or Mailport saying so) and the relay is still refused: the server's
    // relay policy leaves authenticated clients out, which no client setting can change.
    id: 'relay-denied-after-auth',
    cause: 'relay-denied',
    confidence: 0.97,
    match: [/\b235[ -]2\.7\.0\b|session is authenticated \(AUTH succeeded\)/i, RELAY_DENIED],
    seenIn: ['Postfix', 'Exim', 'mailport'],
    fix: "The server accepted your login and still refuses to relay for it: your password and client settings are right, but the server's relay policy does not let authenticated clients send to domains it does not host. Its admin must allow them: Postfix `smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination` (in master.cf's submission service: `-o smtpd_relay_restrictions=permit_sasl_authenticated,reject`); Exim: `accept authenticated = *` in the RCPT ACL. Or the account may only send to the server's own domains.",
  },
  {
    // Zoho Mail's words when the sender is not the login: "553 Relaying disallowed as bob@...".
    id: 'zoho-relaying-disallowed-as-sender',
    cause: 'sender-rejected',
    confidence: 0.96,
    match: [/Relaying disallowed as\b/i],
    seenIn: ['Zoho Mail'],
    fix: "Zoho Mail sends only from the address you log in with or one of that account's verified aliases: make the From (and envelope sender) that address, or add the address as an alias of the account (Zoho Mail: Settings > Mail accounts > Email address). The login itself worked.",
  },
  {
    // A Mailgun sandbox domain delivers only to the recipients its account authorized.
    id: 'mailgun-sandbox-recipient',
    cause: 'relay-denied',
    confidence: 0.9,
    match: [
      /(?:Free accounts|Sandbox subdomains) are for test purposes only|add the address to authorized recipients/i,
    ],
    seenIn: ['Mailgun'],
    fix: "A Mailgun sandbox domain delivers only to authorized recipients: add this recipient under the sandbox domain's Authorized Recipients and confirm the invitation, or send from a domain you have verified with Mailgun. Retrying does not help, whatever the 4xx code says.",
  },
  {
    id: 'relay-denied',
    cause: 'relay-denied',
    confidence: 0.95,
    match: [RELAY_DENIED],
    seenIn: ['Postfix', 'Exchange', 'Exim', 'Sendmail', 'Microsoft 365'],
  },
  {
    // RFC 4954 §6: the login is known and the account disabled (`525 5.7.13 User Account Disabled`).
    id: 'auth-account-disabled',
    cause: 'auth-failed',
    confidence: 0.96,
    match: [/\b525[ -]User Account Disabled|(?<![\w.@/])5\.7\.13\b(?![.\d])/i],
    seenIn: ['Exchange', 'Dovecot submission', 'all clients'],
    fix: "The server knows the account but it is disabled (RFC 4954's 525 5.7.13): no other password fixes that. Whoever runs the account (its administrator, or the provider's dashboard) must enable it, or enable SMTP sending for it.",
  },
  {
    // Amazon SES SMTP credentials belong to an IAM user; its policy decides which identities it may
    // send as.
    id: 'ses-iam-not-authorized',
    cause: 'sender-rejected',
    confidence: 0.93,
    match: [/is not authorized to perform:? ses:Send(?:Raw)?Email/i],
    seenIn: ['Amazon SES'],
    fix: "The login worked, but the IAM user behind these SMTP credentials may not send as this identity (the From address or its domain): allow `ses:SendRawEmail` on that identity's ARN in the user's IAM policy (mind the region), or send from an identity the policy already covers.",
  },
  {
    // A provider that suspended the sending account (bounces, complaints, billing), in its words.
    id: 'sending-account-suspended',
    cause: 'sender-rejected',
    confidence: 0.8,
    match: [
      /\byour (?:sending |SMTP |user )?account (?:has been |is )(?:temporarily )?(?:suspended|disabled|blocked|deactivated)|\bsending (?:paused|suspended) for (?:this|your) account/i,
    ],
    seenIn: ['SendGrid', 'Brevo', 'Mailgun', 'Amazon SES'],
    fix: 'The provider suspended the account that sends (too many bounces or complaints, billing, a terms review): no client setting changes that. Its dashboard or support says why and how to lift it; meanwhile, no mail leaves through this account.',
  },
  {
    id: 'sender-not-allowed',
    cause: 'sender-rejected',
    confidence: 0.92,
    match: [
      /Sender address rejected|not owned by (?:auth(?:enticated)? )?user|send as this sender|SendAsDenied|\b5\.7\.60\b|\b5\.1\.[78]\b|Email address is not verified|identities failed the check|domain (?:is )?not verified|\b(?:domain|address|identity|sender)\b[^\n]{0,60}?\bis not verified|Unauthori[sz]ed sender|not a Sender Signature|Sender signature not defined|Unauthori[sz]ed IP address|sender (?:address )?(?:is )?(?:not (?:allowed|authorized|permitted))|From address (?:is )?not (?:verified|allowed)|verified Sender Identity|Sender (?:domain )?(?:verify|verification) failed|Bad sender address|banned sending IP|Sender (?:address )?(?:denied|refused|rejected)|Verification failed for </i,
    ],
    unless: [/greylist|graylist/i],
    seenIn: ['Postfix', 'Exchange', 'Amazon SES', 'Gmail', 'Microsoft 365'],
  },
  {
    // Gmail's 5.7.26 says the sender must "authenticate", which is about the domain, not AUTH.
    id: 'sender-domain-unauthenticated',
    cause: 'sender-rejected',
    confidence: 0.95,
    match: [
      /\bDMARC\b|\bSPF\b[^\n]{0,60}\b(?:fail|softfail|check|validation|record)|\bDKIM\b|\b5\.7\.2[3-7]\b|(?:sender|mail|message) is unauthenticated|\bUnauthenticated (?:e-?mail|mail|messages?)\b[^\n]{0,80}? not accepted|composite authentication failed/i,
    ],
    unless: [/\b5\.7\.25\b|PTR record/i],
    seenIn: ['Gmail', 'Microsoft 365', 'Yahoo', 'Postfix'],
    fix: "The receiving server could not verify that the sending domain sent this mail: publish SPF for the servers you send from (`v=spf1 include:<your provider> -all`), sign with DKIM (your provider gives the DNS records), and publish DMARC (`_dmarc` TXT). Sending through your domain's provider's submission server (587 with AUTH) usually satisfies all three. `dig +short TXT example.com` and `dig +short TXT _dmarc.example.com` show what the domain publishes.",
  },
  {
    id: 'sender-no-reverse-dns',
    cause: 'sender-rejected',
    confidence: 0.93,
    // Postfix's reject_unknown_client_hostname and reject_unknown_reverse_client_hostname say
    // "Client host rejected: cannot find your (reverse) hostname": no blocklist is involved.
    match: [
      /\b5\.7\.25\b|does not have a PTR record|reverse DNS|\bPTR record|cannot find your (?:reverse )?hostname/i,
    ],
    seenIn: ['Gmail', 'Postfix'],
    fix: "The sending IP has no reverse DNS (PTR) record matching a name that points back to it: ask whoever owns the IP (the cloud or hosting provider) to set its PTR to your mail host's name, with an A record for that name, or send through your provider's submission server (587 with AUTH) instead of straight from this host.",
  },
  {
    id: 'helo-name-rejected',
    cause: 'sender-rejected',
    // Above ip-blocklisted, which also names Postfix's "Helo command rejected" among IP refusals.
    confidence: 0.85,
    match: [HELO_NAME_REFUSED],
    unless: [/blocked using|spamhaus|\bRBL\b|block ?list/i],
    seenIn: ['Postfix', 'Exim', 'Sendmail'],
    fix: 'The server refuses the name your client introduced itself with in EHLO/HELO (often "localhost" or a bare machine name): set it to the sending machine\'s fully-qualified host name, one that resolves in DNS (RFC 5321 §4.1.1.1): nodemailer `name`, Python `smtplib.SMTP(local_hostname=...)`, PHPMailer `$mail->Helo`, Symfony Mailer (Laravel) `local_domain`, JavaMail `mail.smtp.localhost`, Postfix `smtp_helo_name`, swaks `--ehlo`.',
  },
  {
    // Postfix's own words for an access rule that refuses the client's address (`reject` in
    // smtpd_client_restrictions, REJECT in a check_client_access table): a policy, no blocklist.
    id: 'client-access-denied',
    cause: 'sender-rejected',
    confidence: 0.85,
    match: [/Client host rejected: Access denied/i],
    seenIn: ['Postfix'],
    fix: "The server's access policy refuses your client's IP address (Postfix `smtpd_client_restrictions` or a `check_client_access` table): no blocklist is named and no password was judged. Connect from a network the server allows (its office or VPN), or ask its admin to allow your address, or to let a login through (`permit_sasl_authenticated` ahead of the reject, with `smtpd_delay_reject = yes` so AUTH comes first).",
  },
  {
    id: 'ip-blocklisted',
    cause: 'sender-rejected',
    confidence: 0.8,
    match: [
      /blocked using|listed (?:at|on|in) [^\n]{0,200}?(?:spamhaus|barracuda|spamcop|rbl|dnsbl)|Client host rejected|Helo command rejected|\bspamhaus\b|\bRBL\b|(?:poor|low) reputation|on (?:our|a) block ?list|traffic not accepted from this IP|\b5\.7\.708\b|IP [^\n]{0,100}? (?:is )?(?:blocked|blacklisted|blocklisted)/i,
    ],
    seenIn: ['Postfix', 'Exchange', 'Microsoft 365'],
    fix: "The receiving server rejects your sending IP (a blocklist or poor reputation): check the IP on the named blocklist and request delisting, or send through your provider's submission server (port 587 with AUTH) instead of directly from this host.",
  },
  {
    // RFC 5321 §3.1: 554 (any 5xx) instead of 220 means the server will not talk to this client.
    id: 'greeting-refused',
    cause: 'sender-rejected',
    confidence: 0.8,
    match: [
      anyOf(
        /refused the session in its greeting|Invalid greeting|SMTPConnectError|No SMTP service here/,
        AT_GREETING,
      ),
      REPLY_5XX,
    ],
    seenIn: [
      'mailport',
      'nodemailer',
      'Python smtplib',
      'aiosmtplib',
      'JavaMail',
      'msmtp',
      'curl',
      'swaks',
      'Symfony Mailer',
      'Ruby Net::SMTP',
    ],
    fix: GREETING_REFUSED_FIX,
  },
  {
    // The words of a refusing greeting, for clients that do not say the greeting failed (Go).
    id: 'refuses-connections',
    cause: 'sender-rejected',
    confidence: 0.8,
    match: [
      /\b5\d\d[ -][^\n]{0,200}?(?:not accepting (?:connections|network messages)|ESMTP not accepting|No SMTP service here|SMTP service (?:is )?(?:not available|unavailable)|(?:connections?|clients?|hosts?) from [^\n]{0,100} not (?:accepted|allowed|permitted|welcome))/i,
    ],
    seenIn: ['Go net/smtp', 'Ruby Net::SMTP', 'all clients'],
    fix: GREETING_REFUSED_FIX,
  },
  {
    id: 'gmail-direct-to-mx-refused',
    cause: 'sender-rejected',
    confidence: 0.95,
    match: [
      /not authorized to send (?:e-?mail )?directly to our servers|use the SMTP relay at your service provider/i,
    ],
    seenIn: ['Gmail'],
    fix: "Gmail refuses mail delivered straight to its MX servers (port 25) from this IP, as it does for dynamic, residential and unauthorised cloud addresses. Send through your provider's submission server instead: port 587 with STARTTLS and AUTH (for a Google account, smtp.gmail.com:587 with an app password), or a relayhost in Postfix.",
  },
  {
    // The filter judged the message, not who sent it: rejected after DATA for what it says or carries.
    id: 'content-rejected',
    cause: 'message-rejected',
    confidence: 0.9,
    match: [
      /(?:message |mail )?content (?:was )?(?:rejected|denied)|rejected (?:due to|because of|for) (?:its |the )?(?:(?:unacceptable|prohibited|forbidden|inappropriate|suspicious|objectionable) )?content|content (?:restrictions|filter|polic(?:y|ies)) |rejected (?:as|for being|because (?:it is|of) )spam|(?:detected|identified|classified|considered|flagged) as spam|looks like spam|spam (?:detected|message rejected|score)|\bvirus\b|\bmalware\b|infected|\b5\.7\.1\b[^\n]{0,120}\bspam\b|(?:attachment|file) (?:type )?(?:is )?(?:not allowed|blocked|prohibited|rejected)|(?:prohibited|forbidden|blocked|banned) (?:attachment|file)|blocked (?:attachment|file type)|\b5\.7\.3\b[^\n]{0,80}(?:attachment|virus)|\b5\.6\.1\b[^\n]{0,80}(?:attachment|content)|(?:Invalid|Corrupt) message content/i,
    ],
    unless: [/unsolicited mail originating from your IP|from your IP|sending IP|IP address/i],
    seenIn: ['Amazon SES', 'Gmail', 'Microsoft 365', 'Postfix with a content filter', 'Exim with a scanner'],
  },
  {
    // Gmail answers a blocked attachment with 552 5.7.0, the code of a size refusal.
    id: 'content-security-block',
    cause: 'message-rejected',
    confidence: 0.95,
    match: [/content presents a potential security issue|blocked because (?:its|of its|the) content/i],
    seenIn: ['Gmail'],
    fix: 'Gmail blocks attachments that can carry code (executables, scripts, documents with macros, archives holding them or encrypted so it cannot look inside): send a link to the file instead, or a format without code (PDF without scripts).',
  },
  {
    // A 421, so clients retry it as a temporary failure, but a retry of the same message meets the
    // same verdict: it is the content that was judged.
    id: 'gmail-suspicious-content',
    cause: 'message-rejected',
    confidence: 0.93,
    match: [/suspicious due to the nature of the content|the links within/i],
    seenIn: ['Gmail'],
    fix: "Gmail deferred the message (421 4.7.0) because its content or links look like spam or phishing. Retrying the same message gets the same answer: change what it carries. Link to your own domain rather than through a URL shortener or a tracking domain that others share, make the visible link text match where it points, send a plain-text part with the HTML, and authenticate the sending domain (SPF, DKIM and DMARC aligned with the From: address). Send through your provider's submission server rather than straight to Gmail's MX. `mailport messages checks ID` scores a sandbox copy of the exact message and lists its links.",
  },
  {
    // Exchange Online's outbound spam policy: the message was an automatic forward, not a send.
    id: 'microsoft-external-forwarding',
    cause: 'message-rejected',
    confidence: 0.93,
    match: [/\b5\.7\.520\b|does not allow external forwarding/i],
    seenIn: ['Microsoft 365'],
    fix: "The message was forwarded automatically (an Outlook inbox rule, the mailbox's forwarding setting or a redirect) to an address outside the organisation, and Microsoft 365's outbound spam policy blocks automatic external forwarding by default. An administrator allows it for that mailbox: Microsoft Defender portal, Policies & rules → Threat policies → Anti-spam → the outbound policy → Automatic forwarding rules: On. Mail the user sends by hand is not affected.",
  },
  {
    id: 'content-or-reputation',
    cause: 'sender-rejected',
    confidence: 0.5,
    match: [
      /unsolicited (?:mail|e-?mail|messages?|commercial|bulk)|\bspam\b|blacklist|blocklist|reputation|policy reasons|policy violation/i,
    ],
    seenIn: ['Gmail', 'Microsoft 365', 'Yahoo', 'Postfix'],
    fix: "The receiving server refused the mail for who sent it or what it looks like (reputation, spam filtering, policy): authenticate the sending domain (SPF, DKIM, DMARC), send through your provider's submission server, and check the sending IP on public blocklists.",
  },
  {
    // RFC 5322 §3.6 allows From, To, Cc, Subject, Date, Message-ID and a few more once each. Gmail
    // names the header; its refusal also says "spam", which is not the reason here.
    id: 'duplicate-header',
    cause: 'message-rejected',
    confidence: 0.95,
    match: [/\b(?:multiple|duplicate)\s+'?[\w-]+'?\s+(?:headers|header fields)\b/i],
    seenIn: ['Gmail'],
    fix: 'The message has a header that may appear only once (From, To, Cc, Subject, Date, Message-ID, Reply-To; RFC 5322 §3.6) twice, and the server refused it as not RFC 5322 compliant. Set it once: usually the code sets it through the library (its `subject`, `to` or `from` option) and again as a custom header, or copies headers from another message; more recipients go in one To or Cc header, separated by commas. `mailport messages checks ID` names the repeated header of a message caught by the sandbox (`duplicate-header`).',
  },
  {
    id: 'from-header-invalid',
    cause: 'sender-rejected',
    confidence: 0.85,
    match: [
      /missing a valid address in From:? header|having no From:? header|\bFrom:? header (?:is )?(?:missing|invalid|malformed)|not RFC ?5322 compliant|missing a valid (?:Message-?ID|messageId)\b|(?:invalid|malformed|illegal) (?:message )?headers?\b|header (?:field |line )?(?:syntax )?(?:is )?(?:invalid|malformed)/i,
    ],
    seenIn: ['Gmail', 'Microsoft 365'],
    fix: 'The server refused the message for its headers, not for the envelope: give it a `From:` header with one full address (`Name <user@example.com>`, not a bare name or `root@localhost`), and the `Date:` and `Message-ID:` headers RFC 5322 requires. Libraries add them when a from address is set; a message built by hand must carry them. Every header must be well formed: `Name: value` lines of at most 998 characters, non-ASCII values encoded (RFC 2047), and no raw line break inside a value (a subject taken from user input). `mailport messages checks ID` lists the header problems of a message caught by the sandbox.',
  },
  {
    // Libraries that check addresses before connecting: PHPMailer's validateAddress() and Symfony
    // Mime's Address (Laravel). The header named (or the method in the trace) tells the side.
    id: 'library-refused-sender-address',
    cause: 'sender-rejected',
    confidence: 0.88,
    match: [
      /Invalid address:\s+\((?:From|Sender)\)|does not comply with addr-spec of RFC 2822[\s\S]{0,3000}?Email->(?:from|sender|returnPath)\(\)/,
    ],
    seenIn: ['PHPMailer', 'Symfony Mailer'],
    fix: `${LIBRARY_ADDRESS_FIX} The sender is the one refused: \`$mail->setFrom('alice@example.com', 'Alice')\` in PHPMailer, \`->from(new Address('alice@example.com', 'Alice'))\` in Symfony, MAIL_FROM_ADDRESS in Laravel's .env.`,
  },
  {
    id: 'library-refused-recipient-address',
    cause: 'recipient-unknown',
    confidence: 0.85,
    match: [/Invalid address:\s+\((?:to|cc|bcc|Reply-To)\)|does not comply with addr-spec of RFC 2822/i],
    seenIn: ['PHPMailer', 'Symfony Mailer'],
    fix: `${LIBRARY_ADDRESS_FIX} A recipient is the one refused: \`$mail->addAddress('bob@example.com', 'Bob')\` in PHPMailer, \`->to(new Address('bob@example.com', 'Bob'))\` in Symfony.`,
  },
  {
    // RFC 3463 X.1.7, "bad sender's mailbox address syntax" (Postfix "501 5.1.7 Bad sender address
    // syntax", Exchange "501 5.1.7 Invalid address"): the form of the address, not who owns it.
    id: 'sender-address-syntax',
    cause: 'sender-rejected',
    confidence: 0.94,
    match: [
      /(?<![\w.@/])5\.1\.7\b(?![.\d])|Bad sender address syntax|sender address must contain a domain|Syntax: MAIL FROM:<address>|\b501[ -][^\n]{0,20}Invalid sender address/i,
    ],
    unless: [NON_ASCII_ADDRESS],
    seenIn: ['Postfix', 'Exchange', 'Exim', 'mailport'],
    fix: ADDRESS_SYNTAX_FIX,
    evidence: addressSyntaxRefusal,
  },
  {
    id: 'envelope-sender-phase',
    cause: 'sender-rejected',
    confidence: 0.55,
    match: [
      /SMTPSenderRefused|Mail command failed|MAIL FROM command failed|envelope from address [^\n]{0,300}? not accepted|\bMAIL failed|refused the sender|SMTPSenderFailedException/i,
    ],
    // A MAIL FROM refused for its length says nothing of the sender.
    unless: [TEMPORARY_AT_STEP, COMMAND_LINE_TOO_LONG],
    seenIn: ['Python smtplib', 'nodemailer', 'PHPMailer', 'msmtp', 'curl', 'mailport', 'JavaMail'],
  },
  {
    // Clients that name the step only in a stack frame or a transcript: Ruby's Net::SMTP (and the
    // mail gem on top of it) in `mailfrom`, Symfony Mailer in doMailFromCommand(), swaks's MAIL FROM
    // answered with an error.
    id: 'envelope-sender-refused-in-step',
    cause: 'sender-rejected',
    confidence: 0.55,
    match: [
      /in [`'](?:Net::SMTP#)?mailfrom'|SmtpTransport->doMailFromCommand\(\)|[-~]> +MAIL FROM:[^\n]*\r?\n<(?:\*\*|~\*) +5\d\d/i,
      REPLY_5XX,
    ],
    seenIn: ['Ruby Net::SMTP', 'Ruby mail gem', 'Symfony Mailer', 'swaks'],
  },
  {
    // RFC 3463 X.1.3, "bad destination mailbox address syntax" (Postfix "501 5.1.3 Bad recipient
    // address syntax", Exchange "501 5.1.3 Invalid address", Sendmail "553 5.1.3 ... User address
    // required"); Gmail says "not a valid RFC-5321 address" with 5.1.2.
    id: 'recipient-address-syntax',
    cause: 'recipient-unknown',
    confidence: 0.94,
    match: [
      /(?<![\w.@/])5\.1\.3\b(?![.\d])|Bad recipient address syntax|recipient address must contain a domain|not a valid RFC[- ]?5321 address|Syntax: RCPT TO:<address>/i,
    ],
    unless: [NON_ASCII_ADDRESS],
    seenIn: ['Postfix', 'Exchange', 'Sendmail', 'Exim', 'Gmail', 'JavaMail', 'mailport'],
    fix: ADDRESS_SYNTAX_FIX,
    evidence: addressSyntaxRefusal,
  },
  {
    id: 'recipient-unknown',
    cause: 'recipient-unknown',
    confidence: 0.93,
    match: [
      /User unknown|\b5\.1\.1\b|No such (?:user|recipient|mailbox)|(?:mailbox|account|address|user) (?:that you tried to reach )?does not exist|RecipientNotFound|Recipient not found|unknown (?:recipient|user)|invalid recipient|\b5\.1\.10\b|\b5\.1\.6\b|mailbox not found|Unrouteable address|no mailbox here|\b5\.2\.1\b|\b5\.1\.2\b|account (?:is )?disabled/i,
    ],
    seenIn: ['Postfix', 'Gmail', 'Exchange', 'Exim', 'all clients'],
  },
  {
    id: 'mailbox-full',
    cause: 'recipient-unknown',
    confidence: 0.7,
    match: [
      /\b5\.2\.2\b|mailbox (?:is )?full|over quota|quota exceeded for (?:the )?(?:user|mailbox)|OverQuota/i,
    ],
    seenIn: ['all servers'],
    fix: "The recipient's mailbox is full: nothing to change on your side; the recipient must make room, or use another address.",
  },
  {
    id: 'recipient-phase',
    cause: 'recipient-unknown',
    confidence: 0.55,
    match: [
      /SMTPRecipientsRefused|all recipients were rejected|Recipient address rejected|recipients failed|recipient address [^\n]{0,300}? not accepted|RCPT failed|SMTPAddressFailedException|Invalid Addresses|Mailbox unavailable|refused the recipient|\b5\.1\.3\b/i,
    ],
    unless: [TEMPORARY_AT_STEP],
    seenIn: [
      'Python smtplib',
      'nodemailer',
      'PHPMailer',
      'msmtp',
      'curl',
      'JavaMail',
      '.NET SmtpClient',
      'mailport',
    ],
    evidence: recipientRefusal,
  },
  {
    // Clients that name the step only in a stack frame or a transcript: Ruby's Net::SMTP in
    // `rcptto`, Symfony Mailer in doRcptToCommand(), swaks's RCPT TO answered with an error.
    id: 'recipient-refused-in-step',
    cause: 'recipient-unknown',
    confidence: 0.55,
    match: [
      /in [`'](?:Net::SMTP#)?rcptto'|SmtpTransport->doRcptToCommand\(\)|[-~]> +RCPT TO:[^\n]*\r?\n<(?:\*\*|~\*) +5\d\d/i,
      REPLY_5XX,
    ],
    seenIn: ['Ruby Net::SMTP', 'Ruby mail gem', 'Symfony Mailer', 'swaks'],
    evidence: recipientRefusal,
  },
  {
    id: 'no-valid-recipients-at-data',
    cause: 'no-valid-recipients',
    confidence: 0.9,
    match: [NO_RECIPIENTS_AT_DATA],
    seenIn: ['swaks --pipeline', 'Postfix', 'Exim', 'Sendmail', 'Exchange', 'qmail', 'mailport'],
    evidence: recipientRefusal,
  },
  {
    // JavaMail checks before it connects: the message itself names no recipient.
    id: 'message-names-no-recipient',
    cause: 'no-valid-recipients',
    confidence: 0.9,
    match: [/No recipient addresses/],
    seenIn: ['JavaMail'],
    fix: 'The message names no recipient at all, so JavaMail refused to send it before asking the server: set its recipients (`message.setRecipients(Message.RecipientType.TO, ...)`, or pass them to `Transport.send(message, addresses)`), and check that the variable holding the address is not empty.',
  },
  {
    // nodemailer's EENVELOPE: no address in to, cc, bcc or envelope.to, found before connecting.
    id: 'nodemailer-no-recipients',
    cause: 'no-valid-recipients',
    confidence: 0.9,
    match: [/No recipients defined/],
    seenIn: ['nodemailer'],
    fix: 'The message names no recipient at all, so nodemailer refused to send it before connecting (code EENVELOPE): none of `to`, `cc`, `bcc` or `envelope.to` holds an address. Check that the variable behind them is set (`to: process.env.MAIL_TO` is undefined when the variable is missing) and is a string or a list of addresses.',
  },
  {
    // aiosmtplib's send_message(): no To, Cc or Bcc header, and no recipients given.
    id: 'aiosmtplib-no-recipients',
    cause: 'no-valid-recipients',
    confidence: 0.9,
    match: [/No recipient headers provided in message/],
    seenIn: ['aiosmtplib'],
    fix: "The message names no recipient at all, so aiosmtplib refused to send it before connecting: `send_message()` takes the recipients from the To, Cc and Bcc headers when none are passed. Set `message['To']` (check that the variable behind it is not empty), or pass `recipients=[...]`.",
  },

  // --- Message --------------------------------------------------------------------------------
  {
    id: 'message-too-large',
    cause: 'message-too-large',
    confidence: 0.93,
    match: [
      /\b5\.3\.4\b|\b5\.2\.3\b|message (?:size )?exceeds|exceeds? (?:the )?(?:fixed )?(?:maximum )?(?:message )?size|message (?:is )?too (?:large|big)|size limit|message size limits|Exceeded storage allocation|larger than allowed|(?<![.=/:])\b552\b/i,
    ],
    unless: [/\b5\.2\.2\b|mailbox (?:is )?full/i],
    seenIn: ['Postfix', 'Gmail', 'Exchange', 'all clients'],
  },

  {
    // RFC 5321 §2.3.8: lines end with CRLF. Since the SMTP smuggling fixes (CVE-2023-51764 and
    // kin) servers refuse a bare LF instead of guessing where a line, or the message, ends.
    id: 'bare-line-feed',
    cause: 'message-rejected',
    confidence: 0.95,
    match: [/bare (?:<?LF>?|<LF>|line ?feeds?|CR|newlines?)\b|BareLinefeedsAreIllegal|\b5\.6\.11\b/i],
    seenIn: ['Mailport', 'Postfix 3.9 (smtpd_forbid_bare_newline)', 'Exchange / Microsoft 365', 'Exim'],
    fix: 'The message has lines that end in a bare LF (or CR), and SMTP requires CRLF (RFC 5321 §2.3.8); servers refuse it since the SMTP smuggling fixes. Let a mail library build and send the message (nodemailer, PHPMailer, Symfony Mailer and smtplib convert line endings), or convert them to CRLF before writing raw data to the socket; sendmail, including `mailport sendmail`, converts them for you. When only a few lines end in LF alone (the sandbox counts them, and names the first), the rest being CRLF, a value holds a raw line break: a header or body part taken from user input or a file, or a template with its own line endings.',
  },
  {
    // lettre refuses a reply line or a reply past its limits: the peer's, not the message's.
    id: 'server-response-too-long',
    cause: 'server-protocol-error',
    confidence: 0.8,
    match: [/SMTP response (?:line )?too (?:long|large)/i],
    seenIn: ['lettre'],
  },
  {
    // RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets. An application that writes its HTML
    // on one line (PHP's mail() through sendmail) meets this; relays that take it break the lines.
    id: 'line-too-long',
    cause: 'message-rejected',
    confidence: 0.9,
    match: [/\blines? (?:is |are )?(?:longer than \d+ (?:octets|bytes|characters)|too long)\b/i],
    // lettre's "SMTP response line too long" is the server's reply, not the message.
    unless: [/\bcommand line\b|\bauthentication\b|\bresponse line\b|\bthis command may have\b/i],
    seenIn: ['Mailport', 'mailport sendmail'],
    fix: 'A line of the message is longer than the 1000 octets SMTP allows (RFC 5321 §4.5.3.1.6), often HTML written on one line. Encode the text and HTML parts as quoted-printable (or base64), as mail libraries do (Symfony Mailer, PHPMailer, nodemailer), or break the lines: a relay that takes the message anyway splits them itself, which can break the HTML.',
  },
  {
    // No cause id fits a client that writes its own commands too long: the fix says where to look.
    id: 'command-line-too-long',
    cause: 'unknown',
    confidence: 0,
    match: [COMMAND_LINE_TOO_LONG],
    seenIn: ['Mailport sandbox replies'],
    fix: 'A command line was longer than SMTP allows for it (RFC 5321 §4.5.3.1.4: 512 octets with the CRLF, more for MAIL FROM with SIZE, BODY or AUTH=), so it was refused unread. Look at the command before the reply (`mailport sessions show ID`, `swaks`, `curl -v`): an EHLO name, address or parameter built from a variable that holds far more than intended (a whole header, a list of addresses), or a hand-written session that lost its line breaks. An OAuth token goes in AUTH XOAUTH2, whose lines may be 12288 octets (RFC 4954 §4).',
  },
  {
    // The DATA command itself refused (nodemailer's "Data command failed", PHPMailer's "DATA command
    // failed", Symfony's 5xx where 354 was expected), in words that give no reason: none of the
    // message had been sent, so it was no content filter.
    id: 'data-command-refused',
    cause: 'unknown',
    confidence: 0,
    match: [/\bData command failed: 5\d\d\b|Expected response code "354" but got code "5\d\d"/i],
    seenIn: ['nodemailer', 'PHPMailer', 'Symfony Mailer'],
    fix: "The server refused the DATA command itself, before any of the message was sent, so its content is not the reason: a policy on this transaction refused it (the sender, a recipient, the client's address or its sending rate), such as Postfix's smtpd_data_restrictions, an Exim DATA ACL or a milter. The server's log for this session names the rule; `mailport send --show-transcript` with the same sender and recipients shows the replies to MAIL FROM and RCPT TO before it.",
  },
  {
    // The server refused the message after its final dot; a reply code beside it (552 too large,
    // 451 try later) names the reason more precisely and wins.
    id: 'message-refused-after-data',
    cause: 'message-rejected',
    confidence: 0.5,
    match: [
      /SMTP Error: data not accepted|DATA END command failed|The server refused the message: 5\d\d\b|\bMessage failed: [45]\d\d\b|SMTPDataError|SMTPSendFailedException|the server did not accept the mail|in [`'](?:Net::SMTP#)?data'|^ *[-~]> +\.[ \t]*\r?\n<(?:\*\*|~\*) +5\d\d|^< 354 [^\n]*\r?\n(?:[}{*] [^\n]*\r?\n){0,8}< 5\d\d |Expected response code "250" but got code "5\d\d"[\s\S]{0,2000}?SmtpTransport->executeCommand\(\)\r?\n#\d+ [^\n]{0,500}?SmtpTransport->doSend\(\)/im,
    ],
    unless: [HUNG_UP],
    seenIn: [
      'mailport',
      'nodemailer',
      'PHPMailer',
      'Python smtplib',
      'aiosmtplib',
      'JavaMail',
      'msmtp',
      'Ruby Net::SMTP',
      'Ruby mail gem',
      'swaks',
      'Symfony Mailer',
    ],
    fix: "The server refused the message once it had read it, and the reply does not say why. Read the whole reply (PHPMailer: `ErrorInfo` after `SMTP code:`, or `$mail->SMTPDebug = SMTP::DEBUG_SERVER` and the `SERVER -> CLIENT` line after the final dot) and run `mailport explain` on it, or look at the server's log for the message. Most often a spam or content filter refused it (554 5.7.1): authenticate the sending domain (SPF, DKIM, DMARC) and check what the message carries; 552 means too large, a 4xx means try again later.",
  },

  // --- Temporary conditions ---------------------------------------------------------------------
  {
    id: 'greylisted',
    cause: 'greylisted',
    confidence: 0.97,
    match: [/gr[ae]y-?list|postgrey|greylisting/i],
    seenIn: ['Postgrey', 'rspamd', 'Exim', 'all clients'],
  },
  {
    id: 'greylist-shaped',
    cause: 'greylisted',
    confidence: 0.65,
    match: [/\b45[01][ -]4\.(?:7\.1|2\.0)\b[\s\S]{0,500}?(?:try again|retry|come back|later)/i],
    seenIn: ['greylisting servers'],
  },
  {
    // Provider quotas: SendGrid's credits and messaging limits, Microsoft's submission quota,
    // Outlook.com's daily limit (a permanent 554 that still says "try again later").
    id: 'sending-quota-used-up',
    cause: 'rate-limited',
    confidence: 0.94,
    match: [
      /credits? (?:exceeded|exhausted)|SubmissionQuotaExceeded|number of allowed outgoing messages was exceeded|exceeded (?:your|the) (?:daily |monthly )?(?:messaging|sending|message) (?:limits?|quota)|Daily (?:user )?sending (?:quota|limit) exceeded|\b5\.4\.5\b/i,
    ],
    seenIn: ['SendGrid', 'Microsoft 365', 'Outlook.com', 'Gmail'],
    fix: "The account's sending quota is used up (messages or recipients per day, monthly credits, the plan's limit). Retrying soon fails the same way: wait until the provider resets the quota (often 24 hours), or raise it (upgrade the plan, buy credits, ask the provider); the provider's dashboard shows the limit and whether the account was suspended for it.",
  },
  {
    id: 'rate-limited',
    cause: 'rate-limited',
    confidence: 0.92,
    match: [
      /rate limit|rate-limit|ratelimit|too many (?:messages|mails|emails|connections|recipients|concurrent|requests|errors|invalid)|sending (?:quota|limit)|quota exceeded|sending limit exceeded|\b4\.7\.28\b|\b5\.4\.5\b|unusual rate|throttl|slow down|Message rate exceeded|Maximum sending rate|\b452[ -]4\.5\.3\b|exceeded (?:the )?(?:rate|limit|maximum number)|too much mail from|unexpected volume|receiving mail at a rate/i,
    ],
    seenIn: ['Gmail', 'Microsoft 365', 'Amazon SES', 'Postfix', 'all clients'],
  },
  {
    id: 'auth-temporary-failure',
    cause: 'temporary-failure',
    confidence: 0.9,
    match: [
      /temporary authentication failure|(?<![.=/:\d])\b454\b[^\n]{0,40}?\b4\.7\.0\b[^\n]{0,80}?\bauth/i,
    ],
    seenIn: ['Postfix', 'Dovecot SASL', 'Exim'],
    fix: "The server could not check the password just now (454 4.7.0, RFC 4954 §6): its authentication back end (Dovecot, LDAP, a database) failed or is overloaded. The password is not known to be wrong: retry later, and if it persists the server's operator must look at its logs.",
  },
  {
    id: 'temporary-failure',
    cause: 'temporary-failure',
    confidence: 0.75,
    match: [
      /Service not available|Service (?:temporarily )?unavailable|try again later|(?<!Resource )temporar(?:y|ily) (?:failure|error|problem|unavailable|rejected|deferred)|Local error in processing|\b4\.3\.[0-5]\b|\b4\.4\.[0-7]\b|Insufficient system storage|Requested action aborted|\b4\d\d[ -][^\n]{0,300}?closing transmission channel|TempFail|\b4\.7\.0\b/i,
    ],
    seenIn: ['all servers'],
  },
  {
    id: 'reply-4xx',
    cause: 'temporary-failure',
    confidence: 0.55,
    match: [/(?<![.=/:])\b(?:421|450|451|452|454)\b/],
    seenIn: ['all servers'],
  },
];
