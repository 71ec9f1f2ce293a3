/**
 * A modal dialog: dims the window, takes focus, gives it back on close. Esc closes it through
 * the app's shortcut handler (so Esc has one owner); a click on the backdrop closes it too.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { useId, useLayoutEffect, useRef } from "preact/hooks";
import { IconButton } from "./IconButton.tsx";

/** Props of {@link Dialog}. */
export type DialogProps = {
  title: string;
  onClose(): void;
  children: ComponentChildren;
  /** Extra class of the dialog box ("browser": wide, with its own scrolling regions). */
  class?: string;
  /**
   * Esc closes it here, before the app's handler sees the key: for dialogs a component
   * owns itself (the Sheets dialogs), which the view store's `dismiss` does not know.
   */
  escapeCloses?: boolean;
};

/** The dialog shell. */
export function Dialog(props: DialogProps): JSX.Element {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  // At mount, before the first paint: Preact runs a plain effect after paint, and a focus()
  // that late took the focus from a field the user (or a test) had already started typing in.
  useLayoutEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    box.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div
      class="backdrop"
      onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}
    >
      <div
        class={`dialog ${props.class ?? ""}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        ref={box}
        onKeyDown={props.escapeCloses
          ? (e) => {
            if (e.key !== "Escape" || e.defaultPrevented) return;
            e.stopPropagation();
            props.onClose();
          }
          : undefined}
      >
        <div class="dialog-head">
          <h2 id={titleId}>{props.title}</h2>
          <IconButton icon="close" label="Close" onClick={props.onClose} />
        </div>
        <div class="dialog-body">{props.children}</div>
      </div>
    </div>
  );
}
