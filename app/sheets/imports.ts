/**
 * Imports in flight: each import's progress (rows stored, bytes of the file read, rows/s,
 * the time left), throttled to a few events a second, and its cancellation. A 1 GB CSV
 * takes minutes; the UI shows it in the sheet list from its first event and can stop it.
 * What an import stored is deleted when it is cancelled or fails (app/sheets/transfer.ts),
 * so an importing sheet is never listed half done.
 *
 * @module
 */
import { basename } from "node:path";
import type { Sheet, Storage } from "../../storage/mod.ts";
import { formatFromPath, type TableFormat } from "../../tables/mod.ts";
import { SheetImportCancelledError, SheetNotFoundError } from "./errors.ts";
import { type ImportOptions, importSheet, type ImportTick } from "./transfer.ts";

/**
 * Progress events per import at most every this many milliseconds (as a column job's, in
 * runner.ts): a few a second is smooth on screen and costs nothing next to the import.
 */
export const IMPORT_PROGRESS_INTERVAL_MS = 250;

/** An import's progress, as the UI (the `sheet_import` event) and the CLI show it. */
export interface SheetImportProgress {
  /** The sheet being filled; it is listed only once the import is done. */
  sheet_id: string;
  name: string;
  format: TableFormat;
  /** "importing" until it ends: "done", "failed" (see `error`) or "cancelled". */
  state: "importing" | "done" | "failed" | "cancelled";
  /** Rows stored so far (at "done": the sheet's rows). */
  rows_done: number;
  /** Bytes of the file read so far. */
  bytes_read: number;
  /** The file's size in bytes. */
  bytes_total: number;
  /** Rows stored per second since the import started. */
  rows_per_s: number;
  /** Seconds left at the bytes per second so far; null before the first bytes. */
  eta_s: number | null;
  /** Why it failed (a malformed line names the line); null otherwise. */
  error: string | null;
}

/** Options of {@link SheetImports}. */
export interface SheetImportsOptions {
  /**
   * Called with an import's progress: at its start (0 rows), as rows are stored (at most
   * every `intervalMs`) and when it ends, whatever the end.
   */
  onProgress?: (progress: SheetImportProgress) => void;
  /** Default {@link IMPORT_PROGRESS_INTERVAL_MS}. */
  intervalMs?: number;
}

/** Options of {@link SheetImports.run}: those of `importSheet` but its own progress. */
export type RunImportOptions = Omit<ImportOptions, "onProgress">;

interface Running {
  progress: SheetImportProgress;
  abort: AbortController;
  /** Resolves when the import has ended and cleaned up. */
  ended: Promise<void>;
  lastEvent: number;
}

/** The imports of one app (or one `deno task sheet` run). */
export class SheetImports {
  readonly #storage: Storage;
  readonly #options: SheetImportsOptions;
  /** By sheet id, from the import's first event until it has ended. */
  readonly #running = new Map<string, Running>();

  /** Makes the registry; imports start with {@link SheetImports.run}. */
  constructor(storage: Storage, options: SheetImportsOptions = {}) {
    this.#storage = storage;
    this.#options = options;
  }

  /** Imports in flight (started, not ended), oldest first. */
  list(): SheetImportProgress[] {
    return [...this.#running.values()].map((r) => ({ ...r.progress }));
  }

  /**
   * Imports a CSV, TSV, JSONL or Parquet file as a new sheet, reporting progress through
   * the `onProgress` of {@link SheetImportsOptions}.
   *
   * @throws {TableFormatError} for a malformed file, naming the line; nothing is kept.
   * @throws {SheetImportCancelledError} when {@link SheetImports.cancel} or
   *   `options.signal` stopped it; nothing is kept.
   */
  async run(path: string, options: RunImportOptions = {}): Promise<Sheet> {
    const name = options.name ?? basename(path);
    const abort = new AbortController();
    const stop = () => abort.abort(new SheetImportCancelledError(name));
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener("abort", stop, { once: true });
    const started = performance.now();
    const ended = Promise.withResolvers<void>();
    let running: Running | undefined;
    const onProgress = (tick: ImportTick) => {
      const first = running === undefined;
      running ??= this.#start(tick, options.format ?? formatFromPath(path), abort, ended.promise);
      this.#measure(running, tick.rows, tick.bytesRead, started);
      this.#emit(running, first);
    };
    try {
      const sheet = await importSheet(this.#storage, path, {
        format: options.format,
        name,
        signal: abort.signal,
        yieldEveryMs: options.yieldEveryMs,
        onProgress,
      });
      if (running) {
        this.#measure(running, sheet.row_count, running.progress.bytes_total, started);
        this.#end(running, "done", null);
      }
      return sheet;
    } catch (error) {
      if (running) {
        const cancelled = error instanceof SheetImportCancelledError;
        this.#end(running, cancelled ? "cancelled" : "failed", cancelled ? null : message(error));
      }
      throw error;
    } finally {
      options.signal?.removeEventListener("abort", stop);
      if (running) this.#running.delete(running.progress.sheet_id);
      ended.resolve();
    }
  }

  /**
   * Stops an import; resolves once what it stored is deleted, with its last progress
   * (state "cancelled", or "done" when it finished first).
   *
   * @throws {SheetNotFoundError} (kind "import") when no import of that sheet is running.
   */
  async cancel(sheetId: string): Promise<SheetImportProgress> {
    const running = this.#running.get(sheetId);
    if (!running) throw new SheetNotFoundError("import", sheetId);
    running.abort.abort(new SheetImportCancelledError(running.progress.name));
    await running.ended;
    return { ...running.progress };
  }

  /** Cancels every import (the app is closing) and waits for them to clean up. */
  async cancelAll(): Promise<void> {
    await Promise.all([...this.#running.keys()].map((id) => this.cancel(id).catch(() => {})));
  }

  #start(
    tick: ImportTick,
    format: TableFormat,
    abort: AbortController,
    ended: Promise<void>,
  ): Running {
    const running: Running = {
      progress: {
        sheet_id: tick.sheet.id,
        name: tick.sheet.name,
        format,
        state: "importing",
        rows_done: 0,
        bytes_read: 0,
        bytes_total: tick.bytesTotal,
        rows_per_s: 0,
        eta_s: null,
        error: null,
      },
      abort,
      ended,
      lastEvent: -Infinity,
    };
    this.#running.set(tick.sheet.id, running);
    return running;
  }

  #measure(running: Running, rows: number, bytesRead: number, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    const p = running.progress;
    const bytesPerS = seconds > 0 ? bytesRead / seconds : 0;
    p.rows_done = rows;
    p.bytes_read = Math.min(bytesRead, p.bytes_total);
    p.rows_per_s = seconds > 0 ? rows / seconds : 0;
    p.eta_s = bytesPerS > 0 ? Math.max(0, p.bytes_total - p.bytes_read) / bytesPerS : null;
  }

  #end(running: Running, state: SheetImportProgress["state"], error: string | null): void {
    running.progress.state = state;
    running.progress.error = error;
    if (state === "done") running.progress.eta_s = 0;
    this.#emit(running, true);
  }

  #emit(running: Running, force: boolean): void {
    const now = performance.now();
    const interval = this.#options.intervalMs ?? IMPORT_PROGRESS_INTERVAL_MS;
    if (!force && now - running.lastEvent < interval) return;
    running.lastEvent = now;
    try {
      this.#options.onProgress?.({ ...running.progress });
    } catch {
      // A broken listener must not fail (and so delete) the import it watches.
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
