/**
 * Request patterns for the serving reliability tests (library and HTTP level): many
 * sequential requests, and requests in seeded random bursts. Every request is bounded
 * by a hang bound, so a wedged server fails the test naming the request instead of
 * hanging the test run.
 *
 * @module
 */
import { seededRandom } from "./hub/_helpers.ts";

/**
 * How long one request may take before the test calls it hung, in milliseconds. Not a
 * speed target: a 1-token request on stories260K answers in milliseconds.
 */
export const HANG_MS = 15_000;

/** Resolves as `promise` does, or rejects naming `what` when it takes over `ms`. */
export async function notHung<T>(promise: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung: no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `count` requests one after another; `send(i)` makes request `i`. */
export async function sequential(count: number, send: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i++) await notHung(send(i), `request ${i + 1} of ${count}`);
}

/**
 * Sends `count` requests in bursts of 1 to `maxBurst` at once, from a seeded random
 * generator: after each burst it waits for all of it, for none, or for its first
 * answer, so bursts overlap in every way. At most `maxBurst` times 2 requests are in
 * flight at once.
 */
export async function randomBursts(
  count: number,
  seed: number,
  maxBurst: number,
  send: (i: number) => Promise<void>,
): Promise<void> {
  const random = seededRandom(seed);
  let sent = 0;
  let previous: Promise<void>[] = [];
  const all: Promise<void>[] = [];
  while (sent < count) {
    const size = Math.min(count - sent, 1 + Math.floor(random() * maxBurst));
    const burst: Promise<void>[] = [];
    for (let k = 0; k < size; k++, sent++) {
      const request = notHung(send(sent), `request ${sent + 1} of ${count}`);
      // Handled here so that a failure waits for the final Promise.all to be reported.
      request.catch(() => {});
      burst.push(request);
    }
    all.push(...burst);
    // Never more than two bursts in flight: the queue limit stays out of the way.
    await Promise.all(previous);
    const wait = random();
    if (wait < 0.4) await Promise.all(burst);
    else if (wait < 0.7) await Promise.race(burst);
    else await new Promise((resolve) => setTimeout(resolve, 0));
    previous = burst;
  }
  await Promise.all(all);
}
