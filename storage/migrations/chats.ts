/**
 * Migrations of the chat tables: the first schema (chats, the message tree, settings,
 * model folders, full-text search; version 1) and the later changes to chats and
 * messages (versions 4, 5, 9, 10, 11). Listed in order in `../migrations.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/**
 * Version 1: chats, the message tree, settings, model folders and full-text search.
 *
 * Chats and messages get an `INTEGER PRIMARY KEY` (`seq`) besides their UUID: the FTS
 * tables refer to rows by rowid, and only an aliased rowid is stable across VACUUM.
 * Deleting a chat deletes its messages (ON DELETE CASCADE on chat_id). The FTS tables
 * are external-content (they store no copy of the text) and triggers keep
 * them in sync; an update re-indexes only when the indexed column changed.
 */
export function createSchema(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE chats (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      title TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      model TEXT,
      system_prompt TEXT NOT NULL DEFAULT '',
      sampling TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(sampling)),
      n_ctx INTEGER,
      overflow TEXT NOT NULL DEFAULT 'error' CHECK (overflow IN ('error', 'truncate-oldest')),
      active_leaf_id TEXT REFERENCES messages(id) ON DELETE SET NULL,
      deleted_at INTEGER
    );
    CREATE INDEX chats_updated ON chats(updated_at) WHERE deleted_at IS NULL;
    CREATE INDEX chats_deleted ON chats(deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE INDEX chats_active_leaf ON chats(active_leaf_id);

    CREATE TABLE messages (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
      -- No ON DELETE CASCADE here: SQLite runs cascades as nested triggers, and a chain
      -- deeper than 1000 messages fails with "too many levels of trigger recursion".
      -- Subtrees are deleted in one statement instead (the check runs at its end).
      parent_id TEXT REFERENCES messages(id),
      role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
      content TEXT NOT NULL DEFAULT '',
      model TEXT,
      sampling TEXT CHECK (json_valid(sampling)),
      metrics TEXT CHECK (json_valid(metrics)),
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'complete'
        CHECK (state IN ('complete', 'streaming', 'incomplete', 'error')),
      finish_reason TEXT CHECK (finish_reason IN ('stop', 'length', 'abort')),
      dropped_messages INTEGER
    );
    CREATE INDEX messages_tree ON messages(chat_id, parent_id, created_at);
    CREATE INDEX messages_parent ON messages(parent_id);
    CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming';

    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL CHECK (json_valid(value))
    );

    CREATE TABLE model_folders (
      seq INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      added_at INTEGER NOT NULL
    );

    CREATE VIRTUAL TABLE messages_fts USING fts5(
      content, content='messages', content_rowid='seq',
      tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts(rowid, content) VALUES (new.seq, new.content);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
      INSERT INTO messages_fts(rowid, content) VALUES (new.seq, new.content);
    END;

    CREATE VIRTUAL TABLE chats_fts USING fts5(
      title, content='chats', content_rowid='seq',
      tokenize='unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER chats_fts_insert AFTER INSERT ON chats BEGIN
      INSERT INTO chats_fts(rowid, title) VALUES (new.seq, new.title);
    END;
    CREATE TRIGGER chats_fts_delete AFTER DELETE ON chats BEGIN
      INSERT INTO chats_fts(chats_fts, rowid, title) VALUES ('delete', old.seq, old.title);
    END;
    CREATE TRIGGER chats_fts_update AFTER UPDATE OF title ON chats BEGIN
      INSERT INTO chats_fts(chats_fts, rowid, title) VALUES ('delete', old.seq, old.title);
      INSERT INTO chats_fts(rowid, title) VALUES (new.seq, new.title);
    END;
  `);
}

/** The columns of `messages` as of version 4, in table order. */
const MESSAGE_COLUMNS = "seq, id, chat_id, parent_id, role, content, model, sampling, metrics, " +
  "created_at, state, finish_reason, dropped_messages";

/**
 * Version 4: `messages.sampling` and `messages.metrics` may be NULL again on every SQLite.
 * Version 1 checked them with a bare `json_valid(x)`. SQLite before 3.45 (Debian 12 ships
 * 3.40) answers `json_valid(NULL)` with 0, not NULL, so that CHECK refused every row
 * without sampling or metrics there; `x IS NULL OR json_valid(x)` means the same on
 * every version.
 *
 * SQLite cannot alter a CHECK, so the table is rebuilt as sqlite.org/lang_altertable.html
 * says (steps 4-9; `migrate` in ../migrations.ts does the foreign-key steps 1, 10 and
 * 12): a new table, the rows copied with their `seq` (the FTS index refers to rows by it,
 * so it stays valid), the old table dropped, the new one renamed, then its indexes and
 * triggers made again (DROP TABLE took them along).
 */
export function allowNullMessageJson(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE messages_new (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      chat_id TEXT NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
      -- No ON DELETE CASCADE here: SQLite runs cascades as nested triggers, and a chain
      -- deeper than 1000 messages fails with "too many levels of trigger recursion".
      -- Subtrees are deleted in one statement instead (the check runs at its end).
      parent_id TEXT REFERENCES messages(id),
      role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
      content TEXT NOT NULL DEFAULT '',
      model TEXT,
      sampling TEXT CHECK (sampling IS NULL OR json_valid(sampling)),
      metrics TEXT CHECK (metrics IS NULL OR json_valid(metrics)),
      created_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'complete'
        CHECK (state IN ('complete', 'streaming', 'incomplete', 'error')),
      finish_reason TEXT CHECK (finish_reason IN ('stop', 'length', 'abort')),
      dropped_messages INTEGER
    );
    INSERT INTO messages_new (${MESSAGE_COLUMNS}) SELECT ${MESSAGE_COLUMNS} FROM messages;
    DROP TABLE messages;
    ALTER TABLE messages_new RENAME TO messages;

    CREATE INDEX messages_tree ON messages(chat_id, parent_id, created_at);
    CREATE INDEX messages_parent ON messages(parent_id);
    CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming';
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts(rowid, content) VALUES (new.seq, new.content);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
      INSERT INTO messages_fts(messages_fts, rowid, content)
        VALUES ('delete', old.seq, old.content);
      INSERT INTO messages_fts(rowid, content) VALUES (new.seq, new.content);
    END;
  `);
}

/**
 * Version 5: where each reply was generated. `backend` is "local" (this machine's engine)
 * or "remote" (the text left the machine), `provider` the remote provider's name; `model`
 * stays the model (a file path, or the provider's model id). Replies written before are
 * marked local: remote providers did not exist then.
 */
export function addProvenance(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN backend TEXT CHECK (backend IN ('local', 'remote'));
    ALTER TABLE messages ADD COLUMN provider TEXT;
    UPDATE messages SET backend = 'local' WHERE role = 'assistant' AND model IS NOT NULL;
  `);
}

/**
 * Version 9: images attached to messages (a user message's PNG or JPEG, for a model with
 * an mmproj), in order; deleting the message deletes them.
 */
export function addMessageImages(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS message_images (
      message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      position INTEGER NOT NULL CHECK (position >= 0),
      mime_type TEXT NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (message_id, position)
    ) WITHOUT ROWID;
  `);
}

/**
 * Version 10: `messages.error`: why a reply failed, in the UI's words, so the reason is still
 * there after the error's toast is gone and after a restart. Null for every other message.
 */
export function addMessageError(db: DatabaseSync): void {
  // A file whose version was set back after this ran (tests do) has the column already.
  const columns = db.prepare("PRAGMA table_info(messages)").all().map((c) => c.name);
  if (!columns.includes("error")) db.exec("ALTER TABLE messages ADD COLUMN error TEXT");
}

/**
 * Version 11: `chats.overflow` defaults to "truncate-oldest" (drop the oldest turns, keep the system
 * prompt), the app's default policy now (`DEFAULT_OVERFLOW`). Existing chats keep theirs.
 * SQLite cannot change a column default in place (writing the schema is refused in defensive
 * mode), so the table is rebuilt as {@link allowNullMessageJson} rebuilds `messages`: from its
 * own stored SQL, whatever columns other migrations added, rows copied with their `seq` (the
 * FTS index refers to them by it), then its indexes and triggers made again.
 */
export function defaultOverflowTruncate(db: DatabaseSync): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'chats'")
    .get()?.sql as string;
  const old = "overflow TEXT NOT NULL DEFAULT 'error'";
  // A file whose version was set back after this ran (tests do) has it already.
  if (!table.includes(old)) return;
  const extras = db.prepare(
    "SELECT sql FROM sqlite_master WHERE tbl_name = 'chats' AND type IN ('index', 'trigger') " +
      "AND sql IS NOT NULL",
  ).all().map((row) => row.sql as string);
  const columns = db.prepare("PRAGMA table_info(chats)").all().map((c) => `"${c.name}"`)
    .join(", ");
  const created = table.replace(old, "overflow TEXT NOT NULL DEFAULT 'truncate-oldest'")
    .replace(/^CREATE TABLE "?chats"?/, "CREATE TABLE chats_new");
  db.exec(created);
  db.exec(`INSERT INTO chats_new (${columns}) SELECT ${columns} FROM chats`);
  db.exec("DROP TABLE chats");
  db.exec("ALTER TABLE chats_new RENAME TO chats");
  for (const sql of extras) db.exec(sql);
}
