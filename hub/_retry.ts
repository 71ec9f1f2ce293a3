/**
 * Retry timing shared by API calls and downloads: exponential backoff, `Retry-After`
 * honoured, and waits that end early when the caller aborts.
 *
 * @module
 */

/** How often and how patiently to retry. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 = never retry. */
  maxRetries: number;
  /** Wait before the first retry, in milliseconds; doubles each retry. */
  initialDelayMs: number;
  /** Longest wait between attempts, in milliseconds, `Retry-After` included. */
  maxDelayMs: number;
}

/** Retries for small API calls: 3 retries starting at 1 s, waits capped at 60 s. */
export const API_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxRetries: 3,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
});

/**
 * The wait before retry number `retry` (1-based): `initialDelayMs * 2^(retry-1)`, or the
 * server's `Retry-After` when given, both capped at `maxDelayMs`.
 */
export function retryDelayMs(policy: RetryPolicy, retry: number, retryAfterMs?: number): number {
  const backoff = policy.initialDelayMs * 2 ** Math.max(0, retry - 1);
  return Math.min(retryAfterMs ?? backoff, policy.maxDelayMs);
}

/**
 * Parses a `Retry-After` header (seconds or an HTTP date) into milliseconds.
 *
 * @param value The header, or null.
 * @param now The current time in milliseconds since the epoch.
 * @returns Milliseconds to wait (0 or more), or undefined if absent or unparseable.
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as it aborts.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
