/**
 * Which methods each path of the app answers, so that a request no route took is answered for what
 * it is: another method on a known path gets 405 with an `Allow` header (RFC 9110 §15.5.6) and
 * OPTIONS that header alone, instead of a 404 that suggests the path does not exist.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, sendProblem } from './problem.js';

interface RoutePattern {
  method: string;
  /** `/api/v1/messages/:id` as an anchored expression; a parameter is one non-empty path segment. */
  pattern: RegExp;
}

export class RouteMethods {
  readonly #routes: RoutePattern[] = [];

  /** Records every route registered on `app` from now on (call before registering them). */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', ({ method, url, path }) => {
      const route = url ?? path;
      // The static UI's catch-all owns no method: its misses are the SPA's or 404s.
      if (route.includes('*')) return;
      for (const one of [method].flat()) this.#routes.push({ method: one, pattern: toPattern(route) });
    });
  }

  /** The methods `path` (no query) answers, sorted; empty when no route has this path. */
  allowed(path: string): string[] {
    const methods = new Set(
      this.#routes.filter((route) => route.pattern.test(path)).map((route) => route.method),
    );
    return [...methods].sort();
  }

  /** Answers a request that matched no route: 204 to OPTIONS, 405 for another method, else 404. */
  answerUnmatched(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = this.allowed(path);
    if (allowed.length > 0 && request.method === 'OPTIONS') {
      return reply
        .code(204)
        .header('allow', [...allowed, 'OPTIONS'].join(', '))
        .send();
    }
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      const detail = `${path} does not take ${request.method}; it takes ${allowed.join(', ')}. The API is described at /api/openapi.json.`;
      return sendProblem(
        reply,
        request,
        new HttpProblem(405, detail, { headers: { allow: allowed.join(', ') } }),
      );
    }
    const withoutSlash = path.replace(/\/+$/, '');
    const hint =
      withoutSlash !== path && this.allowed(withoutSlash).length > 0
        ? `the route is ${withoutSlash}, without the trailing slash`
        : 'the API is described at /api/openapi.json';
    return sendProblem(reply, request, new HttpProblem(404, `No route ${request.method} ${path}; ${hint}.`));
  }
}

function toPattern(route: string): RegExp {
  const segments = route
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}
