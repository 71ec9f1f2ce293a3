/**
 * Schema migrations, versioned by `PRAGMA user_version`: version N means the first N
 * entries of {@link MIGRATIONS} have run. Append new migrations; never edit or reorder
 * released ones, since files in users' data directories have already run them.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { transaction } from "./transaction.ts";

/** One schema step; it runs inside a transaction together with the version bump. */
export type Migration = (db: DatabaseSync) => void;

/**
 * Version 1: chats, the message tree, settings, model folders and full-text search.
 *
 * Chats and messages get an `INTEGER PRIMARY KEY` (`seq`) besides their UUID: the FTS
 * tables refer to rows by rowid, and only an aliased rowid is stable across VACUUM.
 * Deleting a chat deletes its messages (ON DELETE CASCADE on chat_id). The FTS tables
 * are external-content (they store no copy of the text) and triggers keep
 * them in sync; an update re-indexes only when the indexed column changed.
 */
function createSchema(db: DatabaseSync): void {
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

/**
 * Version 2: the model library, one row per GGUF model found in place (a split model is
 * one row whose `path` is its first part). Column names follow llama-server's model
 * metadata (`n_ctx_train`, `n_embd`, `n_params`) and llama.h (`n_layer`, `n_head`).
 *
 * `path` is the key the library matches files by; `id` is derived from it (a short hash)
 * so it stays the same across re-indexing. `broken_reason` is NULL for a file that passed
 * validation: a non-NULL reason means it is never handed to llama.cpp. `sha256` is NULL
 * until known (a Hugging Face blob name or an explicit verify); `verified_at` is set only
 * by a verify that hashed the bytes.
 */
function addModels(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE models (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      path TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('model', 'vocab-only', 'mmproj')),
      size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
      mtime_ms INTEGER NOT NULL,
      sha256 TEXT
        CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
      architecture TEXT,
      name TEXT,
      n_params INTEGER,
      n_tensors INTEGER,
      quantization TEXT,
      n_ctx_train INTEGER,
      n_layer INTEGER,
      n_embd INTEGER,
      n_head INTEGER,
      n_head_kv INTEGER,
      has_chat_template INTEGER NOT NULL CHECK (has_chat_template IN (0, 1)),
      license TEXT,
      base_model_name TEXT,
      base_model_repo_url TEXT,
      root_kind TEXT NOT NULL
        CHECK (root_kind IN ('folder', 'hf-cache', 'lmstudio', 'llama.cpp')),
      root_path TEXT NOT NULL,
      hf_repo TEXT,
      hf_revision TEXT,
      split_count INTEGER CHECK (split_count IS NULL OR split_count > 1),
      broken_reason TEXT,
      hidden INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
      indexed_at INTEGER NOT NULL,
      verified_at INTEGER
    );
    CREATE INDEX models_root ON models(root_path);
  `);
}

/**
 * Version 3: Hugging Face downloads not finished yet, one row per file, so an interrupted
 * download comes back (paused) after a restart. A finished or cancelled download's row is
 * deleted. `partial_path` is the `.incomplete` file in the hub cache, NULL until the
 * download first moved bytes; `total_bytes` is NULL while the size is unknown.
 */
function addDownloads(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE downloads (
      seq INTEGER PRIMARY KEY,
      repo TEXT NOT NULL,
      revision TEXT NOT NULL,
      file TEXT NOT NULL,
      sha256 TEXT
        CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')),
      total_bytes INTEGER CHECK (total_bytes IS NULL OR total_bytes >= 0),
      partial_path TEXT,
      state TEXT NOT NULL CHECK (state IN ('queued', 'downloading', 'paused', 'failed')),
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (repo, revision, file)
    );
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
 * says (steps 4-9; {@link migrate} does the foreign-key steps 1, 10 and 12): a new table,
 * the rows copied with their `seq` (the FTS index refers to rows by it, so it stays
 * valid), the old table dropped, the new one renamed, then its indexes and triggers made
 * again (DROP TABLE took them along).
 */
function allowNullMessageJson(db: DatabaseSync): void {
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
function addProvenance(db: DatabaseSync): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN backend TEXT CHECK (backend IN ('local', 'remote'));
    ALTER TABLE messages ADD COLUMN provider TEXT;
    UPDATE messages SET backend = 'local' WHERE role = 'assistant' AND model IS NOT NULL;
  `);
}

/**
 * Version 6: the library knows LoRA adapters (`general.type` "adapter") as kind
 * "adapter", so they are offered as adapters and never as models to load or fit. SQLite
 * cannot alter a CHECK: the table is rebuilt with its rows (sqlite.org/lang_altertable.html,
 * the 12-step procedure); no other table refers to it.
 */
function addAdapterKind(db: DatabaseSync): void {
  const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'models'")
    .get()?.sql as string;
  const old = "CHECK (kind IN ('model', 'vocab-only', 'mmproj'))";
  const wanted = "CHECK (kind IN ('model', 'vocab-only', 'mmproj', 'adapter'))";
  // A file whose version was set back after this ran (tests do) has it already.
  if (sql.includes(wanted)) return;
  if (!sql.includes(old)) throw new Error("the models table has an unexpected kind CHECK");
  db.exec(`
    ${
    sql.replace("CREATE TABLE models", "CREATE TABLE models_new").replace(
      old,
      wanted,
    )
  };
    INSERT INTO models_new SELECT * FROM models;
    DROP TABLE models;
    ALTER TABLE models_new RENAME TO models;
    CREATE INDEX models_root ON models(root_path);
  `);
}

/**
 * Version 7: workspace folders, the folders the user chose whose files the UI may read
 * and write through the app (app/workspace/). `path` is the folder's real path (symlinks
 * resolved when it was added); `seq` is its id on the wire.
 */
function addWorkspaceFolders(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS workspace_folders (
      seq INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      added_at INTEGER NOT NULL
    );
  `);
}

/**
 * Version 8: sheets (issue 11): a table of rows with data columns and AI columns whose
 * cells a model fills, and the jobs that fill them.
 *
 * - `sheets.state` is "importing" while an import streams rows in: a crash mid-import
 *   leaves such a sheet, which opening the store deletes (nothing is imported half).
 * - `sheet_columns.slot` is a data column's index in `sheet_rows.data` (a JSON array),
 *   fixed when the column is made; AI columns have none and keep their spec in `ai`.
 * - `sheet_rows.raw` is a CSV/TSV record's text as read, so an export to the same format
 *   keeps it byte for byte; editing a data cell clears it.
 * - `sheet_cells` holds AI cells only; no row means "empty". Each finished cell is its
 *   own transaction, so a crash loses at most the cells still being generated.
 * - `sheet_jobs` are generation jobs; "running" ones continue after a restart.
 */
function addSheets(db: DatabaseSync): void {
  // IF NOT EXISTS: a file whose version was set back after this ran (tests do) has them.
  db.exec(`
    CREATE TABLE IF NOT EXISTS sheets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('importing', 'ready')),
      source_format TEXT CHECK (source_format IN ('csv', 'tsv', 'jsonl', 'parquet')),
      layout TEXT CHECK (json_valid(layout)),
      row_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS sheet_columns (
      id TEXT PRIMARY KEY,
      sheet_id TEXT NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
      position INTEGER NOT NULL,
      name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('data', 'ai')),
      type TEXT NOT NULL DEFAULT 'string' CHECK (type IN ('string', 'number', 'boolean', 'json')),
      slot INTEGER,
      ai TEXT CHECK (json_valid(ai)),
      UNIQUE (sheet_id, name)
    );
    CREATE INDEX IF NOT EXISTS sheet_columns_sheet ON sheet_columns(sheet_id, position);
    CREATE TABLE IF NOT EXISTS sheet_rows (
      sheet_id TEXT NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      data TEXT NOT NULL CHECK (json_valid(data)),
      raw TEXT,
      PRIMARY KEY (sheet_id, idx)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS sheet_cells (
      column_id TEXT NOT NULL REFERENCES sheet_columns(id) ON DELETE CASCADE,
      row_idx INTEGER NOT NULL,
      value TEXT,
      state TEXT NOT NULL
        CHECK (state IN ('empty', 'queued', 'done', 'error', 'edited', 'approved')),
      error TEXT,
      tokens INTEGER,
      ms REAL,
      model TEXT,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (column_id, row_idx)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sheet_cells_state ON sheet_cells(column_id, state, row_idx);
    CREATE TABLE IF NOT EXISTS sheet_jobs (
      id TEXT PRIMARY KEY,
      sheet_id TEXT NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
      column_id TEXT NOT NULL REFERENCES sheet_columns(id) ON DELETE CASCADE,
      state TEXT NOT NULL
        CHECK (state IN ('running', 'paused', 'cancelled', 'done', 'failed')),
      row_start INTEGER NOT NULL,
      row_end INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      error TEXT
    );
    CREATE INDEX IF NOT EXISTS sheet_jobs_column ON sheet_jobs(column_id, state);
  `);
}

/**
 * Version 10: `messages.error`: why a reply failed, in the UI's words, so the reason is still
 * there after the error's toast is gone and after a restart. Null for every other message.
 */
function addMessageError(db: DatabaseSync): void {
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
function defaultOverflowTruncate(db: DatabaseSync): void {
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

/** Version 12: load options saved per model file (storage/model_options.ts), by path. */
function addModelLoadOptions(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS model_load_options (
      path TEXT PRIMARY KEY,
      options TEXT NOT NULL CHECK (json_valid(options)),
      updated_at INTEGER NOT NULL
    );
  `);
}

/**
 * Version 9: images attached to messages (a user message's PNG or JPEG, for a model with
 * an mmproj), in order; deleting the message deletes them.
 */
function addMessageImages(db: DatabaseSync): void {
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
 * Version 13: `deno task bench` runs (storage/bench_runs.ts), one row per run of the command:
 * the model, llama-bench's parameters that run used (`params`, llama-bench's JSON names) and
 * one result per test (`results`: pp/tg, mean and standard deviation of tok/s, samples). And
 * the generation history's indexes (storage/history.ts): replies and sheet jobs newest first,
 * so a page reads about its own rows, not the whole history.
 */
function addBenchRuns(db: DatabaseSync): void {
  // IF NOT EXISTS: a file whose version was set back after this ran (tests do) has them.
  db.exec(`
    CREATE TABLE IF NOT EXISTS bench_runs (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      model_filename TEXT NOT NULL,
      model_type TEXT NOT NULL DEFAULT '',
      model_size INTEGER,
      model_n_params INTEGER,
      build_commit TEXT NOT NULL DEFAULT '',
      backends TEXT NOT NULL DEFAULT '',
      cpu_info TEXT NOT NULL DEFAULT '',
      gpu_info TEXT NOT NULL DEFAULT '',
      params TEXT NOT NULL CHECK (json_valid(params)),
      results TEXT NOT NULL CHECK (json_valid(results))
    );
    CREATE INDEX IF NOT EXISTS bench_runs_model ON bench_runs(model_filename, created_at);
    CREATE INDEX IF NOT EXISTS bench_runs_created ON bench_runs(created_at);
    CREATE INDEX IF NOT EXISTS messages_replies ON messages(created_at, id, chat_id, model)
      WHERE role = 'assistant';
    CREATE INDEX IF NOT EXISTS sheet_jobs_created ON sheet_jobs(created_at, id);
  `);
}

/**
 * Version 14: `sheets.parallel`, how many rows of a sheet's jobs generate at once (the
 * Sheets workbench's setting; default 8 as `deno task sheet run --parallel`).
 */
function addSheetParallel(db: DatabaseSync): void {
  // A file whose version was set back after this ran (tests do) has the column already.
  const columns = db.prepare("PRAGMA table_info(sheets)").all().map((c) => c.name);
  if (columns.includes("parallel")) return;
  db.exec(`
    ALTER TABLE sheets ADD COLUMN parallel INTEGER NOT NULL DEFAULT 8
      CHECK (parallel BETWEEN 1 AND 256);
  `);
}

/** Every migration, oldest first; the schema version is this array's length. */
export const MIGRATIONS: readonly Migration[] = [
  createSchema,
  addModels,
  addDownloads,
  allowNullMessageJson,
  addProvenance,
  addAdapterKind,
  addWorkspaceFolders,
  addSheets,
  addMessageImages,
  addMessageError,
  defaultOverflowTruncate,
  addModelLoadOptions,
  addBenchRuns,
  addSheetParallel,
];

/** Reads `PRAGMA user_version`. */
export function schemaVersion(db: DatabaseSync): number {
  return Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
}

/**
 * Brings the schema up to date: runs each pending migration and its version bump in one
 * transaction, so a failing migration leaves the file at the previous version. The
 * version is re-read inside each transaction, so two processes opening the same old file
 * at once do not run a migration twice.
 *
 * The caller refuses files newer than `migrations.length` before calling this (see
 * `openDatabase`); here such a file is left untouched.
 *
 * Foreign keys are off while migrations run and checked before each commit: a table
 * rebuild drops a table, which with them on would run other tables' ON DELETE actions
 * (emptying `chats.active_leaf_id`), and `PRAGMA foreign_keys` cannot change inside a
 * transaction (sqlite.org/lang_altertable.html, steps 1, 10 and 12).
 *
 * @param db An open database, not inside a transaction.
 * @param migrations The migrations to apply; tests pass their own.
 * @returns The schema version after migrating.
 * @throws {Error} What a failing migration throws, with its version and name prefixed;
 * also when a migration left a row whose foreign key points nowhere.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS): number {
  if (schemaVersion(db) >= migrations.length) return schemaVersion(db);
  const foreignKeys = Number(db.prepare("PRAGMA foreign_keys").get()?.foreign_keys) === 1;
  if (foreignKeys) db.exec("PRAGMA foreign_keys = OFF");
  try {
    for (let index = schemaVersion(db); index < migrations.length; index++) {
      const migration = migrations[index];
      transaction(db, () => {
        if (schemaVersion(db) !== index) return;
        try {
          migration(db);
          if (foreignKeys) checkForeignKeys(db);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(
            `Cannot migrate database to version ${index + 1} (${migration.name}): ${reason}`,
            { cause: error },
          );
        }
        // PRAGMA takes no bound parameters; index is a number we computed.
        db.exec(`PRAGMA user_version = ${index + 1}`);
      });
    }
  } finally {
    if (foreignKeys) db.exec("PRAGMA foreign_keys = ON");
  }
  return schemaVersion(db);
}

/** Throws when any row's foreign key points at no row (step 10 of a table rebuild). */
function checkForeignKeys(db: DatabaseSync): void {
  const violation = db.prepare("PRAGMA foreign_key_check").get();
  if (violation) {
    throw new Error(
      `a row of "${violation.table}" (rowid ${violation.rowid}) refers to no row of ` +
        `"${violation.parent}": fix or delete that row, then open the database again`,
    );
  }
}
