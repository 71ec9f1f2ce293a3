/**
 * What "Delete message" removed, kept in memory for a while so Undo can put it back. Like
 * deleted chats (purged on the next start), a deleted message is gone once the app exits.
 *
 * @module
 */
import type { RemovedSubtree } from "../storage/mod.ts";

/** How long a deletion can be undone, in milliseconds: far past the toast's 6 s. */
export const UNDO_MS = 10 * 60_000;
/** Deletions kept at most; the oldest goes first. */
export const MAX_UNDO = 100;

/** Removed subtrees by undo id. */
export class MessageTrash {
  readonly #entries = new Map<string, { removed: RemovedSubtree; at: number }>();
  readonly #now: () => number;

  /** `now` is the clock, ms; tests pass a fake. */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Keeps `removed`; returns the id that {@link take} gives it back for. */
  put(removed: RemovedSubtree): string {
    this.#expire();
    const id = crypto.randomUUID();
    this.#entries.set(id, { removed, at: this.#now() });
    if (this.#entries.size > MAX_UNDO) this.#entries.delete(this.#entries.keys().next().value!);
    return id;
  }

  /** Takes back what {@link put} kept under `id`; undefined once taken, expired or unknown. */
  take(id: string): RemovedSubtree | undefined {
    this.#expire();
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    return entry?.removed;
  }

  #expire(): void {
    const oldest = this.#now() - UNDO_MS;
    for (const [id, entry] of this.#entries) if (entry.at < oldest) this.#entries.delete(id);
  }
}
