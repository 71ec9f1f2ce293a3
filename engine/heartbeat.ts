/**
 * The serve loop's heartbeat: one Int32 in a SharedArrayBuffer that the engine Worker
 * writes at every scheduler step and the main thread reads when asked whether the
 * loop is stalled. No message per step, and a reading needs no round trip to a Worker
 * that may not answer.
 *
 * The value is the start time of the latest step, in {@link HEARTBEAT_TICK_MS} ticks
 * since a base the main thread chooses (plus 1, so that 0 means "no step yet"),
 * negated while that step runs. At 100 ms a tick, an Int32 lasts 6.8 years.
 *
 * @module
 */

/** The heartbeat's unit, in milliseconds. */
export const HEARTBEAT_TICK_MS = 100;

/** The Worker's side: marks the start and the end of each step. */
export class HeartbeatWriter {
  readonly #cell: Int32Array;
  readonly #base: number;
  readonly #now: () => number;

  /**
   * Writes into `buffer` (4 bytes or more), counting from `base`.
   *
   * @param now milliseconds clock shared with the reader; default Date.now.
   */
  constructor(buffer: SharedArrayBuffer, base: number, now: () => number = Date.now) {
    this.#cell = new Int32Array(buffer, 0, 1);
    this.#base = base;
    this.#now = now;
  }

  /** A step starts now. */
  beginStep(): void {
    const tick = Math.floor((this.#now() - this.#base) / HEARTBEAT_TICK_MS) + 1;
    Atomics.store(this.#cell, 0, -tick);
  }

  /** The step begun last has ended. */
  endStep(): void {
    Atomics.store(this.#cell, 0, Math.abs(Atomics.load(this.#cell, 0)));
  }
}

/**
 * The main thread's side: how long the loop has gone without a step while requests
 * were in flight.
 */
export class HeartbeatReader {
  /** The buffer to hand the Worker's {@link HeartbeatWriter}. */
  readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4);
  /** The base the writer counts from, in Date.now() units. */
  readonly base: number;
  readonly #cell = new Int32Array(this.buffer);
  readonly #now: () => number;
  #busySince = 0;

  /** @param now milliseconds clock shared with the Worker; default Date.now. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.base = now();
  }

  /** Requests went from none to some in flight: the wait for a step starts now. */
  markBusy(): void {
    this.#busySince = this.#now();
  }

  /**
   * Milliseconds since the later of the last step's start and {@link markBusy}; 0 when
   * `inFlight` is 0 (an idle loop takes no steps) or while a step runs (a long prompt
   * chunk is slow, not stalled).
   */
  stalledMs(inFlight: number): number {
    const value = Atomics.load(this.#cell, 0);
    if (inFlight === 0 || value < 0) return 0;
    const lastStep = value === 0 ? 0 : this.base + (value - 1) * HEARTBEAT_TICK_MS;
    return Math.max(0, this.#now() - Math.max(lastStep, this.#busySince));
  }
}
