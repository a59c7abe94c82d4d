/**
 * Chaos: the rules that make SMTP stages fail on purpose, with their counters; add one in the
 * text syntax of `--chaos` (or from a preset), remove one, or remove them all. Every change sends
 * the whole list (`PUT /api/v1/chaos`), as the API has no call for a single rule.
 */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { keptRules, withRulesAdded } from '../../../src/chaos/rule-list.js';
import { CHAOS_STAGES, ChaosRuleError } from '../../../src/chaos/rules.js';
import { CHAOS_SYNTAX_EXAMPLE, parseChaosRule } from '../../../src/chaos/syntax.js';
import { PROFILE_NAMES } from '../../../src/profiles/port-profiles.js';
import { ApiError, api, type FieldProblem } from '../api/client.js';
import type { ChaosAction, ChaosRuleInput, ChaosRuleStatus } from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icon.js';
import { announce } from '../lib/announce.js';
import { keepingFocus } from '../lib/focus.js';
import { formatCount } from '../lib/format.js';
import type { ChaosRules } from '../lib/use-chaos-rules.js';

const PRESETS: readonly { label: string; rule: string }[] = [
  { label: 'Every message 451 once', rule: 'message:451,times=1' },
  { label: 'Greeting delayed 10 s', rule: 'connect:delay=10s' },
  { label: 'RCPT 550 for *@bounce.test', rule: 'rcpt:550,match=*@bounce.test' },
  { label: 'Drop the connection at DATA once', rule: 'data:disconnect,times=1' },
];

const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function ChaosView({ chaos }: { chaos: ChaosRules }) {
  const { rules, update } = chaos;
  const [text, setText] = useState('');
  // Why the last rule was not added: the server's JSON Pointer (`/rules/2/action/enhancedCode`) or,
  // for a typo the parser caught first, its field (`action.delayMs`).
  const [problems, setProblems] = useState<readonly FieldProblem[]>([]);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);

  /** Runs one change at a time; a failure other than a refused rule is shown above the table. */
  function change(run: () => Promise<void>): Promise<void> {
    return keepingFocus(async () => {
      setBusy(true);
      setActionError(null);
      try {
        await run();
      } catch (failure) {
        setActionError(failure instanceof Error ? failure.message : String(failure));
      } finally {
        setBusy(false);
      }
    });
  }

  const addRule = (ruleText: string) =>
    change(async () => {
      setProblems([]);
      // The list as it is now, not as last polled: a rule set elsewhere meanwhile is kept.
      const kept = keptRules(await api.getChaos());
      let rule: ChaosRuleInput;
      try {
        rule = parseChaosRule(ruleText.trim(), kept.length);
      } catch (failure) {
        if (!(failure instanceof ChaosRuleError)) throw failure;
        setProblems([{ path: failure.field, message: failure.problem }]);
        return;
      }
      const rules = withRulesAdded(kept, [rule]);
      const id = rules.at(-1)?.id;
      try {
        update(await api.setChaos(rules));
      } catch (failure) {
        if (!(failure instanceof ApiError) || failure.status !== 400) throw failure;
        setProblems(refusals(failure));
        return;
      }
      setText('');
      announce(`Chaos rule ${id} added`);
    });

  const removeRule = (id: string) =>
    change(async () => {
      const current = await api.getChaos();
      update(await api.setChaos(keptRules(current.filter((rule) => rule.id !== id))));
      announce(`Chaos rule ${id} removed`);
    });

  const removeAll = () =>
    change(async () => {
      setConfirmClear(false);
      await api.clearChaos();
      update([]);
      announce('Every chaos rule removed');
    });

  const active = rules !== null && rules.length > 0;
  return (
    <div class="page">
      <div class="page-inner">
        <header class="page-head">
          <h1 class="pane-title">Chaos rules</h1>
          <p class="muted">
            Make an SMTP stage fail on purpose, to see what your app does when mail fails: retry after a 4xx,
            give up after a 5xx, time out, survive a dropped connection. Rules live in memory on this server;
            sessions they hit show a <span class="chaos-badge">chaos</span> line in their transcript.
          </p>
        </header>

        {chaos.error !== null && (
          <div class="banner banner-error chaos-banner" role="alert">
            Cannot read the chaos rules ({chaos.error}).
          </div>
        )}
        {actionError !== null && (
          <div class="banner banner-error chaos-banner" role="alert">
            The change failed: {actionError}
          </div>
        )}

        <section aria-labelledby="chaos-rules-heading">
          <div class="section-head">
            <h2 id="chaos-rules-heading" class="section-title">
              In force
            </h2>
            {active && (
              <button
                type="button"
                class="button button-small button-danger-quiet"
                disabled={busy}
                onClick={() => setConfirmClear(true)}
              >
                <Icon name="trash" size={14} />
                Remove all
              </button>
            )}
          </div>
          {rules === null ? (
            <p class="muted" aria-busy="true">
              Loading the rules…
            </p>
          ) : active ? (
            <>
              <p class="chaos-warning">
                <Icon name="alert" size={18} />
                <span>
                  {rules.length === 1 ? 'This rule makes' : `These ${formatCount(rules.length)} rules make`}{' '}
                  SMTP fail on purpose: mail refused, delayed or dropped here is not your client's fault.
                </span>
              </p>
              <RuleTable rules={rules} busy={busy} onRemove={removeRule} />
            </>
          ) : (
            <p class="empty-panel chaos-empty">No chaos rules: every SMTP stage behaves normally.</p>
          )}
        </section>

        <section class="card" aria-labelledby="chaos-add-heading">
          <h2 id="chaos-add-heading" class="card-title">
            <Icon name="zap" size={18} /> Add a rule
          </h2>
          <form
            class="chaos-form"
            onSubmit={(event) => {
              event.preventDefault();
              if (text.trim() !== '') void addRule(text);
            }}
          >
            <label for="chaos-rule" class="chaos-label">
              Rule
            </label>
            <div class="chaos-input-row">
              <input
                id="chaos-rule"
                class="text-input mono chaos-input"
                type="text"
                value={text}
                placeholder={CHAOS_SYNTAX_EXAMPLE}
                spellcheck={false}
                autocomplete="off"
                aria-invalid={problems.length > 0}
                aria-describedby={
                  problems.length > 0 ? 'chaos-rule-error chaos-rule-hint' : 'chaos-rule-hint'
                }
                onInput={(event) => {
                  setText(event.currentTarget.value);
                  setProblems([]);
                }}
              />
              <button type="submit" class="button button-primary" disabled={busy || text.trim() === ''}>
                Add rule
              </button>
            </div>
            {problems.length > 0 && (
              <div id="chaos-rule-error" class="field-error" role="alert">
                <p>The rule was refused:</p>
                <ul>
                  {problems.map((problem) => (
                    <li key={`${problem.path} ${problem.message}`}>
                      {problem.path !== '' && <code>{problem.path}</code>} {problem.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            <p id="chaos-rule-hint" class="muted small">
              <code>STAGE:ACTION[,OPTION=VALUE...]</code>, as <code>mailport serve --chaos</code> takes it.
              Every change sends the whole list again, which restarts the counters: a rule with{' '}
              <code>times=</code> keeps only the firings it has left, and a spent one is dropped.
            </p>
          </form>

          <fieldset class="chaos-presets">
            <legend>Presets (added at once)</legend>
            {PRESETS.map((preset) => (
              <button
                key={preset.rule}
                type="button"
                class="button button-small"
                disabled={busy}
                onClick={() => void addRule(preset.rule)}
              >
                {preset.label} <code class="preset-rule">{preset.rule}</code>
              </button>
            ))}
          </fieldset>

          <dl class="chaos-legend">
            <div>
              <dt>Stages</dt>
              <dd>
                {CHAOS_STAGES.map((stage) => (
                  <Fragment key={stage}>
                    <code>{stage}</code>{' '}
                  </Fragment>
                ))}
                (<code>connect</code> is the greeting, <code>data</code> the reply to DATA or BDAT LAST,{' '}
                <code>message</code> the reply after the body)
              </dd>
            </div>
            <div>
              <dt>Actions</dt>
              <dd>
                <code>451</code> or <code>451/4.3.0</code> reply with this code (4xx: retry later, 5xx: give
                up); <code>delay=10s</code> hold the reply back (ms, s, m; at most 10 minutes);{' '}
                <code>disconnect</code> close the connection without a reply
              </dd>
            </div>
            <div>
              <dt>Options</dt>
              <dd>
                <code>p=0.1</code> probability; <code>times=2</code> fire twice, then stop;{' '}
                <code>match=*@flaky.test</code> glob on the address or name; <code>client=10.0.0.0/8</code>{' '}
                only connections from this network or address (IPv4 or IPv6); <code>profile=</code>
                {PROFILE_NAMES.join(', ')}; <code>id=NAME</code>; <code>text=...</code> the reply text, last
              </dd>
            </div>
          </dl>
        </section>
      </div>
      <ConfirmDialog
        open={confirmClear}
        title="Remove every chaos rule?"
        body="SMTP goes back to behaving normally on every listener. The rules and their counters are gone."
        confirmLabel="Remove all"
        onConfirm={() => void removeAll()}
        onCancel={() => setConfirmClear(false)}
      />
    </div>
  );
}

function RuleTable({
  rules,
  busy,
  onRemove,
}: {
  rules: ChaosRuleStatus[];
  busy: boolean;
  onRemove: (id: string) => void;
}) {
  return (
    // Focusable so keyboard users can scroll the table sideways on a phone.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1).
    <section class="scroll-panel" aria-label="Chaos rules in force" tabIndex={0}>
      <table class="headers-table chaos-table">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Stage</th>
            <th scope="col">Action</th>
            <th scope="col">Probability</th>
            <th scope="col">Times</th>
            <th scope="col">Match</th>
            <th scope="col">Client</th>
            <th scope="col">Profile</th>
            <th scope="col">Fired</th>
            <th scope="col">
              <span class="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <tr key={rule.id}>
              <th scope="row">{rule.id}</th>
              <td>{rule.stage}</td>
              <td>
                <ActionCell action={rule.action} />
              </td>
              <td>{percent.format(rule.probability)}</td>
              <td>
                {rule.times === undefined ? (
                  <span class="muted">every time</span>
                ) : (
                  `${formatCount(rule.remaining ?? 0)} of ${formatCount(rule.times)} left`
                )}
              </td>
              <td class="chaos-match">{rule.match ?? <span class="muted">anything</span>}</td>
              <td class="chaos-client">{rule.client ?? <span class="muted">every client</span>}</td>
              <td>{rule.profile ?? <span class="muted">every listener</span>}</td>
              <td class="chaos-fired">{formatCount(rule.fired)}</td>
              <td>
                <button
                  type="button"
                  class="button button-small button-danger-quiet"
                  aria-label={`Remove rule ${rule.id}`}
                  disabled={busy}
                  onClick={() => onRemove(rule.id)}
                >
                  <Icon name="trash" size={14} />
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ActionCell({ action }: { action: ChaosAction }) {
  switch (action.type) {
    case 'reply':
      return (
        <>
          <span class="chaos-code">
            {action.code} {action.enhancedCode}
          </span>
          <span class="chaos-reply-text">{action.text}</span>
        </>
      );
    case 'delay':
      return <>delay {formatDelay(action.delayMs)}</>;
    case 'disconnect':
      return <>disconnect</>;
  }
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${formatCount(ms)} ms` : `${formatCount(ms / 1000)} s`;
}

function refusals(failure: ApiError): readonly FieldProblem[] {
  return failure.fieldProblems.length > 0 ? failure.fieldProblems : [{ path: '', message: failure.detail }];
}
