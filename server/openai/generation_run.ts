/**
 * Starts a backend generation for an HTTP request and waits for its first piece, so
 * that what fails before any output (a full queue, an oversized prompt, options the
 * engine refuses) is answered with an HTTP status instead of a broken stream.
 *
 * @module
 */
import { ChatTemplateError } from "../../engine/chat_template.ts";
import { ContextOverflowError } from "../../engine/errors.ts";
import type { Generation } from "../../engine/generation.ts";
import type { GenerationResult, Piece } from "../../engine/types.ts";
import { invalidRequest } from "./errors.ts";
import type { ServerMetrics } from "./metrics.ts";

/** A generation under way, its first piece already out (or it ended without one). */
export interface StartedGeneration {
  /** Every piece, the first included; iterate once. */
  pieces: AsyncIterable<Piece>;
  /** How it ended. */
  result: Promise<GenerationResult>;
}

/**
 * Calls `start`, records the generation's metrics when it ends, and waits for the
 * first piece or the end.
 *
 * @throws {OpenAiError} 400 when the engine refuses the request's values (its
 *   TypeError, RangeError or ChatTemplateError).
 * @throws {ContextOverflowError} or {QueueFullError} as they are, for onError.
 */
export async function startGeneration(
  start: () => Generation,
  metrics: ServerMetrics,
): Promise<StartedGeneration> {
  let generation: Generation;
  try {
    generation = start();
  } catch (error) {
    throw asRequestError(error);
  }
  generation.result.then((result) => metrics.recordGeneration(result.metrics), () => {});
  const iterator = generation[Symbol.asyncIterator]();
  let first: IteratorResult<Piece>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw asRequestError(error);
  }
  async function* pieces(): AsyncGenerator<Piece> {
    if (first.done) return;
    yield first.value;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield next.value;
    }
  }
  return { pieces: pieces(), result: generation.result };
}

/**
 * The engine throws TypeError or RangeError for option values it refuses and
 * ChatTemplateError when the template rejects the messages: the client's fault.
 */
function asRequestError(error: unknown): unknown {
  if (error instanceof ContextOverflowError) return error;
  if (
    error instanceof TypeError || error instanceof RangeError || error instanceof ChatTemplateError
  ) {
    return invalidRequest(error.message);
  }
  return error;
}
