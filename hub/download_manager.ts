/**
 * Several downloads at once: a FIFO queue with a concurrency limit, pause (abort, keep
 * the partial file), resume (continue it with a Range request), cancel (abort and delete
 * it), and one event callback for the UI. State lives in the instance; a caller that
 * keeps downloads across restarts saves them from the events and hands the unfinished
 * ones back with {@link DownloadManager.restore}.
 *
 * @module
 */
import {
  downloadFile,
  type DownloadFileOptions,
  type DownloadProgress,
  type DownloadResult,
} from "./download_file.ts";
import type { HubOptions } from "./options.ts";
import { DEFAULT_ENDPOINT } from "./options.ts";

/**
 * Where a download is: `queued` → `downloading` → `done`, with `paused` (resume queues
 * it again), `failed` (resume retries it) and `cancelled` (final, partial file deleted).
 */
export type DownloadState = "queued" | "downloading" | "paused" | "done" | "failed" | "cancelled";

/** What to download. */
export interface DownloadRequest {
  /** Repository id, `org/name`. */
  repo: string;
  /** Path of the file in the repository. */
  file: string;
  /** Branch, tag or commit. @default "main" */
  revision?: string;
  /** The sha256 the file must have, e.g. from `listGgufFiles`. */
  sha256?: string;
}

/** A snapshot of one download. */
export interface DownloadStatus {
  /** The manager's id for it. */
  id: string;
  /** What is downloaded. */
  request: DownloadRequest;
  /** Where it is. */
  state: DownloadState;
  /** The latest progress; null before the first report. */
  progress: DownloadProgress | null;
  /** Set when `done`. */
  result: DownloadResult | null;
  /** Set when `failed`. */
  error: Error | null;
  /**
   * The `.incomplete` file holding the bytes so far: known once the download started
   * (or when restored), null before and once done or cancelled.
   */
  partialPath: string | null;
}

/** A download left unfinished by an earlier run, for {@link DownloadManager.restore}. */
export interface RestoredDownload {
  /** What is downloaded. */
  request: DownloadRequest;
  /** Its `.incomplete` file, if it had started; the bytes there are kept and resumed. */
  partialPath: string | null;
  /** The file's size in bytes, if known. */
  totalBytes: number | null;
  /**
   * Why it had failed, when it had: it comes back failed with this message (a 401 or 404
   * stays failed across a restart; Resume tries again), not paused.
   */
  failed?: string;
}

/** Sent on every state change and progress report. */
export interface DownloadEvent {
  /** `"state"` when `download.state` changed, `"progress"` for a progress report. */
  type: "state" | "progress";
  /** The download after the change. */
  download: DownloadStatus;
}

/** Options of {@link DownloadManager}. */
export interface DownloadManagerOptions {
  /** The hub cache directory (see `hubCacheDir`). */
  cacheDir: string;
  /** Hub endpoint, token and fetch for every download. @default the public hub */
  hub?: HubOptions;
  /** Downloads running at once, 1 or more. @default 2 */
  concurrency?: number;
  /** Passed to each `downloadFile`: retries, delays, stall timeout. */
  downloadOptions?: Pick<
    DownloadFileOptions,
    "maxRetries" | "retryDelayMs" | "maxRetryDelayMs" | "stallTimeoutMs"
  >;
  /** Receives every event; a throwing callback is logged and ignored. */
  onEvent?: (event: DownloadEvent) => void;
  /** The download function, for tests. @default downloadFile */
  download?: typeof downloadFile;
}

interface Entry {
  status: DownloadStatus;
  controller: AbortController | null;
  task: Promise<void> | null;
  /** What a pending abort means once the running download settles. */
  intent: "pause" | "cancel" | "resume" | null;
  waiters: ((status: DownloadStatus) => void)[];
}

const ACTIVE: readonly DownloadState[] = ["queued", "downloading", "paused", "failed"];

/**
 * Runs hub downloads with a concurrency limit, pause, resume and cancel.
 *
 * @example
 * ```ts ignore
 * import { DownloadManager } from "./download_manager.ts";
 *
 * await using manager = new DownloadManager({
 *   cacheDir: "/home/ada/.cache/huggingface/hub",
 *   onEvent: ({ type, download }) => console.log(type, download.state, download.progress),
 * });
 * const id = manager.add({ repo: "ggml-org/models", file: "tinyllamas/stories260K.gguf" });
 * const status = await manager.settled(id);
 * console.log(status.result?.path);
 * ```
 */
export class DownloadManager {
  #entries = new Map<string, Entry>();
  #nextId = 1;
  #running = 0;
  #closed = false;
  readonly #options: DownloadManagerOptions;
  readonly #concurrency: number;

  /**
   * Creates a manager; nothing runs until {@link DownloadManager.add}.
   *
   * @throws {RangeError} `concurrency` is not an integer of 1 or more.
   */
  constructor(options: DownloadManagerOptions) {
    const concurrency = options.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`Cannot create DownloadManager: concurrency ${concurrency} < 1`);
    }
    this.#options = options;
    this.#concurrency = concurrency;
  }

  /**
   * Queues a download; it starts when a slot is free.
   *
   * @returns Its id. The same repo, file and revision while still active (not done or
   *   cancelled) returns the existing id, resuming it if paused or failed.
   */
  add(request: DownloadRequest): string {
    if (this.#closed) throw new TypeError("Cannot add a download: the manager is closed");
    const existing = this.#find(request);
    if (existing) {
      this.resume(existing.status.id);
      return existing.status.id;
    }
    const id = this.#insert({ request, state: "queued", progress: null, partialPath: null });
    this.#pump();
    return id;
  }

  /**
   * Adds a download from an earlier run as paused (failed, with its message, when
   * `saved.failed` says it had failed), its progress showing the bytes already in its
   * partial file; {@link DownloadManager.resume} continues it by Range and
   * {@link DownloadManager.cancel} deletes that file.
   *
   * @param saved The request, its partial file and size.
   * @returns Its id. The same repo, file and revision while still active returns the
   *   existing id and changes nothing.
   * @throws {TypeError} The manager is closed.
   */
  async restore(saved: RestoredDownload): Promise<string> {
    if (this.#closed) throw new TypeError("Cannot restore a download: the manager is closed");
    const onDisk = saved.partialPath === null
      ? 0
      : await Deno.stat(saved.partialPath).then((s) => s.size, () => 0);
    const existing = this.#find(saved.request);
    if (existing) return existing.status.id;
    return this.#insert({
      request: saved.request,
      state: saved.failed === undefined ? "paused" : "failed",
      progress: {
        downloadedBytes: onDisk,
        totalBytes: saved.totalBytes,
        bytesPerSecond: 0,
        etaSeconds: null,
      },
      partialPath: saved.partialPath,
    }, saved.failed === undefined ? null : new Error(saved.failed));
  }

  /** Pauses a queued or running download; its partial file stays. No-op otherwise. */
  pause(id: string): void {
    const entry = this.#entries.get(id);
    if (entry?.status.state === "queued") return this.#setState(entry, "paused");
    if (entry?.status.state === "downloading") {
      entry.intent = "pause";
      entry.controller?.abort(new DOMException("Download paused", "AbortError"));
    }
  }

  /** Queues a paused or failed download again; it continues from its partial file. */
  resume(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || this.#closed) return;
    if (entry.status.state === "downloading" && entry.intent === "pause") {
      entry.intent = "resume";
    } else if (entry.status.state === "paused" || entry.status.state === "failed") {
      entry.status.error = null;
      this.#setState(entry, "queued");
      this.#pump();
    }
  }

  /**
   * Cancels a download and deletes its partial file. No-op once done or cancelled.
   *
   * @returns Resolves when the download has stopped and the file is gone.
   */
  async cancel(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry || entry.status.state === "done" || entry.status.state === "cancelled") return;
    entry.intent = "cancel";
    entry.controller?.abort(new DOMException("Download cancelled", "AbortError"));
    await entry.task;
    // it may have finished before the abort landed
    if ((entry.status.state as DownloadState) === "done") return;
    if (entry.status.partialPath) await Deno.remove(entry.status.partialPath).catch(() => {});
    entry.status.partialPath = null;
    this.#setState(entry, "cancelled");
  }

  /** A snapshot of one download, or undefined for an unknown id. */
  get(id: string): DownloadStatus | undefined {
    const entry = this.#entries.get(id);
    return entry && snapshot(entry.status);
  }

  /** Snapshots of every download, in the order they were added. */
  list(): DownloadStatus[] {
    return [...this.#entries.values()].map((e) => snapshot(e.status));
  }

  /**
   * Resolves when the download is done, failed or cancelled (not when paused).
   *
   * @throws {RangeError} Unknown id.
   */
  settled(id: string): Promise<DownloadStatus> {
    const entry = this.#entries.get(id);
    if (!entry) return Promise.reject(new RangeError(`Cannot find download "${id}"`));
    if (isSettled(entry.status.state)) return Promise.resolve(snapshot(entry.status));
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  /** Pauses every running download and waits for them to stop; queued ones stay queued. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#entries.values()].filter((e) => e.task !== null);
    for (const entry of running) this.pause(entry.status.id);
    await Promise.all(running.map((e) => e.task));
  }

  /** Same as {@link DownloadManager.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Adds a new entry (with a copy of its request) and announces it; returns its id. */
  #insert(
    fields: Pick<DownloadStatus, "request" | "state" | "progress" | "partialPath">,
    error: Error | null = null,
  ): string {
    const id = `dl-${this.#nextId++}`;
    const status: DownloadStatus = {
      id,
      ...fields,
      request: { ...fields.request },
      result: null,
      error,
    };
    this.#entries.set(id, { status, controller: null, task: null, intent: null, waiters: [] });
    this.#emit("state", status);
    return id;
  }

  /** The active (not done or cancelled) download of the same repo, file and revision. */
  #find(request: DownloadRequest): Entry | undefined {
    const revision = request.revision ?? "main";
    return [...this.#entries.values()].find(({ status }) => {
      const r = status.request;
      return r.repo === request.repo && r.file === request.file &&
        (r.revision ?? "main") === revision && ACTIVE.includes(status.state);
    });
  }

  #pump(): void {
    while (!this.#closed && this.#running < this.#concurrency) {
      const next = [...this.#entries.values()].find((e) => e.status.state === "queued");
      if (!next) return;
      this.#start(next);
    }
  }

  #start(entry: Entry): void {
    const { request } = entry.status;
    const controller = new AbortController();
    entry.controller = controller;
    entry.intent = null;
    this.#running++;
    this.#setState(entry, "downloading");
    const download = this.#options.download ?? downloadFile;
    entry.task = download(request.repo, request.file, {
      ...this.#options.downloadOptions,
      cacheDir: this.#options.cacheDir,
      revision: request.revision,
      sha256: request.sha256,
      signal: controller.signal,
      onStart: (file) => entry.status.partialPath = file.partialPath,
      onProgress: (progress) => {
        entry.status.progress = progress;
        this.#emit("progress", entry.status);
      },
    }, this.#options.hub ?? { endpoint: DEFAULT_ENDPOINT }).then(
      (result) => {
        entry.status.result = result;
        entry.status.partialPath = null;
        this.#setState(entry, "done");
      },
      (error) => this.#settleError(entry, error),
    ).finally(() => {
      this.#running--;
      entry.controller = null;
      entry.task = null;
      this.#pump();
    });
  }

  #settleError(entry: Entry, error: unknown): void {
    if (entry.intent === "cancel") return; // cancel() finishes the job
    if (entry.intent === "pause") return this.#setState(entry, "paused");
    if (entry.intent === "resume") return this.#setState(entry, this.#closed ? "paused" : "queued");
    entry.status.error = error instanceof Error ? error : new Error(String(error));
    this.#setState(entry, "failed");
  }

  #setState(entry: Entry, state: DownloadState): void {
    entry.status.state = state;
    this.#emit("state", entry.status);
    if (isSettled(state)) {
      for (const resolve of entry.waiters.splice(0)) resolve(snapshot(entry.status));
    }
  }

  #emit(type: DownloadEvent["type"], status: DownloadStatus): void {
    try {
      this.#options.onEvent?.({ type, download: snapshot(status) });
    } catch (error) {
      console.error("DownloadManager onEvent threw:", error);
    }
  }
}

function isSettled(state: DownloadState): boolean {
  return state === "done" || state === "failed" || state === "cancelled";
}

function snapshot(status: DownloadStatus): DownloadStatus {
  return { ...status, request: { ...status.request } };
}
