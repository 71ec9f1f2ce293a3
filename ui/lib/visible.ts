/**
 * Runs something once an element scrolls into view: list rows use it to fetch their memory
 * fit only when someone can see them.
 *
 * @module
 */
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** Rows this close below the fold count as visible (they are one flick away). */
const MARGIN = "120px";

/**
 * Calls `onVisible` when `ref`'s element first intersects the viewport (clipped by scrolling
 * ancestors), and again after `deps` change while it is visible.
 *
 * @param ref the element to watch
 * @param onVisible what to do
 * @param deps when these change, watching starts over
 */
export function useOnVisible(
  ref: RefObject<Element | null>,
  onVisible: () => void,
  deps: readonly unknown[],
): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (typeof IntersectionObserver === "undefined") return onVisible();
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      onVisible();
    }, { rootMargin: MARGIN });
    observer.observe(el);
    return () => observer.disconnect();
  }, deps);
}
