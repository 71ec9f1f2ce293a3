/**
 * Full-text search hits: each chat's title and a snippet whose `<mark>` hits are highlighted.
 *
 * @module
 */
import type { JSX } from "preact";
import { parseSnippet } from "../lib/snippet.ts";
import type { ChatSummary } from "../../api/types.ts";

/** The search results list. */
export function SearchResults(
  props: {
    results: readonly ChatSummary[];
    /** Opens chat `id`; `messageId` is the hit's message, shown on its branch. */
    onOpen(id: string, messageId: string | null): void;
  },
): JSX.Element {
  if (props.results.length === 0) return <p class="list-empty" role="status">No matches</p>;
  return (
    <ul class="chat-list search-results" aria-label="Search results">
      {props.results.map((chat) => (
        <li key={chat.id} class="chat-item result">
          <button
            type="button"
            class="chat-open"
            onClick={() => props.onOpen(chat.id, chat.message_id ?? null)}
          >
            <span class="result-title">{chat.title || "Untitled"}</span>
            {chat.snippet && <Snippet snippet={chat.snippet} />}
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A snippet as text nodes and `<mark>` elements; never parsed as HTML. */
export function Snippet({ snippet }: { snippet: string }): JSX.Element {
  return (
    <span class="snippet">
      {parseSnippet(snippet).map((part, i) =>
        part.hit ? <mark key={i}>{part.text}</mark> : part.text
      )}
    </span>
  );
}
