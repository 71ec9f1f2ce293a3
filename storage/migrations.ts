/**
 * Schema migrations, versioned by `PRAGMA user_version`: version N means the first N
 * entries of {@link MIGRATIONS} have run. Append new migrations; never edit or reorder
 * released ones, since files in users' data directories have already run them.
 *
 * This module holds the list and the runner; each migration lives in `migrations/`, by
 * the tables it changes: `chats.ts`, `models.ts`, `workspace_sheets.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { transaction } from "./transaction.ts";
import {
  addMessageError,
  addMessageImages,
  addProvenance,
  allowNullMessageJson,
  createSchema,
  defaultOverflowTruncate,
} from "./migrations/chats.ts";
import {
  addAdapterKind,
  addBenchRuns,
  addDownloads,
  addModelLoadOptions,
  addModels,
} from "./migrations/models.ts";
import { addSheetParallel, addSheets, addWorkspaceFolders } from "./migrations/workspace_sheets.ts";

/** One schema step; it runs inside a transaction together with the version bump. */
export type Migration = (db: DatabaseSync) => void;

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
