/**
 * Opens the store named by a URL: `sqlite:PATH` or a plain file path for SQLite, `postgres://…`
 * (or `postgresql://…`) for PostgreSQL. The schema is created or migrated before it is returned.
 */
import { MailportError } from '../errors.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** `?schema=NAME` picks the schema; it is Mailport's option, not the driver's, so it is removed. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | null } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MailportError('MP_ERR_CONFIG', `"${withoutPassword(url)}" is not a valid PostgreSQL URL.`, {
      hint: 'Write it as postgres://USER:PASSWORD@HOST:5432/DATABASE, with special characters in the password percent-encoded (e.g. @ as %40).',
    });
  }
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** The URL as it may be shown: whatever sits between `user:` and `@` is a password. */
function withoutPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/:@]*:)[^/]*@/i, '$1***@');
}

export async function openStore(url: string): Promise<Store> {
  const store = await createStore(url);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return store;
}

async function createStore(url: string): Promise<Store> {
  if (isPostgresUrl(url)) {
    // Loaded only when asked for, so SQLite users never load the PostgreSQL driver.
    const { PostgresStore } = await import('./postgres/postgres-store.js');
    const { connectionString, schema } = parsePostgresUrl(url);
    return new PostgresStore(schema === null ? { connectionString } : { connectionString, schema });
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (path === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new MailportError('MP_ERR_CONFIG', `"${url}" is not a store this version can open.`, {
      hint: 'Use sqlite:PATH (or a plain file path) or postgres://user@host:5432/database.',
    });
  }
  return new SqliteStore({ path });
}
