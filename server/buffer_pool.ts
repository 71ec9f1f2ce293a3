/**
 * Reused response buffers for the workspace file reads. A fresh 8 MiB buffer per read
 * costs its page faults, 2-3x the pread itself (docs/benchmarks.md, "Workspace files:
 * 1 GiB through the UI API"); a buffer that goes back to the pool once its response has
 * been sent costs none.
 *
 * @module
 */

/** A small pool of byte buffers, lent out and given back. One per route module. */
export class BufferPool {
  readonly #free: Uint8Array<ArrayBuffer>[] = [];
  readonly #maxFree: number;
  readonly #maxBytes: number;

  /**
   * @param maxFree Buffers kept for reuse; more given back are dropped. Default 4.
   * @param maxBytes Largest buffer kept, in bytes; larger ones are never pooled.
   *   Default 64 MiB.
   */
  constructor(maxFree = 4, maxBytes = 64 << 20) {
    this.#maxFree = maxFree;
    this.#maxBytes = maxBytes;
  }

  /** A buffer of `length` bytes (a view of a pooled one when one is large enough). */
  take(length: number): Uint8Array<ArrayBuffer> {
    const index = this.#free.findIndex((b) => b.length >= length);
    if (index < 0) return new Uint8Array(length);
    return this.#free.splice(index, 1)[0].subarray(0, length);
  }

  /** Gives back a buffer from {@link take}; the caller must not touch it afterwards. */
  give(buffer: Uint8Array<ArrayBuffer>): void {
    const whole = new Uint8Array(buffer.buffer);
    if (whole.length > this.#maxBytes || whole.length === 0) return;
    this.#free.push(whole);
    if (this.#free.length > this.#maxFree) this.#free.shift();
  }
}
