/**
 * The left column: brand, the Chats | Sheets switch, then "New chat", search and the chat
 * list (or search results), or the sheet list; the Models/Settings buttons. A `<nav>`
 * landmark.
 *
 * @module
 */
import type { JSX } from "preact";
import type { Stores } from "../stores/app.ts";
import { ChatListItem } from "./ChatListItem.tsx";
import { Icon } from "./icons.tsx";
import { SearchResults } from "./SearchResults.tsx";
import { SectionSwitch } from "./SectionSwitch.tsx";
import { SheetList } from "./sheets/SheetList.tsx";

/** The sidebar. */
export function Sidebar({ stores }: { stores: Stores }): JSX.Element {
  const { view } = stores;
  const sheets = view.section.value === "sheets";
  return (
    <nav
      class="sidebar"
      aria-label={sheets ? "Sheets" : "Chats"}
      data-open={view.sidebarOpen.value}
    >
      <div class="sidebar-top">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          Hearth
        </div>
        <SectionSwitch view={view} />
        {!sheets && <ChatTools stores={stores} />}
      </div>
      {sheets ? <SheetList stores={stores} /> : <ChatItems stores={stores} />}
      <div class="sidebar-bottom">
        <button type="button" class="sidebar-link" onClick={() => view.openDialog("models")}>
          <Icon name="box" /> Models
        </button>
        <button type="button" class="sidebar-link" onClick={() => view.openDialog("history")}>
          <Icon name="gauge" /> History
        </button>
        <button type="button" class="sidebar-link" onClick={() => view.openDialog("settings")}>
          <Icon name="gear" /> Settings
        </button>
      </div>
    </nav>
  );
}

/** "New chat" and the search box. */
function ChatTools({ stores }: { stores: Stores }): JSX.Element {
  const { chats, conversation } = stores;
  return (
    <>
      <button type="button" class="new-chat" onClick={() => conversation.startNew()}>
        <Icon name="plus" /> New chat <kbd>Ctrl N</kbd>
      </button>
      <label class="search">
        <Icon name="search" size={16} />
        <input
          id="chat-search"
          type="search"
          placeholder="Search chats"
          aria-label="Search chats (Ctrl+K)"
          value={chats.query.value}
          onInput={(e) => chats.search(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

/** The chat list, or the search results while searching. */
function ChatItems({ stores }: { stores: Stores }): JSX.Element {
  const { chats, conversation } = stores;
  const currentId = conversation.chat.value?.id ?? null;
  const results = chats.results.value;
  return (
    <div class="chat-list-scroll">
      {results
        ? (
          <SearchResults
            results={results}
            onOpen={async (id, messageId) => {
              await conversation.open(id);
              if (messageId) conversation.reveal(messageId);
            }}
          />
        )
        : (
          <ul class="chat-list" aria-label="Chat history">
            {chats.chats.value.map((chat) => (
              <ChatListItem
                key={chat.id}
                chat={chat}
                current={chat.id === currentId}
                onOpen={conversation.open}
                onRename={chats.rename}
                onDelete={chats.remove}
              />
            ))}
            {chats.chats.value.length === 0 && <li class="list-empty">No chats yet</li>}
          </ul>
        )}
    </div>
  );
}
