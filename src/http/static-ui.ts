/**
 * Serves the built web UI from any directory: hashed assets are cached for a year (their name
 * changes when their content does), everything else, index.html above all, is revalidated on every
 * load so a new build shows up at once.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
const INDEX_FILE = 'index.html';

/**
 * A bundler content hash in the file name (`index-3f9a1c2b.js`, `app.B7x-k2Qz.css`): 8 or more
 * base64url characters with at least one digit, so plain words (`service-worker.js`) do not count.
 */
const HASHED_NAME = /[.-](?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** Paths the single-page app never owns: they get a problem+json 404 instead of index.html. */
const SERVER_PATHS = /^\/(api|healthz|metrics|oauth2)(\/|$)/;

export function cacheControlFor(filePath: string): string {
  return HASHED_NAME.test(basename(filePath)) ? IMMUTABLE : REVALIDATE;
}

/** True when `uiDir` is set, exists and holds an index.html. */
export function isUiDir(uiDir: string | null | undefined): uiDir is string {
  return (
    typeof uiDir === 'string' &&
    existsSync(uiDir) &&
    statSync(uiDir).isDirectory() &&
    existsSync(join(uiDir, INDEX_FILE))
  );
}

export async function registerStaticUi(app: FastifyInstance, uiDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: uiDir,
    prefix: '/',
    index: INDEX_FILE,
    cacheControl: false,
    setHeaders: (response, filePath) => response.setHeader('cache-control', cacheControlFor(filePath)),
  });
}

/**
 * SPA fallback: a GET for a client-side route (no file extension, not an API path) gets
 * index.html so deep links work. Returns false when the request is not one.
 */
export function sendSpaIndex(request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0] ?? '/';
  if (SERVER_PATHS.test(path) || /\.[^/]*$/.test(path)) return false;
  void reply.header('cache-control', REVALIDATE).sendFile(INDEX_FILE);
  return true;
}
