/**
 * SQLite schema, as an ordered list of migrations. Never edit a released step: append a new one.
 *
 * Column order in `messages` is deliberate: small searchable columns first, the large JSON and the
 * raw BLOB last, so scans that filter on the first columns never read the big values' pages.
 */
import type { Migration } from '../migration.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, full-text index, sessions, counters',
    sql: `
      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        inbox TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        size INTEGER NOT NULL,
        is_read INTEGER NOT NULL DEFAULT 0,
        listener_profile TEXT NOT NULL,
        listener_port INTEGER NOT NULL,
        attachment_count INTEGER NOT NULL,
        subject TEXT,
        subject_search TEXT NOT NULL,
        from_search TEXT NOT NULL,
        to_search TEXT NOT NULL,
        envelope_from TEXT NOT NULL,
        envelope_to TEXT NOT NULL,
        from_json TEXT NOT NULL,
        to_json TEXT NOT NULL,
        snippet TEXT NOT NULL,
        extras_json TEXT NOT NULL,
        parsed_json TEXT NOT NULL,
        raw BLOB NOT NULL
      );
      CREATE INDEX messages_by_inbox ON messages (inbox, id);
      CREATE INDEX messages_by_port ON messages (listener_port, id);
      CREATE INDEX messages_by_received_at ON messages (received_at);
      CREATE INDEX messages_by_read ON messages (is_read, id);
      CREATE INDEX messages_with_attachments ON messages (id) WHERE attachment_count > 0;

      -- Contentless: the text lives in messages (and in the raw bytes), the index only maps words
      -- to rowids; contentless_delete lets rows be removed by rowid alone. Columns receive words
      -- already split by src/search/words.ts, so the tokenizer only separates them at spaces.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, sender, recipients, body,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );

      -- Running totals kept by triggers, so the unfiltered list total and stats() never count rows.
      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO counters (name, value) VALUES ('messages', 0), ('message_bytes', 0), ('sessions', 0);

      CREATE TRIGGER messages_after_insert AFTER INSERT ON messages BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'messages';
        UPDATE counters SET value = value + new.size WHERE name = 'message_bytes';
      END;
      CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'messages';
        UPDATE counters SET value = value - old.size WHERE name = 'message_bytes';
        DELETE FROM messages_fts WHERE rowid = old.seq;
      END;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        has_problems INTEGER NOT NULL,
        summary_json TEXT NOT NULL,
        transcript_json TEXT NOT NULL
      );
      CREATE INDEX sessions_with_problems ON sessions (has_problems, id);
      CREATE TABLE session_diagnostics (
        code TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        PRIMARY KEY (code, session_id)
      ) WITHOUT ROWID;
      CREATE INDEX session_diagnostics_by_session ON session_diagnostics (session_id);

      CREATE TRIGGER sessions_after_insert AFTER INSERT ON sessions BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'sessions';
      END;
      CREATE TRIGGER sessions_after_delete AFTER DELETE ON sessions BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'sessions';
      END;
    `,
  },
];
