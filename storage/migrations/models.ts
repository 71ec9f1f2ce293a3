/**
 * Migrations of the model tables: the model library (versions 2 and 6), unfinished
 * Hugging Face downloads (3), per-model load options (12) and `deno task bench` runs
 * with the history's indexes (13). Listed in order in `../migrations.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

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
export function addModels(db: DatabaseSync): void {
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
export function addDownloads(db: DatabaseSync): void {
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

/**
 * Version 6: the library knows LoRA adapters (`general.type` "adapter") as kind
 * "adapter", so they are offered as adapters and never as models to load or fit. SQLite
 * cannot alter a CHECK: the table is rebuilt with its rows (sqlite.org/lang_altertable.html,
 * the 12-step procedure); no other table refers to it.
 */
export function addAdapterKind(db: DatabaseSync): void {
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

/** Version 12: load options saved per model file (storage/model_options.ts), by path. */
export function addModelLoadOptions(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS model_load_options (
      path TEXT PRIMARY KEY,
      options TEXT NOT NULL CHECK (json_valid(options)),
      updated_at INTEGER NOT NULL
    );
  `);
}

/**
 * Version 13: `deno task bench` runs (storage/bench_runs.ts), one row per run of the command:
 * the model, llama-bench's parameters that run used (`params`, llama-bench's JSON names) and
 * one result per test (`results`: pp/tg, mean and standard deviation of tok/s, samples). And
 * the generation history's indexes (storage/history.ts): replies and sheet jobs newest first,
 * so a page reads about its own rows, not the whole history.
 */
export function addBenchRuns(db: DatabaseSync): void {
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
