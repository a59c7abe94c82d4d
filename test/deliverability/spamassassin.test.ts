/**
 * The SPAMC/SPAMD client: its parser on real spamd answers, and the client against a real spamd on
 * loopback (local rules only), a port nobody listens on, a server that never answers, and servers
 * that answer something else.
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import {
  checkSpam,
  DEFAULT_SPAMASSASSIN_LIMITS,
  parseRuleTable,
  parseSpamdResponse,
  type SpamAssassinSettings,
  SpamdError,
  scoreWithSpamd,
} from '../../src/deliverability/spamassassin.js';
import { freePorts } from '../ci/free-ports.js';
import { startSpamd, type TestSpamd } from './spamd.js';
import { CLEAN_REPORT_RESPONSE, SPAM_REPORT_RESPONSE } from './spamd-responses.js';

/** All caps, no Date or Message-ID, drug words: what SpamAssassin's local rules catch. */
const SPAMMY = Buffer.from(
  [
    'From: deals@example.com',
    'To: you@example.org',
    'Subject: CHEAP VIAGRA NOW',
    '',
    'Buy cheap viagra online, no prescription needed! 100% GUARANTEED.',
    '',
  ].join('\r\n'),
);

async function nodemailerMessage(): Promise<Buffer> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await transport.sendMail({
    from: 'Shop <orders@example.com>',
    to: 'alice@example.org',
    subject: 'Your order 1234 has shipped',
    text: 'Hello Alice,\n\nyour order 1234 left our warehouse today and should arrive on Thursday.\n\nThe Example team\n',
  });
  return info.message as Buffer;
}

function settings(server: string, overrides: Partial<SpamAssassinSettings> = {}): SpamAssassinSettings {
  return { server, ...DEFAULT_SPAMASSASSIN_LIMITS, ...overrides };
}

/** A TCP server on a free loopback port that does `onConnection` with each client. */
async function fakeSpamd(
  onConnection: (socket: Socket) => void,
): Promise<{ server: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('parseSpamdResponse on real spamd answers', () => {
  test('a spam report: score, threshold and every rule, wrapped descriptions joined, most points first', () => {
    const verdict = parseSpamdResponse(Buffer.from(SPAM_REPORT_RESPONSE), '127.0.0.1:783');
    assert.equal(verdict.score, 18.9);
    assert.equal(verdict.threshold, 5);
    assert.equal(verdict.isSpam, true);
    assert.equal(verdict.rules.length, 19);
    assert.deepEqual(verdict.rules[0], {
      name: 'DRUG_ED_CAPS',
      score: 2.8,
      description: 'BODY: Mentions an E.D. drug',
    });
    const byName = new Map(verdict.rules.map((rule) => [rule.name, rule]));
    assert.equal(
      byName.get('NORMAL_HTTP_TO_IP')?.description,
      'URI: URI host has a public dotted-decimal IPv4 address',
    );
    assert.equal(
      byName.get('MIME_HEADER_CTYPE_ONLY')?.description,
      "'Content-Type' found without required MIME headers",
    );
    // A name longer than the table's column pushes its description right.
    assert.deepEqual(byName.get('T_PDS_SHORT_SPOOFED_URL'), {
      name: 'T_PDS_SHORT_SPOOFED_URL',
      score: 0,
      description: 'HTML message short and T_SPOOFED_URL (S_U_FP)',
    });
    const scores = verdict.rules.map((rule) => rule.score);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  });

  test('a clean report: below the threshold, "-0.0" read as 0', () => {
    const verdict = parseSpamdResponse(Buffer.from(CLEAN_REPORT_RESPONSE), '127.0.0.1:783');
    assert.deepEqual(verdict, {
      score: 0,
      threshold: 5,
      isSpam: false,
      rules: [
        { name: 'NO_RECEIVED', score: 0, description: 'Informational: message has no Received headers' },
        { name: 'NO_RELAYS', score: 0, description: 'Informational: message was not relayed via SMTP' },
      ],
    });
    assert.ok(Object.is(verdict.rules[0]?.score, 0), 'no -0 in the JSON');
  });

  const malformed: [string, string, RegExp][] = [
    ['nothing', '', /closed the connection without answering/],
    [
      'an HTTP answer',
      'HTTP/1.1 400 Bad Request\r\n\r\n',
      /answered "HTTP\/1\.1 400 Bad Request", which is not a SPAMD status line/,
    ],
    [
      'spamd refusing the request',
      'SPAMD/1.0 76 Bad header line: HELLO SPAMC/1.5\r\n',
      /refused the request: SPAMD\/1\.0 76 Bad header line/,
    ],
    [
      'no Spam header',
      'SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n',
      /sent no "Spam: True ; 5\.6 \/ 5\.0" header/,
    ],
    [
      'a report cut short',
      'SPAMD/1.1 0 EX_OK\r\nContent-length: 900\r\nSpam: True ; 6.0 / 5.0\r\n\r\nSpam detection',
      /announced a 900-byte report but sent 14 bytes/,
    ],
    ['headers never ended', 'SPAMD/1.1 0 EX_OK\r\nSpam: True ; 6.0 / 5.0\r\n', /sent no end of headers/],
  ];
  for (const [name, response, message] of malformed) {
    test(`${name} is a protocol error naming the server`, () => {
      assert.throws(
        () => parseSpamdResponse(Buffer.from(response), '127.0.0.1:783'),
        (error: unknown) =>
          error instanceof SpamdError &&
          error.kind === 'protocol' &&
          error.server === '127.0.0.1:783' &&
          message.test(error.message) &&
          error.message.startsWith('spamd at 127.0.0.1:783 '),
      );
    });
  }

  test('the rule table: four-digit points (GTUBE), and none without a table', () => {
    const gtube = [
      ' pts rule name              description',
      '---- ---------------------- --------------------------------------------------',
      '-0.0 NO_RECEIVED            Informational: message has no Received headers',
      '1000 GTUBE                  BODY: Generic Test for Unsolicited Bulk Email',
      '',
    ].join('\n');
    assert.deepEqual(parseRuleTable(gtube), [
      { name: 'GTUBE', score: 1000, description: 'BODY: Generic Test for Unsolicited Bulk Email' },
      { name: 'NO_RECEIVED', score: 0, description: 'Informational: message has no Received headers' },
    ]);
    assert.deepEqual(parseRuleTable('Spam detection software\n\nno table here\n'), []);
  });
});

describe('the SPAMC client against a real spamd', () => {
  let spamd: TestSpamd;
  before(async () => {
    spamd = await startSpamd();
  });
  after(async () => {
    await spamd.stop();
  });

  test('a spammy message scores above the threshold, with the rules that caught it', async () => {
    const verdict = await scoreWithSpamd(SPAMMY, settings(spamd.server));
    assert.equal(verdict.isSpam, true);
    assert.equal(verdict.threshold, 5);
    assert.ok(verdict.score >= verdict.threshold, `score ${verdict.score}`);
    const names = verdict.rules.map((rule) => rule.name);
    for (const rule of [
      'MISSING_DATE',
      'MISSING_MID',
      'SUBJ_ALL_CAPS',
      'DRUGS_ERECTILE',
      'NO_PRESCRIPTION',
    ]) {
      assert.ok(names.includes(rule), `${rule} in ${names.join(', ')}`);
    }
    assert.equal(
      verdict.rules.find((rule) => rule.name === 'MISSING_DATE')?.description,
      'Missing Date: header',
    );
  });

  test('a clean nodemailer message scores below the threshold', async () => {
    const verdict = await scoreWithSpamd(await nodemailerMessage(), settings(spamd.server));
    assert.equal(verdict.isSpam, false);
    assert.ok(verdict.score < verdict.threshold, `score ${verdict.score}`);
    assert.ok(!verdict.rules.some((rule) => rule.name === 'MISSING_DATE'));
  });

  test('checkSpam: spam is an error whose fix names the rules with the most points', async () => {
    const { spam, spamAssassin } = await checkSpam(SPAMMY, settings(spamd.server));
    assert.equal(spam?.isSpam, true);
    assert.equal(spamAssassin.outcome, 'scanned');
    assert.equal(spamAssassin.server, spamd.server);
    assert.equal(spamAssassin.severity, 'error');
    assert.match(
      spamAssassin.reason,
      /^SpamAssassin scores it \d+\.\d, at or above its threshold of 5\.0 \(\d+ rules hit\)/,
    );
    const top = spam?.rules[0];
    assert.ok(top !== undefined);
    assert.ok(
      spamAssassin.fix?.includes(`starting with ${top.name} (${top.score.toFixed(1)}: ${top.description})`),
    );
  });
});

describe('the SPAMC client when spamd cannot be used', () => {
  test('nothing listening: connection-failed, with how to start spamd or drop the flag', async () => {
    const [port] = await freePorts(1);
    const server = `127.0.0.1:${port}`;
    await assert.rejects(
      scoreWithSpamd(SPAMMY, settings(server)),
      (error: unknown) =>
        error instanceof SpamdError &&
        error.kind === 'connection' &&
        error.message === `no spamd at ${server} (connection refused)`,
    );
    const { spam, spamAssassin } = await checkSpam(SPAMMY, settings(server));
    assert.equal(spam, null);
    assert.deepEqual(spamAssassin, {
      server,
      outcome: 'connection-failed',
      severity: 'error',
      reason: `Not scanned: no spamd at ${server} (connection refused).`,
      fix: `Start it with \`spamd -L --listen=${server}\`, or drop --spamassassin.`,
    });
  });

  test('a server that accepts and never answers: timeout, within the bound', async () => {
    const silent = await fakeSpamd(() => {});
    try {
      const started = performance.now();
      const { spamAssassin } = await checkSpam(SPAMMY, settings(silent.server, { timeoutMs: 300 }));
      const elapsed = performance.now() - started;
      assert.equal(spamAssassin.outcome, 'timeout');
      assert.equal(
        spamAssassin.reason,
        `Not scanned: spamd at ${silent.server} did not answer within 300 ms.`,
      );
      assert.match(spamAssassin.fix ?? '', /is spamd and not overloaded/);
      assert.ok(elapsed >= 290 && elapsed < 2000, `took ${elapsed} ms`);
    } finally {
      await silent.close();
    }
  });

  test('a server that answers garbage: protocol-error, pointing at the port', async () => {
    const http = await fakeSpamd((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    try {
      const { spam, spamAssassin } = await checkSpam(SPAMMY, settings(http.server));
      assert.equal(spam, null);
      assert.equal(spamAssassin.outcome, 'protocol-error');
      assert.match(spamAssassin.reason, /^Not scanned: spamd at .* which is not a SPAMD status line\.$/);
      assert.match(spamAssassin.fix ?? '', /Point --spamassassin at spamd's port/);
    } finally {
      await http.close();
    }
  });

  test('an endless answer stops at the response cap', async () => {
    const flood = await fakeSpamd((socket) => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const write = (): void => {
        while (!socket.destroyed && socket.write(chunk));
      };
      socket.on('drain', write);
      write();
    });
    try {
      await assert.rejects(
        scoreWithSpamd(SPAMMY, settings(flood.server, { maxResponseBytes: 128 * 1024 })),
        (error: unknown) => error instanceof SpamdError && /sent more than 131072 bytes/.test(error.message),
      );
    } finally {
      await flood.close();
    }
  });

  test('a message over 500 KiB is not sent, and the report says why', async () => {
    let connections = 0;
    const counter = await fakeSpamd((socket) => {
      connections += 1;
      socket.destroy();
    });
    try {
      const large = Buffer.concat([SPAMMY, Buffer.alloc(500 * 1024, 'a')]);
      const { spam, spamAssassin } = await checkSpam(large, settings(counter.server));
      assert.equal(spam, null);
      assert.equal(spamAssassin.outcome, 'too-large');
      assert.equal(spamAssassin.severity, 'info');
      assert.match(spamAssassin.reason, /^Not scanned: the message is 501 KiB, over the 500 KiB spamc sends/);
      assert.equal(connections, 0);
    } finally {
      await counter.close();
    }
  });

  test('not configured: no score, and how to turn it on', async () => {
    const { spam, spamAssassin } = await checkSpam(SPAMMY, null);
    assert.equal(spam, null);
    assert.equal(spamAssassin.outcome, 'not-configured');
    assert.equal(spamAssassin.severity, null);
    assert.match(spamAssassin.reason, /mailport serve --spamassassin 127\.0\.0\.1:783/);
  });
});
