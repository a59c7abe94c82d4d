/**
 * The Checks tab of a message: would it authenticate (SPF, DKIM, DMARC, ARC for the production
 * sending IP), what in its content hurts delivery (with the fixes), its links, probed over HTTP
 * only when asked, SpamAssassin's score with the rules that hit (with `--spamassassin`), and how
 * email clients support its HTML (caniemail.com). Everything comes from `GET /api/v1/messages/{id}/checks`.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { familyLabel } from '../../../src/deliverability/client-families.js';
import { ApiError, api } from '../api/client.js';
import type {
  AuthResult,
  CheckVerdict,
  DeliverabilityReport,
  EmailClientFamily,
  FamilySupport,
  HtmlCompatibility,
  HtmlFeatureFinding,
  LinkCheck,
  Severity,
  SpamAssassinCheck,
  SpamCheck,
} from '../api/types.js';
import { ClientFamilyFilter } from '../components/client-family-filter.js';
import { FixText } from '../components/fix-text.js';
import { Icon } from '../components/icon.js';
import {
  clientsParam,
  type FamilyChoice,
  loadFamilyChoice,
  saveFamilyChoice,
} from '../lib/client-family-choice.js';

type Running = 'checks' | 'links' | null;

const SOURCE_LABEL = {
  request: 'the IP given here',
  config: 'the server’s --sending-ip',
  client: 'the address the message came from',
} as const;

export function MessageChecks({ id }: { id: string }) {
  const [ip, setIp] = useState('');
  const [report, setReport] = useState<DeliverabilityReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState<Running>(null);
  const [families, setFamilies] = useState<FamilyChoice>(loadFamilyChoice);
  // Only the latest request may update the panel: an older one can finish after it.
  const latest = useRef(0);

  const run = (probeLinks: boolean, choice: FamilyChoice = families) => {
    const request = ++latest.current;
    setRunning(probeLinks ? 'links' : 'checks');
    setError(null);
    const wanted = ip.trim();
    api
      .checks(id, { ...(wanted === '' ? {} : { ip: wanted }), probeLinks, clients: clientsParam(choice) })
      .then((result) => {
        if (request === latest.current) setReport(result);
      })
      .catch((failure: unknown) => {
        if (request !== latest.current) return;
        // A remembered family that a newer caniemail data set no longer has: check them all.
        if (
          choice !== null &&
          failure instanceof ApiError &&
          failure.status === 400 &&
          /^clients=/.test(failure.detail)
        ) {
          chooseFamilies(null);
          return;
        }
        setError(failure instanceof Error ? failure.message : String(failure));
      })
      .finally(() => {
        if (request === latest.current) setRunning(null);
      });
  };

  const chooseFamilies = (choice: FamilyChoice) => {
    setFamilies(choice);
    saveFamilyChoice(choice);
    if (choice === null || choice.length > 0) run(false, choice);
  };

  useEffect(() => {
    setReport(null);
    run(false);
  }, [id]);

  return (
    <div class="checks" aria-busy={running !== null}>
      <form
        class="checks-bar"
        onSubmit={(event) => {
          event.preventDefault();
          run(false);
        }}
      >
        <label for="checks-ip" class="checks-label">
          Sending IP
        </label>
        <input
          id="checks-ip"
          class="text-input"
          type="text"
          inputMode="text"
          autoComplete="off"
          spellcheck={false}
          placeholder="production IP, e.g. 203.0.113.5"
          aria-describedby="checks-ip-hint"
          value={ip}
          onInput={(event) => setIp(event.currentTarget.value)}
        />
        <button type="submit" class="button button-small" disabled={running !== null}>
          {running === 'checks' ? 'Checking…' : 'Check again'}
        </button>
        <button
          type="button"
          class="button button-small"
          disabled={running !== null}
          onClick={() => run(true)}
        >
          <Icon name="external" size={15} />
          {running === 'links' ? 'Probing links…' : 'Probe links'}
        </button>
        <p id="checks-ip-hint" class="muted small checks-hint">
          SPF is evaluated for this IP (leave empty for the server’s default). DNS answers are live.
        </p>
      </form>
      {error !== null && (
        <p class="banner banner-error" role="alert">
          The checks failed: {error}
        </p>
      )}
      {report === null ? (
        error === null && <p class="empty-panel">Running the checks…</p>
      ) : (
        <Report report={report} families={families} onFamiliesChange={chooseFamilies} />
      )}
    </div>
  );
}

function Report({
  report,
  families,
  onFamiliesChange,
}: {
  report: DeliverabilityReport;
  families: FamilyChoice;
  onFamiliesChange: (choice: FamilyChoice) => void;
}) {
  const { spf, dkim, dmarc, arc } = report.authentication;
  const { errors, warnings, infos, passed } = report.summary;
  return (
    <>
      <p class={`checks-summary ${passed ? 'checks-passed' : 'checks-failed'}`} role="status">
        <Icon name={passed ? 'check' : 'alert'} size={18} />
        <span>
          <strong>{passed ? 'No errors' : count(errors, 'error')}</strong> · {count(warnings, 'warning')} ·{' '}
          {count(infos, 'note')}. SPF evaluated for <code>{report.sendingIp.address}</code> (
          {SOURCE_LABEL[report.sendingIp.source]}); DNS from {report.dns.server ?? 'the system resolver'}.
        </span>
      </p>

      <section class="checks-section" aria-labelledby="checks-auth-title">
        <h3 id="checks-auth-title" class="section-title">
          Authentication
        </h3>
        <ul class="check-list">
          <Verdict
            name="SPF"
            result={spf.result}
            check={spf}
            detail={spf.record ?? (spf.domain === null ? null : `${spf.domain}: no SPF record`)}
          />
          <Verdict name="DKIM" result={dkim.result} check={dkim}>
            {dkim.signatures.length > 0 && (
              <ul class="check-sublist">
                {dkim.signatures.map((signature, index) => (
                  <li key={index}>
                    <ResultTag result={signature.result} severity={signature.severity} />{' '}
                    <code>
                      d={signature.domain} s={signature.selector ?? '?'} a={signature.algorithm ?? '?'}
                    </code>{' '}
                    {signature.alignedWithFrom ? 'aligned with From' : 'not aligned with From'}
                    {signature.severity !== null && <span class="muted"> · {signature.reason}</span>}
                  </li>
                ))}
              </ul>
            )}
          </Verdict>
          <Verdict name="DMARC" result={dmarc.result} check={dmarc} detail={dmarc.record} />
          <Verdict name="ARC" result={arc.result} check={arc} detail={null} />
        </ul>
      </section>

      <section class="checks-section" aria-labelledby="checks-content-title">
        <h3 id="checks-content-title" class="section-title">
          Content
        </h3>
        {report.content.length === 0 ? (
          <p class="muted">No content problems found.</p>
        ) : (
          <ul class="check-list">
            {report.content.map((finding) => (
              <li key={finding.id} class={`check-item check-${finding.severity}`}>
                <p class="check-head">
                  <SeverityTag severity={finding.severity} /> {finding.message}{' '}
                  <code class="check-id">{finding.id}</code>
                </p>
                <p class="check-fix">
                  <strong>Fix:</strong> <FixText text={finding.fix} />
                </p>
                {finding.evidence.length > 0 && (
                  <ul class="check-evidence">
                    {finding.evidence.map((item, index) => (
                      <li key={index}>
                        <code>{item}</code>
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <SpamSection spam={report.spam} check={report.spamAssassin} />

      {report.htmlCompatibility !== null && (
        <CompatibilitySection
          section={report.htmlCompatibility}
          families={families}
          onFamiliesChange={onFamiliesChange}
        />
      )}

      <section class="checks-section" aria-labelledby="checks-links-title">
        <h3 id="checks-links-title" class="section-title">
          Links <span class="muted small">({report.links.length})</span>
        </h3>
        {report.links.length === 0 ? (
          <p class="muted">The message has no links or images.</p>
        ) : (
          <div class="scroll-panel">
            <table class="headers-table links-table">
              <caption class="sr-only">Links and images of the message</caption>
              <thead>
                <tr>
                  <th scope="col">Link</th>
                  <th scope="col">Text</th>
                  <th scope="col">Problems</th>
                  <th scope="col">Probe</th>
                </tr>
              </thead>
              <tbody>
                {report.links.map((link, index) => (
                  <tr key={index}>
                    <td class="link-url">
                      <span class="tag">
                        {link.element === 'text'
                          ? 'text part'
                          : link.element === 'background'
                            ? 'background'
                            : `<${link.element}>`}
                      </span>{' '}
                      <code>{link.url}</code>
                    </td>
                    <td>{link.text}</td>
                    <td>
                      {link.problems.length === 0 ? (
                        <span class="muted">none</span>
                      ) : (
                        link.problems.map((problem) => (
                          <span key={problem} class="tag tag-warn">
                            {problem}
                          </span>
                        ))
                      )}
                    </td>
                    <td>
                      <ProbeCell link={link} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

const OUTCOME_LABEL: Record<SpamAssassinCheck['outcome'], string> = {
  scanned: 'scanned',
  'not-configured': 'off',
  'too-large': 'too large',
  'connection-failed': 'no spamd',
  timeout: 'timeout',
  'protocol-error': 'not spamd',
};

function SpamSection({ spam, check }: { spam: SpamCheck | null; check: SpamAssassinCheck }) {
  return (
    <section class="checks-section" aria-labelledby="checks-spam-title">
      <h3 id="checks-spam-title" class="section-title">
        Spam score <span class="muted small">(SpamAssassin)</span>
      </h3>
      <ul class="check-list">
        <li class={`check-item check-${check.severity ?? 'pass'}`}>
          <p class="check-head">
            <span class={`tag ${tagClass(check.severity)}`}>
              {spam === null
                ? OUTCOME_LABEL[check.outcome]
                : `${points(spam.score)} / ${points(spam.threshold)}`}
            </span>{' '}
            <FixText text={check.reason} />
          </p>
          {spam !== null && (
            <meter
              class="spam-meter"
              min={0}
              max={Math.max(spam.threshold * 2, spam.score)}
              low={spam.threshold * 0.5}
              high={spam.threshold}
              optimum={0}
              value={Math.max(spam.score, 0)}
              aria-label={`Score ${points(spam.score)} against the threshold ${points(spam.threshold)}`}
            />
          )}
          {check.fix !== null && (
            <p class="check-fix">
              <strong>Fix:</strong> <FixText text={check.fix} />
            </p>
          )}
        </li>
      </ul>
      {spam !== null && spam.rules.length > 0 && (
        <div class="scroll-panel">
          <table class="headers-table spam-rules">
            <caption class="sr-only">SpamAssassin rules that hit, most points first</caption>
            <thead>
              <tr>
                <th scope="col">Points</th>
                <th scope="col">Rule</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {spam.rules.map((rule) => (
                <tr key={rule.name}>
                  <td class="spam-points">{points(rule.score)}</td>
                  <th scope="row">
                    <code>{rule.name}</code>
                  </th>
                  <td>{rule.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * The score with the families it covers and the filter to choose them, then one expandable item
 * per feature that some client lacks or limits.
 */
function CompatibilitySection({
  section,
  families,
  onFamiliesChange,
}: {
  section: HtmlCompatibility;
  families: FamilyChoice;
  onFamiliesChange: (choice: FamilyChoice) => void;
}) {
  const clients = section.clients.reduce((sum, family) => sum + family.platforms.length, 0);
  return (
    <section class="checks-section" aria-labelledby="checks-compat-title">
      <h3 id="checks-compat-title" class="section-title">
        HTML compatibility <span class="muted small">(caniemail.com)</span>
      </h3>
      <p class="compat-score">
        <strong>{section.score}%</strong>
        <meter
          class="spam-meter"
          min={0}
          max={100}
          low={60}
          high={85}
          optimum={100}
          value={section.score}
          aria-label={`HTML compatibility score ${section.score}%`}
          aria-describedby="compat-coverage"
        />
        <span class="muted small">
          {count(section.featuresUsed, 'feature')} used, {count(clients, 'client')} in{' '}
          {count(section.clients.length, 'family', 'families')}; data of {section.data.updated} (
          {section.data.package})
          {section.checkedBytes < section.htmlBytes &&
            `; the first ${Math.round(section.checkedBytes / 1024)} KiB of ${Math.round(section.htmlBytes / 1024)} KiB checked`}
        </span>
      </p>
      <p id="compat-coverage" class="compat-coverage">
        Score for <strong>{coverage(section)}</strong>.
      </p>
      <ClientFamilyFilter families={section.allClients} choice={families} onChange={onFamiliesChange} />
      {section.features.length === 0 ? (
        <p class="muted">Every checked client supports every feature the HTML uses.</p>
      ) : (
        <ul class="check-list">
          {section.features.map((feature) => (
            <CompatibilityFeature
              key={`${feature.slug} ${feature.title}`}
              feature={feature}
              clients={section.clients}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

/** Which families the score covers: all, all but a few, or the few chosen. */
function coverage({ clients, allClients }: HtmlCompatibility): string {
  const total = allClients.length;
  if (clients.length === total) return `all ${total} client families`;
  const checked = new Set(clients.map((family) => family.family));
  const left = allClients.filter((family) => !checked.has(family.family));
  const names = (left.length < clients.length ? left : clients).map((family) => family.name).join(', ');
  return `${clients.length} of ${total} client families: ${left.length < clients.length ? `all but ${names}` : names}`;
}

function CompatibilityFeature({
  feature,
  clients,
}: {
  feature: HtmlFeatureFinding;
  clients: EmailClientFamily[];
}) {
  return (
    <li class={`check-item check-${feature.severity}`}>
      <details class="compat-feature">
        <summary class="check-head">
          <SeverityTag severity={feature.severity} /> <strong>{feature.title}</strong>{' '}
          <span class="muted small">{feature.support}% support</span>{' '}
          <code class="check-id">{feature.slug}</code>
          <ClientChips label="not in" groups={feature.unsupported} clients={clients} tag="tag-error" />
          <ClientChips label="partly in" groups={feature.partial} clients={clients} tag="tag-warn" />
        </summary>
        {feature.partial.some((group) => group.platforms.some((platform) => platform.notes.length > 0)) && (
          <ul class="check-sublist">
            {feature.partial.flatMap((group) =>
              group.platforms
                .filter((platform) => platform.notes.length > 0)
                .map((platform) => (
                  <li key={platform.client}>
                    {group.name} ({platform.name}): {platform.notes.join(' ')}
                  </li>
                )),
            )}
          </ul>
        )}
        {feature.note !== null && <p class="check-detail">{feature.note}</p>}
        <p class="check-detail">Used {count(feature.occurrences, 'time')}:</p>
        <ul class="check-evidence">
          {feature.where.map((where) => (
            <li key={where}>
              <code>{where}</code>
            </li>
          ))}
        </ul>
        <p class="check-fix">
          <strong>Fix:</strong> <FixText text={feature.fix} />{' '}
          <a href={feature.url} target="_blank" rel="noreferrer">
            {feature.title} on caniemail.com
          </a>
        </p>
      </details>
    </li>
  );
}

/** The families of one support level, as chips. */
function ClientChips({
  label,
  groups,
  clients,
  tag,
}: {
  label: string;
  groups: FamilySupport[];
  clients: EmailClientFamily[];
  tag: string;
}) {
  if (groups.length === 0) return null;
  return (
    <span class="compat-clients">
      <span class="muted small">{label}</span>
      {groups.map((group) => (
        <span key={group.family} class={`tag ${tag}`}>
          {familyLabel(group, clients)}
        </span>
      ))}
    </span>
  );
}

/** SpamAssassin's own notation: one decimal. */
function points(score: number): string {
  return score.toFixed(1);
}

function Verdict({
  name,
  result,
  check,
  detail,
  children,
}: {
  name: string;
  result: AuthResult;
  check: CheckVerdict;
  detail?: string | null;
  children?: ComponentChildren;
}) {
  return (
    <li class={`check-item check-${check.severity ?? 'pass'}`}>
      <p class="check-head">
        <ResultTag result={result} severity={check.severity} /> <strong>{name}</strong> {check.reason}
      </p>
      {detail !== null && detail !== undefined && (
        <p class="check-detail">
          <code>{detail}</code>
        </p>
      )}
      {children}
      {check.fix !== null && (
        <p class="check-fix">
          <strong>Fix:</strong> <FixText text={check.fix} />
        </p>
      )}
    </li>
  );
}

function ResultTag({ result, severity }: { result: AuthResult; severity: Severity | null }) {
  return <span class={`tag ${tagClass(severity)}`}>{result}</span>;
}

function SeverityTag({ severity }: { severity: Severity }) {
  return <span class={`tag ${tagClass(severity)}`}>{severity}</span>;
}

function tagClass(severity: Severity | null): string {
  if (severity === null) return 'tag-ok';
  return severity === 'error' ? 'tag-error' : severity === 'warning' ? 'tag-warn' : '';
}

function ProbeCell({ link }: { link: LinkCheck }) {
  const probe = link.probe;
  if (probe === null) return <span class="muted">—</span>;
  const hops = probe.redirects.map((redirect) => `${redirect.status} → ${redirect.location}`);
  return (
    <span title={hops.join('\n') || undefined}>
      <span
        class={`tag ${probe.outcome === 'reachable' ? 'tag-ok' : probe.outcome === 'broken' ? 'tag-error' : 'tag-warn'}`}
      >
        {probe.status ?? probe.outcome}
      </span>
      {probe.method === 'GET' && <span class="muted small"> GET</span>}
      {probe.redirects.length > 0 && (
        <span class="muted small"> after {count(probe.redirects.length, 'redirect')}</span>
      )}
      {probe.error !== null && <span class="muted small"> {probe.error}</span>}
    </span>
  );
}

function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}
