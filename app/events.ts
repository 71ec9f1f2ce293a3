/**
 * A small publish/subscribe hub for app events the UI follows over SSE
 * (`GET /api/events`): model loaded or unloaded, load progress, a load failed, a chat
 * changed, a sheet job or a sheet import progressed.
 *
 * @module
 */

/** An app event: its SSE name and JSON data. */
export interface AppEvent {
  event:
    | "model"
    | "loading"
    | "load_error"
    | "chats"
    | "library"
    | "downloads"
    | "openai_server"
    | "sheets"
    | "sheet_import";
  data: unknown;
}

/** Fans events out to subscribers; a throwing subscriber does not stop the others. */
export class EventHub {
  readonly #subscribers = new Set<(event: AppEvent) => void>();
  readonly #closed = Promise.withResolvers<void>();
  #isClosed = false;

  /**
   * Resolves when the hub closes (app shutdown): open event streams end then, since
   * the HTTP server's graceful shutdown waits for every response to finish.
   */
  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  /** Whether {@link close} ran. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Ends every event stream. */
  close(): void {
    this.#isClosed = true;
    this.#closed.resolve();
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(subscriber: (event: AppEvent) => void): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Sends an event to every subscriber. */
  publish(event: AppEvent): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(event);
      } catch {
        // One broken stream must not starve the others.
      }
    }
  }
}
