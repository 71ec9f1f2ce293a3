/**
 * A counting semaphore: at most `limit` holders at once, the rest wait in order. Each
 * provider has one, so Hearth never has more than its concurrency limit of requests
 * open to it.
 *
 * @module
 */

/** Limits how many callers run at once. */
export class Limiter {
  #limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  /** @param limit Holders at once, an integer >= 1. @throws {RangeError} otherwise. */
  constructor(limit: number) {
    this.#limit = checkLimit(limit);
  }

  /** Holders now. */
  get active(): number {
    return this.#active;
  }

  /** Changes the limit; waiting callers start when it grows. */
  set limit(limit: number) {
    this.#limit = checkLimit(limit);
    this.#wake();
  }

  /**
   * Waits for a free place and takes it; call the returned function to give it back.
   *
   * @throws `signal.reason` when the signal aborts while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.#active < this.#limit && this.#waiting.length === 0) {
      this.#active++;
    } else {
      // #wake hands the place over (counts it) before resolving, so no caller slips in.
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#waiting.splice(this.#waiting.indexOf(wake), 1);
          reject(signal!.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(wake);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#wake();
    };
  }

  #wake(): void {
    while (this.#waiting.length > 0 && this.#active < this.#limit) {
      this.#active++;
      this.#waiting.shift()!();
    }
  }
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 32) {
    throw new RangeError(`Cannot limit concurrency to ${limit}: expected an integer in 1..32`);
  }
  return limit;
}
