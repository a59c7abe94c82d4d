/**
 * TYPED-IN STRINGS, labelled as such: error output of clients that cannot run on this machine
 * (.NET SmtpClient, MailKit, OpenSSL 1.0, Rust's lettre with rustls), wordings of JavaMail, Go,
 * Ruby, msmtp, PHPMailer and Symfony Mailer versions and builds other than the ones run here, and
 * replies of large providers (Gmail, Microsoft 365, Amazon SES, Postfix/postgrey), copied from
 * public issue trackers, documentation and the clients' own source. Every client that can run here
 * is tested with its real output in real-clients.test.ts and language-clients.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';

const CORPUS: ReadonlyArray<readonly [client: string, cause: CauseId, text: string]> = [
  [
    'JavaMail',
    'implicit-tls-on-starttls-port',
    'javax.mail.MessagingException: Could not connect to SMTP host: smtp.office365.com, port: 587;\n  nested exception is:\n\tjavax.net.ssl.SSLException: Unrecognized SSL message, plaintext connection?',
  ],
  ['Go net/smtp', 'implicit-tls-on-starttls-port', 'tls: first record does not look like a TLS handshake'],
  [
    'Go net/smtp',
    'implicit-tls-on-starttls-port',
    'msmtp: TLS handshake failed: An unexpected TLS packet was received.',
  ],
  [
    'MailKit',
    'implicit-tls-on-starttls-port',
    'MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.\n\nWhen connecting to an SMTP service, port 587 is typically reserved for plain-text connections. If\nyou intended to connect to SMTP on the SSL port, try connecting to port 465 instead. Otherwise,\nif you intended to use STARTTLS, make sure to use the following code:\n\nclient.Connect ("smtp.example.com", 587, SecureSocketOptions.StartTls);',
  ],
  [
    'openssl s_client (OpenSSL 1.0)',
    'implicit-tls-on-starttls-port',
    '140735194809288:error:140770FC:SSL routines:SSL23_GET_SERVER_HELLO:unknown protocol:s23_clnt.c:795:',
  ],
  [
    '.NET SmtpClient',
    'implicit-tls-on-starttls-port',
    'System.Security.Authentication.AuthenticationException: The handshake failed due to an unexpected packet format.',
  ],
  [
    'JavaMail',
    'plaintext-on-implicit-tls-port',
    'javax.mail.MessagingException: Could not connect to SMTP host: smtp.gmail.com, port: 465, response: -1',
  ],
  [
    '.NET SmtpClient',
    'plaintext-on-implicit-tls-port',
    'System.Net.Mail.SmtpException: The operation has timed out. at System.Net.Mail.SmtpClient.Send(MailMessage message) host smtp.gmail.com port 465',
  ],
  ['Go net/smtp', 'plaintext-on-implicit-tls-port', 'msmtp: the server sent an empty reply'],
  ['Go net/smtp', 'starttls-not-offered', 'msmtp: the server does not support TLS via the STARTTLS command'],
  [
    '.NET SmtpClient',
    'starttls-not-offered',
    'System.Net.Mail.SmtpException: Server does not support secure connections.',
  ],
  [
    'JavaMail',
    'starttls-not-offered',
    'javax.mail.MessagingException: STARTTLS is required but host does not support STARTTLS',
  ],
  [
    'Go net/smtp',
    'cert-hostname-mismatch',
    'x509: certificate is valid for mail.example.net, not smtp.example.com',
  ],
  [
    'JavaMail',
    'cert-hostname-mismatch',
    'javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching smtp.example.com found.',
  ],
  [
    'Go net/smtp',
    'cert-hostname-mismatch',
    'msmtp: TLS certificate verification failed: the certificate owner does not match hostname smtp.example.com',
  ],
  [
    'Go net/smtp',
    'cert-expired',
    'x509: certificate has expired or is not yet valid: current time 2024-05-01T10:00:00Z is after 2024-04-01T00:00:00Z',
  ],
  [
    'JavaMail',
    'cert-expired',
    'sun.security.validator.ValidatorException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed; java.security.cert.CertificateExpiredException: NotAfter: Mon Jan 01 00:00:00 UTC 2024',
  ],
  [
    'Go net/smtp',
    'cert-not-yet-valid',
    'x509: certificate has expired or is not yet valid: current time 2019-01-01T00:00:00Z is before 2024-01-01T00:00:00Z',
  ],
  [
    'Go net/smtp',
    'cert-not-yet-valid',
    'msmtp: TLS certificate verification failed: the certificate is not yet activated',
  ],
  ['Go net/smtp', 'cert-untrusted-ca', 'x509: certificate signed by unknown authority'],
  [
    'JavaMail',
    'cert-untrusted-ca',
    'javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
  ],
  [
    'Go net/smtp',
    'cert-untrusted-ca',
    "msmtp: TLS certificate verification failed: the certificate hasn't got a known issuer",
  ],
  [
    '.NET SmtpClient',
    'cert-untrusted-ca',
    'System.Security.Authentication.AuthenticationException: The remote certificate is invalid because of errors in the certificate chain: UntrustedRoot',
  ],
  [
    'MailKit',
    'cert-untrusted-ca',
    "MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.\n\nThis usually means that the SSL certificate presented by the server is not trusted by the system for one or more of\nthe following reasons:\n\n1. The server is using a self-signed certificate which cannot be verified.\n2. The local system is missing a Root or Intermediate certificate needed to verify the server's certificate.\n3. A Certificate Authority CRL server for one or more of the certificates in the chain is temporarily unavailable.\n4. The certificate presented by the server is expired or invalid.\n5. The set of SSL/TLS protocols supported by the client and server do not match.",
  ],
  [
    'JavaMail',
    'tls-version-too-old',
    'javax.net.ssl.SSLHandshakeException: No appropriate protocol (protocol is disabled or cipher suites are inappropriate)',
  ],
  [
    '.NET SmtpClient',
    'tls-version-too-old',
    'System.ComponentModel.Win32Exception: The client and server cannot communicate, because they do not possess a common algorithm',
  ],
  ['Go net/smtp', 'tls-version-too-old', 'tls: server selected unsupported protocol version 301'],
  [
    '.NET SmtpClient',
    'connection-refused',
    'System.Net.Sockets.SocketException (10061): No connection could be made because the target machine actively refused it. 127.0.0.1:25',
  ],
  ['Go net/smtp', 'connection-refused', 'dial tcp 127.0.0.1:25: connect: connection refused'],
  ['Go net/smtp', 'connection-refused', 'msmtp: cannot connect to localhost, port 587: Connection refused'],
  ['Go net/smtp', 'connection-timeout', 'dial tcp 74.125.1.1:25: i/o timeout'],
  [
    '.NET SmtpClient',
    'connection-timeout',
    'System.Net.Sockets.SocketException: A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond 1.2.3.4:25',
  ],
  ['PHPMailer', 'connection-timeout', 'SMTP ERROR: Failed to connect to server: Connection timed out (110)'],
  ['JavaMail', 'connection-timeout', 'java.net.ConnectException: Connection timed out: connect'],
  ['JavaMail', 'dns-failure', 'java.net.UnknownHostException: smtp.exmaple.com'],
  ['Go net/smtp', 'dns-failure', 'dial tcp: lookup smtp.exmaple.com: no such host'],
  ['Go net/smtp', 'dns-failure', 'msmtp: cannot locate host smtp.exmaple.com: Name or service not known'],
  [
    '.NET SmtpClient',
    'auth-required',
    'System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.0 Authentication Required.',
  ],
  [
    'server reply',
    'auth-required',
    '530 5.7.57 Client not authenticated to send mail. [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]',
  ],
  [
    'JavaMail',
    'auth-failed',
    'javax.mail.AuthenticationFailedException: 535 5.7.3 Authentication unsuccessful',
  ],
  [
    'Go net/smtp',
    'auth-failed',
    'msmtp: authentication failed (method PLAIN)\nmsmtp: server message: 535 5.7.8 Error: authentication failed',
  ],
  ['PHPMailer', 'auth-failed', 'SMTP Error: Could not authenticate.'],
  [
    'server reply',
    'auth-failed',
    '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.',
  ],
  [
    'MailKit',
    'auth-failed',
    'MailKit.Security.AuthenticationException: 535: 5.7.8 Username and Password not accepted',
  ],
  [
    'JavaMail',
    'auth-before-starttls',
    'com.sun.mail.smtp.SMTPSendFailedException: 530 5.7.0 Must issue a STARTTLS command first. x1sm - gsmtp',
  ],
  [
    '.NET SmtpClient',
    'auth-before-starttls',
    'System.Net.Mail.SmtpException: The SMTP server requires a secure connection or the client was not authenticated. The server response was: 5.7.0 Must issue a STARTTLS command first.',
  ],
  ['Go net/smtp', 'auth-before-starttls', "smtp: server doesn't support AUTH"],
  ['server reply', 'auth-mechanism-unsupported', '504 5.7.4 Unrecognized authentication type'],
  [
    'server reply',
    'auth-mechanism-unsupported',
    '550 5.7.30 Basic authentication is not supported for Client Submission.',
  ],
  [
    '.NET SmtpClient',
    'relay-denied',
    'System.Net.Mail.SmtpFailedRecipientException: Mailbox unavailable. The server response was: 5.7.1 Unable to relay',
  ],
  ['server reply', 'relay-denied', '550 5.7.64 TenantAttribution; Relay Access Denied'],
  [
    'server reply',
    'sender-rejected',
    '554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: me@example.com',
  ],
  [
    'server reply',
    'sender-rejected',
    '550 5.7.60 SMTP; Client does not have permissions to send as this sender',
  ],
  [
    'server reply',
    'recipient-unknown',
    '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
  ],
  ['server reply', 'message-too-large', "552-5.2.3 Your message exceeded Google's message size limits."],
  [
    'server reply',
    'greylisted',
    '450 4.2.0 <bob@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html',
  ],
  ['server reply', 'greylisted', '451 4.7.1 Greylisting in action, please come back later'],
  ['server reply', 'rate-limited', '421 4.7.0 Too many concurrent SMTP connections; please try again later.'],
  ['server reply', 'rate-limited', '550 5.4.5 Daily user sending limit exceeded.'],
  ['server reply', 'rate-limited', '454 4.7.0 Too many login attempts, please try again later.'],
  ['server reply', 'rate-limited', '454 Throttling failure: Maximum sending rate exceeded.'],
  ['server reply', 'temporary-failure', '421 4.3.2 Service not available, closing transmission channel'],
  ['server reply', 'temporary-failure', '451 4.3.0 Error: queue file write error'],
  ['Go net/smtp', 'plaintext-on-implicit-tls-port', 'Mail Error on smtp dial: EOF'],
  [
    'PHPMailer',
    'connection-refused',
    'Connection failed. Error #2: stream_socket_client(): unable to connect to smtp.gmail.com:587 (Permission denied)\nSMTP ERROR: Failed to connect to server: Permission denied (13)\nSMTP connect() failed.',
  ],
  [
    'PHPMailer',
    'implicit-tls-on-starttls-port',
    'Connection: opening to ssl://smtp.example.net:587, timeout=300, options=array()\nConnection failed. Error #2: stream_socket_client(): SSL operation failed with code 1. OpenSSL Error messages:error:1408F10B:SSL routines:ssl3_get_record:wrong version number\nSMTP Error: Could not connect to SMTP host. Failed to connect to server',
  ],
  [
    'PHPMailer',
    'cert-untrusted-ca',
    'Connection failed. Error #2: stream_socket_client(): SSL operation failed with code 1. OpenSSL Error messages:error:1416F086:SSL routines:tls_process_server_certificate:certificate verify failed\nSMTP ERROR: Failed to connect to server: (0)\nSMTP connect() failed.',
  ],
  [
    'PHPMailer',
    'connection-timeout',
    'SMTP ERROR: Failed to connect to server: Connection timed out (110)\nSMTP connect() failed. https://github.com/PHPMailer/PHPMailer/wiki/Troubleshooting',
  ],
  [
    '.NET SmtpClient',
    'plaintext-on-implicit-tls-port',
    'System.Net.Mail.SmtpException: Failure sending mail.\n ---> System.IO.IOException: Unable to read data from the transport connection: The connection was closed.',
  ],
  ['server reply', 'recipient-unknown', '550 5.2.1 The email account that you tried to reach is disabled.'],
  [
    'server reply',
    'sender-rejected',
    '504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname',
  ],
  [
    'JavaMail',
    'plaintext-on-implicit-tls-port',
    'javax.mail.MessagingException: Got bad greeting from SMTP host: smtp.example.com, port: 465, response: [EOF]',
  ],
  [
    'JavaMail',
    'cert-hostname-mismatch',
    'java.security.cert.CertificateException: No subject alternative names present',
  ],
  [
    'Go net/smtp',
    'cert-hostname-mismatch',
    'x509: certificate relies on legacy Common Name field, use SANs instead',
  ],
  [
    'msmtp',
    'cert-untrusted-ca',
    'msmtp: TLS certificate verification failed: The certificate is NOT trusted. The certificate issuer is unknown.',
  ],
  [
    '.NET SmtpClient',
    'dns-failure',
    "System.Net.WebException: The remote name could not be resolved: 'smtp.example.com'",
  ],
  [
    'server reply (qmail)',
    'relay-denied',
    "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)",
  ],
  [
    'server reply',
    'sender-rejected',
    "550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
  ],
  [
    'server reply (Microsoft 365)',
    'sender-rejected',
    '550 5.7.606 Access denied, banned sending IP [192.0.2.1]',
  ],
  // lettre with rustls: rustls' Display of its errors (0.21 and 0.23 wording).
  [
    'lettre (rustls)',
    'implicit-tls-on-starttls-port',
    'Error: Connection error: received corrupt message of type InvalidContentType',
  ],
  [
    'lettre (rustls)',
    'cert-untrusted-ca',
    'Error: Connection error: invalid peer certificate: UnknownIssuer',
  ],
  [
    'lettre (rustls)',
    'cert-hostname-mismatch',
    'Error: Connection error: invalid peer certificate: NotValidForName',
  ],
  [
    'lettre (rustls)',
    'cert-hostname-mismatch',
    'invalid peer certificate: certificate not valid for name "smtp.example.com"; certificate is only valid for DnsName("mail.example.net")',
  ],
  ['lettre (rustls)', 'cert-expired', 'Error: Connection error: invalid peer certificate: Expired'],
  ['lettre (rustls)', 'cert-not-yet-valid', 'Error: Connection error: invalid peer certificate: NotValidYet'],
  // Sender-domain checks: "authenticate" here is SPF and DKIM, not SMTP AUTH.
  [
    'Gmail',
    'sender-rejected',
    '550-5.7.26 This mail is unauthenticated, which poses a security risk to the sender and Gmail users, and has been blocked. The sender must authenticate with at least one of SPF or DKIM. For this message, DKIM checks did not pass and SPF check for [example.com] did not pass with ip: [203.0.113.7].',
  ],
  [
    'Gmail',
    'sender-rejected',
    '550-5.7.25 [203.0.113.7] The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP.',
  ],
  [
    'Microsoft 365',
    'sender-rejected',
    '550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject.',
  ],
  [
    'Gmail via Python smtplib',
    'sender-rejected',
    "smtplib.SMTPDataError: (550, b'5.7.1 [203.0.113.7] Messages missing a valid address in From: header, or having no From: header, are not accepted.')",
  ],
  [
    'Swift Mailer (Laravel 8)',
    'implicit-tls-on-starttls-port',
    'Swift_TransportException: Connection could not be established with host smtp.gmail.com :stream_socket_client(): unable to connect to ssl://smtp.gmail.com:587 (Unknown error)',
  ],
  // Postfix versions and setups other than the one run in postfix-relay.test.ts: port 465 itself
  // and status lines alone, as grep shows them (captured from Postfix 3.7.11), and Postfix 2.x.
  [
    'Postfix 3.7',
    'implicit-tls-on-starttls-port',
    'postfix/smtp[23758]: 4DEF918206B: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.27, delays=0.07/0.19/0.01/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)',
  ],
  [
    'Postfix 3.7',
    'tls-version-too-old',
    'postfix/smtp[25857]: 86ECD1820AD: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0.01/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)',
  ],
  [
    'Postfix 3.7',
    'plaintext-on-implicit-tls-port',
    'postfix/smtp[26141]: SMTPS wrappermode (TCP port 465) requires setting "smtp_tls_wrappermode = yes", and "smtp_tls_security_level = encrypt" (or stronger)\npostfix/smtp[26141]: 9EFAB1820B5: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=5.1, delays=0.05/0.04/5/0, dsn=4.4.2, status=deferred (conversation with smtp.example.com[203.0.113.10] timed out while receiving the initial server greeting)',
  ],
  [
    'Postfix 2.x',
    'plaintext-on-implicit-tls-port',
    'postfix/smtp[4242]: CLIENT wrappermode (port smtps/465) is unimplemented\npostfix/smtp[4242]: instead, send to (port submission/587) with STARTTLS',
  ],
  [
    'Postfix',
    'starttls-not-offered',
    'status=deferred (TLS is required, but host smtp.example.com[203.0.113.10] refused to start TLS: 454 4.7.0 TLS not available due to local problem)',
  ],
  [
    'Postfix',
    'dns-failure',
    'status=deferred (Host or domain name not found. Name service error for name=smtp.sendgird.net type=A: Host not found)',
  ],
  // Symfony Mailer (Laravel 9+) and Ruby's post-connection check, as their users report them.
  [
    'Symfony Mailer',
    'plaintext-on-implicit-tls-port',
    'Connection could not be established with host "smtp.example.com:465": Expected response code "220" but got an empty response.',
  ],
  [
    'Ruby Net::SMTP',
    'cert-hostname-mismatch',
    'OpenSSL::SSL::SSLError (hostname "smtp.example.com" does not match the server certificate)',
  ],
  // DATA refused for want of an accepted recipient, in the words of servers not run here.
  ['Sendmail', 'no-valid-recipients', '503 5.0.0 Need RCPT (recipient)'],
  ['Exchange', 'no-valid-recipients', '503 5.5.2 Need rcpt command'],
  ['qmail', 'no-valid-recipients', '503 RCPT first (#5.5.1)'],
  // Jakarta Mail refuses a message without recipients before it connects.
  ['JavaMail', 'no-valid-recipients', 'jakarta.mail.SendFailedException: No recipient addresses'],
  // A server that judges the client certificate it asked for (Java servers send bad_certificate).
  [
    'JavaMail',
    'client-certificate-required',
    'javax.net.ssl.SSLHandshakeException: Received fatal alert: bad_certificate',
  ],
  ['Go net/smtp', 'client-certificate-required', 'remote error: tls: bad certificate'],
];

for (const [client, cause, text] of CORPUS) {
  test(`${client}: ${text.split('\n')[0]?.slice(0, 90)}`, () => {
    assert.equal(explainText(text).cause, cause);
  });
}
