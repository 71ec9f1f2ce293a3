/**
 * The row under a message: branch arrows (`‹ 1/2 ›`), Copy, Edit (user) or Regenerate (last
 * reply), and the reply's metrics.
 *
 * @module
 */
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { copyText } from "../lib/clipboard.ts";
import type { MessageItemProps } from "./MessageItem.tsx";
import { IconButton } from "./IconButton.tsx";
import { MessageStats } from "./MessageStats.tsx";

/** The footer of a message. */
export function MessageFooter(props: MessageItemProps & { onEdit(): void }): JSX.Element {
  const { message, conversation } = props;
  const [copied, setCopied] = useState(false);
  // Read here, not in MessageItem: only this small row updates when a reply starts or ends.
  const busy = conversation.busy.value;
  const copy = async () => {
    if (await copyText(message.content)) {
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    }
  };
  return (
    <footer class="message-footer">
      {props.count > 1 && (
        <span class="branches" role="group" aria-label="Versions">
          <IconButton
            icon="left"
            label="Previous version"
            disabled={props.index === 0}
            onClick={() => conversation.switchBranch(message, -1)}
          />
          <span class="branch-count" aria-live="polite">{props.index + 1}/{props.count}</span>
          <IconButton
            icon="right"
            label="Next version"
            disabled={props.index === props.count - 1}
            onClick={() => conversation.switchBranch(message, 1)}
          />
        </span>
      )}
      <IconButton icon={copied ? "check" : "copy"} label="Copy message" onClick={copy} />
      {message.role === "user" && (
        <IconButton icon="edit" label="Edit and resend" disabled={busy} onClick={props.onEdit} />
      )}
      {message.role === "assistant" && props.last && (
        <IconButton
          icon="refresh"
          label="Regenerate"
          disabled={busy}
          onClick={() => conversation.regenerate(message.id)}
        />
      )}
      {message.metrics && <MessageStats metrics={message.metrics} />}
    </footer>
  );
}
