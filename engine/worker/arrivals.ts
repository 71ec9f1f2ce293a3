/**
 * Arrivals of messages from the main thread in the engine Worker, for a serve loop that
 * waits for one: the Worker's message handler says when a message is in, and the loop
 * goes on at once instead of at the end of the timer it waits with (engine/worker/serve_loop.ts).
 *
 * @module
 */

/**
 * Tells waiters that the Worker took in a message from the main thread. The Worker's
 * message handler calls {@link Arrivals.arrived} after each message.
 */
export class Arrivals {
  readonly #waiters = new Set<() => void>();

  /** Calls `wake` once at the next arrival; returns a function that cancels that. */
  next(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }

  /** Wakes every waiter; the Worker's message handler calls it after a message. */
  arrived(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}
