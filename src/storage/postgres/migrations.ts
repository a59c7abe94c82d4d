/**
 * PostgreSQL schema, as an ordered list of migrations. Never edit a released step: append a new one.
 * Objects are created in the store's schema (the connection's search_path, see postgres-store.ts).
 *
 * - ids sort by arrival time as plain strings, so they use the C collation (byte order).
 * - Documents that are only ever returned whole are `json` (kept verbatim, and unlike jsonb it
 *   accepts the \u0000 escapes that malformed mail can carry).
 * - `search` is a tsvector built by the adapter from src/search/words.ts, with a GIN index.
 */
import type { Migration } from '../migration.js';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'messages, full-text index, sessions, counters',
    sql: `
      CREATE TABLE messages (
        id text COLLATE "C" PRIMARY KEY,
        inbox text NOT NULL,
        received_at timestamptz NOT NULL,
        size integer NOT NULL,
        is_read boolean NOT NULL DEFAULT false,
        listener_profile text NOT NULL,
        listener_port integer NOT NULL,
        attachment_count integer NOT NULL,
        has_attachment boolean NOT NULL,
        subject text,
        subject_search text NOT NULL,
        from_search text NOT NULL,
        to_search text NOT NULL,
        envelope_from text NOT NULL,
        envelope_to json NOT NULL,
        from_json json NOT NULL,
        to_json json NOT NULL,
        snippet text NOT NULL,
        search tsvector NOT NULL
      );
      CREATE INDEX messages_by_inbox ON messages (inbox, id);
      CREATE INDEX messages_by_port ON messages (listener_port, id);
      CREATE INDEX messages_by_received_at ON messages (received_at);
      CREATE INDEX messages_by_read ON messages (is_read, id);
      CREATE INDEX messages_by_attachment ON messages (has_attachment, id);
      CREATE INDEX messages_search ON messages USING gin (search);

      -- The large values live in a 1:1 companion row written in the same transaction, so searches
      -- and counts scan only the narrow rows above.
      CREATE TABLE message_content (
        id text COLLATE "C" PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        extras_json json NOT NULL,
        parsed_json json NOT NULL,
        raw bytea NOT NULL
      );

      -- Running totals kept by statement-level triggers, so the unfiltered list total and stats()
      -- never count rows, and a batch updates them once.
      CREATE TABLE counters (name text PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO counters (name, value) VALUES ('messages', 0), ('message_bytes', 0), ('sessions', 0);

      CREATE FUNCTION messages_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE counters SET value = value + (SELECT count(*) FROM inserted) WHERE name = 'messages';
        UPDATE counters SET value = value + (SELECT coalesce(sum(size), 0) FROM inserted) WHERE name = 'message_bytes';
        RETURN NULL;
      END $$;
      CREATE FUNCTION messages_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE counters SET value = value - (SELECT count(*) FROM deleted) WHERE name = 'messages';
        UPDATE counters SET value = value - (SELECT coalesce(sum(size), 0) FROM deleted) WHERE name = 'message_bytes';
        RETURN NULL;
      END $$;
      CREATE TRIGGER messages_after_insert AFTER INSERT ON messages
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION messages_inserted();
      CREATE TRIGGER messages_after_delete AFTER DELETE ON messages
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION messages_deleted();

      CREATE TABLE sessions (
        id text COLLATE "C" PRIMARY KEY,
        has_problems boolean NOT NULL,
        diagnostic_codes text[] NOT NULL,
        summary_json json NOT NULL,
        transcript_json json NOT NULL
      );
      CREATE INDEX sessions_with_problems ON sessions (has_problems, id);
      CREATE INDEX sessions_by_diagnostic ON sessions USING gin (diagnostic_codes);

      CREATE FUNCTION sessions_inserted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE counters SET value = value + (SELECT count(*) FROM inserted) WHERE name = 'sessions';
        RETURN NULL;
      END $$;
      CREATE FUNCTION sessions_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE counters SET value = value - (SELECT count(*) FROM deleted) WHERE name = 'sessions';
        RETURN NULL;
      END $$;
      CREATE TRIGGER sessions_after_insert AFTER INSERT ON sessions
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION sessions_inserted();
      CREATE TRIGGER sessions_after_delete AFTER DELETE ON sessions
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION sessions_deleted();
    `,
  },
  {
    version: 2,
    name: 'the parsed body is no longer stored: it is parsed from raw when a message is opened',
    sql: 'ALTER TABLE message_content DROP COLUMN parsed_json;',
  },
  {
    version: 3,
    name: 'sessions in which chaos rules fired can be listed without reading every summary',
    sql: `
      ALTER TABLE sessions ADD COLUMN chaos_fired boolean NOT NULL DEFAULT false;
      UPDATE sessions SET chaos_fired = true WHERE summary_json -> 'chaos' IS NOT NULL;
      CREATE INDEX sessions_chaos_fired ON sessions (chaos_fired, id);
    `,
  },
  {
    version: 4,
    name: 'each release of a message to a real SMTP server is recorded, and deleted with the message',
    // A table of its own, not a column of messages: the list keeps reading only the narrow rows,
    // and a release appends a row instead of rewriting one. Deleted by one set-based DELETE per
    // statement, not a foreign key: ON DELETE CASCADE runs a delete per deleted message, and made
    // deleting 20,000 messages at once take 75% longer (855 ms against 487 ms). Instead, addRelease
    // locks the message row (FOR KEY SHARE), so no release is added to a message being deleted.
    sql: `
      CREATE TABLE message_releases (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id text COLLATE "C" NOT NULL,
        released_at timestamptz NOT NULL,
        recipients json NOT NULL,
        server text NOT NULL,
        reply text NOT NULL
      );
      CREATE INDEX message_releases_by_message ON message_releases (message_id, seq);
      CREATE FUNCTION message_releases_deleted() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        DELETE FROM message_releases WHERE message_id IN (SELECT id FROM deleted);
        RETURN NULL;
      END $$;
      CREATE TRIGGER messages_after_delete_releases AFTER DELETE ON messages
        REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION message_releases_deleted();
    `,
  },
];
