/** Message routes: list, read (JSON, raw, HTML, text, headers, attachments), mark read, delete, import. */
import { Type } from '@sinclair/typebox';
import type { MessageDetail } from '../../domain/types.js';
import { getAttachment } from '../../mime/parse-message.js';
import { checkMailbox, isBarePostmaster } from '../../protocol/envelope.js';
import { queryNotesOf } from '../../search/query.js';
import { VERSION } from '../../version.js';
import {
  DATE_VALIDATOR_HEADERS,
  RANGE_HEADERS,
  strongEtag,
  VALIDATOR_HEADERS,
} from '../conditional-requests.js';
import type { ApiInstance, RouteContext } from '../deps.js';
import { resolveCidLinks, UNTRUSTED_CONTENT_HEADERS } from '../html-view.js';
import { httpDate } from '../http-date.js';
import { buildImportedMessage, type ImportOptions } from '../import-message.js';
import { HttpProblem, messageNotFound, notFound } from '../problem.js';
import { flag, IdParamsSchema, isFlagSet, PageQuerySchema, problemResponse, ref } from '../schemas/common.js';
import {
  DeleteResultSchema,
  HeaderLineSchema,
  ImportJsonBodySchema,
  ImportResultSchema,
  MessageDetailSchema,
  MessagePageSchema,
} from '../schemas/message.js';
import type { TypeBoxTypeProvider } from '../type-provider.js';

const TAGS = ['messages'];

/** Upload limit for imports; the message itself is then checked against the server's SIZE limit. */
const IMPORT_BODY_LIMIT = 64 * 1024 * 1024;

const QuerySchema = Type.Optional(
  Type.String({
    maxLength: 2000,
    description:
      'Search: free text plus `from:` `to:` `subject:` `inbox:` `port:` `profile:` `has:attachment` `is:read` `before:` `after:`; `-` negates a term. A `key:value` the server cannot use (`port:abc`, `after:zzz`) is searched as free text, and the response says so in `queryNotes`.',
    examples: ['from:alice@example.com subject:"password reset" after:1h'],
  }),
);

const DownloadQuerySchema = Type.Object({
  download: flag('`1` asks the browser to save the file (`Content-Disposition: attachment`).'),
});

const NOT_FOUND = problemResponse('No message with this id.');

const DOWNLOAD_HEADERS = Type.Object({ ...VALIDATOR_HEADERS, ...DATE_VALIDATOR_HEADERS, ...RANGE_HEADERS });

export function registerMessageRoutes(app: ApiInstance, { deps }: RouteContext): void {
  const { store, bus, ingest } = deps;

  async function requireMessage(id: string): Promise<MessageDetail> {
    const message = await store.getMessage(id);
    if (message === null) throw messageNotFound(id);
    return message;
  }

  /**
   * The raw bytes with their Last-Modified: they never change after capture, so it is when the
   * message was received (to the second, all an HTTP-date holds).
   */
  async function requireDownload(id: string): Promise<{ raw: Buffer; lastModified: string }> {
    const [raw, receivedAt] = await Promise.all([store.getRawMessage(id), store.getReceivedAt(id)]);
    if (raw === null || receivedAt === null) throw messageNotFound(id);
    return { raw, lastModified: httpDate(receivedAt) };
  }

  app.get(
    '/api/v1/messages',
    {
      schema: {
        operationId: 'listMessages',
        tags: TAGS,
        summary: 'List messages, newest first',
        querystring: Type.Object({ q: QuerySchema, ...PageQuerySchema }),
        response: { 200: ref(MessagePageSchema), 400: problemResponse('Invalid query parameters.') },
      },
    },
    async (request) => ({
      ...(await store.listMessages(request.query)),
      ...queryNotesOf(request.query.q),
    }),
  );

  app.get(
    '/api/v1/messages/:id',
    {
      schema: {
        operationId: 'getMessage',
        tags: TAGS,
        summary: 'Get a message with its envelope, TLS/AUTH facts and parsed content',
        description:
          'Its ETag changes when the message does (marked read, released): send it back in If-None-Match to get 304 while it has not.',
        params: IdParamsSchema,
        // No Last-Modified (nor If-Modified-Since): the store does not record when a message was
        // marked read, so it cannot tell when this body last changed, and a wrong date is worse
        // than none.
        headers: Type.Object(VALIDATOR_HEADERS),
        response: { 200: ref(MessageDetailSchema), 404: NOT_FOUND },
      },
    },
    async (request) => requireMessage(request.params.id),
  );

  app.get(
    '/api/v1/messages/:id/raw',
    {
      schema: {
        operationId: 'getRawMessage',
        tags: TAGS,
        summary: 'Get the message bytes exactly as received',
        description:
          'Takes one byte range (`Range`, `If-Range`) to resume a download; the strong ETag never changes, as a stored message does not.',
        params: IdParamsSchema,
        querystring: DownloadQuerySchema,
        headers: DOWNLOAD_HEADERS,
        response: {
          200: binaryResponse('The raw message (RFC 5322).', 'message/rfc822'),
          404: NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { raw, lastModified } = await requireDownload(id);
      reply
        .header('content-type', 'message/rfc822')
        .header('x-content-type-options', 'nosniff')
        // The stored bytes never change, so the id names them for good.
        .header('etag', strongEtag(id, 'raw'))
        .header('last-modified', lastModified);
      if (isFlagSet(request.query.download))
        reply.header('content-disposition', contentDisposition('attachment', `${id}.eml`));
      return reply.send(raw);
    },
  );

  app.get(
    '/api/v1/messages/:id/html',
    {
      schema: {
        operationId: 'getMessageHtml',
        tags: TAGS,
        summary: 'Get the HTML body, served under a sandboxing Content-Security-Policy',
        description:
          'The HTML is attacker-controlled content: it is served with `Content-Security-Policy: sandbox` and no script source. `cid:` references point at `/attachments/{n}`.',
        params: IdParamsSchema,
        response: {
          200: textResponse('The HTML body.', 'text/html'),
          404: problemResponse('No message with this id, or it has no HTML body.'),
        },
      },
    },
    async (request, reply) => {
      const message = await requireMessage(request.params.id);
      if (message.parsed.html === null) {
        throw notFound(
          `Message ${message.id} has no HTML body; its text is at /api/v1/messages/${message.id}/text.`,
        );
      }
      return reply
        .headers(UNTRUSTED_CONTENT_HEADERS)
        .type('text/html; charset=utf-8')
        .send(resolveCidLinks(message.parsed.html, message.id, message.parsed.attachments));
    },
  );

  app.get(
    '/api/v1/messages/:id/text',
    {
      schema: {
        operationId: 'getMessageText',
        tags: TAGS,
        summary: 'Get the plain-text body',
        params: IdParamsSchema,
        response: {
          200: textResponse('The plain-text body.', 'text/plain'),
          404: problemResponse('No message with this id, or it has no text body.'),
        },
      },
    },
    async (request, reply) => {
      const message = await requireMessage(request.params.id);
      if (message.parsed.text === null) {
        throw notFound(
          `Message ${message.id} has no text body; its HTML is at /api/v1/messages/${message.id}/html.`,
        );
      }
      return reply
        .header('x-content-type-options', 'nosniff')
        .type('text/plain; charset=utf-8')
        .send(message.parsed.text);
    },
  );

  app.get(
    '/api/v1/messages/:id/headers',
    {
      schema: {
        operationId: 'getMessageHeaders',
        tags: TAGS,
        summary: 'Get every header field, in message order',
        params: IdParamsSchema,
        response: {
          200: Type.Array(ref(HeaderLineSchema), { description: 'The header fields.' }),
          404: NOT_FOUND,
        },
      },
    },
    async (request) => (await requireMessage(request.params.id)).parsed.headers,
  );

  app.get(
    '/api/v1/messages/:id/attachments/:n',
    {
      schema: {
        operationId: 'getAttachment',
        tags: TAGS,
        summary: 'Get the content of attachment `n` (see `parsed.attachments[].index`)',
        description: 'Takes one byte range (`Range`, `If-Range`) to resume a download.',
        params: Type.Object({
          id: IdParamsSchema.properties.id,
          n: Type.Integer({ minimum: 0, description: 'The attachment index.' }),
        }),
        querystring: DownloadQuerySchema,
        headers: DOWNLOAD_HEADERS,
        response: {
          // Any type: the attachment's own, which is known only once the message is read.
          200: binaryResponse('The attachment, with its own content type.', '*/*'),
          404: problemResponse('No message with this id, or no attachment with this index.'),
        },
      },
    },
    async (request, reply) => {
      const { id, n } = request.params;
      const { raw, lastModified } = await requireDownload(id);
      const attachment = await getAttachment(raw, n);
      if (attachment === null) {
        throw notFound(`Message ${id} has no attachment ${n}; GET /api/v1/messages/${id} lists them.`);
      }
      const disposition = isFlagSet(request.query.download) ? 'attachment' : 'inline';
      return (
        reply
          .headers(UNTRUSTED_CONTENT_HEADERS)
          .header('content-type', attachment.contentType)
          .header(
            'content-disposition',
            contentDisposition(disposition, attachment.filename ?? `attachment-${n}`),
          )
          // Decoded from immutable bytes; the version covers a decoder that changes with an upgrade.
          .header('etag', strongEtag(id, n, VERSION))
          .header('last-modified', lastModified)
          .send(attachment.content)
      );
    },
  );

  app.patch(
    '/api/v1/messages/:id',
    {
      schema: {
        operationId: 'updateMessage',
        tags: TAGS,
        summary: 'Mark a message read or unread',
        params: IdParamsSchema,
        body: Type.Object({ read: Type.Boolean({ description: 'The new read state.' }) }),
        response: {
          204: Type.Null({ description: 'Updated.' }),
          400: problemResponse('Invalid body.'),
          404: NOT_FOUND,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await store.setRead(id, request.body.read))) throw messageNotFound(id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/messages/:id',
    {
      schema: {
        operationId: 'deleteMessage',
        tags: TAGS,
        summary: 'Delete a message',
        params: IdParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted.' }), 404: NOT_FOUND },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await store.deleteMessage(id))) throw messageNotFound(id);
      bus.publish('message.deleted', { ids: [id] });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/api/v1/messages',
    {
      schema: {
        operationId: 'deleteMessages',
        tags: TAGS,
        summary: 'Delete every message, or those matching `q`',
        querystring: Type.Object({ q: QuerySchema }),
        response: { 200: ref(DeleteResultSchema), 400: problemResponse('Invalid query parameters.') },
      },
    },
    async (request) => {
      const ids = await store.deleteMessages(request.query.q);
      if (ids.length > 0) bus.publish('message.deleted', { ids });
      return { deleted: ids.length, ids, ...queryNotesOf(request.query.q) };
    },
  );

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // Scoped so the rfc822 parser and the larger body limit apply to the import route only.
    scope.addContentTypeParser(
      'message/rfc822',
      { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT },
      (_request, body, done) => done(null, body),
    );
    scope.post(
      '/api/v1/messages',
      {
        bodyLimit: IMPORT_BODY_LIMIT,
        schema: {
          operationId: 'importMessage',
          tags: TAGS,
          summary: 'Import a raw message',
          description:
            'Send the message as `message/rfc822` (envelope and inbox in the query) or as JSON with the message base64-encoded. A missing envelope is taken from the From, To, Cc and Bcc headers. The message is stored as relay mail on port 0 and announced like any other.',
          querystring: Type.Object({
            inbox: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200,
                description: 'Inbox to store it in (default `default`).',
              }),
            ),
            from: Type.Optional(
              Type.String({ description: 'Envelope sender; defaults to the From header.' }),
            ),
            to: Type.Optional(
              Type.Array(Type.String(), {
                description:
                  'Envelope recipients (repeat the parameter); default to the To, Cc and Bcc headers.',
              }),
            ),
          }),
          body: {
            content: {
              'message/rfc822': {
                schema: Type.Unsafe<Buffer>({
                  contentMediaType: 'message/rfc822',
                  description: 'The raw message (RFC 5322).',
                }),
              },
              'application/json': { schema: ref(ImportJsonBodySchema) },
            },
          },
          response: {
            201: ref(ImportResultSchema),
            400: problemResponse('The body is not a message.'),
            413: problemResponse('The message is larger than the server accepts.'),
            415: problemResponse('The body is neither message/rfc822 nor JSON.'),
          },
        },
      },
      async (request, reply) => {
        const { raw, options } = importRequest(request.body, request.query);
        if (raw.length === 0) throw new HttpProblem(400, 'The message is empty.');
        const { maxMessageSize } = deps.info().limits;
        if (raw.length > maxMessageSize) {
          throw new HttpProblem(
            413,
            `The message is ${raw.length} bytes; the server accepts at most ${maxMessageSize} (raise it with --max-message-size).`,
          );
        }
        // A client that resets the connection right after its request has no address by now
        // (request.ip is then undefined despite its type): file it as an SMTP session would.
        const incoming = await buildImportedMessage(raw, options, {
          address: request.socket.remoteAddress ?? 'unknown',
          port: request.socket.remotePort ?? 0,
        });
        const { id } = await ingest.accept(incoming);
        return reply.code(201).header('location', `/api/v1/messages/${id}`).send({ id });
      },
    );
  });
}

function importRequest(
  body: unknown,
  query: { inbox?: string; from?: string; to?: string[] },
): { raw: Buffer; options: ImportOptions } {
  const fromQuery: ImportOptions = { inbox: query.inbox, mailFrom: query.from, rcptTo: query.to };
  if (Buffer.isBuffer(body)) return { raw: body, options: checkedEnvelope(fromQuery) };
  // A POST without a body (and so without a Content-Type) reaches the handler unvalidated.
  if (body === undefined || body === null) {
    throw new HttpProblem(
      400,
      'The request has no body. Send the message as Content-Type: message/rfc822 (curl --data-binary @message.eml), or as JSON { "raw": "<base64>" }.',
    );
  }
  const json = body as { raw: string; inbox?: string; mailFrom?: string; rcptTo?: string[] };
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(json.raw))
    throw new HttpProblem(400, 'The `raw` field is not valid base64.');
  return {
    raw: Buffer.from(json.raw, 'base64'),
    options: checkedEnvelope({
      inbox: json.inbox ?? fromQuery.inbox,
      mailFrom: json.mailFrom ?? fromQuery.mailFrom,
      rcptTo: json.rcptTo ?? fromQuery.rcptTo,
    }),
  };
}

/**
 * Envelope addresses given with the import are held to what an SMTP session accepts: a message
 * filed under a sender or recipient no SMTP client could have given would mislead every search.
 * `mailFrom` may be empty, the null reverse-path `<>` (RFC 5321 §4.5.5), and a recipient the bare
 * `postmaster` (§4.1.1.3).
 */
function checkedEnvelope(options: ImportOptions): ImportOptions {
  const invalid = [
    ...(options.mailFrom === undefined || options.mailFrom === '' ? [] : [['mailFrom', options.mailFrom]]),
    ...(options.rcptTo ?? []).map((address) => ['rcptTo', address]),
  ].filter(
    ([field, address = '']) =>
      checkMailbox(address, true).verdict !== 'valid' && !(field === 'rcptTo' && isBarePostmaster(address)),
  );
  if (invalid.length > 0) {
    const named = invalid.map(([field, address]) => `${field} "${address}"`).join(', ');
    throw new HttpProblem(
      400,
      `Not a valid envelope address: ${named}. Give addresses as local@domain (e.g. alice@example.com), without display names or angle brackets; leave them out to take them from the message's From, To, Cc and Bcc.`,
    );
  }
  return options;
}

/** RFC 6266 with an RFC 8187 `filename*` for names that are not plain ASCII. */
function contentDisposition(type: 'inline' | 'attachment', filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function binaryResponse(description: string, mediaType: string) {
  return {
    description,
    content: { [mediaType]: { schema: Type.Unsafe<Buffer>({ contentMediaType: mediaType }) } },
  };
}

function textResponse(description: string, mediaType: string) {
  return { description, content: { [mediaType]: { schema: Type.String() } } };
}
