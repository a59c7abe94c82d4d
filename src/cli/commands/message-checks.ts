/**
 * The plain-text rendering of a deliverability report for `mailport messages checks`: the verdict,
 * the authentication results, every content problem by severity with its evidence and fix, the
 * links, SpamAssassin's score and the HTML's email-client compatibility. The report itself comes
 * from the API unchanged.
 */
import type {
  CheckVerdict,
  ContentFinding,
  DeliverabilityReport,
  DkimSignatureCheck,
  EmailClientFamily,
  FamilySupport,
  HtmlCompatibility,
  Severity,
  SpamAssassinCheck,
} from '../../client/api-client.js';
import { familyLabel } from '../../deliverability/client-families.js';

const SOURCE_LABEL: Record<DeliverabilityReport['sendingIp']['source'], string> = {
  request: 'given with --ip',
  config: 'the server’s --sending-ip',
  client: 'the address the message reached the sandbox from; pass --ip with your production sending IP',
};

const SEVERITY_HEADINGS: ReadonlyArray<readonly [Severity, string]> = [
  ['error', 'Errors'],
  ['warning', 'Warnings'],
  ['info', 'Info'],
];

const SPAMASSASSIN_OUTCOME: Record<SpamAssassinCheck['outcome'], string> = {
  scanned: 'scanned',
  'not-configured': 'off',
  'too-large': 'not scanned, too large',
  'connection-failed': 'not scanned, no spamd',
  timeout: 'not scanned, timeout',
  'protocol-error': 'not scanned, not spamd',
};

/** Details and fixes go under their check, indented this far. */
const DETAIL = '    ';

export function formatChecksReport(report: DeliverabilityReport): string {
  const sections = [
    verdictLines(report),
    authenticationLines(report),
    ...contentSections(report.content),
    linkLines(report),
    spamLines(report),
    compatibilityLines(report.htmlCompatibility),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

function verdictLines(report: DeliverabilityReport): string[] {
  const { errors, warnings, infos, passed } = report.summary;
  const counts = `${count(errors, 'error')}, ${count(warnings, 'warning')}, ${infos} info`;
  return [
    `${passed ? 'PASSED' : 'FAILED'}: ${counts} (message ${report.messageId})`,
    `SPF evaluated for ${report.sendingIp.address} (${SOURCE_LABEL[report.sendingIp.source]}).`,
    `DNS answers from ${report.dns.server ?? 'the system resolver'}, at ${report.checkedAt}.`,
  ];
}

function authenticationLines(report: DeliverabilityReport): string[] {
  const { spf, dkim, dmarc, arc } = report.authentication;
  const rows: Array<[string, string, CheckVerdict, string[]]> = [
    [
      'SPF',
      spf.result,
      spf,
      [
        spf.domain === null
          ? null
          : `domain: ${spf.domain} (${spf.scope === 'helo' ? 'HELO name' : 'MAIL FROM'})`,
        spf.record === null ? null : `record: ${spf.record}`,
      ].filter((line) => line !== null),
    ],
    ['DKIM', dkim.result, dkim, dkim.signatures.map(signatureLine)],
    [
      'DMARC',
      dmarc.result,
      dmarc,
      [
        dmarc.fromDomain === null ? null : `From domain: ${dmarc.fromDomain}`,
        dmarc.policy === null ? null : `policy: p=${dmarc.policy}`,
        dmarc.record === null ? null : `record: ${dmarc.record}`,
        `alignment: SPF ${alignment(dmarc.alignment.spf)}, DKIM ${alignment(dmarc.alignment.dkim)}`,
      ].filter((line) => line !== null),
    ],
    ['ARC', arc.result, arc, arc.instance === null ? [] : [`chain of ${arc.instance} set(s)`]],
  ];
  const labels = rows.map(([, result, check]) =>
    check.severity === null ? result : `${result} (${check.severity})`,
  );
  const width = Math.max(...labels.map((label) => label.length));
  const lines = ['Authentication:'];
  rows.forEach(([name, , check, details], index) => {
    lines.push(`  ${name.padEnd(5)} ${(labels[index] ?? '').padEnd(width)}  ${check.reason}`);
    lines.push(...details.map((detail) => `${DETAIL}${detail}`));
    if (check.fix !== null) lines.push(`${DETAIL}Fix: ${check.fix}`);
  });
  if (report.dns.failures.length > 0) {
    lines.push('  DNS lookups that failed (their checks say temperror):');
    lines.push(
      ...report.dns.failures.map((failure) => `${DETAIL}${failure.name} ${failure.type}: ${failure.error}`),
    );
  }
  return lines;
}

function signatureLine(signature: DkimSignatureCheck): string {
  const tags = [
    `d=${signature.domain}`,
    signature.selector === null ? null : `s=${signature.selector}`,
    signature.algorithm === null ? null : `a=${signature.algorithm}`,
    signature.canonicalization === null ? null : `c=${signature.canonicalization}`,
  ].filter((tag) => tag !== null);
  const aligned = signature.alignedWithFrom ? 'aligned with From' : 'not aligned with From';
  const problem = signature.severity === null ? '' : `: ${signature.reason}`;
  return `signature ${tags.join(' ')}: ${signature.result}, ${aligned}${problem}`;
}

function alignment(method: DeliverabilityReport['authentication']['dmarc']['alignment']['spf']): string {
  return method.aligned ? `aligned (${method.domain}, ${method.mode})` : `not aligned (${method.mode})`;
}

/** One section per severity that has findings, errors first. */
function contentSections(content: readonly ContentFinding[]): string[][] {
  if (content.length === 0) return [['Content: no problems found.']];
  return SEVERITY_HEADINGS.flatMap(([severity, heading]) => {
    const findings = content.filter((finding) => finding.severity === severity);
    if (findings.length === 0) return [];
    return [
      [
        `${heading} (${findings.length}):`,
        ...findings.flatMap((finding) => [
          `  ${finding.id}: ${finding.message}`,
          ...finding.evidence.map((item) => `${DETAIL}- ${item}`),
          `${DETAIL}Fix: ${finding.fix}`,
        ]),
      ],
    ];
  });
}

function linkLines(report: DeliverabilityReport): string[] {
  const { links } = report;
  if (links.length === 0) return ['Links: none.'];
  const withProblems = links.filter((link) => link.problems.length > 0).length;
  const found = `Links: ${links.length} (${withProblems === 0 ? 'none' : `${withProblems}, listed above,`} with problems)`;
  const probes = links.flatMap((link) => (link.probe === null ? [] : [link.probe.outcome]));
  if (probes.length === 0) return [`${found}; not requested: add --probe-links to check that they answer.`];
  const outcomes = (['reachable', 'broken', 'unreachable', 'skipped'] as const)
    .map((outcome) => [outcome, probes.filter((probe) => probe === outcome).length] as const)
    .filter(([, n]) => n > 0)
    .map(([outcome, n]) => `${n} ${outcome}`);
  return [`${found}; requested: ${outcomes.join(', ')}.`];
}

function spamLines(report: DeliverabilityReport): string[] {
  const { spam, spamAssassin } = report;
  const state =
    spam === null
      ? SPAMASSASSIN_OUTCOME[spamAssassin.outcome]
      : `${points(spam.score)} of ${points(spam.threshold)}${spam.isSpam ? ', spam' : ''}`;
  const severity = spamAssassin.severity === null ? '' : ` (${spamAssassin.severity})`;
  const lines = [
    `SpamAssassin${spamAssassin.server === null ? '' : ` at ${spamAssassin.server}`}: ${state}${severity}`,
  ];
  lines.push(`  ${spamAssassin.reason}`);
  if (spamAssassin.fix !== null) lines.push(`  Fix: ${spamAssassin.fix}`);
  if (spam !== null && spam.rules.length > 0) {
    const width = Math.max(...spam.rules.map((rule) => points(rule.score).length));
    const nameWidth = Math.max(...spam.rules.map((rule) => rule.name.length));
    lines.push(
      '  Rules that hit:',
      ...spam.rules.map(
        (rule) =>
          `${DETAIL}${points(rule.score).padStart(width)}  ${rule.name.padEnd(nameWidth)}  ${rule.description}`,
      ),
    );
  }
  return lines;
}

/**
 * The score, then one line per feature with the families it fails in; warnings also say where the
 * message uses the feature and what to do (the rest is in --json).
 */
function compatibilityLines(section: HtmlCompatibility | null): string[] {
  if (section === null) return ['HTML compatibility: no HTML part.'];
  const platforms = section.clients.reduce((sum, family) => sum + family.platforms.length, 0);
  const checked =
    section.checkedBytes < section.htmlBytes
      ? `; the first ${kib(section.checkedBytes)} of ${kib(section.htmlBytes)} checked`
      : '';
  const lines = [
    `HTML compatibility: ${section.score}% (${count(section.featuresUsed, 'feature')} used, ${count(platforms, 'client')} in ${count(section.clients.length, 'family', 'families')}; caniemail.com data of ${section.data.updated}${checked})`,
  ];
  if (section.features.length === 0) {
    lines.push('  Every checked client supports every feature the HTML uses.');
    return lines;
  }
  const width = Math.max(...section.features.map((feature) => feature.title.length));
  for (const feature of section.features) {
    const support = [
      feature.unsupported.length > 0 ? `not in ${families(feature.unsupported, section.clients)}` : null,
      feature.partial.length > 0 ? `partly in ${families(feature.partial, section.clients)}` : null,
    ].filter((part) => part !== null);
    lines.push(`  ${feature.severity.padEnd(7)} ${feature.title.padEnd(width)}  ${support.join('; ')}`);
    if (feature.note !== null) lines.push(`${DETAIL}${feature.note}`);
    if (feature.severity !== 'warning') continue;
    lines.push(`${DETAIL}where: ${feature.where.join(', ')}`, `${DETAIL}Fix: ${feature.fix}`);
  }
  return lines;
}

function families(groups: readonly FamilySupport[], checked: readonly EmailClientFamily[]): string {
  return groups.map((group) => familyLabel(group, checked)).join(', ');
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}

/** SpamAssassin's own notation: one decimal. */
function points(score: number): string {
  return score.toFixed(1);
}

function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}
