/**
 * Backoff for provider retries: exponential with jitter, and the wait a provider asks
 * for in `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms`.
 *
 * @module
 */

/**
 * The wait before retry `attempt + 1`: `baseMs * 2^attempt`, capped at `maxMs`, then
 * scaled by a random factor in [0.5, 1) so that clients that failed together do not
 * retry together ("equal jitter").
 *
 * @param attempt 0 for the first retry.
 * @returns Milliseconds.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(exponential * (0.5 + Math.random() * 0.5));
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms`, else `retry-after`
 * as seconds or as an HTTP date; undefined when neither is there or readable.
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
