/**
 * Starts a backend generation for an HTTP request and waits for its first piece, so
 * that what fails before any output (a full queue, an oversized prompt, options the
 * engine refuses) is answered with an HTTP status instead of a broken stream.
 *
 * @module
 */
import type { Generation } from "../../engine/generation.ts";
import type { GenerationResult, Piece } from "../../engine/types.ts";
import type { ServerMetrics } from "./metrics.ts";

/** A generation under way, its first pieces already out (or it ended without one). */
export interface StartedGeneration {
  /**
   * Every piece, the first included, in the batches they arrived in (never empty);
   * iterate once. A stream writes one event per batch: one per engine post (about
   * every 33 ms), not one per token.
   */
  batches: AsyncIterable<Piece[]>;
  /** How it ended. */
  result: Promise<GenerationResult>;
}

/**
 * Calls `start`, records the generation's metrics when it ends, and waits for the
 * first pieces or the end.
 *
 * @throws what the engine throws before the first piece (a RangeError for a value it
 *   refuses, ContextOverflowError, QueueFullError, ChatTemplateError), for onError to
 *   answer through the error table.
 */
export async function startGeneration(
  start: () => Generation,
  metrics: ServerMetrics,
): Promise<StartedGeneration> {
  const generation = start();
  generation.result.then((result) => metrics.recordGeneration(result.metrics), () => {});
  const iterator = generation.batches();
  const first = await iterator.next();
  async function* batches(): AsyncGenerator<Piece[]> {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { batches: batches(), result: generation.result };
}
