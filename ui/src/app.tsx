/** The application shell: navigation, the current view, global shortcuts, help and live status. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api/client.js';
import { type LiveStatus, live } from './api/live.js';
import type { ServerInfo } from './api/types.js';
import { HelpDialog } from './components/help-dialog.js';
import { Sidebar } from './components/sidebar.js';
import { setAnnouncer } from './lib/announce.js';
import { useShortcuts } from './lib/keys.js';
import { navigate, useRoute } from './lib/router.js';
import { useChaosRules } from './lib/use-chaos-rules.js';
import { useProblems } from './lib/use-problems.js';
import { useUnreadCount } from './lib/use-unread-count.js';
import { ChaosView } from './views/chaos-view.js';
import { InboxView } from './views/inbox-view.js';
import { SessionsView } from './views/sessions-view.js';
import { SetupView } from './views/setup-view.js';

export function App() {
  const route = useRoute();
  const problems = useProblems();
  const unread = useUnreadCount();
  const chaos = useChaosRules();
  const [info, setInfo] = useState<ServerInfo | null>(null);
  const [infoError, setInfoError] = useState<string | null>(null);
  const [status, setStatus] = useState<LiveStatus>(live.status);
  const [helpOpen, setHelpOpen] = useState(false);
  const [portFilter, setPortFilter] = useState<number | null>(null);
  const pendingG = useRef(false);

  useEffect(() => {
    api
      .info()
      .then(setInfo)
      .catch((failure: unknown) =>
        setInfoError(failure instanceof Error ? failure.message : String(failure)),
      );
    return live.onStatus(setStatus);
  }, []);

  useEffect(() => {
    const titles = { inbox: 'Inbox', sessions: 'Sessions', setup: 'Setup', chaos: 'Chaos' } as const;
    document.title = `${unread > 0 ? `(${unread}) ` : ''}${titles[route.view]} · Mailport`;
  }, [route.view, unread]);

  useShortcuts((event) => {
    if (pendingG.current) {
      pendingG.current = false;
      const target = { i: 'inbox', s: 'sessions', p: 'setup', c: 'chaos' }[event.key];
      if (target === 'inbox') navigate({ view: 'inbox', messageId: null });
      if (target === 'sessions') navigate({ view: 'sessions', sessionId: null });
      if (target === 'setup') navigate({ view: 'setup' });
      if (target === 'chaos') navigate({ view: 'chaos' });
      if (target !== undefined) event.preventDefault();
      return;
    }
    if (event.key === 'g') pendingG.current = true;
    if (event.key === '?') {
      event.preventDefault();
      setHelpOpen(true);
    }
  });

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar
        route={route}
        info={info}
        problems={problems.total}
        unread={unread}
        chaosRules={chaos.rules?.length ?? 0}
        status={status}
        portFilter={portFilter}
        onPortFilter={(port) => {
          setPortFilter(port);
          navigate({ view: 'inbox', messageId: null });
        }}
        onHelp={() => setHelpOpen(true)}
      />
      <main id="main" class="main" tabIndex={-1}>
        {infoError !== null && (
          <div class="banner banner-error" role="alert">
            {/* One flex item, so the sentence wraps as text around the <code> on a phone. */}
            <span>
              Cannot reach the Mailport API ({infoError}). Is <code>mailport serve</code> still running?
            </span>
          </div>
        )}
        {status === 'offline' && (
          // The sidebar's indicator is hidden in the narrow layouts: a dropped stream must show anyway.
          <div class="banner banner-error" role="alert">
            <span>
              Lost the connection to Mailport: new mail and sessions will not appear until it is back. Is{' '}
              <code>mailport serve</code> still running? Retrying…
            </span>
          </div>
        )}
        {route.view === 'inbox' && (
          <InboxView
            messageId={route.messageId}
            info={info}
            problems={problems}
            portFilter={portFilter}
            onPortFilter={setPortFilter}
          />
        )}
        {route.view === 'sessions' && (
          <SessionsView sessionId={route.sessionId} problemTotal={problems.total} />
        )}
        {route.view === 'setup' && <SetupView info={info} />}
        {route.view === 'chaos' && <ChaosView chaos={chaos} />}
      </main>
      <div class="sr-only" aria-live="polite" aria-atomic="true" ref={setAnnouncer} />
      <HelpDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
