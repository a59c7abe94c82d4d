/** `POST /api/v1/messages/{id}/release`: sends a captured message to `--release-server` (src/release). */

import { ReleaseRecipientsError, ReleaseUpstreamError } from '../../release/errors.js';
import { type ReleaseResult, releaseRecord } from '../../release/releaser.js';
import type { ApiInstance, HttpDeps, RouteContext } from '../deps.js';
import { HttpProblem, messageNotFound } from '../problem.js';
import { IdParamsSchema, problemResponse, ref } from '../schemas/common.js';
import { ReleaseProblemSchema, ReleaseRequestSchema, ReleaseResultSchema } from '../schemas/release.js';

const PROBLEM = ref(ReleaseProblemSchema);

export function registerReleaseRoute(app: ApiInstance, { deps }: RouteContext): void {
  app.post(
    '/api/v1/messages/:id/release',
    {
      // `curl -X POST …/release` without a body asks for the default recipients, as `{}` does.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        operationId: 'releaseMessage',
        tags: ['messages'],
        summary: 'Release a message to the real SMTP server of `--release-server`',
        description:
          'Sends the stored message unchanged (no header added or removed) to the upstream server, with the message’s MAIL FROM (or `--release-from`) as envelope sender, choosing the port and TLS as `mailport send` does. Recipients: `to`, else the message’s envelope recipients when `--release-allow` is set; every one must match `--release-allow` when it is set. All or nothing: one refused recipient and nothing is sent. Credentials never appear in an answer.',
        params: IdParamsSchema,
        body: ReleaseRequestSchema,
        response: {
          200: ref(ReleaseResultSchema),
          400: problemResponse('The body is invalid, or a recipient is not an e-mail address.', PROBLEM),
          403: problemResponse('A recipient does not match `--release-allow`; nothing was sent.', PROBLEM),
          404: problemResponse('No message with this id.'),
          409: problemResponse('Release is not configured on this server (no `--release-server`).', PROBLEM),
          422: problemResponse(
            'No recipient named, and without `--release-allow` there is no default.',
            PROBLEM,
          ),
          502: problemResponse(
            'The upstream server could not be reached or refused the message; `cause` and `fix` say why and what to do.',
            PROBLEM,
          ),
        },
      },
    },
    async (request) => {
      const { releaser } = deps;
      if (releaser === undefined || releaser === null) {
        throw new HttpProblem(409, 'Release is not configured on this server.', {
          slug: 'release-not-configured',
          title: 'Release is not configured',
          extensions: {
            fix: 'Start mailport serve with --release-server HOST[:PORT] (MAILPORT_RELEASE_SERVER), and --release-user with --release-pass-env when the server needs AUTH; GET /api/v1/info shows `release` once it is on.',
          },
        });
      }
      const { id } = request.params;
      const [message, raw] = await Promise.all([deps.store.getMessage(id), deps.store.getRawMessage(id)]);
      if (message === null || raw === null) throw messageNotFound(id);
      let result: ReleaseResult;
      try {
        result = await releaser.release(message, raw, request.body.to);
      } catch (error) {
        throw releaseProblem(error);
      }
      await recordRelease(deps, id, result);
      return result;
    },
  );
}

/**
 * Records the release on the message (`releases` in its detail) and announces it as
 * `message.released`. The upstream already has the message: a store that cannot record it must
 * not turn the answer into a failure, which would invite a second release, so that is logged
 * instead. Only a recorded release is announced, so that live views show what a reload shows.
 */
async function recordRelease(deps: HttpDeps, id: string, result: ReleaseResult): Promise<void> {
  const release = releaseRecord(result, new Date());
  let recorded: boolean;
  try {
    recorded = await deps.store.addRelease(id, release);
  } catch (error) {
    deps.logger?.error('Released message, but could not record the release', {
      message: id,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  // False when the message was deleted while it was being released: nothing to show it on.
  if (recorded) deps.bus.publish('message.released', { id, release });
}

const RECIPIENT_PROBLEMS = {
  invalid: { status: 400, slug: 'release-recipient-invalid', title: 'A recipient is not an address' },
  'not-allowed': { status: 403, slug: 'release-recipient-not-allowed', title: 'A recipient is not allowed' },
  required: { status: 422, slug: 'release-recipients-required', title: 'No recipient named' },
} as const;

function releaseProblem(error: unknown): unknown {
  if (error instanceof ReleaseRecipientsError) {
    const { status, slug, title } = RECIPIENT_PROBLEMS[error.problem];
    return new HttpProblem(status, error.message, {
      slug,
      title,
      extensions: { fix: error.fix, recipients: error.recipients, allow: error.allow },
    });
  }
  if (error instanceof ReleaseUpstreamError) {
    return new HttpProblem(502, error.message, {
      slug: 'release-upstream-failed',
      title: 'The upstream server did not take the message',
      extensions: {
        fix: error.fix,
        cause: error.explanation.cause,
        summary: error.explanation.summary,
        server: error.server,
        reply: error.reply,
        maybeDelivered: error.maybeDelivered,
        attempts: error.attempts,
        transcript: error.transcript,
      },
    });
  }
  return error;
}
