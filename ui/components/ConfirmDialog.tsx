/**
 * Asks before a destructive action ("Delete model file?"), over any other dialog. Cancel,
 * Esc and a click outside all say no.
 *
 * @module
 */
import type { JSX } from "preact";
import type { ViewStore } from "../stores/view.ts";
import { Dialog } from "./Dialog.tsx";

/** The confirmation dialog, or nothing when no question is asked. */
export function ConfirmDialog({ view }: { view: ViewStore }): JSX.Element | null {
  const question = view.confirmation.value;
  if (!question) return null;
  return (
    <Dialog title={question.title} class="confirm" onClose={() => view.answer(false)}>
      <p class="confirm-message">{question.message}</p>
      <div class="confirm-actions">
        <button type="button" class="button" onClick={() => view.answer(false)}>Cancel</button>
        <button type="button" class="button danger" onClick={() => view.answer(true)}>
          {question.action}
        </button>
      </div>
    </Dialog>
  );
}
