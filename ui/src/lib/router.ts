/**
 * A minimal History-API router. The HTTP server falls back to index.html for unknown paths, so
 * every view has a real, shareable URL.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'inbox'; messageId: string | null }
  | { view: 'sessions'; sessionId: string | null }
  | { view: 'setup' }
  | { view: 'chaos' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'messages' && parts[1]) return { view: 'inbox', messageId: parts[1] };
  if (parts[0] === 'sessions') return { view: 'sessions', sessionId: parts[1] ?? null };
  if (parts[0] === 'setup') return { view: 'setup' };
  if (parts[0] === 'chaos') return { view: 'chaos' };
  return { view: 'inbox', messageId: null };
}

export function routePath(route: Route): string {
  switch (route.view) {
    case 'inbox':
      return route.messageId === null ? '/' : `/messages/${encodeURIComponent(route.messageId)}`;
    case 'sessions':
      return route.sessionId === null ? '/sessions' : `/sessions/${encodeURIComponent(route.sessionId)}`;
    case 'setup':
      return '/setup';
    case 'chaos':
      return '/chaos';
  }
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => {
  for (const listener of listeners) listener();
});

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (path === location.pathname) return;
  if (options.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return route;
}

/** Props for an `<a>` that navigates in-app on a plain click and still opens in a new tab on ctrl/cmd-click. */
export function linkProps(route: Route): { href: string; onClick: (event: MouseEvent) => void } {
  return {
    href: routePath(route),
    onClick: (event: MouseEvent) => {
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(route);
    },
  };
}
