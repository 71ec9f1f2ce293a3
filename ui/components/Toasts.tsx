/**
 * Notices at the bottom centre; a polite live region so screen readers announce them.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Toasts as ToastsStore } from "../stores/toasts.ts";
import { IconButton } from "./IconButton.tsx";

/** The toast stack. */
export function Toasts({ toasts }: { toasts: ToastsStore }): JSX.Element {
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.toasts.value.map((toast) => (
        <div key={toast.id} class={`toast ${toast.kind}`}>
          <span class="toast-text">{toast.text}</span>
          {toast.action && (
            <button
              type="button"
              class="toast-action"
              onClick={() => {
                toast.action?.run();
                toasts.dismiss(toast.id);
              }}
            >
              {toast.action.label}
            </button>
          )}
          <IconButton icon="close" label="Dismiss" onClick={() => toasts.dismiss(toast.id)} />
        </div>
      ))}
    </div>
  );
}
