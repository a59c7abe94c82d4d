/**
 * Navigation: the four views, the listeners as one-click port filters, and whether live updates
 * are flowing. On phones it becomes a bottom tab bar. While chaos rules are active, the Chaos item
 * turns into a warning with their count, in every layout: mail failing on purpose must never be
 * mistaken for a real problem.
 */
import type { LiveStatus } from '../api/live.js';
import type { ServerInfo } from '../api/types.js';
import { formatCount } from '../lib/format.js';
import { tlsShort } from '../lib/listener.js';
import { linkProps, type Route } from '../lib/router.js';
import { Icon, type IconName, Logo } from './icon.js';
import { RoomyText } from './roomy-text.js';

interface SidebarProps {
  route: Route;
  info: ServerInfo | null;
  problems: number;
  unread: number;
  /** How many chaos rules are in force. */
  chaosRules: number;
  status: LiveStatus;
  portFilter: number | null;
  onPortFilter: (port: number | null) => void;
  onHelp: () => void;
}

const STATUS_TEXT: Record<LiveStatus, string> = {
  live: 'Live',
  connecting: 'Connecting…',
  offline: 'Offline',
};

export function Sidebar({
  route,
  info,
  problems,
  unread,
  chaosRules,
  status,
  portFilter,
  onPortFilter,
  onHelp,
}: SidebarProps) {
  const item = (
    target: Route,
    icon: IconName,
    label: string,
    badge?: { count: number; tone: 'plain' | 'alert' | 'warn'; meaning: string },
    title?: string,
  ) => (
    <li>
      <a
        class={badge?.tone === 'warn' && badge.count > 0 ? 'nav-item nav-item-warn' : 'nav-item'}
        aria-current={route.view === target.view ? 'page' : undefined}
        title={title}
        {...linkProps(target)}
      >
        <Icon name={icon} size={20} />
        <span class="nav-label">{label}</span>
        {badge !== undefined && badge.count > 0 && (
          <span class={badge.tone === 'plain' ? 'badge' : `badge badge-${badge.tone}`}>
            {formatCount(badge.count)}
            <span class="sr-only"> {badge.meaning}</span>
          </span>
        )}
      </a>
    </li>
  );

  return (
    <nav class="sidebar" aria-label="Main">
      <div class="brand">
        <Logo />
        <div class="brand-text">
          <span class="brand-name">Mailport</span>
          {info !== null && <span class="brand-version">v{info.version}</span>}
        </div>
      </div>
      <ul class="nav-list">
        {item({ view: 'inbox', messageId: null }, 'inbox', 'Inbox', {
          count: unread,
          tone: 'plain',
          meaning: 'unread',
        })}
        {item({ view: 'sessions', sessionId: null }, 'activity', 'Sessions', {
          count: problems,
          tone: 'alert',
          meaning: 'with problems',
        })}
        {item({ view: 'setup' }, 'plug', 'Setup')}
        {item(
          { view: 'chaos' },
          chaosRules > 0 ? 'alert' : 'zap',
          'Chaos',
          { count: chaosRules, tone: 'warn', meaning: chaosRules === 1 ? 'rule active' : 'rules active' },
          chaosRules > 0
            ? `SMTP fails on purpose: ${chaosRules} chaos ${chaosRules === 1 ? 'rule is' : 'rules are'} active`
            : 'Make SMTP fail on purpose',
        )}
      </ul>

      {info !== null && info.listeners.length > 0 && (
        <section class="listeners" aria-labelledby="listeners-title">
          <h2 id="listeners-title" class="nav-heading">
            Listeners
          </h2>
          <ul>
            {info.listeners.map((listener) => {
              const active = portFilter === listener.port;
              return (
                <li key={listener.port}>
                  <button
                    type="button"
                    class="listener-filter"
                    aria-pressed={active}
                    title={`Show only mail received on port ${listener.port} (${listener.label})`}
                    onClick={() => onPortFilter(active ? null : listener.port)}
                  >
                    <span class="port">:{listener.port}</span>
                    <span class="listener-name">{listener.profile}</span>
                    <span class="listener-tls">{tlsShort(listener.tls)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      )}

      <div class="sidebar-foot">
        <span class={`live live-${status}`} role="status" title={`Live updates: ${STATUS_TEXT[status]}`}>
          <span class="live-dot" aria-hidden="true" />
          <RoomyText class="live-text" text={STATUS_TEXT[status]} />
        </span>
        <button
          type="button"
          class="icon-button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={onHelp}
        >
          <Icon name="keyboard" />
        </button>
      </div>
    </nav>
  );
}
