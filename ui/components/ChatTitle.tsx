/**
 * The open chat's title in the header, renamed in place: click (or Enter on it) turns it into
 * a field; Enter or leaving the field saves, Esc cancels. The sidebar shows the new title too
 * (the conversation store saves it through the chat list).
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ConversationStore } from "../stores/conversation.ts";

/** The header's title. */
export function ChatTitle({ conversation }: { conversation: ConversationStore }): JSX.Element {
  const [editing, setEditing] = useState(false);
  const chat = conversation.chat.value;
  const title = chat?.title || conversation.draft.value.title || "New chat";
  if (!editing) {
    return (
      <h2 class="chat-title">
        <button
          type="button"
          class="chat-title-button"
          title={`${title} (click to rename)`}
          aria-label={`Rename chat “${title}”`}
          onClick={() => setEditing(true)}
        >
          {title}
        </button>
      </h2>
    );
  }
  let done = false;
  const finish = (value: string | null) => {
    if (done) return;
    done = true;
    setEditing(false);
    const next = value?.trim();
    if (next && next !== chat?.title) conversation.patch({ title: next });
  };
  return (
    <h2 class="chat-title">
      <input
        class="rename chat-title-input"
        aria-label="Chat title"
        defaultValue={chat?.title ?? ""}
        ref={(el) => {
          if (el && document.activeElement !== el) {
            el.focus();
            el.select();
          }
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") finish(e.currentTarget.value);
          if (e.key === "Escape") {
            e.preventDefault(); // Esc cancels the rename only, not a running reply.
            e.stopPropagation();
            finish(null);
          }
        }}
        onBlur={(e) => finish(e.currentTarget.value)}
      />
    </h2>
  );
}
