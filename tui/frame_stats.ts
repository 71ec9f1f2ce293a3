/**
 * Frame times and key-to-screen latency of the terminal UI, for docs/benchmarks.md:
 * ink reports each frame's render time; a key's latency runs from its arrival in the
 * root's input handler to the end of the next frame. Frames drawn while a reply streams
 * are also counted apart: the goal is the frame time while a reply streams, and
 * the frames of the start, the typing and the quit would dilute it.
 *
 * @module
 */

/** Percentiles of frame times and input latencies, in milliseconds. */
export interface FrameSummary {
  frames: number;
  frameP50Ms: number;
  frameP99Ms: number;
  frameMaxMs: number;
  /** Frames drawn while a reply streamed, and their percentiles. */
  streamFrames: number;
  streamFrameP50Ms: number;
  streamFrameP99Ms: number;
  streamFrameMaxMs: number;
  keys: number;
  keyP50Ms: number;
  keyP99Ms: number;
}

/** Collects frame times and key latencies. */
export class FrameStats {
  readonly #frames: number[] = [];
  readonly #streamFrames: number[] = [];
  readonly #keys: number[] = [];
  #pendingKey: number | undefined;

  /** A key arrived at `atMs` (performance.now()). */
  key(atMs: number): void {
    this.#pendingKey ??= atMs;
  }

  /**
   * A frame took `renderMs` (`streaming`: while a reply streamed); it also ends the wait
   * of a pending key.
   */
  frame(renderMs: number, streaming = false): void {
    this.#frames.push(renderMs);
    if (streaming) this.#streamFrames.push(renderMs);
    if (this.#pendingKey !== undefined) {
      this.#keys.push(performance.now() - this.#pendingKey);
      this.#pendingKey = undefined;
    }
  }

  /** The percentiles so far. */
  summary(): FrameSummary {
    return {
      frames: this.#frames.length,
      frameP50Ms: percentile(this.#frames, 0.5),
      frameP99Ms: percentile(this.#frames, 0.99),
      frameMaxMs: Math.max(0, ...this.#frames),
      streamFrames: this.#streamFrames.length,
      streamFrameP50Ms: percentile(this.#streamFrames, 0.5),
      streamFrameP99Ms: percentile(this.#streamFrames, 0.99),
      streamFrameMaxMs: Math.max(0, ...this.#streamFrames),
      keys: this.#keys.length,
      keyP50Ms: percentile(this.#keys, 0.5),
      keyP99Ms: percentile(this.#keys, 0.99),
    };
  }
}

/** The `q` quantile (0..1) of `values` by nearest rank; 0 when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
