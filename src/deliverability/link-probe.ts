/**
 * Link probing, only when a request asks for it: a HEAD request per distinct http(s) URL (GET when
 * the server refuses HEAD), redirects followed a few hops and reported, no cookies, bodies
 * discarded unread, every probe bounded in time and their number capped.
 */
import { VERSION } from '../version.js';
import { webUrl } from './links.js';
import { DEFAULT_PROBE_SETTINGS, type ProbeSettings } from './settings.js';
import type { LinkCheck, LinkProbe, LinkRedirect } from './types.js';

/** Answers that mean "this server does not do HEAD" (RFC 9110 §15.5.6, §15.6.2). */
const HEAD_REFUSED = new Set([405, 501]);

/** Probes the links in place: sets `probe` and adds `broken-link` or `unreachable-link` to `problems`. */
export async function probeLinks(
  links: readonly LinkCheck[],
  settings: ProbeSettings = DEFAULT_PROBE_SETTINGS,
): Promise<void> {
  const byUrl = new Map<string, LinkCheck[]>();
  for (const link of links) {
    if (webUrl(link.url) === null) continue;
    byUrl.set(link.url, [...(byUrl.get(link.url) ?? []), link]);
  }
  const urls = [...byUrl.keys()];
  const probes = new Map<string, LinkProbe>();
  for (const url of urls.slice(settings.maxLinks)) probes.set(url, skipped(settings.maxLinks));
  const queue = urls.slice(0, settings.maxLinks);
  const worker = async (): Promise<void> => {
    for (let url = queue.shift(); url !== undefined; url = queue.shift()) {
      probes.set(url, await probeUrl(url, settings));
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  for (const [url, sharing] of byUrl) {
    const probe = probes.get(url) ?? skipped(settings.maxLinks);
    for (const link of sharing) {
      link.probe = probe;
      if (probe.outcome === 'broken') link.problems.push('broken-link');
      if (probe.outcome === 'unreachable') link.problems.push('unreachable-link');
    }
  }
}

function skipped(maxLinks: number): LinkProbe {
  return {
    outcome: 'skipped',
    status: null,
    method: null,
    redirects: [],
    finalUrl: null,
    error: `not probed: only the first ${maxLinks} distinct links are`,
    elapsedMs: 0,
  };
}

export async function probeUrl(url: string, settings: ProbeSettings): Promise<LinkProbe> {
  const started = performance.now();
  const signal = AbortSignal.timeout(settings.timeoutMs);
  const redirects: LinkRedirect[] = [];
  let method: 'HEAD' | 'GET' = 'HEAD';
  let current = url;
  let status: number | null = null;
  const result = (outcome: LinkProbe['outcome'], error: string | null): LinkProbe => ({
    outcome,
    status,
    method,
    redirects,
    finalUrl: current,
    error,
    elapsedMs: Math.round(performance.now() - started),
  });

  try {
    for (;;) {
      let response = await request(current, method, signal);
      if (method === 'HEAD' && HEAD_REFUSED.has(response.status)) {
        method = 'GET';
        response = await request(current, method, signal);
      }
      status = response.status;
      const location = response.headers.get('location');
      if (status < 300 || status >= 400 || location === null) {
        return result(status < 400 ? 'reachable' : 'broken', null);
      }
      if (redirects.length === settings.maxRedirects) {
        return result('unreachable', `more than ${settings.maxRedirects} redirects`);
      }
      const next = URL.canParse(location, current) ? webUrl(new URL(location, current).href) : null;
      if (next === null)
        return result('unreachable', `redirect to a location that is not http(s): ${location}`);
      redirects.push({ status, location: next.href });
      current = next.href;
    }
  } catch (error) {
    return result('unreachable', describeFetchError(error, settings.timeoutMs));
  }
}

async function request(url: string, method: 'HEAD' | 'GET', signal: AbortSignal): Promise<Response> {
  const response = await fetch(url, {
    method,
    redirect: 'manual',
    signal,
    credentials: 'omit',
    headers: { 'user-agent': `Mailport/${VERSION} link check`, accept: '*/*' },
  });
  // Only the status and headers matter: never read or keep a body.
  await response.body?.cancel();
  return response;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  if (cause?.code !== undefined) return `${cause.code}: ${cause.message}`;
  return error instanceof Error ? error.message : String(error);
}
