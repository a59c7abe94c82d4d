/** `GET /api/v1/messages/{id}/checks`: the deliverability report of a message, computed on request. */
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { DEFAULT_DELIVERABILITY_SETTINGS } from '../../deliverability/settings.js';
import type { ApiInstance, RouteContext } from '../deps.js';
import { HttpProblem, messageNotFound } from '../problem.js';
import { DeliverabilityReportSchema } from '../schemas/checks.js';
import { flag, IdParamsSchema, isFlagSet, problemResponse, ref } from '../schemas/common.js';

export function registerCheckRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const settings = deps.deliverability ?? DEFAULT_DELIVERABILITY_SETTINGS;
  // The checks' libraries cost about 40 MiB of RSS: a sandbox that is never asked for a report
  // does not load them (settings.ts).
  let checks: Promise<typeof import('../../deliverability/report.js')> | null = null;

  app.get(
    '/api/v1/messages/:id/checks',
    {
      schema: {
        operationId: 'checkMessage',
        tags: ['messages'],
        summary:
          'Check deliverability: SPF, DKIM, DMARC, ARC, content, links, SpamAssassin and HTML compatibility',
        description:
          'Computed on every request, with live DNS answers (the server of `--dns-server`, or the system resolver); nothing is stored. SPF is evaluated for `ip`, else the server’s `--sending-ip`, else the address the message reached the sandbox from (`sendingIp.source` says which). DNS failures and timeouts show as `temperror`, bounded in time. Links are requested only with `probeLinks=true`. With `--spamassassin`, spamd scores the message (5 s at most, messages up to 500 KiB); a spamd that fails is reported in `spamAssassin`, never as a failed request. The HTML body is checked against caniemail.com’s support data for the email clients of `clients` (all by default).',
        params: IdParamsSchema,
        querystring: Type.Object({
          ip: Type.Optional(
            Type.String({
              maxLength: 45,
              description: 'The production sending IP (IPv4 or IPv6) to evaluate SPF for.',
              examples: ['203.0.113.5'],
            }),
          ),
          probeLinks: flag(
            '`true` sends a HEAD request (GET when HEAD is refused) to each http(s) link: at most 50 links, 5 s each, 5 redirects, no cookies, bodies discarded.',
          ),
          clients: Type.Optional(
            Type.String({
              maxLength: 500,
              description:
                'The email clients to check the HTML against, comma-separated caniemail `family.platform` names with `*` wildcards (`gmail.*,outlook.windows,*.ios`; a bare family means all its platforms). All of caniemail’s clients when left out.',
              examples: ['gmail.*,outlook.*'],
            }),
          ),
        }),
        response: {
          200: ref(DeliverabilityReportSchema),
          400: problemResponse('`ip` is not an IP address, or a `clients` pattern matches no email client.'),
          404: problemResponse('No message with this id.'),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { ip, probeLinks, clients } = request.query;
      if (ip !== undefined && isIP(ip) === 0) {
        throw new HttpProblem(
          400,
          `ip=${JSON.stringify(ip)} is not an IP address; pass the production sending IP, e.g. ip=203.0.113.5.`,
        );
      }
      const [message, raw] = await Promise.all([deps.store.getMessage(id), deps.store.getRawMessage(id)]);
      if (message === null || raw === null) throw messageNotFound(id);
      checks ??= import('../../deliverability/report.js');
      const { checkDeliverability, UnknownEmailClientError } = await checks;
      try {
        return await checkDeliverability(message, raw, settings, {
          ip,
          probeLinks: isFlagSet(probeLinks),
          clients: clients?.split(',').filter((pattern) => pattern.trim() !== ''),
        });
      } catch (error) {
        if (error instanceof UnknownEmailClientError) throw new HttpProblem(400, error.message);
        throw error;
      }
    },
  );
}
