/**
 * Unfinished Hugging Face downloads, one row per file, kept so an interrupted download
 * comes back after a restart. Storage knows nothing of the hub: the caller saves a row
 * on every state change and deletes it once the download is done or cancelled.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { checkString, fail } from "./_validate.ts";

/** Where a saved download was; finished and cancelled downloads have no row. */
export type SavedDownloadState = "queued" | "downloading" | "paused" | "failed";

const STATES: readonly SavedDownloadState[] = ["queued", "downloading", "paused", "failed"];

/** One unfinished download. `repo`, `revision` and `file` together identify it. */
export interface SavedDownload {
  /** Repository id, `org/name`. */
  repo: string;
  /** Branch, tag or commit, as requested. */
  revision: string;
  /** Path of the file in the repository. */
  file: string;
  /** The sha256 the file must have (lowercase hex), or null if none was given. */
  sha256: string | null;
  /** The file's size in bytes; null while unknown. */
  total_bytes: number | null;
  /** The `.incomplete` file holding the bytes so far; null before any were written. */
  partial_path: string | null;
  /** Where it was when last saved. */
  state: SavedDownloadState;
  /** When first saved, ms since the epoch. */
  created_at: number;
  /** When last saved, ms since the epoch. */
  updated_at: number;
}

/** What {@link DownloadStore.save} takes: a download without its timestamps. */
export type NewSavedDownload = Omit<SavedDownload, "created_at" | "updated_at">;

function checkDownload(download: NewSavedDownload): NewSavedDownload {
  checkString(download.repo, "repo");
  checkString(download.revision, "revision");
  checkString(download.file, "file");
  const sha256 = download.sha256?.toLowerCase() ?? null;
  if (sha256 !== null && !/^[0-9a-f]{64}$/.test(sha256)) {
    fail(TypeError, "sha256", `must be 64 hex digits, got "${download.sha256}"`);
  }
  const total = download.total_bytes;
  if (total !== null && (!Number.isSafeInteger(total) || total < 0)) {
    fail(RangeError, "total_bytes", `must be an integer >= 0, got ${total}`);
  }
  if (download.partial_path !== null) checkString(download.partial_path, "partial_path");
  if (!STATES.includes(download.state)) {
    fail(RangeError, "state", `must be one of ${STATES.join(", ")}, got "${download.state}"`);
  }
  return { ...download, sha256 };
}

/** The unfinished downloads of one database. Get it from `Storage.downloads`. */
export class DownloadStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.downloads`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Lists the saved downloads, oldest first.
   *
   * @returns The downloads.
   */
  list(): SavedDownload[] {
    return this.#ctx.sql.get(
      `SELECT repo, revision, file, sha256, total_bytes, partial_path, state, created_at,
        updated_at FROM downloads ORDER BY created_at, seq`,
    ).all().map((row) => ({
      repo: row.repo as string,
      revision: row.revision as string,
      file: row.file as string,
      sha256: row.sha256 as string | null,
      total_bytes: row.total_bytes === null ? null : Number(row.total_bytes),
      partial_path: row.partial_path as string | null,
      state: row.state as SavedDownloadState,
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    }));
  }

  /**
   * Saves a download: inserts it, or updates the row of the same repo, revision and file
   * (keeping its `created_at`). A known `total_bytes` or `partial_path` is not replaced
   * by null.
   *
   * @param download The download.
   * @throws {TypeError} A field has the wrong shape (a malformed sha256, say).
   * @throws {RangeError} `total_bytes` is negative or `state` is not an unfinished state.
   */
  save(download: NewSavedDownload): void {
    const d = checkDownload(download);
    const now = this.#ctx.now();
    this.#ctx.sql.get(
      `INSERT INTO downloads (repo, revision, file, sha256, total_bytes, partial_path, state,
        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (repo, revision, file) DO UPDATE SET
        sha256 = excluded.sha256,
        total_bytes = coalesce(excluded.total_bytes, total_bytes),
        partial_path = coalesce(excluded.partial_path, partial_path),
        state = excluded.state,
        updated_at = excluded.updated_at`,
    ).run(d.repo, d.revision, d.file, d.sha256, d.total_bytes, d.partial_path, d.state, now, now);
  }

  /**
   * Deletes a download's row (it finished or was cancelled).
   *
   * @returns True if there was one.
   */
  remove(repo: string, revision: string, file: string): boolean {
    return this.#ctx.sql.get("DELETE FROM downloads WHERE repo = ? AND revision = ? AND file = ?")
      .run(repo, revision, file).changes > 0;
  }
}
