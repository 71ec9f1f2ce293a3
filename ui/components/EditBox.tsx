/**
 * Editing a message's text. "Edit and resend" sends the new text as a sibling, so the old
 * branch stays one arrow away; "Edit" (a user message or a reply) saves it in place. The
 * caller decides which; `submitLabel` names it.
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef } from "preact/hooks";

/** The edit box of a message; Enter submits, Shift+Enter is a new line, Esc cancels. */
export function EditBox(
  props: {
    initial: string;
    /** The submit button's text. @default {"Send"} */
    submitLabel?: string;
    onSubmit(text: string): void;
    onCancel(): void;
  },
): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  const submit = () => {
    const text = area.current?.value ?? "";
    if (text.trim()) props.onSubmit(text);
  };
  return (
    <div class="edit-box">
      <textarea
        ref={(el) => {
          area.current = el;
          if (el && document.activeElement !== el) el.focus();
        }}
        aria-label="Edit message"
        rows={Math.min(10, props.initial.split("\n").length + 1)}
        defaultValue={props.initial}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          } else if (e.key === "Escape") {
            e.preventDefault();
            props.onCancel();
          }
        }}
      />
      <div class="edit-actions">
        <button type="button" class="button" onClick={props.onCancel}>Cancel</button>
        <button type="button" class="button primary" onClick={submit}>
          {props.submitLabel ?? "Send"}
        </button>
      </div>
    </div>
  );
}
