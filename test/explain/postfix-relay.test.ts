/**
 * Postfix as the client: the smtp(8) log lines of a Postfix that relays through a provider
 * (`relayhost`), which is how servers and containers send mail and what their admins paste. They
 * were captured from Postfix 3.7.11 (Debian 12) relaying to the misconfigured loopback servers of
 * client-targets.ts, one main.cf mistake at a time, and are kept as captured except for the
 * loopback address, ephemeral port and recipient, replaced by the host, standard port and
 * address a real log shows. Lines a user pastes together stay together.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CauseId, explainText } from '../../src/explain/index.js';

const CAPTURED: ReadonlyArray<readonly [mistake: string, cause: CauseId, log: string]> = [
  [
    'wrap-on-587',
    'implicit-tls-on-starttls-port',
    'Dec  5 15:20:30 mail postfix/smtp[23758]: SSL_connect error to smtp.example.com[203.0.113.10]:587: -1\nDec  5 15:20:30 mail postfix/smtp[23758]: warning: TLS library problem: error:0A00010B:SSL routines::wrong version number:../ssl/record/ssl3_record.c:350:\nDec  5 15:20:30 mail postfix/smtp[23758]: 4DEF918206B: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.27, delays=0.07/0.19/0.01/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)',
  ],
  [
    'plain-on-465',
    'plaintext-on-implicit-tls-port',
    'Dec  5 15:20:30 mail postfix/smtp[23866]: 70BA5182070: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=5.2, delays=0.15/0.07/5/0, dsn=4.4.2, status=deferred (conversation with smtp.example.com[203.0.113.10] timed out while receiving the initial server greeting)',
  ],
  [
    'bad-password',
    'auth-failed',
    'Dec  5 15:20:30 mail postfix/smtp[24104]: 59ABC18207A: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.41, delays=0.12/0.12/0.17/0, dsn=4.7.8, status=deferred (SASL authentication failed; server smtp.example.com[203.0.113.10] said: 535 5.7.8 Error: authentication failed: authentication failure)',
  ],
  [
    'no-credentials',
    'auth-required',
    'Dec  5 15:20:30 mail postfix/smtp[24319]: 9827318207E: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.62, delays=0.25/0.25/0.11/0.01, dsn=5.7.0, status=bounced (host smtp.example.com[203.0.113.10] said: 530 5.7.0 Authentication required (in reply to MAIL FROM command))',
  ],
  [
    'tls-none',
    'auth-before-starttls',
    'Dec  5 15:20:30 mail postfix/smtp[24436]: 29CCE182083: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.22, delays=0.08/0.08/0.05/0.01, dsn=5.7.0, status=bounced (host smtp.example.com[203.0.113.10] said: 530 5.7.0 Must issue a STARTTLS command first (in reply to MAIL FROM command))',
  ],
  [
    'tls-required-not-offered',
    'starttls-not-offered',
    'Dec  5 15:20:30 mail postfix/smtp[24653]: 68FB2182087: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.47, delays=0.29/0.13/0.04/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host smtp.example.com[203.0.113.10])',
  ],
  [
    'relay-denied',
    'relay-denied',
    'Dec  5 15:20:30 mail postfix/smtp[24801]: 8E1AD182088: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:25, delay=1, delays=0.13/0.26/0.37/0.25, dsn=5.7.1, status=bounced (host smtp.example.com[203.0.113.10] said: 554 5.7.1 <user@example.org>: Relay access denied (in reply to RCPT TO command))',
  ],
  [
    'unknown-recipient',
    'recipient-unknown',
    'Dec  5 15:20:30 mail postfix/smtp[24964]: 9BBB618208D: to=<nobody@example.com>, relay=smtp.example.com[203.0.113.10]:587, delay=0.75, delays=0.19/0.12/0.22/0.22, dsn=5.1.1, status=bounced (host smtp.example.com[203.0.113.10] said: 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table (in reply to RCPT TO command))',
  ],
  [
    'too-large',
    'message-too-large',
    'Dec  5 15:20:30 mail postfix/smtp[25142]: D7AB7182091: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.39, delays=0.08/0.21/0.11/0, dsn=5.3.4, status=bounced (message size 6428 exceeds size limit 4000 of server smtp.example.com[203.0.113.10])',
  ],
  [
    'refused',
    'connection-refused',
    'Dec  5 15:20:30 mail postfix/smtp[25235]: connect to smtp.example.com[203.0.113.10]:587: Connection refused\nDec  5 15:20:30 mail postfix/smtp[25235]: 130AF182095: to=<user@example.org>, relay=none, delay=0.15, delays=0.06/0.09/0/0, dsn=4.4.1, status=deferred (connect to smtp.example.com[203.0.113.10]:587: Connection refused)',
  ],
  [
    'blackhole',
    'connection-timeout',
    'Dec  5 15:20:30 mail postfix/smtp[25325]: connect to smtp.example.com[203.0.113.10]:25: Connection timed out\nDec  5 15:20:30 mail postfix/smtp[25325]: AA7D2182069: to=<user@example.org>, relay=none, delay=3.1, delays=0.05/0.04/3/0, dsn=4.4.1, status=deferred (connect to smtp.example.com[203.0.113.10]:25: Connection timed out)',
  ],
  [
    'silent',
    'no-greeting',
    'Dec  5 15:20:30 mail postfix/smtp[25383]: 9207518209A: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=5.1, delays=0.05/0.04/5/0, dsn=4.4.2, status=deferred (conversation with smtp.example.com[203.0.113.10] timed out while receiving the initial server greeting)',
  ],
  [
    'hangup-after-dot',
    'no-reply-after-data',
    'Dec  5 15:20:30 mail postfix/smtp[25484]: 8190518209F: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.08, delays=0.04/0.04/0/0, dsn=4.4.2, status=deferred (lost connection with smtp.example.com[203.0.113.10] while sending end of data -- message may be sent more than once)',
  ],
  [
    'silent-after-dot',
    'no-reply-after-data',
    'Dec  5 15:20:30 mail postfix/smtp[25525]: AF51E1820A2: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=5.1, delays=0.04/0.04/0/5, dsn=4.4.2, status=deferred (conversation with smtp.example.com[203.0.113.10] timed out while sending end of data -- message may be sent more than once)',
  ],
  [
    'expired',
    'cert-expired',
    'Dec  5 15:20:30 mail postfix/smtp[25650]: server certificate verification failed for smtp.example.com[203.0.113.10]:465: certificate has expired\nDec  5 15:20:30 mail postfix/smtp[25650]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25650]: 7C38118206D: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'notYetValid',
    'cert-not-yet-valid',
    'Dec  5 15:20:30 mail postfix/smtp[25692]: server certificate verification failed for smtp.example.com[203.0.113.10]:465: certificate not yet valid\nDec  5 15:20:30 mail postfix/smtp[25692]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25692]: AE609182084: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0.01/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'wrongHostname',
    'cert-hostname-mismatch',
    'Dec  5 15:20:30 mail postfix/smtp[25733]: server certificate verification failed for smtp.example.com[203.0.113.10]:465: num=62:hostname mismatch\nDec  5 15:20:30 mail postfix/smtp[25733]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25733]: 951CD1820A7: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'selfSigned',
    'cert-self-signed',
    'Dec  5 15:20:30 mail postfix/smtp[25775]: certificate verification failed for smtp.example.com[203.0.113.10]:465: self-signed certificate\nDec  5 15:20:30 mail postfix/smtp[25775]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25775]: 79C801820A9: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.08, delays=0.04/0.04/0/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'untrustedCa',
    'cert-untrusted-ca',
    'Dec  5 15:20:30 mail postfix/smtp[25816]: certificate verification failed for smtp.example.com[203.0.113.10]:465: untrusted issuer /CN=Somebody Else CA/O=Mailport\nDec  5 15:20:30 mail postfix/smtp[25816]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25816]: A5C0C1820AB: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.08, delays=0.04/0.04/0/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'tls10',
    'tls-version-too-old',
    'Dec  5 15:20:30 mail postfix/smtp[25857]: SSL_connect error to smtp.example.com[203.0.113.10]:465: -1\nDec  5 15:20:30 mail postfix/smtp[25857]: warning: TLS library problem: error:0A00014D:SSL routines::legacy sigalg disallowed or unsupported:../ssl/statem/statem_clnt.c:2254:\nDec  5 15:20:30 mail postfix/smtp[25857]: 86ECD1820AD: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0.01/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)',
  ],
  [
    'weakKey',
    'cert-self-signed',
    'Dec  5 15:20:30 mail postfix/smtp[25899]: certificate verification failed for smtp.example.com[203.0.113.10]:465: self-signed certificate\nDec  5 15:20:30 mail postfix/smtp[25899]: Untrusted TLS connection established to smtp.example.com[203.0.113.10]:465: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (1024 bits) server-digest SHA256\nDec  5 15:20:30 mail postfix/smtp[25899]: B61FC1820AF: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=0.09, delays=0.04/0.04/0.01/0, dsn=4.7.5, status=deferred (Server certificate not verified)',
  ],
  [
    'untrustedCa-may',
    'plaintext-on-implicit-tls-port',
    'Dec  5 15:20:30 mail postfix/smtp[25941]: warning: smtp_tls_wrappermode requires "smtp_tls_security_level = encrypt" (or stronger)\nDec  5 15:20:30 mail postfix/smtp[25941]: 9C72B182068: to=<user@example.org>, relay=none, delay=0.09, delays=0.04/0.04/0/0, dsn=4.3.0, status=deferred (server unavailable or unable to receive mail)',
  ],
  [
    'no-mechs',
    'auth-mechanism-unsupported',
    'Dec  5 15:20:30 mail postfix/smtp[26078]: warning: SASL authentication failure: No worthy mechs found\nDec  5 15:20:30 mail postfix/smtp[26078]: BEC301820B3: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.19, delays=0.05/0.04/0.1/0, dsn=4.7.0, status=deferred (SASL authentication failed; cannot authenticate to server smtp.example.com[203.0.113.10]: no mechanism available)',
  ],
  [
    'port465-nowrap',
    'plaintext-on-implicit-tls-port',
    'Dec  5 15:20:30 mail postfix/smtp[26141]: SMTPS wrappermode (TCP port 465) requires setting "smtp_tls_wrappermode = yes", and "smtp_tls_security_level = encrypt" (or stronger)\nDec  5 15:20:30 mail postfix/smtp[26141]: 9EFAB1820B5: to=<user@example.org>, relay=smtp.example.com[203.0.113.10]:465, delay=5.1, delays=0.05/0.04/5/0, dsn=4.4.2, status=deferred (conversation with smtp.example.com[203.0.113.10] timed out while receiving the initial server greeting)',
  ],
];

for (const [mistake, cause, log] of CAPTURED) {
  test(`Postfix relay, ${mistake}: ${cause}`, () => {
    assert.equal(explainText(log).cause, cause);
  });
}
