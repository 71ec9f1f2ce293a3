/**
 * llama-server's `t_max_predict_ms` over any backend: once a newline has been
 * generated and the limit has passed since the first token, the generation is
 * stopped and ends with finish_reason "length", as llama-server's does (it was made
 * for code completion, where a line is the unit worth keeping).
 *
 * @module
 */
import { Generation } from "../../engine/generation.ts";

/**
 * Starts a generation with `start`, ending it early at the time limit.
 *
 * The engine hands pieces over in batches (about every 33 ms), so the limit is
 * checked per piece as the batches arrive: it may end up to one batch late, never
 * early. The result's text and `generatedTokens` are those of the pieces passed on.
 *
 * @param start Starts the backend's generation with the signal to stop it by.
 * @param signal The request's own signal (client gone, shutdown).
 * @param tMaxPredictMs The limit in milliseconds; undefined = none (`start` is
 *   called with `signal` as is).
 * @param now The clock, in milliseconds (tests pass a fake). Default `performance.now`.
 */
export function limitPredictTime(
  start: (signal: AbortSignal) => Generation,
  signal: AbortSignal,
  tMaxPredictMs: number | undefined,
  now: () => number = () => performance.now(),
): Generation {
  if (tMaxPredictMs === undefined) return start(signal);
  const limit = new AbortController();
  const inner = start(AbortSignal.any([signal, limit.signal]));
  return new Generation(async (push) => {
    let firstAt: number | undefined;
    let newline = false;
    let stopped = false;
    let after = false;
    let text = "";
    let tokens = 0;
    // Drained to the end after the stop, so the result is known to be complete.
    for await (const piece of inner) {
      if (stopped) {
        after = true;
        continue;
      }
      push([piece]);
      text += piece.text;
      if (piece.token >= 0) tokens++;
      firstAt ??= now();
      newline ||= piece.text.includes("\n");
      if (newline && now() - firstAt > tMaxPredictMs) {
        stopped = true;
        limit.abort();
      }
    }
    const result = await inner.result;
    // Not ours to relabel: a client abort, or an end the engine reached by itself.
    if (!stopped || signal.aborted || (!after && result.finishReason !== "abort")) return result;
    return {
      ...result,
      finishReason: "length",
      text,
      metrics: { ...result.metrics, generatedTokens: tokens },
    };
  });
}
