/**
 * The workspace folders: folders the user chose (open dialog or API) whose files the UI
 * reaches through the app's file layer (app/workspace/). Storage keeps paths only; the
 * app resolves symlinks before adding and checks every file path against these.
 *
 * @module
 */
import { isAbsolute, normalize } from "node:path";
import type { StoreContext } from "./_context.ts";
import { checkString } from "./_validate.ts";
import type { WorkspaceFolder } from "./types.ts";

/** Normalizes a folder path: absolute, no trailing slash, no "." or ".." parts. */
function checkFolder(path: string): string {
  checkString(path, "path");
  if (!isAbsolute(path)) throw new TypeError(`Cannot use workspace folder "${path}": not absolute`);
  const normalized = normalize(path);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

function fromRow(row: Record<string, unknown>): WorkspaceFolder {
  return { id: String(row.seq), path: row.path as string, added_at: Number(row.added_at) };
}

/** The workspace folders of one database. Get it from `Storage.workspaceFolders`. */
export class WorkspaceFolderStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.workspaceFolders`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /** Lists the folders, oldest first. */
  list(): WorkspaceFolder[] {
    return this.#ctx.sql.get("SELECT seq, path, added_at FROM workspace_folders ORDER BY seq")
      .all().map(fromRow);
  }

  /**
   * The folder with this id, or undefined.
   *
   * @param id A folder's `id` (a decimal string).
   */
  get(id: string): WorkspaceFolder | undefined {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return undefined;
    const row = this.#ctx.sql.get("SELECT seq, path, added_at FROM workspace_folders WHERE seq = ?")
      .get(Number(id));
    return row ? fromRow(row) : undefined;
  }

  /**
   * Adds a folder; adding one that is already there returns it unchanged.
   *
   * @param path An absolute path; it is normalized ("/a/b/" and "/a/./b" are "/a/b").
   * @returns The stored folder.
   * @throws {TypeError} If `path` is not an absolute path.
   */
  add(path: string): WorkspaceFolder {
    const folder = checkFolder(path);
    this.#ctx.sql.get(
      "INSERT INTO workspace_folders (path, added_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
    ).run(folder, this.#ctx.now());
    return fromRow(
      this.#ctx.sql.get("SELECT seq, path, added_at FROM workspace_folders WHERE path = ?")
        .get(folder)!,
    );
  }

  /**
   * Removes a folder.
   *
   * @param id The folder's `id`.
   * @returns True if it was there.
   */
  remove(id: string): boolean {
    if (!/^[1-9][0-9]{0,15}$/.test(id)) return false;
    return this.#ctx.sql.get("DELETE FROM workspace_folders WHERE seq = ?").run(Number(id))
      .changes > 0;
  }
}
