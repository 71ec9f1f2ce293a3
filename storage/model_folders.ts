/**
 * The folders scanned for GGUF files.
 *
 * @module
 */
import { isAbsolute, normalize } from "node:path";
import type { StoreContext } from "./_context.ts";
import { checkString } from "./_validate.ts";
import { transaction } from "./transaction.ts";
import type { ModelFolder } from "./types.ts";

/** Normalizes a folder path: absolute, no trailing slash, no "." or ".." parts. */
function checkFolder(path: string): string {
  checkString(path, "path");
  // Storage has no working directory of its own: a relative path would mean whatever
  // the process's cwd happened to be, so the caller resolves it.
  if (!isAbsolute(path)) throw new TypeError(`Cannot use model folder "${path}": not absolute`);
  const normalized = normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

/** The model folders of one database. Get it from `Storage.modelFolders`. */
export class ModelFolderStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.modelFolders`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Lists the folders, oldest first.
   *
   * @returns The folders.
   */
  list(): ModelFolder[] {
    return this.#ctx.sql.get("SELECT path, added_at FROM model_folders ORDER BY added_at, seq")
      .all().map((row) => ({ path: row.path as string, added_at: Number(row.added_at) }));
  }

  /**
   * Adds a folder; adding one that is already there keeps its `added_at`.
   *
   * @param path An absolute path; it is normalized ("/a/b/" and "/a/./b" are "/a/b").
   * @returns The stored folder.
   * @throws {TypeError} If `path` is not an absolute path.
   */
  add(path: string): ModelFolder {
    const folder = checkFolder(path);
    this.#ctx.sql.get(
      "INSERT INTO model_folders (path, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    )
      .run(folder, this.#ctx.now());
    const row = this.#ctx.sql.get("SELECT added_at FROM model_folders WHERE path = ?").get(folder);
    return { path: folder, added_at: Number(row?.added_at) };
  }

  /**
   * Removes a folder.
   *
   * @param path The folder, as given to {@link ModelFolderStore.add} (normalized the same way).
   * @returns True if it was there.
   * @throws {TypeError} If `path` is not an absolute path.
   */
  remove(path: string): boolean {
    return this.#ctx.sql.get("DELETE FROM model_folders WHERE path = ?")
      .run(checkFolder(path)).changes > 0;
  }

  /**
   * Replaces the whole list in one transaction: folders not in `paths` are removed, new
   * ones added, kept ones keep their `added_at`.
   *
   * @param paths The folders to keep or add.
   * @returns The stored folders, oldest first.
   * @throws {TypeError} If any path is not absolute (nothing changes).
   */
  set(paths: readonly string[]): ModelFolder[] {
    const wanted = new Set(paths.map(checkFolder));
    return transaction(this.#ctx.db, () => {
      for (const { path } of this.list()) if (!wanted.has(path)) this.remove(path);
      for (const path of wanted) this.add(path);
      return this.list();
    });
  }
}
