/**
 * A `<details>` popover stays open on clicks elsewhere; a popover should not.
 *
 * @module
 */
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** Closes `ref`'s `<details>` when the mouse goes down outside it. */
export function useCloseOnOutside(ref: RefObject<HTMLDetailsElement | null>): void {
  useEffect(() => {
    const onDown = (e: MouseEvent) => {
      const el = ref.current;
      if (el?.open && !el.contains(e.target as Node)) el.open = false;
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, []);
}
