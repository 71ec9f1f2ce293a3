/**
 * Keeps the download queue across restarts: every unfinished download has a row in the
 * database (`Storage.downloads`), and on start those rows come back into the
 * {@link DownloadManager} as paused (or failed, when they had failed), showing the bytes already
 * in their partial files.
 *
 * @module
 */
import type { DownloadEvent, DownloadManager, DownloadStatus } from "../hub/mod.ts";
import type { DownloadStore, SavedDownloadState } from "../storage/mod.ts";

/**
 * Writes download events to the database: a row per unfinished download, updated when
 * its state, partial file or size changes (not on every progress report), deleted once
 * it is done or cancelled.
 *
 * @example
 * ```ts ignore
 * const saver = new DownloadSaver(storage.downloads);
 * const manager = new DownloadManager({ cacheDir, onEvent: (event) => saver.record(event) });
 * ```
 */
export class DownloadSaver {
  readonly #store: DownloadStore;
  /** What was last written per download id, to skip progress reports that change nothing. */
  readonly #written = new Map<string, string>();

  /** @param store Where the rows go. */
  constructor(store: DownloadStore) {
    this.#store = store;
  }

  /**
   * Saves or deletes the download's row as the event requires.
   *
   * @param event A manager event.
   */
  record({ download }: DownloadEvent): void {
    const { request, state } = download;
    const revision = request.revision ?? "main";
    if (state === "done" || state === "cancelled") {
      this.#written.delete(download.id);
      this.#store.remove(request.repo, revision, request.file);
      return;
    }
    const totalBytes = download.progress?.totalBytes ?? null;
    const key = `${state} ${totalBytes} ${download.partialPath}`;
    if (this.#written.get(download.id) === key) return;
    this.#written.set(download.id, key);
    this.#store.save({
      repo: request.repo,
      revision,
      file: request.file,
      sha256: request.sha256 ?? null,
      total_bytes: totalBytes,
      partial_path: download.partialPath,
      state: state satisfies SavedDownloadState,
    });
  }
}

/** What a restored failed download says: the table keeps no message, only the state. */
export const RESTORED_FAILURE =
  "This download failed before Hearth last closed (the file was not found, or it needs a " +
  "Hugging Face token with access); Resume tries again";

/**
 * Adds every saved download to `manager`: a failed one as failed (a 401 or 404 does not turn
 * into a pausable download by a restart), any other as paused (the process that ran it is
 * gone).
 *
 * @param store The saved downloads.
 * @param manager The manager to restore them into.
 * @returns The restored downloads.
 */
export async function restoreDownloads(
  store: DownloadStore,
  manager: DownloadManager,
): Promise<DownloadStatus[]> {
  const restored: DownloadStatus[] = [];
  for (const saved of store.list()) {
    const id = await manager.restore({
      request: {
        repo: saved.repo,
        revision: saved.revision,
        file: saved.file,
        ...(saved.sha256 ? { sha256: saved.sha256 } : {}),
      },
      partialPath: saved.partial_path,
      totalBytes: saved.total_bytes,
      ...(saved.state === "failed" ? { failed: RESTORED_FAILURE } : {}),
    });
    restored.push(manager.get(id)!);
  }
  return restored;
}
