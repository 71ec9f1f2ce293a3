/**
 * One open workspace file: positional reads and writes (pread/pwrite through node:fs's
 * FileHandle, so reads in flight together never share a cursor) and a write-behind
 * buffer. Writes are kept in memory and written out: when the buffered bytes reach the
 * threshold (in the background, one flush at a time, so a writer waits only when the
 * disk falls behind), before a read of a range they touch, before `stat`, and at close.
 *
 * A flush that fails (disk full, permission) is kept: the call that waited for it, and
 * every later call on the file, throws it; `close` throws it once and still closes.
 *
 * @module
 */
import type { FileHandle } from "node:fs/promises";
import { fileError, FileHandleError } from "./errors.ts";

/** Default write-behind threshold, in bytes (16 MiB: two of the UI's 8 MiB chunks). */
export const DEFAULT_FLUSH_THRESHOLD_BYTES = 16 << 20;

/** Writes smaller than this are copied into a shared buffer with their neighbours (64 KiB). */
const SMALL_WRITE_BYTES = 64 << 10;
/** Size of that shared buffer (1 MiB). */
const COALESCE_BYTES = 1 << 20;

interface Pending {
  offset: number;
  data: Uint8Array;
  /** The buffer small writes are copied into, when this entry is one. */
  spare?: Uint8Array;
}

/** Size and modification time of an open file, after its buffered writes. */
export interface OpenFileStat {
  /** Size in bytes. */
  size: number;
  /** Last modification, ms since the epoch. */
  mtime_ms: number;
}

/** An open file with write-behind buffering. Made by the workspace service. */
export class OpenFile {
  /** The opaque handle, a decimal u64. */
  readonly handle: string;
  /** The workspace it was opened in (id). */
  readonly workspace: string;
  /** The path as the caller gave it (workspace-relative), for messages. */
  readonly path: string;
  /** The real path on disk. */
  readonly realPath: string;
  /** Whether writes are allowed. */
  readonly writable: boolean;
  readonly #file: FileHandle;
  readonly #threshold: number;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  /** The flush chain: every flush runs after the one before; it never rejects. */
  #flushing: Promise<void> = Promise.resolve();
  #failed: Error | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();
  #state: "open" | "closing" | "closed" = "open";

  /** @internal The workspace service opens files. */
  constructor(
    fields: {
      handle: string;
      workspace: string;
      path: string;
      realPath: string;
      writable: boolean;
    },
    file: FileHandle,
    flushThresholdBytes = DEFAULT_FLUSH_THRESHOLD_BYTES,
  ) {
    this.handle = fields.handle;
    this.workspace = fields.workspace;
    this.path = fields.path;
    this.realPath = fields.realPath;
    this.writable = fields.writable;
    this.#file = file;
    this.#threshold = flushThresholdBytes;
  }

  /** Bytes written but not yet on disk. */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Reads up to `length` bytes at `offset`; fewer only at the end of the file (none past it).
   * Buffered writes that touch the range are written out first.
   */
  async read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>> {
    const buffer = new Uint8Array(length);
    const filled = await this.readInto(offset, buffer);
    return filled === length ? buffer : buffer.subarray(0, filled);
  }

  /**
   * Reads into `target` from `offset`, as many bytes as fit (fewer only at the end of the
   * file). A caller that reuses one buffer saves the page faults of a fresh one per read.
   *
   * @returns the bytes read.
   */
  readInto(offset: number, target: Uint8Array): Promise<number> {
    return this.#track(async () => {
      const length = target.length;
      if (this.#overlaps(offset, length)) this.#flush();
      await this.#flushing;
      this.#throwFailed();
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await this.#file.read(
          target,
          filled,
          length - filled,
          offset + filled,
        )
          .catch((error) => {
            throw fileError(error, this.path);
          });
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled;
    });
  }

  /**
   * Buffers `data` for `offset`. The file keeps `data` (it is not copied unless small)
   * until written out: the caller must not change it afterwards.
   *
   * @throws {FileHandleError} `read_only` for a file opened with "r".
   */
  write(offset: number, data: Uint8Array): Promise<void> {
    return this.#track(async () => {
      if (!this.writable) throw new FileHandleError(this.handle, "read_only");
      this.#throwFailed();
      if (data.length === 0) return;
      this.#push(offset, data);
      if (this.#pendingBytes >= this.#threshold) {
        // Backpressure: at most one flush runs while the next threshold's worth gathers.
        await this.#flushing;
        this.#throwFailed();
        this.#flush();
      }
    });
  }

  /** Writes out every buffered write and waits for it. */
  flush(): Promise<void> {
    return this.#track(() => this.#flushed());
  }

  /** Size and modification time, buffered writes included. */
  stat(): Promise<OpenFileStat> {
    return this.#track(async () => {
      await this.#flushed();
      const info = await this.#file.stat().catch((error) => {
        throw fileError(error, this.path);
      });
      return { size: info.size, mtime_ms: info.mtime?.getTime() ?? 0 };
    });
  }

  /**
   * Waits for the calls in flight, writes out the buffer, closes the file. Idempotent.
   *
   * @throws The error of a failed flush (the file is closed anyway).
   */
  async close(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "closing";
    await Promise.allSettled([...this.#inFlight]);
    this.#flush();
    await this.#flushing;
    this.#state = "closed";
    await this.#file.close().catch(() => {});
    this.#throwFailed();
  }

  async #flushed(): Promise<void> {
    this.#flush();
    await this.#flushing;
    this.#throwFailed();
  }

  #track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#state !== "open") return Promise.reject(new FileHandleError(this.handle, "closed"));
    const promise = work();
    this.#inFlight.add(promise);
    promise.finally(() => this.#inFlight.delete(promise)).catch(() => {});
    return promise;
  }

  #throwFailed(): void {
    if (this.#failed) throw this.#failed;
  }

  #overlaps(offset: number, length: number): boolean {
    return this.#pending.some((p) =>
      p.offset < offset + length && offset < p.offset + p.data.length
    );
  }

  #push(offset: number, data: Uint8Array): void {
    this.#pendingBytes += data.length;
    if (data.length >= SMALL_WRITE_BYTES) {
      this.#pending.push({ offset, data });
      return;
    }
    // Small writes in a row (a CSV writer's lines) go out as one pwrite.
    const last = this.#pending.at(-1);
    if (
      last?.spare && last.offset + last.data.length === offset &&
      last.data.length + data.length <= last.spare.length
    ) {
      last.spare.set(data, last.data.length);
      last.data = last.spare.subarray(0, last.data.length + data.length);
      return;
    }
    const spare = new Uint8Array(COALESCE_BYTES);
    spare.set(data);
    this.#pending.push({ offset, data: spare.subarray(0, data.length), spare });
  }

  /** Starts writing out what is buffered, after any flush already running. */
  #flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#flushing = this.#flushing.then(async () => {
      if (this.#failed) return;
      try {
        // In order: a later write to the same bytes wins, as it would unbuffered.
        for (const { offset, data } of batch) {
          let written = 0;
          while (written < data.length) {
            const { bytesWritten } = await this.#file.write(
              data,
              written,
              data.length - written,
              offset + written,
            );
            written += bytesWritten;
          }
        }
      } catch (error) {
        this.#failed = fileError(error, this.path);
      }
    });
  }
}
