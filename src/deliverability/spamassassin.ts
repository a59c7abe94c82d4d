/**
 * A SPAMC/SPAMD client for SpamAssassin's spamd, written to its protocol (spamd/PROTOCOL in the
 * SpamAssassin sources): one `REPORT` request per connection, the message as the body, and an
 * answer of a status line, headers (`Spam: True ; 5.6 / 5.0`) and the report with its rule table.
 * Bounded in time, in the size of what is sent (spamc's own cap) and of what is read back.
 */
import { connect } from 'node:net';
import type { CheckVerdict, SpamAssassinCheck, SpamCheck, SpamRule } from './types.js';

export interface SpamAssassinSettings {
  /** spamd's address, `HOST:PORT` (IPv6 as `[::1]:783`). */
  server: string;
  /** Connecting, sending and reading the whole answer together take at most this long. */
  timeoutMs: number;
  /** Messages larger than this are not sent (spamc's default `--max-size`, 500 KiB). */
  maxMessageBytes: number;
  /** Answers longer than this are a protocol error: a real REPORT answer is a few KiB. */
  maxResponseBytes: number;
}

export const DEFAULT_SPAMASSASSIN_LIMITS = {
  timeoutMs: 5000,
  // spamc's default --max-size: larger messages are passed on unscanned.
  maxMessageBytes: 500 * 1024,
  maxResponseBytes: 256 * 1024,
} as const;

/** `connection`: nothing listens or the connection broke; `timeout`: no full answer in time; `protocol`: not a SPAMD answer. */
export type SpamdErrorKind = 'connection' | 'timeout' | 'protocol';

export class SpamdError extends Error {
  override readonly name = 'SpamdError';
  readonly kind: SpamdErrorKind;
  /** spamd's address, `HOST:PORT`. */
  readonly server: string;

  constructor(kind: SpamdErrorKind, server: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.server = server;
  }
}

export interface SpamAssassinResult {
  spam: SpamCheck | null;
  spamAssassin: SpamAssassinCheck;
}

/** The report's spam part: spamd's score when configured, else why there is none. Never throws. */
export async function checkSpam(
  raw: Buffer,
  settings: SpamAssassinSettings | null,
): Promise<SpamAssassinResult> {
  if (settings === null) {
    return notScanned(null, 'not-configured', {
      severity: null,
      reason:
        'Not scanned: SpamAssassin is not configured. Start spamd (`spamd -L --listen=127.0.0.1:783`) and run `mailport serve --spamassassin 127.0.0.1:783` (or set MAILPORT_SPAMASSASSIN) to see its score here.',
      fix: null,
    });
  }
  const { server } = settings;
  if (raw.length > settings.maxMessageBytes) {
    return notScanned(server, 'too-large', {
      severity: 'info',
      reason: `Not scanned: the message is ${kib(raw.length)}, over the ${kib(settings.maxMessageBytes)} spamc sends to spamd (its default --max-size); mail servers running SpamAssassin usually pass messages this large unscanned.`,
      fix: null,
    });
  }
  try {
    const spam = await scoreWithSpamd(raw, settings);
    return { spam, spamAssassin: { server, outcome: 'scanned', ...spamVerdict(spam) } };
  } catch (error) {
    if (!(error instanceof SpamdError)) throw error;
    return notScanned(server, OUTCOME_OF_ERROR[error.kind], {
      severity: 'error',
      reason: `Not scanned: ${error.message}.`,
      fix: FIX_OF_ERROR[error.kind](server),
    });
  }
}

const OUTCOME_OF_ERROR = {
  connection: 'connection-failed',
  timeout: 'timeout',
  protocol: 'protocol-error',
} as const satisfies Record<SpamdErrorKind, SpamAssassinCheck['outcome']>;

const FIX_OF_ERROR: Record<SpamdErrorKind, (server: string) => string> = {
  connection: (server) => `Start it with \`spamd -L --listen=${server}\`, or drop --spamassassin.`,
  timeout: (server) =>
    `Check that ${server} is spamd and not overloaded (\`spamc -d HOST -p PORT -R < message.eml\` asks it the same); spamd without -L also waits for its network tests (DNS blocklists, Razor, Pyzor).`,
  protocol: () =>
    "Point --spamassassin at spamd's port (783 unless spamd's --listen says otherwise), not at another service.",
};

/** How many rules with the most points the fix names. */
const RULES_NAMED_IN_FIX = 3;

function spamVerdict(spam: SpamCheck): CheckVerdict {
  const hits = `${spam.rules.length} ${spam.rules.length === 1 ? 'rule' : 'rules'} hit`;
  if (!spam.isSpam) {
    return {
      severity: null,
      reason: `SpamAssassin scores it ${points(spam.score)}, below its threshold of ${points(spam.threshold)} (${hits}).`,
      fix: null,
    };
  }
  const worst = spam.rules
    .filter((rule) => rule.score > 0)
    .slice(0, RULES_NAMED_IN_FIX)
    .map((rule) => `${rule.name} (${points(rule.score)}: ${rule.description})`);
  const named = worst.length === 0 ? '' : `, starting with ${worst.join(', ')}`;
  return {
    severity: 'error',
    reason: `SpamAssassin scores it ${points(spam.score)}, at or above its threshold of ${points(spam.threshold)} (${hits}): receivers that run it file the message as spam.`,
    fix: `Change what the rules with the most points found${named}.`,
  };
}

function notScanned(
  server: string | null,
  outcome: SpamAssassinCheck['outcome'],
  verdict: CheckVerdict,
): SpamAssassinResult {
  return { spam: null, spamAssassin: { server, outcome, ...verdict } };
}

/** SpamAssassin's own notation: one decimal. */
function points(score: number): string {
  return score.toFixed(1);
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`;
}

/** Asks spamd to score the message; throws SpamdError. checkSpam enforces `maxMessageBytes`. */
export function scoreWithSpamd(raw: Buffer, settings: SpamAssassinSettings): Promise<SpamCheck> {
  const { host, port } = splitServer(settings.server);
  const request = Buffer.concat([
    Buffer.from(`REPORT SPAMC/1.5\r\nContent-length: ${raw.length}\r\n\r\n`, 'latin1'),
    raw,
  ]);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = connect({ host, port });
    const settle = (outcome: () => SpamCheck): void => {
      clearTimeout(timer);
      socket.removeAllListeners('data').removeAllListeners('end').destroy();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
    };
    const fail = (kind: SpamdErrorKind, message: string, cause?: unknown): void =>
      settle(() => {
        throw new SpamdError(kind, settings.server, message, { cause });
      });
    const timer = setTimeout(
      () => fail('timeout', `spamd at ${settings.server} did not answer within ${settings.timeoutMs} ms`),
      settings.timeoutMs,
    );
    socket.on('connect', () => socket.end(request));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
      if (received > settings.maxResponseBytes) {
        fail(
          'protocol',
          `spamd at ${settings.server} sent more than ${settings.maxResponseBytes} bytes, far more than a SPAMD report`,
        );
      }
    });
    socket.on('end', () => settle(() => parseSpamdResponse(Buffer.concat(chunks), settings.server)));
    // After settling, a late error (e.g. a reset while destroying) has nothing left to report.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const message =
        error.code === 'ECONNREFUSED'
          ? `no spamd at ${settings.server} (connection refused)`
          : `the connection to spamd at ${settings.server} failed (${error.code ?? error.message})`;
      fail('connection', message, error);
    });
  });
}

/** Parses a complete answer to a REPORT request; throws SpamdError of kind `protocol`. */
export function parseSpamdResponse(response: Buffer, server: string): SpamCheck {
  const protocolError = (problem: string): SpamdError =>
    new SpamdError('protocol', server, `spamd at ${server} ${problem}`);
  const headerEnd = response.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = response
    .subarray(0, headerEnd === -1 ? response.length : headerEnd)
    .toString('latin1')
    .split('\r\n');
  const status = /^SPAMD\/(\d+\.\d+) (\d+) (.*)$/.exec(statusLine);
  if (status === null) {
    throw protocolError(
      response.length === 0
        ? 'closed the connection without answering'
        : `answered ${JSON.stringify(excerpt(statusLine))}, which is not a SPAMD status line`,
    );
  }
  // A non-zero code is a sysexits.h code (76 EX_PROTOCOL, 75 EX_TEMPFAIL…) with spamd's reason.
  if (status[2] !== '0') throw protocolError(`refused the request: ${excerpt(statusLine)}`);
  if (headerEnd === -1) throw protocolError('sent no end of headers');
  const headers = new Map<string, string>();
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const spam = /^(True|False|Yes|No) ; (-?\d+(?:\.\d+)?) \/ (-?\d+(?:\.\d+)?)$/.exec(
    headers.get('spam') ?? '',
  );
  if (spam === null) throw protocolError('sent no "Spam: True ; 5.6 / 5.0" header');
  const body = response.subarray(headerEnd + 4);
  const declared = headers.get('content-length');
  if (declared !== undefined && Number(declared) !== body.length) {
    throw protocolError(`announced a ${declared}-byte report but sent ${body.length} bytes`);
  }
  return {
    score: Number(spam[2]) || 0,
    threshold: Number(spam[3]),
    isSpam: spam[1] === 'True' || spam[1] === 'Yes',
    rules: parseRuleTable(body.toString('utf8')),
  };
}

/**
 * The rule table at the end of a report: after a line of dashes, one rule per line
 * (` 2.7 MISSING_DATE           Missing Date: header`), long descriptions wrapped onto indented
 * continuation lines. A rule line has at most one space before its points.
 */
export function parseRuleTable(report: string): SpamRule[] {
  const lines = report.split(/\r?\n/);
  const start = lines.findIndex((line) => /^-+ -+ -+\s*$/.test(line));
  const rules: SpamRule[] = [];
  if (start === -1) return rules;
  for (const line of lines.slice(start + 1)) {
    const rule = /^ ?(-?\d+(?:\.\d+)?) +(\S+) *(.*)$/.exec(line);
    const previous = rules.at(-1);
    if (rule !== null) {
      // `-0.0` is a small negative score rounded; it is reported as 0.
      rules.push({ name: rule[2] ?? '', score: Number(rule[1]) || 0, description: (rule[3] ?? '').trim() });
    } else if (previous !== undefined && /^\s+\S/.test(line)) {
      previous.description = `${previous.description} ${line.trim()}`.trim();
    }
  }
  return rules.sort((a, b) => b.score - a.score);
}

/** `HOST:PORT` or `[IPv6]:PORT` as written by parseSpamAssassin (src/config/serve-config.ts). */
function splitServer(server: string): { host: string; port: number } {
  const colon = server.lastIndexOf(':');
  return { host: server.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(server.slice(colon + 1)) };
}

function excerpt(line: string): string {
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}
