/**
 * The open chat's title in the header, renamed in place: a click on it or on its Rename button
 * turns it into a field; Enter or leaving the field saves, Esc cancels. The sidebar shows the new title too
 * (the conversation store saves it through the chat list).
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ConversationStore } from "../stores/conversation.ts";
import { IconButton } from "./IconButton.tsx";

/** The header's title. */
export function ChatTitle({ conversation }: { conversation: ConversationStore }): JSX.Element {
  const [editing, setEditing] = useState(false);
  const chat = conversation.chat.value;
  const title = chat?.title || "New chat";
  // A draft (no chat yet) takes its title from its first message: nothing to rename.
  if (!editing || !chat) {
    const start = () => chat && setEditing(true);
    return (
      <h2 class="chat-title">
        <span class="chat-title-text" title={title} onClick={start}>{title}</span>
        {chat && (
          <IconButton icon="edit" label="Rename chat" class="chat-title-rename" onClick={start} />
        )}
      </h2>
    );
  }
  let done = false;
  const finish = (value: string | null) => {
    if (done) return;
    done = true;
    setEditing(false);
    const next = value?.trim();
    if (next && next !== chat.title) conversation.patch({ title: next });
  };
  return (
    <h2 class="chat-title">
      <input
        class="rename chat-title-input"
        aria-label="Chat title"
        defaultValue={chat.title}
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
