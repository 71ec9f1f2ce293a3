/**
 * Memory-fit estimates fetched on demand and kept per subject (a library id, a hub file) and
 * n_ctx. Each estimate runs llama.cpp's `no_alloc` simulation on the server (for a hub file,
 * after reading its header over HTTP), so only rows on screen ask, and a few at a time.
 *
 * @module
 */
import { signal } from "@preact/signals";
import type { MemoryFit } from "../../api/types.ts";

/** One estimate: being fetched, ready, or failed with the server's message. */
export type FitState =
  | { status: "loading" }
  | { status: "ready"; fit: MemoryFit }
  | { status: "error"; message: string };

/** Estimates fetched at once; more wait their turn (the server simulates one model each). */
const FIT_CONCURRENCY = 2;

/**
 * Creates a cache; call it inside a `createModel` factory so its signal belongs to the model.
 *
 * @param fetchFit asks the server for `subject`'s fit at `nCtx`
 * @returns `states` (by {@link fitKey}), `request` (a no-op when known) and `forget`
 */
export function createFitCache(
  fetchFit: (subject: string, nCtx: number) => Promise<MemoryFit>,
) {
  const states = signal<ReadonlyMap<string, FitState>>(new Map());
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  const set = (key: string, state: FitState | null) => {
    const next = new Map(states.value);
    if (state) next.set(key, state);
    else next.delete(key);
    states.value = next;
  };
  const pump = () => {
    while (running < FIT_CONCURRENCY && waiting.length) {
      running++;
      waiting.shift()!().finally(() => (running--, pump()));
    }
  };
  const request = (subject: string, nCtx: number) => {
    const key = fitKey(subject, nCtx);
    if (states.value.has(key)) return;
    set(key, { status: "loading" });
    waiting.push(async () => {
      // Forgotten while waiting (the file changed or vanished): nothing to fetch.
      if (!states.value.has(key)) return;
      try {
        const fit = await fetchFit(subject, nCtx);
        if (states.value.has(key)) set(key, { status: "ready", fit });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (states.value.has(key)) set(key, { status: "error", message });
      }
    });
    pump();
  };
  /** Drops every estimate of `subject`, so the next look fetches it again. */
  const forget = (subject: string) => {
    const prefix = fitKey(subject, 0).slice(0, -1);
    const next = new Map([...states.value].filter(([key]) => !key.startsWith(prefix)));
    if (next.size !== states.value.size) states.value = next;
  };
  return { states, request, forget };
}

/** The cache key of `subject` at `nCtx`. */
export function fitKey(subject: string, nCtx: number): string {
  return `${subject}\n${nCtx}`;
}
