import { MailportError } from '../errors.js';

/**
 * Wraps an engine error as MP_ERR_STORAGE, keeping the engine's reason in the message and as
 * `cause`, with what to do next when the engine's error code tells.
 */
export function storageError(message: string, cause: unknown): MailportError {
  const reason = cause instanceof Error ? ` ${cause.message}` : '';
  return new MailportError('MP_ERR_STORAGE', `${message}${reason}`, { cause, hint: storageHint(cause) });
}

const SETTING = '--storage (or MAILPORT_STORAGE)';
const NOT_A_DIRECTORY = 'Part of the path is a file, not a directory: choose another --data-dir.';
const NOT_WRITABLE =
  'Mailport may not write there: choose a writable directory with --data-dir, or fix its permissions.';
const DISK_FULL = 'The disk is full: free some space, or keep fewer messages with --max-messages.';

/**
 * Error codes of the engines as they reach us: Node's system errors (a PostgreSQL connection, the
 * data dir), PostgreSQL SQLSTATEs and better-sqlite3's SQLITE_* codes.
 */
const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: `Nothing listens at that address: start PostgreSQL, or correct the host and port in ${SETTING}; \`pg_isready -h HOST -p PORT\` checks it.`,
  ENOTFOUND: `The database host name does not resolve: correct it in ${SETTING}.`,
  EAI_AGAIN: `The database host name could not be resolved just now: check DNS, or use an IP address in ${SETTING}.`,
  ETIMEDOUT: `The database server did not answer: check that it is up and that a firewall lets this machine reach its port.`,
  '28P01': `PostgreSQL refused the password: correct the user and password in the postgres:// URL of ${SETTING}.`,
  '28000': `PostgreSQL does not accept this user (no such role, or pg_hba.conf does not allow it): create or allow it, or use another user in ${SETTING}.`,
  '3D000': `That database does not exist: create it (\`createdb NAME\`), or name an existing one in ${SETTING}.`,
  '42501': `The PostgreSQL user lacks rights on the schema: grant them, or choose a schema it owns with ?schema=NAME in ${SETTING}.`,
  '53300': 'PostgreSQL has no connection slots left: raise max_connections, or stop other clients.',
  EACCES: NOT_WRITABLE,
  EPERM: NOT_WRITABLE,
  // The parent exists but takes no new directories (/proc, /sys); mkdir -p on a missing parent does not get here.
  ENOENT: 'No directory can be created there: choose a writable directory with --data-dir.',
  EROFS: 'That file system is read-only: choose a writable directory with --data-dir.',
  ENOTDIR: NOT_A_DIRECTORY,
  // mkdir -p meets a file where the data dir should be.
  EEXIST: NOT_A_DIRECTORY,
  ENOSPC: DISK_FULL,
  SQLITE_CANTOPEN:
    'SQLite cannot open or create the file: check that its directory exists and is writable, or choose another --data-dir.',
  SQLITE_READONLY:
    'The database file is read-only for this user: fix its permissions, or choose another --data-dir.',
  SQLITE_NOTADB:
    'That file is not a SQLite database: point --data-dir (or --storage) at a Mailport data dir, or move the file away.',
  SQLITE_CORRUPT:
    'The database file is damaged: move it away to start with an empty store (and keep it, to recover messages with the sqlite3 tool).',
  SQLITE_FULL: DISK_FULL,
  SQLITE_BUSY:
    'Another process holds a lock on the database: stop the other `mailport serve` using this data dir, or give each its own --data-dir.',
};

function storageHint(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  // SQLite's extended codes (SQLITE_READONLY_DIRECTORY, SQLITE_CANTOPEN_ISDIR…) share their
  // primary code's advice.
  return HINTS[code] ?? HINTS[/^SQLITE_[A-Z]+/.exec(code)?.[0] ?? ''];
}
