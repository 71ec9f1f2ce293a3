/**
 * One message of the branch shown. Memoized: it re-renders only when its own message, stream
 * or sibling position changes, never because another message streamed a token. `data-renders`
 * counts its renders (cheap, and it lets tests prove the point).
 *
 * @module
 */
import type { ReadonlySignal } from "@preact/signals";
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import { memo } from "../lib/memo.ts";
import type { ConversationStore } from "../stores/conversation.ts";
import type { Message } from "../../api/types.ts";
import { EditBox } from "./EditBox.tsx";
import { Markdown } from "./Markdown.tsx";
import { MessageFooter } from "./MessageFooter.tsx";

/** Props of {@link MessageItem}. */
export type MessageItemProps = {
  message: Message;
  /** The text so far while this message streams. */
  stream?: ReadonlySignal<string>;
  /** While streaming: it waits for a slot (other replies hold them all). */
  waiting?: boolean;
  /** 0-based position among its siblings, and how many there are. */
  index: number;
  count: number;
  /** The last message of the branch (the one Regenerate applies to). */
  last: boolean;
  conversation: ConversationStore;
  render: MarkdownRenderer;
  onRendered?: () => void;
};

function MessageItemView(props: MessageItemProps): JSX.Element {
  const { message, stream } = props;
  const renders = useRef(0);
  renders.current++;
  // "resend": a new sibling branch; "save": the text replaced in place.
  const [editing, setEditing] = useState<"resend" | "save" | null>(null);
  const user = message.role === "user";
  const state = stream ? "streaming" : message.state;
  return (
    <article
      class={`message ${message.role} ${state}`}
      data-id={message.id}
      data-renders={renders.current}
      aria-label={user ? "You" : message.role === "assistant" ? "Assistant" : "System"}
      aria-busy={state === "streaming"}
    >
      {editing
        ? (
          <EditBox
            initial={message.content}
            submitLabel={editing === "resend" ? "Send" : "Save"}
            onCancel={() => setEditing(null)}
            onSubmit={(text) => {
              setEditing(null);
              if (editing === "resend") props.conversation.editAndResend(message, text);
              else props.conversation.editInPlace(message, text);
            }}
          />
        )
        : user
        ? (
          <div class="bubble">
            {!!message.images && (
              <div class="message-images">
                {Array.from({ length: message.images }, (_, n) => (
                  <img
                    key={n}
                    src={props.conversation.imageUrl(message.id, n)}
                    alt={`Image ${n + 1}`}
                  />
                ))}
              </div>
            )}
            {message.content}
          </div>
        )
        : (
          <Markdown
            source={stream ?? message.content}
            render={props.render}
            onRendered={props.onRendered}
          />
        )}
      {!!message.dropped_messages && (
        <p class="notice" role="note">
          {message.dropped_messages} older message{message.dropped_messages > 1 ? "s" : ""}{" "}
          did not fit the context and were left out of this reply.
        </p>
      )}
      {state === "streaming" && props.waiting && (
        <p class="notice waiting" role="status">Waiting for another reply to finish…</p>
      )}
      {state === "incomplete" && <p class="notice">Stopped before the end.</p>}
      {state === "error" && (
        <p class="notice error">
          The reply failed{message.error ? `: ${message.error}` : "."}
        </p>
      )}
      {message.finish_reason === "length" && <p class="notice">Cut off at the max tokens limit.</p>}
      {!editing && state !== "streaming" && (
        <MessageFooter
          {...props}
          onEdit={(mode) => setEditing(mode)}
        />
      )}
    </article>
  );
}

/** A message, memoized on its props. */
export const MessageItem = memo(MessageItemView);
