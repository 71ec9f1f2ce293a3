/**
 * The branch shown, one memoized {@link MessageItem} per message. This list re-renders when
 * the branch or the set of streams changes (a message added, a reply finished), never per
 * token: tokens go to the streaming message's own signal.
 *
 * @module
 */
import type { JSX } from "preact";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import { siblingPosition } from "../lib/tree.ts";
import type { ConversationStore } from "../stores/conversation.ts";
import type { GenerationStore } from "../stores/generation.ts";
import { MessageItem } from "./MessageItem.tsx";

/** Props of {@link MessageList}. */
export type MessageListProps = {
  conversation: ConversationStore;
  generation: GenerationStore;
  render: MarkdownRenderer;
  onRendered?: () => void;
};

/** The messages of the active branch. */
export function MessageList(props: MessageListProps): JSX.Element {
  const { conversation } = props;
  const path = conversation.path.value;
  const children = conversation.children.value;
  const streams = props.generation.streams.value;
  const waiting = props.generation.waiting.value;
  // The system prompt is a chat setting, shown in the settings panel, not as a bubble.
  const shown = path.filter((m) => m.role !== "system");
  return (
    <div class="message-list" role="log" aria-label="Messages" aria-live="off">
      {shown.map((message, i) => {
        const { index, count } = siblingPosition(children, message);
        return (
          <MessageItem
            key={message.id}
            message={message}
            stream={streams.get(message.id)}
            waiting={waiting.has(message.id)}
            index={index}
            count={count}
            last={i === shown.length - 1}
            conversation={conversation}
            render={props.render}
            onRendered={props.onRendered}
          />
        );
      })}
    </div>
  );
}
