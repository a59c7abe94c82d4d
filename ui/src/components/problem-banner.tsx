/**
 * The inbox banner for the newest session with problems, e.g. an app that used implicit TLS on a
 * STARTTLS port: it names the mistake and links to the transcript. Dismissed per session.
 */
import { useState } from 'preact/hooks';
import { focusMain } from '../lib/focus.js';
import { formatCount } from '../lib/format.js';
import { linkProps } from '../lib/router.js';
import type { Problems } from '../lib/use-problems.js';
import { Icon } from './icon.js';

const DISMISSED_KEY = 'mailport.dismissedProblem';

export function ProblemBanner({ problems }: { problems: Problems }) {
  const [dismissed, setDismissed] = useState(() => localStorage.getItem(DISMISSED_KEY));
  const latest = problems.latest;
  if (latest === null || dismissed === latest.id) return null;
  const diagnostic = latest.diagnostics[0];
  const others = problems.total - 1;
  return (
    <div class="problem-banner" role="alert">
      <Icon name="alert" size={20} />
      <div class="problem-text">
        <p class="problem-title">
          A client failed on port {latest.listener.port}
          {diagnostic !== undefined && <code class="diag-code">{diagnostic.code}</code>}
        </p>
        <p class="problem-body">
          {diagnostic?.message ?? latest.lastError ?? 'The session ended with an error.'}
        </p>
        <p class="problem-links">
          <a {...linkProps({ view: 'sessions', sessionId: latest.id })}>
            See the transcript and the fix
            <Icon name="chevronRight" size={14} />
          </a>
          {others > 0 && (
            <a {...linkProps({ view: 'sessions', sessionId: null })}>
              {formatCount(others)} more {others === 1 ? 'session' : 'sessions'} with problems
            </a>
          )}
        </p>
      </div>
      <button
        type="button"
        class="icon-button"
        aria-label="Dismiss"
        onClick={() => {
          localStorage.setItem(DISMISSED_KEY, latest.id);
          setDismissed(latest.id);
          // This button goes with the banner.
          focusMain();
        }}
      >
        <Icon name="x" size={16} />
      </button>
    </div>
  );
}
