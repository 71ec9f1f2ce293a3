/**
 * The model library: GGUF files indexed in place from the user's folders and other
 * tools' caches, kept in storage and updated live.
 *
 * @module
 */
import { resolve } from "node:path";
import { DisposedError } from "../engine/errors.ts";
import { checkGgufFile } from "../engine/gguf_check.ts";
import type { Storage } from "../storage/db.ts";
import type { ModelRecord } from "../storage/models.ts";
import { deleteModelFiles, modelFiles } from "./_files.ts";
import { toLibraryModel } from "./_record.ts";
import { planScan } from "./_scan.ts";
import { checkHashes, fingerprint, verifiedRecord } from "./_verify.ts";
import { RootWatcher } from "./_watcher.ts";
import { ModelNotInLibraryError } from "./errors.ts";
import { type Root, uniqueRoots } from "./roots.ts";
import type {
  GgufChecker,
  LibraryChanges,
  LibraryModel,
  ListFilter,
  ModelLibraryOptions,
  RemoveOptions,
  ScanResult,
  VerifyProgress,
  VerifyResult,
} from "./types.ts";

const ROOT_KINDS: readonly Root["kind"][] = ["folder", "hf-cache", "lmstudio", "llama.cpp"];

/**
 * GGUF models indexed in place, without copying: from the roots given (see
 * `defaultRoots`) and the folders in `Storage.modelFolders`. The index lives in storage,
 * so `list()` answers at once after a restart; `scan()` brings it up to date, reading
 * only files whose size or mtime changed, and `watch()` keeps it so.
 *
 * Files that fail validation are listed as broken with the reason and must never be
 * handed to llama.cpp. Scans, removals and the writes of `verify()` run one at a time.
 *
 * @example
 * ```ts ignore
 * const library = new ModelLibrary(storage, defaultRoots(env, home), {
 *   onChange: (changes) => pushToUi(changes),
 * });
 * await library.scan();
 * library.watch();
 * const chatModels = library.list({ kind: "model", broken: false });
 * await library.close();
 * ```
 */
export class ModelLibrary {
  readonly #storage: Storage;
  readonly #roots: readonly Root[];
  readonly #check: GgufChecker;
  readonly #now: () => number;
  readonly #debounceMs: number;
  readonly #includeModelFolders: boolean;
  readonly #onChange: ((changes: LibraryChanges) => void) | undefined;
  readonly #onError: (error: unknown) => void;
  /** The last queued operation; every scan, remove and verify write chains after it. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A scan queued behind a running one: later callers share it instead of queueing more. */
  #queuedScan: Promise<ScanResult> | null = null;
  #watcher: RootWatcher | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closing: Promise<void> | null = null;

  /**
   * Creates the library; nothing is read until `scan()`.
   *
   * @param storage The open storage whose `models` table holds the index.
   * @param roots Roots to index besides `Storage.modelFolders`; earlier roots win when
   *   two have the same path. Relative paths are resolved against the working directory.
   * @param options Callbacks, debounce, and fakes for tests.
   * @throws {TypeError} If a root has an unknown kind.
   */
  constructor(storage: Storage, roots: readonly Root[], options: ModelLibraryOptions = {}) {
    for (const root of roots) {
      if (!ROOT_KINDS.includes(root.kind)) {
        throw new TypeError(`Cannot use root "${root.path}": unknown kind "${root.kind}"`);
      }
    }
    this.#storage = storage;
    this.#roots = roots.map((root) => ({ kind: root.kind, path: resolve(root.path) }));
    this.#check = options.checkGguf ?? checkGgufFile;
    this.#now = options.now ?? Date.now;
    this.#debounceMs = options.debounceMs ?? 500;
    this.#includeModelFolders = options.includeModelFolders ?? true;
    this.#onChange = options.onChange;
    this.#onError = options.onError ?? ((error) => console.error(error));
  }

  /** Every root indexed now: the ones given, then `Storage.modelFolders`, without duplicates. */
  get roots(): Root[] {
    const folders: Root[] = this.#includeModelFolders && !this.#storage.closed
      ? this.#storage.modelFolders.list().map(({ path }) => ({ kind: "folder", path }))
      : [];
    return uniqueRoots([...this.#roots, ...folders]);
  }

  /** True between `watch()` and `close()`. */
  get watching(): boolean {
    return this.#watcher !== null;
  }

  /**
   * Brings the index up to date with the files under every root that exists. A file whose
   * size and mtime match its row is not read again; rows of files that disappeared (or
   * whose root is gone) are removed. Calls made while a scan runs share one follow-up scan.
   *
   * @returns What changed; `onChange` gets the same changes when there are any.
   * @throws {DisposedError} After `close()` (the promise rejects).
   */
  scan(): Promise<ScanResult> {
    if (this.#closing) return Promise.reject(new DisposedError("ModelLibrary"));
    this.#queuedScan ??= this.#serial(() => {
      this.#queuedScan = null;
      return this.#scanNow();
    });
    return this.#queuedScan;
  }

  /**
   * Watches every root that exists and rescans, debounced, when files change below one.
   * Roots that appear later are watched after the next scan. Changes reach `onChange`;
   * failed background scans reach `onError`. Calling it again does nothing.
   *
   * @throws {DisposedError} After `close()`.
   */
  watch(): void {
    this.#checkOpen();
    if (this.#watcher) return;
    this.#watcher = new RootWatcher(() => this.#schedule());
    this.#syncWatches();
  }

  /**
   * Lists indexed models, sorted by path. Hidden ones are left out unless asked for.
   *
   * @param filter What to keep; every field given must match.
   * @returns The models.
   */
  list(filter: ListFilter = {}): LibraryModel[] {
    return this.#storage.models.list().filter((row) =>
      (filter.includeHidden || !row.hidden) &&
      (filter.kind === undefined || row.kind === filter.kind) &&
      (filter.broken === undefined || (row.broken_reason !== null) === filter.broken) &&
      (filter.rootKind === undefined || row.root_kind === filter.rootKind) &&
      (filter.hfRepo === undefined || row.hf_repo === filter.hfRepo)
    ).map(toLibraryModel);
  }

  /**
   * Looks a model up by id or by path (hidden ones too).
   *
   * @param idOrPath A model's id, or its path (a split model's first part).
   * @returns The model, or null when the library has no such model.
   */
  get(idOrPath: string): LibraryModel | null {
    const row = this.#storage.models.get(idOrPath) ?? this.#storage.models.getByPath(idOrPath);
    return row ? toLibraryModel(row) : null;
  }

  /**
   * Removes a model from the library. Without `deleteFile` the entry is only hidden (it
   * would come back at the next scan otherwise); `restore()` shows it again. With
   * `deleteFile` the files go too: every part of a split model, and in the Hugging Face
   * cache the snapshot link plus its blob once no other snapshot links to it.
   *
   * @param id The model's id.
   * @param options Whether to delete the file, and whether outside roots is allowed.
   * @throws {ModelNotInLibraryError} If no model has that id.
   * @throws {DeleteRefusedError} If a file lies outside every root and
   *   `allowOutsideRoots` is not set; nothing is deleted.
   * @throws {DisposedError} After `close()`.
   */
  async remove(id: string, options: RemoveOptions = {}): Promise<void> {
    this.#checkOpen();
    await this.#serial(async () => {
      const record = this.#require(id);
      if (!options.deleteFile) {
        if (!record.hidden) this.#put({ ...record, hidden: true });
        return;
      }
      await deleteModelFiles(record, this.roots, options.allowOutsideRoots ?? false);
      this.#storage.models.delete(id);
      this.#emit({ added: [], updated: [], removed: [toLibraryModel(record)] });
    });
  }

  /**
   * Shows a model hidden by `remove()` without `deleteFile` again.
   *
   * @param id The model's id.
   * @returns The model.
   * @throws {ModelNotInLibraryError} If no model has that id.
   * @throws {DisposedError} After `close()`.
   */
  restore(id: string): LibraryModel {
    this.#checkOpen();
    const record = this.#require(id);
    return record.hidden ? this.#put({ ...record, hidden: false }) : toLibraryModel(record);
  }

  /**
   * Hashes a model's bytes (sha256, streamed) and compares them with the known sha256:
   * the HF blob name, or the hash an earlier verify stored. With none known the hash is
   * stored as the reference. A mismatch marks the model broken; a later match clears it.
   *
   * @param id The model's id.
   * @param onProgress Called after each MiB hashed; exceptions are reported to `onError`.
   * @param options `signal` cancels the hashing.
   * @returns Whether the bytes match, and the hashes.
   * @throws {ModelNotInLibraryError} If no model has that id.
   * @throws {Error} If a file changed while it was hashed (nothing is stored; try again).
   * @throws {Deno.errors.NotFound} If the file is gone.
   * @throws `signal.reason` when `signal` aborts.
   */
  async verify(
    id: string,
    onProgress?: (progress: VerifyProgress) => void,
    options: { signal?: AbortSignal } = {},
  ): Promise<VerifyResult> {
    this.#checkOpen();
    let record = this.#require(id);
    let files = await modelFiles(record);
    if (files.length === 0) {
      throw new Deno.errors.NotFound(`Cannot verify "${record.path}": no such file`);
    }
    const { sizeBytes, mtimeMs } = await fingerprint(files);
    if (sizeBytes !== record.size_bytes || mtimeMs !== record.mtime_ms) {
      // The index is behind the files: re-read them first, so the result lands on a
      // row that describes the bytes hashed.
      await this.scan();
      record = this.#require(id);
      files = await modelFiles(record);
    }
    const report = (progress: VerifyProgress) => {
      try {
        onProgress?.(progress);
      } catch (error) {
        this.#onError(error);
      }
    };
    const check = await checkHashes(files, record.sha256, report, options.signal);
    await this.#serial(() => {
      const current = this.#storage.models.get(id);
      // Rescanned meanwhile because the files changed: the result is about old bytes.
      if (
        current && current.size_bytes === check.fingerprint.sizeBytes &&
        current.mtime_ms === check.fingerprint.mtimeMs
      ) {
        this.#put(verifiedRecord(current, check, this.#now()));
      }
      return Promise.resolve();
    });
    return { ok: check.ok, sha256: check.sha256, expectedSha256: record.sha256 };
  }

  /**
   * Marks a model broken because loading it crashed llama.cpp (engine/load_probe.ts), so
   * the app never hands it to llama.cpp again. Applies only while the file is as it was
   * when it crashed: a changed file is read again at the next scan, which clears the mark.
   *
   * @param path The model's path (for a split model its first part), as indexed.
   * @param stamp The file's size in bytes and mtime in ms when it crashed.
   * @param reason Why: the crash and llama.cpp's last log line.
   * @returns The entry as it is now, or null when the path is not in the library or the
   *   file changed since.
   */
  markBroken(
    path: string,
    stamp: { sizeBytes: number; mtimeMs: number },
    reason: string,
  ): Promise<LibraryModel | null> {
    this.#checkOpen();
    return this.#serial(() => {
      const current = this.#storage.models.getByPath(path);
      // A split model's row sums its parts: the crash stamp is of the first part alone.
      const same = current !== null &&
        (current.split_count !== null ||
          (current.size_bytes === stamp.sizeBytes && current.mtime_ms === stamp.mtimeMs));
      if (!current || !same || current.broken_reason === reason) {
        return Promise.resolve(current && same ? toLibraryModel(current) : null);
      }
      return Promise.resolve(this.#put({ ...current, broken_reason: reason }));
    });
  }

  /**
   * Stops watching and waits for a running scan, remove or verify write to finish. Later
   * calls return the same promise; other methods then throw `DisposedError`.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    clearTimeout(this.#timer);
    const watcher = this.#watcher;
    this.#watcher = null;
    this.#closing = (async () => {
      await watcher?.close();
      await this.#tail;
    })();
    return this.#closing;
  }

  /** Closes the library (for `await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #scanNow(): Promise<ScanResult> {
    const started = performance.now();
    const { writes, deleteIds, ...result } = await planScan(
      this.roots,
      this.#storage.models.list(),
      this.#check,
      this.#now,
    );
    // restore() may have run while files were read: keep what it set.
    const hidden = new Map(this.#storage.models.list().map((row) => [row.path, row.hidden]));
    this.#storage.models.apply(
      writes.map((row) => ({ ...row, hidden: hidden.get(row.path) ?? row.hidden })),
      deleteIds,
    );
    this.#emit({ added: result.added, updated: result.updated, removed: result.removed });
    this.#syncWatches();
    return { ...result, durationMs: performance.now() - started };
  }

  /** Writes a changed row and reports it as updated. */
  #put(record: ModelRecord): LibraryModel {
    const model = toLibraryModel(this.#storage.models.put(record));
    this.#emit({ added: [], updated: [model], removed: [] });
    return model;
  }

  #require(id: string): ModelRecord {
    const record = this.#storage.models.get(id);
    if (!record) throw new ModelNotInLibraryError(id);
    return record;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn);
    this.#tail = run.catch(() => {});
    return run;
  }

  #emit(changes: LibraryChanges): void {
    const { added, updated, removed } = changes;
    if (added.length + updated.length + removed.length === 0 || !this.#onChange) return;
    try {
      this.#onChange(changes);
    } catch (error) {
      this.#onError(error);
    }
  }

  #schedule(): void {
    if (this.#closing) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closing) this.scan().catch(this.#onError);
    }, this.#debounceMs);
  }

  #syncWatches(): void {
    if (!this.#watcher || this.#closing) return;
    const present = this.roots.filter((root) => {
      try {
        return Deno.statSync(root.path).isDirectory;
      } catch {
        return false;
      }
    });
    this.#watcher.sync(present.map((root) => root.path));
  }

  #checkOpen(): void {
    if (this.#closing) throw new DisposedError("ModelLibrary");
  }
}
