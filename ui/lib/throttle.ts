/**
 * Renders a fast-changing signal at most once per frame and at most every `minIntervalMs`:
 * a reply streams dozens of tokens a second, and re-parsing its Markdown on every one would
 * make long replies quadratic.
 *
 * @module
 */
import { effect, type ReadonlySignal } from "@preact/signals";

/**
 * Calls `apply(value)` for the current value at once, then for later values throttled.
 *
 * @param source the signal to follow
 * @param apply what to do with a value (e.g. set innerHTML)
 * @param minIntervalMs shortest gap between two calls, in milliseconds
 * @returns a function that stops following (a pending call is dropped)
 */
export function throttledEffect<T>(
  source: ReadonlySignal<T>,
  apply: (value: T) => void,
  minIntervalMs = 50,
): () => void {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frame: number | undefined;
  const run = () => {
    timer = frame = undefined;
    last = performance.now();
    apply(source.peek());
  };
  const schedule = () => {
    if (timer !== undefined || frame !== undefined) return;
    const wait = Math.max(0, last + minIntervalMs - performance.now());
    timer = setTimeout(() => {
      timer = undefined;
      frame = requestAnimationFrame(run);
    }, wait);
  };
  let first = true;
  const stop = effect(() => {
    source.value; // Subscribes; later values are read when their frame comes.
    if (!first) return schedule();
    first = false;
    last = performance.now();
    apply(source.peek());
  });
  return () => {
    stop();
    clearTimeout(timer);
    if (frame !== undefined) cancelAnimationFrame(frame);
  };
}
