/**
 * One open workspace file: positional reads (through node:fs's FileHandle, so reads in
 * flight together never share a cursor), writes through a second handle on the same open
 * file that only the one-at-a-time write-out uses, and a write-behind
 * buffer. Writes are copied into staging buffers (reused once written out) and written
 * out: when the buffered bytes reach the
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

/**
 * Size of one staging buffer for buffered writes, in bytes (16 MiB: the default
 * threshold). Writes are copied into staging buffers that are reused once written out:
 * a fresh buffer per write costs its page faults (2-3x on 8 MiB chunks, measured in
 * docs/benchmarks.md), a copy into a warm one about 1 ms.
 */
const STAGING_BYTES = 16 << 20;

/** Written-out staging buffers a file keeps for its next writes (the rest are dropped). */
const SPARE_STAGING = 2;

interface Pending {
  offset: number;
  /** A view of a staging buffer. */
  data: Uint8Array;
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
  /** The staging buffer being filled, and how much of it is used. */
  #staging: Uint8Array | undefined;
  #stagingUsed = 0;
  /** Staging buffers of the pending writes (they go back to #spare once written out). */
  #stagingOfPending: Uint8Array[] = [];
  /** Written-out staging buffers, ready for reuse. */
  #spare: Uint8Array[] = [];
  /** The file's write-out handle, opened at the first flush (see #writer). */
  #writeFile?: Deno.FsFile;
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
   * Buffers `data` for `offset`. It is copied before this returns (synchronously), so the
   * caller may reuse `data` at once.
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
    try {
      this.#writeFile?.close();
    } catch {
      // Already closed.
    }
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

  /** Copies `data` into a staging buffer; adjacent writes in a row become one pwrite. */
  #push(offset: number, data: Uint8Array): void {
    this.#pendingBytes += data.length;
    if (this.#staging === undefined || this.#stagingUsed + data.length > this.#staging.length) {
      const spare = this.#spare.findIndex((b) => b.length >= data.length);
      this.#staging = spare >= 0
        ? this.#spare.splice(spare, 1)[0]
        : new Uint8Array(Math.max(STAGING_BYTES, data.length));
      this.#stagingUsed = 0;
      this.#stagingOfPending.push(this.#staging);
    }
    const start = this.#stagingUsed;
    this.#staging.set(data, start);
    this.#stagingUsed += data.length;
    const last = this.#pending.at(-1);
    if (
      last !== undefined && last.data.buffer === this.#staging.buffer &&
      last.data.byteOffset + last.data.length === start &&
      last.offset + last.data.length === offset
    ) {
      last.data = this.#staging.subarray(last.data.byteOffset, this.#stagingUsed);
      return;
    }
    this.#pending.push({ offset, data: this.#staging.subarray(start, this.#stagingUsed) });
  }

  /**
   * The file opened a second time for the write-outs: Deno's node:fs positional write
   * blocks the event loop and ran 6x slower than `Deno.FsFile` (256 MiB in 16 MiB writes:
   * 1183 ms against 202). It is the same open file (through /proc/self/fd, so no path
   * is looked up again), with its own cursor, which only the flush chain moves.
   */
  async #writer(): Promise<Deno.FsFile> {
    this.#writeFile ??= await Deno.open(`/proc/self/fd/${this.#file.fd}`, { write: true });
    return this.#writeFile;
  }

  /** Starts writing out what is buffered, after any flush already running. */
  #flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    const staging = this.#stagingOfPending;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#stagingOfPending = [];
    this.#staging = undefined;
    this.#flushing = this.#flushing.then(async () => {
      if (this.#failed) return;
      try {
        // In order: a later write to the same bytes wins, as it would unbuffered.
        const writer = await this.#writer();
        for (const { offset, data } of batch) {
          await writer.seek(offset, Deno.SeekMode.Start);
          for (let written = 0; written < data.length;) {
            written += await writer.write(data.subarray(written));
          }
        }
      } catch (error) {
        this.#failed = fileError(error, this.path);
      }
      if (this.#state === "open") {
        this.#spare.push(...staging);
        this.#spare.splice(0, this.#spare.length - SPARE_STAGING);
      }
    });
  }
}
