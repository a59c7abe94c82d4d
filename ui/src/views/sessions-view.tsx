/**
 * Sessions: every SMTP connection, failed ones included. Problems first: when any session has a
 * diagnostic, the list opens filtered to those, and each diagnostic is shown in plain language with
 * the fix next to the transcript line where it happened.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { CHAOS_EVENT_PREFIX } from '../../../src/chaos/rules.js';
import { DIAGNOSTIC_CODES } from '../../../src/diagnostics/catalogue.js';
import { PORT_PROFILES } from '../../../src/profiles/port-profiles.js';
import { decodedChallenge } from '../../../src/protocol/challenge-text.js';
import { hasProblems } from '../../../src/storage/session-record.js';
import { api } from '../api/client.js';
import type {
  DiagnosticCode,
  SessionOutcome,
  SessionRecord,
  SessionSummary,
  TranscriptLine,
} from '../api/types.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { FixText } from '../components/fix-text.js';
import { Icon } from '../components/icon.js';
import { TlsFacts } from '../components/tls-facts.js';
import { GridCell, VirtualList, type VirtualListHandle } from '../components/virtual-list.js';
import { announce } from '../lib/announce.js';
import { focusOnMount, useFocusRowOnClose } from '../lib/focus.js';
import { formatCount, fullDate, offset, shortDate } from '../lib/format.js';
import { useShortcuts } from '../lib/keys.js';
import { linkProps, navigate, routePath } from '../lib/router.js';
import { type SessionFilter, useSessionList } from '../lib/use-session-list.js';

const ROW_HEIGHT = 72;

const OUTCOME_LABEL: Record<SessionOutcome, string> = {
  delivered: 'Delivered',
  quit: 'Quit',
  failed: 'Failed',
  disconnected: 'Disconnected',
  timeout: 'Timed out',
  rejected: 'Rejected',
};

interface SessionsViewProps {
  sessionId: string | null;
  problemTotal: number;
}

export function SessionsView({ sessionId, problemTotal }: SessionsViewProps) {
  // Problems only by default while there are any: a misconfigured client is what people come here for.
  const [filter, setFilter] = useState<SessionFilter>({ problems: problemTotal > 0, diagnostic: '' });
  const touched = useRef(false);
  useEffect(() => {
    if (!touched.current && problemTotal > 0) setFilter((now) => ({ ...now, problems: true }));
  }, [problemTotal > 0]);
  const list = useSessionList(filter);
  const listHandle = useRef<VirtualListHandle>(null);
  const [confirmClear, setConfirmClear] = useState(false);
  const [clearError, setClearError] = useState<string | null>(null);

  async function clearAll() {
    setConfirmClear(false);
    setClearError(null);
    try {
      await api.clearSessions();
      announce('Every session deleted');
      if (sessionId !== null) navigate({ view: 'sessions', sessionId: null }, { replace: true });
      list.reload();
    } catch (failure) {
      setClearError(failure instanceof Error ? failure.message : String(failure));
    }
  }
  const activeIndex = useMemo(
    () => (sessionId === null ? -1 : list.items.findIndex((session) => session.id === sessionId)),
    [sessionId, list.items],
  );

  useFocusRowOnClose(
    sessionId,
    (id) => routePath({ view: 'sessions', sessionId: id }),
    (id) => listHandle.current?.scrollToIndex(list.items.findIndex((session) => session.id === id)),
  );

  function open(index: number) {
    const session = list.items[index];
    if (session === undefined) return;
    navigate({ view: 'sessions', sessionId: session.id }, { replace: sessionId !== null });
    listHandle.current?.scrollToIndex(index);
  }

  useShortcuts((event) => {
    if (event.key === 'j') open(activeIndex < 0 ? 0 : Math.min(list.items.length - 1, activeIndex + 1));
    else if (event.key === 'k') open(activeIndex < 0 ? 0 : Math.max(0, activeIndex - 1));
    else if (event.key === 'Escape' && sessionId !== null) navigate({ view: 'sessions', sessionId: null });
    else return;
    event.preventDefault();
  });

  const update = (next: Partial<SessionFilter>) => {
    touched.current = true;
    setFilter((now) => ({ ...now, ...next }));
  };

  return (
    <div class={sessionId === null ? 'split' : 'split split-detail-open'}>
      <section class="pane list-pane" aria-labelledby="sessions-title">
        <header class="pane-head">
          <div class="pane-title-row">
            <h1 id="sessions-title" class="pane-title">
              Sessions
            </h1>
            <span class="pane-title-end">
              <span class="count">
                {formatCount(list.total)}{' '}
                {filter.problems ? 'with problems' : list.total === 1 ? 'session' : 'sessions'}
              </span>
              <button
                type="button"
                class="button button-small button-quiet"
                disabled={list.total === 0 && !filter.problems && filter.diagnostic === ''}
                onClick={() => setConfirmClear(true)}
              >
                Clear all
              </button>
            </span>
          </div>
          <div class="filters">
            <label class="switch">
              <input
                type="checkbox"
                role="switch"
                aria-checked={filter.problems}
                checked={filter.problems}
                onChange={(event) => update({ problems: event.currentTarget.checked })}
              />
              <span class="switch-track" aria-hidden="true" />
              Problems only
            </label>
            <label class="select-label">
              <span class="sr-only">Diagnostic</span>
              <select
                value={filter.diagnostic}
                onChange={(event) => update({ diagnostic: event.currentTarget.value as DiagnosticCode | '' })}
              >
                <option value="">Any diagnostic</option>
                {DIAGNOSTIC_CODES.map((code) => (
                  <option key={code} value={code}>
                    {code}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </header>
        {list.error !== null && (
          <div class="banner banner-error" role="alert">
            Could not load sessions: {list.error}
          </div>
        )}
        {clearError !== null && (
          <div class="banner banner-error" role="alert">
            Clear failed: {clearError}
          </div>
        )}
        {/* After a failed load the list is unknown, not empty: the error banner says so. */}
        {list.items.length === 0 && !list.loading && list.error === null ? (
          <div class="placeholder">
            <Icon name={filter.problems ? 'check' : 'activity'} size={36} />
            <p>
              {filter.problems ? 'No sessions with problems. Every client behaved.' : 'No SMTP sessions yet.'}
            </p>
          </div>
        ) : (
          <VirtualList
            count={list.items.length}
            rowHeight={ROW_HEIGHT}
            label="Sessions"
            rowKey={(index) => list.items[index]?.id ?? String(index)}
            renderRow={(index) => {
              const session = list.items[index];
              return session === undefined ? null : (
                <SessionRow session={session} active={session.id === sessionId} />
              );
            }}
            activeKey={sessionId}
            onOpen={open}
            onNearEnd={list.loadMore}
            handle={listHandle}
          />
        )}
      </section>
      <section class="pane detail-pane" aria-label="Session">
        {sessionId === null ? (
          <div class="placeholder">
            <Icon name="activity" size={40} />
            <p>Select a session to see its transcript and diagnostics.</p>
          </div>
        ) : (
          <SessionDetail key={sessionId} id={sessionId} />
        )}
      </section>
      <ConfirmDialog
        open={confirmClear}
        title="Delete every session?"
        body="Every SMTP session and its transcript is deleted, whatever the filters show. Captured messages stay."
        confirmLabel="Delete"
        onCancel={() => setConfirmClear(false)}
        onConfirm={() => void clearAll()}
      />
    </div>
  );
}

function SessionRow({ session, active }: { session: SessionSummary; active: boolean }) {
  const problem = hasProblems(session);
  const first = session.diagnostics[0];
  return (
    <GridCell class="row-cell">
      <a
        class={`row session-row${active ? ' row-active' : ''}`}
        aria-current={active ? 'true' : undefined}
        {...linkProps({ view: 'sessions', sessionId: session.id })}
      >
        <span class={problem ? 'status status-bad' : 'status status-ok'} aria-hidden="true">
          <Icon name={problem ? 'alert' : 'check'} size={16} />
        </span>
        <span class="row-body">
          <span class="row-top">
            <span class="row-from">
              :{session.listener.port} <span class="muted">{session.listener.profile}</span>
            </span>
            <span class={`outcome outcome-${session.outcome}`}>{OUTCOME_LABEL[session.outcome]}</span>
            <time class="row-date" dateTime={session.startedAt}>
              {shortDate(session.startedAt)}
            </time>
          </span>
          <span class="row-snippet">
            {/* A failure chaos caused on purpose is no problem, but never left unexplained. */}
            {session.chaos !== undefined && (
              <>
                <span class="chaos-badge">chaos</span>{' '}
              </>
            )}
            {first !== undefined && (
              <>
                <code class="diag-code">{first.code}</code>
                {session.diagnostics.length > 1 && ` +${session.diagnostics.length - 1}`}
                {' · '}
              </>
            )}
            {session.client.address}
            {session.heloName !== null && ` · ${session.heloName}`}
            {session.messageIds.length > 0 &&
              ` · ${session.messageIds.length} ${session.messageIds.length === 1 ? 'message' : 'messages'}`}
          </span>
        </span>
      </a>
    </GridCell>
  );
}

function SessionDetail({ id }: { id: string }) {
  const [session, setSession] = useState<SessionRecord | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    api
      .getSession(id)
      .then((record) => !cancelled && setSession(record))
      .catch(
        (failure: unknown) =>
          !cancelled && setError(failure instanceof Error ? failure.message : String(failure)),
      );
    return () => {
      cancelled = true;
    };
  }, [id]);

  if (error !== null)
    return (
      <div class="placeholder">
        <Icon name="alert" size={36} />
        <p>This session could not be loaded: {error}</p>
      </div>
    );
  if (session === null)
    return (
      <div class="placeholder muted" aria-busy="true">
        Loading session…
      </div>
    );

  const duration =
    session.endedAt === null
      ? null
      : new Date(session.endedAt).getTime() - new Date(session.startedAt).getTime();
  const profile = PORT_PROFILES[session.listener.profile];

  return (
    <article class="session" aria-labelledby="session-title">
      <header class="message-head">
        <div class="message-actions">
          <button
            type="button"
            class="icon-button back-button"
            aria-label="Back to sessions"
            onClick={() => navigate({ view: 'sessions', sessionId: null })}
          >
            <Icon name="back" />
          </button>
        </div>
        <h2 id="session-title" class="message-subject" tabIndex={-1} ref={focusOnMount}>
          {session.client.address} → :{session.listener.port}{' '}
          <span class={`outcome outcome-${session.outcome}`}>{OUTCOME_LABEL[session.outcome]}</span>
        </h2>
        <p class="muted small">
          {fullDate(session.startedAt)}
          {duration !== null && ` · ${(duration / 1000).toFixed(2)} s`} · {profile.label}
        </p>
      </header>

      <dl class="facts-grid facts session-facts">
        <div class="fact">
          <dt>
            <Icon name={session.tls === null ? 'unlock' : 'lock'} size={14} /> TLS
          </dt>
          <dd>{session.tls === null ? <span class="muted">None</span> : <TlsFacts tls={session.tls} />}</dd>
        </div>
        <div class="fact">
          <dt>
            <Icon name="key" size={14} /> AUTH
          </dt>
          <dd>
            {session.auth !== null ? (
              <>
                <strong>{session.auth.user}</strong> <span class="tag">{session.auth.mechanism}</span>
              </>
            ) : session.diagnostics.some((diagnostic) => diagnostic.code === 'auth-failed') ? (
              // No login succeeded, but one was tried: "None" would read as "the client never sent AUTH".
              <span class="fact-refused">Refused</span>
            ) : (
              <span class="muted">None</span>
            )}
          </dd>
        </div>
        <div class="fact">
          <dt>EHLO</dt>
          <dd>{session.heloName ?? <span class="muted">none</span>}</dd>
        </div>
        <div class="fact">
          <dt>
            <Icon name="mail" size={14} /> Messages
          </dt>
          <dd>
            {session.messageIds.length === 0 ? (
              <span class="muted">none accepted</span>
            ) : (
              session.messageIds.map((messageId, index) => (
                <a key={messageId} {...linkProps({ view: 'inbox', messageId })}>
                  {index > 0 && ', '}#{index + 1}
                </a>
              ))
            )}
          </dd>
        </div>
      </dl>

      {session.diagnostics.length > 0 && (
        <section class="diagnostics" aria-labelledby="diagnostics-title">
          <h3 id="diagnostics-title" class="section-title">
            What went wrong
          </h3>
          {session.diagnostics.map((diagnostic, index) => (
            <div key={index} class="diagnostic">
              <Icon name="alert" size={20} />
              <div>
                <p class="diagnostic-message">
                  {diagnostic.message} <code class="diag-code">{diagnostic.code}</code>
                </p>
                {diagnostic.detail !== undefined && <p class="diagnostic-detail">{diagnostic.detail}</p>}
                <p class="diagnostic-fix">
                  <strong>Fix:</strong> <FixText text={diagnostic.fix} />
                </p>
              </div>
            </div>
          ))}
        </section>
      )}
      {session.lastError !== null && session.diagnostics.length === 0 && (
        <p class="banner banner-error">Last error: {session.lastError}</p>
      )}

      {session.transcript.some(isChaosLine) && (
        <p class="chaos-note">
          <Icon name="zap" size={18} />
          <span>
            A chaos rule acted on this session on purpose: the lines marked{' '}
            <span class="chaos-badge">chaos</span> and the replies after them are the sandbox's doing, not
            your client's. <a {...linkProps({ view: 'chaos' })}>See the chaos rules</a>
          </span>
        </p>
      )}

      <section class="transcript-section" aria-labelledby="transcript-title">
        <h3 id="transcript-title" class="section-title">
          Transcript{' '}
          <span class="legend">
            <span class="dir dir-C">C</span> client <span class="dir dir-S">S</span> server{' '}
            <span class="dir dir-event">•</span> event
          </span>
        </h3>
        <Transcript session={session} />
      </section>
    </article>
  );
}

function Transcript({ session }: { session: SessionRecord }) {
  // Diagnostics are placed after the last line at or before their time.
  const rows: ({ kind: 'line'; index: number } | { kind: 'diag'; index: number })[] = [];
  const pending = session.diagnostics.map((diagnostic, index) => ({ t: diagnostic.t, index }));
  session.transcript.forEach((line, index) => {
    while (pending.length > 0 && (pending[0]?.t ?? 0) < line.t)
      rows.push({ kind: 'diag', index: pending.shift()?.index ?? 0 });
    rows.push({ kind: 'line', index });
  });
  for (const rest of pending) rows.push({ kind: 'diag', index: rest.index });

  if (session.transcript.length === 0) return <p class="empty-panel">No bytes were exchanged.</p>;
  return (
    <ol class="transcript" aria-label="SMTP transcript">
      {rows.map((row) => {
        if (row.kind === 'diag') {
          const diagnostic = session.diagnostics[row.index];
          return diagnostic === undefined ? null : (
            <li key={`d${row.index}`} class="t-line t-diag">
              <span class="t-time">{offset(diagnostic.t)}</span>
              <span class="dir dir-diag">
                <span aria-hidden="true">!</span>
                <span class="sr-only">diagnostic</span>
              </span>
              <span class="t-text">
                {diagnostic.code}: {diagnostic.message}
              </span>
            </li>
          );
        }
        const line = session.transcript[row.index];
        if (line === undefined) return null;
        const dirClass = line.dir === '*' ? 'event' : line.dir;
        const isError = line.dir === 'S' && /^[45]\d\d/.test(line.text);
        const isChaos = isChaosLine(line);
        const decoded = line.dir === 'S' ? decodedChallenge(line.text) : null;
        return (
          <li
            key={`l${row.index}`}
            class={`t-line t-${dirClass}${isError ? ' t-error' : ''}${isChaos ? ' t-chaos' : ''}`}
          >
            <span class="t-time">{offset(line.t)}</span>
            <span class={`dir dir-${dirClass}`}>
              <span aria-hidden="true">{line.dir === '*' ? '•' : line.dir}</span>
              <span class="sr-only">
                {line.dir === 'C' ? 'client' : line.dir === 'S' ? 'server' : 'event'}
              </span>
            </span>
            <span class="t-text">
              {isChaos && <span class="chaos-badge">chaos</span>}
              {line.text}
              {decoded !== null && (
                <span class="t-decoded" title="The challenge, decoded from base64">
                  {decoded}
                </span>
              )}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** An event line written by a chaos rule: a failure made up on purpose, not the client's doing. */
function isChaosLine(line: TranscriptLine): boolean {
  return line.dir === '*' && line.text.startsWith(CHAOS_EVENT_PREFIX);
}
