#!/usr/bin/env node
// Docker HEALTHCHECK for the Mailport image: exits 0 when GET /healthz on the HTTP port answers
// 200 within 3 s (the server and its store respond), 1 otherwise with the reason on stderr.
// Plain Node, no curl: node:20-slim has none.
const port = process.env.MAILPORT_HTTP_PORT ?? '8025';
const url = `http://127.0.0.1:${port}/healthz`;

try {
  const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  if (!response.ok) {
    process.stderr.write(`unhealthy: ${url} answered ${response.status}\n`);
    process.exit(1);
  }
  // Exit now rather than wait for the kept-alive connection to time out.
  process.exit(0);
} catch (error) {
  const reason = error?.cause?.code ?? error?.name ?? String(error);
  process.stderr.write(`unhealthy: ${url} did not answer (${reason})\n`);
  process.exit(1);
}
