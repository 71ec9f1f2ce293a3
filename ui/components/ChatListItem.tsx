/**
 * One chat in the sidebar: opens on click, renames inline (Enter saves, Esc cancels), deletes
 * (the toast offers Undo).
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import type { ChatSummary } from "../../api/types.ts";
import { IconButton } from "./IconButton.tsx";

/** Props of {@link ChatListItem}. */
export type ChatListItemProps = {
  chat: ChatSummary;
  current: boolean;
  onOpen(id: string): void;
  onRename(id: string, title: string): void;
  onDelete(id: string): void;
};

/** A chat row with rename and delete. */
export function ChatListItem(props: ChatListItemProps): JSX.Element {
  const { chat } = props;
  const [editing, setEditing] = useState(false);
  const title = chat.title || "Untitled";
  if (editing) {
    const finish = (value: string | null) => {
      setEditing(false);
      if (value !== null) props.onRename(chat.id, value);
    };
    return (
      <li class="chat-item editing">
        <input
          class="rename"
          aria-label="Chat title"
          value={title}
          ref={(el) => el?.focus()}
          onKeyDown={(e) => {
            if (e.key === "Enter") finish(e.currentTarget.value);
            if (e.key === "Escape") {
              e.preventDefault(); // Esc cancels the rename only, not a running reply.
              finish(null);
            }
          }}
          onBlur={(e) => finish(e.currentTarget.value)}
        />
      </li>
    );
  }
  return (
    <li class="chat-item" aria-current={props.current ? "page" : undefined}>
      <button
        type="button"
        class="chat-open"
        title={title}
        onClick={() => props.onOpen(chat.id)}
        onDblClick={() => setEditing(true)}
      >
        {title}
      </button>
      <span class="chat-actions">
        <IconButton icon="edit" label={`Rename “${title}”`} onClick={() => setEditing(true)} />
        <IconButton
          icon="trash"
          label={`Delete “${title}”`}
          onClick={() => props.onDelete(chat.id)}
        />
      </span>
    </li>
  );
}
