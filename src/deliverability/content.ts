/**
 * Content checks: facts about the headers, bodies and links of a message that cost delivery or
 * readers, each with a stable id, a severity, a sentence and a fix.
 */
import type { HeaderLine } from '../domain/types.js';
import { alignedDomains, domainOf, localHostReason, organizationalDomain } from './hosts.js';
import type { BlockedElement, HtmlScan } from './html-scan.js';
import { webUrl } from './links.js';
import type { ContentCheckId, ContentFinding, LinkCheck, Severity } from './types.js';

/** Gmail clips a message whose HTML is larger than this and hides the rest behind "View entire message". */
export const GMAIL_CLIP_BYTES = 102 * 1024;

const MAX_EVIDENCE = 20;

/** What the content checks read from a message. */
export interface MessageContent {
  headers: readonly HeaderLine[];
  /** The From header's addresses. */
  from: readonly string[];
  /** MAIL FROM; `''` for the null reverse-path. */
  envelopeFrom: string;
  html: string | null;
  /** The text/plain part itself; null when the message has none (never text derived from the HTML). */
  text: string | null;
  /** Top-level header fields with raw non-ASCII bytes, as written (RFC 2047 encoded-words are ASCII). */
  eightBitHeaders: readonly string[];
  /** MAIL FROM carried SMTPUTF8 (RFC 6531), which allows UTF-8 in headers (RFC 6532). */
  smtpUtf8: boolean;
}

export interface ContentContext {
  /** A DKIM signature aligned with the From domain verified, so DMARC can pass without SPF alignment. */
  alignedDkimPassed: boolean;
}

export function contentFindings(
  message: MessageContent,
  scan: HtmlScan | null,
  links: readonly LinkCheck[],
  context: ContentContext,
): ContentFinding[] {
  return [
    ...bodyFindings(message),
    ...blockedElementFindings(scan),
    ...linkFindings(links),
    ...headerFindings(message, context),
  ];
}

function finding(
  id: ContentCheckId,
  severity: Severity,
  message: string,
  fix: string,
  evidence: string[] = [],
): ContentFinding {
  return { id, severity, message, fix, evidence: evidence.slice(0, MAX_EVIDENCE) };
}

function bodyFindings({ html, text }: MessageContent): ContentFinding[] {
  if (html === null) return [];
  const findings: ContentFinding[] = [];
  if (text === null || text.trim() === '') {
    findings.push(
      finding(
        'html-without-text',
        'warning',
        'The message has an HTML body but no plain-text alternative.',
        'Send multipart/alternative with a text/plain part beside the HTML (nodemailer: set `text` as well as `html`): spam filters score HTML-only mail, and text-only readers show nothing useful.',
      ),
    );
  }
  const bytes = Buffer.byteLength(html, 'utf8');
  if (bytes > GMAIL_CLIP_BYTES) {
    findings.push(
      finding(
        'html-too-large',
        'warning',
        `The HTML body is ${(bytes / 1024).toFixed(1)} KB; Gmail clips HTML over 102 KB and hides the rest (unsubscribe link included) behind "View entire message".`,
        'Shrink the HTML: inline less CSS, drop comments and unused markup, move long content to a web page.',
      ),
    );
  }
  return findings;
}

const BLOCKED_ELEMENTS: Record<BlockedElement, { id: ContentCheckId; severity: Severity; why: string }> = {
  script: {
    id: 'script-element',
    severity: 'error',
    why: 'no mail client runs scripts; they strip the element, and spam filters score it heavily',
  },
  form: {
    id: 'form-element',
    severity: 'warning',
    why: 'Gmail and Outlook disable or strip forms, and forms in mail look like phishing to filters',
  },
  iframe: { id: 'iframe-element', severity: 'warning', why: 'mail clients remove iframes and their content' },
  object: {
    id: 'embedded-object',
    severity: 'warning',
    why: 'mail clients block embedded plugin content (`<object>`, `<embed>`)',
  },
  embed: {
    id: 'embedded-object',
    severity: 'warning',
    why: 'mail clients block embedded plugin content (`<object>`, `<embed>`)',
  },
};

function blockedElementFindings(scan: HtmlScan | null): ContentFinding[] {
  const byId = new Map<ContentCheckId, ContentFinding>();
  for (const [element, count] of scan?.blocked ?? []) {
    const { id, severity, why } = BLOCKED_ELEMENTS[element];
    const existing = byId.get(id);
    const evidence = `<${element}> × ${count}`;
    if (existing !== undefined) {
      existing.evidence.push(evidence);
      continue;
    }
    byId.set(
      id,
      finding(
        id,
        severity,
        `The HTML contains <${element}>: ${why}.`,
        element === 'form'
          ? 'Link to a form on your website instead.'
          : 'Remove it; link to a web page for anything interactive or embedded.',
        [evidence],
      ),
    );
  }
  return [...byId.values()];
}

interface LinkProblem {
  id: ContentCheckId;
  severity: Severity;
  /** The finding's sentence, given the links that fail the check (never empty). */
  message: (failing: readonly LinkCheck[]) => string;
  fix: string;
  evidence: (link: LinkCheck) => string;
}

/** The content checks a link can fail, in the order the report lists them. */
const LINK_PROBLEMS: readonly LinkProblem[] = [
  {
    id: 'image-without-alt',
    severity: 'warning',
    message: (images) =>
      `${count(images.length, 'image has', 'images have')} no alt attribute; many clients block images by default and show the alt text instead, and screen readers read it.`,
    fix: 'Give every <img> an alt text that says what it shows, or alt="" for a purely decorative image.',
    evidence: (link) => link.url,
  },
  {
    id: 'development-url',
    severity: 'error',
    message: (links) =>
      `${count(links.length, 'link or image points', 'links or images point')} at a development host, which recipients cannot reach: ${localHostReason(webUrl(links[0]?.url ?? '')?.hostname ?? '')}.`,
    fix: 'Build URLs from the public base URL of the environment that sends (e.g. an APP_URL setting), not from localhost, a private address or a container name.',
    evidence: (link) => link.url,
  },
  {
    id: 'insecure-link',
    severity: 'warning',
    message: (links) =>
      `${count(links.length, 'link uses', 'links use')} http: instead of https:; browsers warn about them and filters trust them less.`,
    fix: 'Use https:// URLs.',
    evidence: (link) => link.url,
  },
  {
    id: 'insecure-image',
    severity: 'warning',
    message: (images) =>
      `${count(images.length, 'image loads', 'images load')} over http:; clients that proxy images (Gmail) or require secure content may not show them.`,
    fix: 'Serve images over https://.',
    evidence: (link) => link.url,
  },
  {
    id: 'link-text-mismatch',
    severity: 'warning',
    message: (links) =>
      `${count(links.length, 'link shows', 'links show')} a URL or domain as its text but points at another domain, which is what phishing filters look for.`,
    fix: 'Make the text match the destination, or use words ("Reset your password") instead of a URL; click tracking on your own domain (a custom tracking domain) keeps them matched.',
    evidence: (link) => `"${link.text}" -> ${link.url}`,
  },
  {
    id: 'broken-link',
    severity: 'error',
    message: (links) => `${count(links.length, 'link answers', 'links answer')} with an HTTP error status.`,
    fix: 'Fix the URLs or the pages they point at.',
    evidence: (link) => `${link.url} -> ${link.probe?.status}`,
  },
  {
    id: 'unreachable-link',
    severity: 'warning',
    message: (links) =>
      `${count(links.length, 'link did', 'links did')} not answer from here (DNS, connection, TLS or timeout).`,
    fix: 'Check that the host exists and is reachable from the internet; a development host never is.',
    evidence: (link) => `${link.url}: ${link.probe?.error}`,
  },
];

/** One finding per content check that any link fails, listing the links. */
function linkFindings(links: readonly LinkCheck[]): ContentFinding[] {
  return LINK_PROBLEMS.flatMap((problem) => {
    // A URL in both the HTML and the text part is one problem, not two.
    const failing = [
      ...new Map(
        links.filter((link) => link.problems.includes(problem.id)).map((link) => [link.url, link]),
      ).values(),
    ];
    if (failing.length === 0) return [];
    return [
      finding(
        problem.id,
        problem.severity,
        problem.message(failing),
        problem.fix,
        failing.map(problem.evidence),
      ),
    ];
  });
}

function headerFindings(message: MessageContent, context: ContentContext): ContentFinding[] {
  const header = (name: string): string | undefined =>
    message.headers.find((line) => line.name.toLowerCase() === name)?.value;
  const findings: ContentFinding[] = [
    ...fromFindings(message, header('from')),
    ...duplicateHeaderFindings(message),
  ];
  if (header('date') === undefined) {
    findings.push(
      finding(
        'missing-date',
        'error',
        'The message has no Date header, which RFC 5322 §3.6 requires; some servers reject it and others add one that shows the wrong time.',
        'Let your mail library set Date (nodemailer does unless you pass raw bytes), or add it yourself in RFC 5322 format.',
      ),
    );
  }
  if (header('message-id') === undefined) {
    findings.push(
      finding(
        'missing-message-id',
        'warning',
        'The message has no Message-ID header (RFC 5322 §3.6.4); Gmail rejects or spam-folders mail without one, and replies cannot thread.',
        'Let your mail library generate Message-ID, as `<unique@your-domain>`.',
      ),
    );
  }
  if ((header('subject') ?? '').trim() === '') {
    findings.push(
      finding(
        'missing-subject',
        'warning',
        'The subject is missing or empty; filters score that, and recipients skip it.',
        'Give every message a subject that says what it is.',
      ),
    );
  }
  findings.push(
    ...unencodedHeaderFindings(message),
    ...alignmentFindings(message, context),
    ...unsubscribeFindings(header),
  );
  return findings;
}

/**
 * RFC 5322 §3.6 requires one From with at least one mailbox. Gmail refuses mail without it ("not
 * RFC 5322 compliant … 'From' header is missing", "missing a valid address in From: header").
 */
function fromFindings(message: MessageContent, from: string | undefined): ContentFinding[] {
  if (from === undefined) {
    return [
      finding(
        'missing-from',
        'error',
        'The message has no From header, which RFC 5322 §3.6 requires; Gmail and Microsoft 365 refuse such mail.',
        "Set the sender in your mail library (nodemailer `from`, PHPMailer `setFrom()`, Python `msg['From']`, Symfony `->from()`). PHP's `mail()` needs `From:` in its additional headers; a local sendmail such as Postfix's or `mailport sendmail` adds one.",
      ),
    ];
  }
  if (message.from.some(isMailbox)) return [];
  return [
    finding(
      'invalid-from',
      'error',
      'The From header holds no address with a domain: a name alone, a local user name or nothing. Gmail refuses such mail ("missing a valid address in From: header").',
      'Give From one full address, `Name <user@example.com>`: a display name alone, a user name such as `root` (as cron writes it) or an unset variable is no address.',
      [headerEvidence('From', from)],
    ),
  ];
}

function headerEvidence(name: string, value: string): string {
  return clipped(`${name}: ${value}`);
}

/** Evidence is cut to this many characters: a value built from a runaway variable can be huge. */
const EVIDENCE_CHARACTERS = 200;

function clipped(text: string): string {
  return text.length > EVIDENCE_CHARACTERS ? `${text.slice(0, EVIDENCE_CHARACTERS)}…` : text;
}

function isMailbox(address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1;
}

/** RFC 5322 §3.6: the header fields a message may have at most once (the Resent- blocks may repeat). */
const SINGLE_HEADERS = [
  'Date',
  'From',
  'Sender',
  'Reply-To',
  'To',
  'Cc',
  'Bcc',
  'Message-ID',
  'In-Reply-To',
  'References',
  'Subject',
] as const;

/** Gmail refuses mail with a repeated one ("There are multiple Subject headers"). */
function duplicateHeaderFindings(message: MessageContent): ContentFinding[] {
  const repeated = SINGLE_HEADERS.map((name) => ({
    name,
    lines: message.headers.filter((line) => line.name.toLowerCase() === name.toLowerCase()),
  })).filter(({ lines }) => lines.length > 1);
  if (repeated.length === 0) return [];
  const counts = repeated.map(({ name, lines }) => `${lines.length} ${name} headers`);
  return [
    finding(
      'duplicate-header',
      'error',
      `The message has ${counts.join(' and ')}; RFC 5322 §3.6 allows one of each. Gmail refuses such mail as not RFC 5322 compliant, and clients show only one of them.`,
      'Set each of these headers once. Usually the code sets one through the library (its `subject`, `to` or `from` option) and again as a custom header, or copies headers from another message; more recipients go in one To or Cc header, separated by commas.',
      repeated.flatMap(({ lines }) => lines.map(({ name, value }) => headerEvidence(name, value))),
    ),
  ];
}

/** Raw UTF-8 in headers outside an SMTPUTF8 transaction: PHP's `mail()` with a plain subject. */
function unencodedHeaderFindings(message: MessageContent): ContentFinding[] {
  if (message.smtpUtf8 || message.eightBitHeaders.length === 0) return [];
  const names = [
    ...new Set(message.eightBitHeaders.map((field) => field.slice(0, field.indexOf(':')).trim())),
  ];
  return [
    finding(
      'unencoded-header',
      'warning',
      `The ${names.join(', ')} ${names.length === 1 ? 'header holds' : 'headers hold'} raw non-ASCII characters. Headers are ASCII (RFC 5322 §2.2), and UTF-8 in them is allowed only in mail sent with SMTPUTF8 (RFC 6532), which this message was not: receivers show such text garbled, and some refuse the message.`,
      "Encode non-ASCII header text as RFC 2047 encoded-words (`=?UTF-8?B?…?=`). Mail libraries do it for you (nodemailer, Python's `EmailMessage`, PHPMailer with `CharSet = 'UTF-8'`, Symfony Mailer); PHP's `mail()` does not: pass the subject through `mb_encode_mimeheader()` and build From/To with it too.",
      message.eightBitHeaders.map(clipped),
    ),
  ];
}

function alignmentFindings(message: MessageContent, context: ContentContext): ContentFinding[] {
  const [from, ...others] = message.from;
  const fromDomain = from === undefined || others.length > 0 ? null : domainOf(from);
  const envelopeDomain = domainOf(message.envelopeFrom);
  // A bounce (null sender) or a From without a single domain has nothing to align.
  if (fromDomain === null || envelopeDomain === null || alignedDomains(fromDomain, envelopeDomain)) return [];
  return [
    finding(
      'from-not-aligned',
      context.alignedDkimPassed ? 'info' : 'warning',
      `The From domain ${fromDomain} and the envelope sender domain ${envelopeDomain} do not share an organizational domain, so SPF cannot align for DMARC${context.alignedDkimPassed ? '; an aligned DKIM signature passed, which is enough' : ''}.`,
      `DMARC passes only when SPF or DKIM passes for a domain aligned with ${organizationalDomain(fromDomain)}: sign with DKIM as d=${fromDomain}, or set a custom MAIL FROM (return-path) domain under ${organizationalDomain(fromDomain)} at your provider.`,
      [`From: ${from}`, `MAIL FROM: ${message.envelopeFrom}`],
    ),
  ];
}

function unsubscribeFindings(header: (name: string) => string | undefined): ContentFinding[] {
  // Precedence: bulk/list and List-Id mark mail sent to many; the rest reads as transactional.
  const bulk = /^(bulk|list)$/i.test(header('precedence')?.trim() ?? '') || header('list-id') !== undefined;
  const severity: Severity = bulk ? 'warning' : 'info';
  const scope = bulk
    ? 'This message is marked as bulk or list mail'
    : 'A single transactional message (a receipt, a password reset) does not need one';
  const listUnsubscribe = header('list-unsubscribe');
  if (listUnsubscribe === undefined) {
    return [
      finding(
        'missing-list-unsubscribe',
        severity,
        `There is no List-Unsubscribe header. Since February 2024 Gmail and Yahoo require bulk senders to offer one-click unsubscribe: List-Unsubscribe with an https URL plus List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058). ${scope}.`,
        'For marketing and other bulk mail, add `List-Unsubscribe: <https://example.com/unsubscribe?u=…>, <mailto:unsubscribe@example.com>` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and unsubscribe on a POST to that URL.',
      ),
    ];
  }
  const oneClick = /^List-Unsubscribe=One-Click$/i.test(header('list-unsubscribe-post')?.trim() ?? '');
  const httpsTarget = /<https:\/\/[^>]+>/i.test(listUnsubscribe);
  if (oneClick && httpsTarget) return [];
  return [
    finding(
      'missing-one-click-unsubscribe',
      severity,
      `List-Unsubscribe is there, but ${httpsTarget ? 'List-Unsubscribe-Post: List-Unsubscribe=One-Click is missing' : 'it has no https URL'}; Gmail and Yahoo require RFC 8058 one-click unsubscribe from bulk senders since February 2024. ${scope}.`,
      'Put an https URL in List-Unsubscribe, add `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and unsubscribe on a POST to that URL without asking anything more.',
      [`List-Unsubscribe: ${listUnsubscribe}`],
    ),
  ];
}

function count(n: number, one: string, many: string): string {
  return n === 1 ? `1 ${one}` : `${n} ${many}`;
}
