/**
 * The scrolling middle of the window: the messages, or a welcome when the chat is empty. It
 * keeps the newest text in sight while a reply streams, unless the user scrolled up to read.
 *
 * @module
 */
import type { JSX } from "preact";
import { useCallback, useEffect, useRef } from "preact/hooks";
import type { MarkdownRenderer } from "../lib/markdown.ts";
import type { Stores } from "../stores/app.ts";
import { MessageList } from "./MessageList.tsx";
import { Welcome } from "./Welcome.tsx";

/** How close to the bottom, in pixels, still counts as "at the bottom". */
const STICK_PX = 48;
/** How long a search hit stays highlighted, in milliseconds. */
const HIGHLIGHT_MS = 2500;

/** The chat transcript. */
export function ChatView(
  { stores, render }: { stores: Stores; render: MarkdownRenderer },
): JSX.Element {
  const { conversation, generation } = stores;
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, []);
  const chatId = conversation.chat.value?.id;
  const count = conversation.path.value.length;
  // A new chat or a new message: jump to the end.
  useEffect(() => {
    stick.current = true;
    toBottom();
  }, [chatId, count]);
  // A search hit: scroll it into the middle and highlight it for a moment.
  const highlighted = conversation.highlighted.value;
  useEffect(() => {
    const el = highlighted &&
      scroller.current?.querySelector(`[data-id="${CSS.escape(highlighted)}"]`);
    if (!el) return;
    stick.current = false;
    el.scrollIntoView({ block: "center" });
    el.classList.add("search-hit");
    const timer = setTimeout(() => {
      el.classList.remove("search-hit");
      conversation.highlighted.value = null;
    }, HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [highlighted, chatId, count]);
  const empty = count === 0 && !conversation.opening.value;
  return (
    <div
      class="chat-scroll"
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < STICK_PX;
      }}
    >
      {empty ? <Welcome stores={stores} /> : (
        <MessageList
          conversation={conversation}
          generation={generation}
          render={render}
          onRendered={toBottom}
        />
      )}
    </div>
  );
}
