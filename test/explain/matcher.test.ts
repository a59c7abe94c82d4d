import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAUSE_IDS, CAUSES, explainError, explainText, portContext, RULES } from '../../src/explain/index.js';
import { BOILERPLATE } from '../../src/explain/rules.js';
import { SmtpClientError } from '../../src/smtp-client/index.js';

test('every cause the issue lists exists, with a summary, a fix and references', () => {
  for (const id of [
    'implicit-tls-on-starttls-port',
    'plaintext-on-implicit-tls-port',
    'starttls-not-offered',
    'cert-hostname-mismatch',
    'cert-expired',
    'cert-not-yet-valid',
    'cert-self-signed',
    'cert-untrusted-ca',
    'tls-version-too-old',
    'connection-refused',
    'connection-timeout',
    'no-greeting',
    'dns-failure',
    'auth-required',
    'auth-failed',
    'auth-before-starttls',
    'auth-mechanism-unsupported',
    'relay-denied',
    'sender-rejected',
    'recipient-unknown',
    'message-too-large',
    'greylisted',
    'rate-limited',
    'temporary-failure',
    'no-error',
    'unknown',
  ]) {
    assert.ok((CAUSE_IDS as readonly string[]).includes(id), id);
  }
  for (const id of CAUSE_IDS) {
    const knowledge = CAUSES[id];
    assert.ok(
      knowledge.summary.length > 20 && knowledge.fix.length > 20 && knowledge.references.length > 0,
      id,
    );
  }
});

test('rules have unique ids and confidences between 0 and 1', () => {
  const ids = RULES.map((rule) => rule.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const rule of RULES) assert.ok(rule.confidence > 0 && rule.confidence <= 1, rule.id);
});

test('port context comes from the text or from the hint, never from stack frames', () => {
  assert.equal(portContext('connect to smtp.gmail.com:465'), 'implicit');
  assert.equal(portContext('Could not connect to SMTP host: x, port: 587;'), 'plaintext');
  assert.equal(portContext('at SMTPConnection._formatError (index.js:465:19)'), null);
  assert.equal(portContext('port 587 is reserved; try port 465 instead'), null, 'both kinds: no context');
  assert.equal(portContext('timed out', 465), 'implicit');
});

test('the same timeout means another cause on a 465 port than on a 587 port', () => {
  const text = 'Error: Greeting never received';
  assert.equal(explainText(text, { port: 465 }).cause, 'plaintext-on-implicit-tls-port');
  assert.equal(explainText(text, { port: 587 }).cause, 'no-greeting');
});

test('stack frame line numbers are not read as reply codes', () => {
  const text = [
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3.11/smtplib.py", line 535, in starttls',
    'smtplib.SMTPServerDisconnected: please run connect() first',
  ].join('\n');
  assert.equal(explainText(text).cause, 'unknown');
});

test('MailKit lists every possible reason; the boilerplate does not decide the cause', () => {
  const text = [
    'MailKit.Security.SslHandshakeException: An error occurred while attempting to establish an SSL or TLS connection.',
    '',
    'This usually means that the SSL certificate presented by the server is not trusted by the system for one or more of',
    'the following reasons:',
    '',
    '1. The server is using a self-signed certificate which cannot be verified.',
    "2. The local system is missing a Root or Intermediate certificate needed to verify the server's certificate.",
    '4. The certificate presented by the server is expired or invalid.',
    '',
    "The server's SSL certificate could not be validated for the following reasons:",
    '• The server certificate has the following errors:',
    '  • The certificate has expired.',
  ].join('\n');
  assert.equal(explainText(text).cause, 'cert-expired');
});

test('empty or unrecognised text is unknown with confidence 0', () => {
  assert.deepEqual(
    { cause: explainText('   ').cause, confidence: explainText('   ').confidence },
    { cause: 'unknown', confidence: 0 },
  );
  assert.equal(explainText('the printer is on fire').cause, 'unknown');
});

test('explainError reads SmtpClientError fields: phase, code and the server reply', () => {
  const error = new SmtpClientError('EENVELOPE', 'rcpt', 'The server refused the recipient <x@example.com>', {
    reply: {
      code: 550,
      enhanced: '5.1.1',
      lines: ['<x@example.com>: User unknown'],
      raw: '550 5.1.1 <x@example.com>: User unknown',
    },
  });
  assert.equal(explainError(error).cause, 'recipient-unknown');
  const nested = new Error('send failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:587'), { code: 'ECONNREFUSED' }),
  });
  assert.equal(explainError(nested).cause, 'connection-refused');
});

test("Mailport's own client: the step it names tells the server's fault from the user's", () => {
  const afterStarttls = new SmtpClientError('ETLS', 'starttls', 'TLS handshake failed', {
    cause: new Error('error:0A00010B:SSL routines:ssl3_get_record:wrong version number'),
  });
  assert.equal(explainError(afterStarttls).cause, 'starttls-not-offered');
  assert.equal(
    explainText('Error: 0A00010B:SSL routines:ssl3_get_record:wrong version number').cause,
    'implicit-tls-on-starttls-port',
    'from any other client it is still the wrong TLS mode',
  );
  const closedAfterEhlo = new SmtpClientError(
    'ECONNRESET',
    'ehlo',
    'The server closed the connection unexpectedly while Mailport waited for a reply (ehlo)',
  );
  for (const port of [465, 587]) {
    assert.doesNotMatch(explainError(closedAfterEhlo, { port }).cause, /tls-port$/, `port ${port}`);
  }
  const refusedGreeting = new SmtpClientError(
    'EPROTOCOL',
    'greeting',
    'The server refused the session in its greeting',
    {
      reply: {
        code: 554,
        enhanced: '5.7.1',
        lines: ['No SMTP service here'],
        raw: '554 5.7.1 No SMTP service here',
      },
    },
  );
  assert.equal(explainError(refusedGreeting).cause, 'sender-rejected');
});

test("a client's transcript that shows the greeting rules out a wrong TLS mode", () => {
  // swaks, plaintext, against a server that hung up on EHLO.
  const swaks = [
    '=== Trying 127.0.0.1:39665...',
    '=== Connected to 127.0.0.1.',
    '<-  220 broken.test ESMTP',
    ' -> EHLO vm',
    '*** Remote host closed connection unexpectedly.',
  ].join('\n');
  for (const port of [undefined, 465, 587]) {
    const cause = explainText(swaks, port === undefined ? {} : { port }).cause;
    assert.doesNotMatch(cause, /tls-port$/, `port ${port}`);
  }
  const curl = ['< 220 mail.example.com ESMTP', '> EHLO client', '* Recv failure: Connection reset by peer'];
  assert.doesNotMatch(explainText(curl.join('\n'), { port: 465 }).cause, /tls-port$/);
  // The same hang-up after the final dot: the message may have been delivered.
  const afterDot = swaks.replace(
    ' -> EHLO vm',
    ' -> EHLO vm\n<-  250 broken.test\n -> DATA\n<-  354 go ahead\n -> .',
  );
  assert.equal(explainText(afterDot).cause, 'no-reply-after-data');
});

test("openssl s_client's session block is not read as a timeout", () => {
  const text = [
    'New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384',
    'Verify return code: 0 (ok)',
    '---',
    '220 mail.example.com ESMTP ready',
    '---',
    'Post-Handshake New Session Ticket arrived:',
    'SSL-Session:',
    '    Protocol  : TLSv1.3',
    '    Start Time: 1796469392',
    '    Timeout   : 7200 (sec)',
    '    Verify return code: 0 (ok)',
    'DONE',
  ].join('\n');
  assert.equal(explainText(text).cause, 'no-error');
});

test('no pattern lets a line start absorb the lines after it (quadratic on long runs of blank lines)', () => {
  // In multiline mode `^\s*` retries at every line start and \s also eats newlines: on a pasted log
  // of 50,000 stack frames that took 3 s. `[ \t]*` keeps each attempt on its own line.
  const patterns = [...BOILERPLATE, ...RULES.flatMap((rule) => [...rule.match, ...(rule.unless ?? [])])];
  for (const pattern of patterns) {
    if (!pattern.multiline) continue;
    assert.doesNotMatch(pattern.source, /\^\\s[*+]/, `${pattern} starts a line with \\s*`);
  }
  const frames = '    at Object.<anonymous> (/app/index.js:10:5)\n'.repeat(50_000);
  assert.equal(explainText(`${frames}Error: connect ECONNREFUSED 127.0.0.1:587`).cause, 'connection-refused');
});

test('numbers that are not replies are not read as reply codes', () => {
  // nodemailer's info object after a success: its timings and size vary from run to run.
  const info = `{
  accepted: [ 'bob@example.com' ],
  rejected: [],
  envelopeTime: 451,
  messageTime: 552,
  messageSize: 535,
  response: '250 2.0.0 Ok: queued as TEST1',
  envelope: { from: 'alice@example.com', to: [ 'bob@example.com' ] }
}`;
  assert.equal(explainText(info).cause, 'no-error');
  const postfix = [
    'postfix/qmgr[812]: 3F1A2182067: from=<app@example.com>, size=535, nrcpt=1 (queue active)',
    'postfix/smtp[815]: 3F1A2182067: to=<you@example.org>, relay=smtp.example.com[203.0.113.10]:587, delay=0.42, delays=0.05/0.01/0.451/0.552, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Bq)',
  ].join('\n');
  assert.equal(explainText(postfix).cause, 'no-error');
});
