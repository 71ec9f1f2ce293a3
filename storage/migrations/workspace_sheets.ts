/**
 * Migrations of the workspace tables: workspace folders (version 7) and sheets, their
 * columns, rows, cells and jobs (versions 8 and 14). Listed in order in
 * `../migrations.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";

/**
 * Version 7: workspace folders, the folders the user chose whose files the UI may read
 * and write through the app (app/workspace/). `path` is the folder's real path (symlinks
 * resolved when it was added); `seq` is its id on the wire.
 */
export function addWorkspaceFolders(db: DatabaseSync): void {
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
export function addSheets(db: DatabaseSync): void {
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
 * Version 14: `sheets.parallel`, how many rows of a sheet's jobs generate at once (the
 * Sheets workbench's setting; default 8 as `deno task sheet run --parallel`).
 */
export function addSheetParallel(db: DatabaseSync): void {
  // A file whose version was set back after this ran (tests do) has the column already.
  const columns = db.prepare("PRAGMA table_info(sheets)").all().map((c) => c.name);
  if (columns.includes("parallel")) return;
  db.exec(`
    ALTER TABLE sheets ADD COLUMN parallel INTEGER NOT NULL DEFAULT 8
      CHECK (parallel BETWEEN 1 AND 256);
  `);
}
