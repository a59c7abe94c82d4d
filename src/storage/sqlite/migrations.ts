/** SQLite schema, as an ordered list of migrations. Never edit a released step: append a new one. */
import type { Migration } from '../migration.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, full-text index, sessions, counters',
    sql: `
      -- Newest first is seq order: rows are inserted in id order as messages arrive, and FTS5
      -- returns matches by rowid, so a search walks the index newest first and stops at the page.
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
        has_attachment INTEGER NOT NULL,
        subject TEXT,
        subject_search TEXT NOT NULL,
        from_search TEXT NOT NULL,
        to_search TEXT NOT NULL,
        envelope_from TEXT NOT NULL,
        envelope_to TEXT NOT NULL,
        from_json TEXT NOT NULL,
        to_json TEXT NOT NULL,
        snippet TEXT NOT NULL
      );
      -- Each index ends in the rowid, so a filtered list comes out of it already newest first.
      CREATE INDEX messages_by_inbox ON messages (inbox);
      CREATE INDEX messages_by_port ON messages (listener_port);
      CREATE INDEX messages_by_received_at ON messages (received_at);
      CREATE INDEX messages_by_read ON messages (is_read);
      CREATE INDEX messages_by_attachment ON messages (has_attachment);

      -- The large values live in a 1:1 companion row written in the same transaction: searches and
      -- counts scan only the narrow rows above (with them inline, a scan of 1M rows read ~4 GiB).
      CREATE TABLE message_content (
        seq INTEGER PRIMARY KEY,
        extras_json TEXT NOT NULL,
        parsed_json TEXT NOT NULL,
        raw BLOB NOT NULL
      );

      -- Contentless: the text lives in messages (and in the raw bytes), the index only maps words
      -- to rowids; contentless_delete lets rows be removed by rowid alone. Columns receive words
      -- already split by src/search/words.ts, so the tokenizer only separates them at spaces.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, sender, recipients, body,
        content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );

      -- Running totals, so the unfiltered list total and stats() never count rows. Since migration 3
      -- the writer adds inserts (writes.ts); the triggers below still count deletes.
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
        DELETE FROM message_content WHERE seq = old.seq;
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
  {
    version: 2,
    name: 'the parsed body is no longer stored: it is parsed from raw when a message is opened',
    sql: `ALTER TABLE message_content DROP COLUMN parsed_json;`,
  },
  {
    version: 3,
    name: 'the writer adds inserted messages to the counters once per commit, not a trigger per row',
    // Two trigger UPDATEs per inserted row were about a seventh of the writer's time (writes.ts).
    sql: `DROP TRIGGER messages_after_insert;`,
  },
  {
    version: 4,
    name: 'a large message keeps its raw bytes in parts, so no write binds one big value',
    // SQLite copies a bound blob, then copies it again into the record it writes: a 10 MiB message
    // cost the writer 20 MiB of memory at once. Parts of RAW_PART_BYTES keep that to two parts.
    // message_content.raw is empty for a message stored in parts (writes.ts).
    sql: `
      CREATE TABLE message_raw_parts (
        seq INTEGER NOT NULL,
        part INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (seq, part)
      );
      DROP TRIGGER messages_after_delete;
      CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'messages';
        UPDATE counters SET value = value - old.size WHERE name = 'message_bytes';
        DELETE FROM messages_fts WHERE rowid = old.seq;
        DELETE FROM message_content WHERE seq = old.seq;
        DELETE FROM message_raw_parts WHERE seq = old.seq;
      END;
    `,
  },
  {
    version: 5,
    name: 'sessions in which chaos rules fired can be listed without reading every summary',
    sql: `
      ALTER TABLE sessions ADD COLUMN chaos_fired INTEGER NOT NULL DEFAULT 0;
      UPDATE sessions SET chaos_fired = 1 WHERE json_extract(summary_json, '$.chaos') IS NOT NULL;
      CREATE INDEX sessions_chaos_fired ON sessions (chaos_fired, id);
    `,
  },
  {
    version: 6,
    name: 'each release of a message to a real SMTP server is recorded, and deleted with the message',
    // A table of its own, not a column of messages: the list keeps reading only the narrow rows,
    // and a release appends a row instead of rewriting one. Like the other companion tables, its
    // rows go in the delete trigger, which is why migration 4's is replaced.
    sql: `
      CREATE TABLE message_releases (
        seq INTEGER NOT NULL,
        released_at INTEGER NOT NULL,
        recipients TEXT NOT NULL,
        server TEXT NOT NULL,
        reply TEXT NOT NULL
      );
      CREATE INDEX message_releases_by_message ON message_releases (seq);
      DROP TRIGGER messages_after_delete;
      CREATE TRIGGER messages_after_delete AFTER DELETE ON messages BEGIN
        UPDATE counters SET value = value - 1 WHERE name = 'messages';
        UPDATE counters SET value = value - old.size WHERE name = 'message_bytes';
        DELETE FROM messages_fts WHERE rowid = old.seq;
        DELETE FROM message_content WHERE seq = old.seq;
        DELETE FROM message_raw_parts WHERE seq = old.seq;
        DELETE FROM message_releases WHERE seq = old.seq;
      END;
    `,
  },
];
