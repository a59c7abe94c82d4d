/**
 * Starts a worker thread from a sibling module of the caller. From sources (tests, development,
 * `.ts` under tsx) the worker first registers the TypeScript loader itself, because worker threads
 * do not inherit the loader hooks of the main thread; once built it loads the `.js` file directly.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export function startSiblingWorker(
  callerUrl: string,
  moduleName: string,
  options: WorkerOptions = {},
): Worker {
  const extension = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${moduleName}${extension}`, callerUrl);
  if (extension !== '.ts') return new Worker(url, options);
  // Resolved here: code evaluated in a worker resolves bare specifiers from the working directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
