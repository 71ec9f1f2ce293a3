/**
 * The message box: Enter sends, Shift+Enter adds a line, the button turns into Stop while a
 * reply streams. The context bar sits under it.
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import type { Stores } from "../stores/app.ts";
import { ContextBar } from "./ContextBar.tsx";
import { Icon } from "./icons.tsx";

/** Tallest the box grows before it scrolls, in pixels. */
const MAX_HEIGHT_PX = 200;

/** The composer. */
export function Composer({ stores }: { stores: Stores }): JSX.Element {
  const { conversation, context } = stores;
  const area = useRef<HTMLTextAreaElement>(null);
  const busy = conversation.busy.value;
  const grow = (el: HTMLTextAreaElement) => {
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT_PX)}px`;
  };
  const send = async () => {
    const el = area.current;
    if (!el || busy || !el.value.trim()) return;
    const text = el.value;
    el.value = "";
    grow(el);
    context.setDraft("");
    // A failed send gives the text back, unless the user has started typing something new.
    if (!(await conversation.send(text)) && !el.value) {
      el.value = text;
      grow(el);
      context.setDraft(text);
    }
  };
  return (
    <form class="composer" aria-label="New message" onSubmit={(e) => (e.preventDefault(), send())}>
      <div class="composer-box">
        <textarea
          id="composer-input"
          ref={area}
          rows={1}
          placeholder="Message Hearth…"
          aria-label="Message"
          onInput={(e) => {
            grow(e.currentTarget);
            context.setDraft(e.currentTarget.value);
          }}
          onKeyDown={(e) => {
            // isComposing: Enter that confirms an IME composition must not send.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        {busy
          ? (
            <button
              type="button"
              class="send stop"
              aria-label="Stop (Esc)"
              title="Stop (Esc)"
              onClick={() => conversation.stop()}
            >
              <Icon name="stop" />
            </button>
          )
          : (
            <button type="submit" class="send" aria-label="Send (Enter)" title="Send (Enter)">
              <Icon name="send" />
            </button>
          )}
      </div>
      <ContextBar stores={stores} />
    </form>
  );
}
