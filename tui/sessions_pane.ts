/**
 * The sessions pane: the chats in the database, newest first. Up/Down (or k/j) select,
 * Enter (or a click) opens, the wheel moves the selection, n starts a new chat, r renames, d deletes, / searches (full text, as the
 * desktop app's search does; Enter or Esc ends typing).
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text, useInput } from "ink";
import type { TuiState, TuiStore } from "./store.ts";
import { useTheme } from "./theme.ts";
import { windowAround } from "./list_window.ts";
import { memoPane } from "./memo_pane.ts";
import { useMouse } from "./mouse.ts";

const h = React.createElement;

/** Asks the user for a line of text (the root's prompt overlay). */
export type Ask = (label: string, initial: string, onSubmit: (text: string) => void) => void;

/** Props of {@link SessionsPane}. */
export interface SessionsPaneProps {
  store: TuiStore;
  state: TuiState;
  active: boolean;
  focused: boolean;
  /** Rows the list may use. */
  rows: number;
  ask: Ask;
  /** A chat was opened or started: the root focuses the chat pane. */
  onOpened: () => void;
  /** The pane's first screen column and its width: the mouse works over it. */
  left: number;
  width: number;
}

/** Draws the chat list and takes its keys; drawn again only when the list changes. */
export const SessionsPane: React.NamedExoticComponent<SessionsPaneProps> = memoPane(
  SessionsPaneView,
  ["chats", "query", "chat"],
);

function SessionsPaneView(props: SessionsPaneProps): React.ReactElement {
  const { store, state } = props;
  const theme = useTheme();
  const [selected, setSelected] = React.useState(0);
  const [searching, setSearching] = React.useState(false);
  const chats = state.chats;
  const index = Math.min(selected, Math.max(0, chats.length - 1));
  useInput((input, key) => {
    if (searching) {
      if (key.return || key.escape) return setSearching(false);
      const query = store.state.query; // the store's, newer than this frame's
      if (key.backspace || key.delete) return store.search(query.slice(0, -1));
      if (input && !key.ctrl && !key.meta && !key.tab) store.search(query + input);
      return;
    }
    const chat = chats[index];
    if (key.upArrow || input === "k") setSelected(Math.max(0, index - 1));
    else if (key.downArrow || input === "j") setSelected(Math.min(chats.length - 1, index + 1));
    else if (key.return && chat) {
      store.open(chat.id);
      props.onOpened();
    } else if (input === "n") {
      store.newChat();
      props.onOpened();
    } else if (input === "r" && chat) {
      props.ask("Rename chat", chat.title, (title) => store.rename(title, chat.id));
    } else if (input === "d" && chat) store.delete(chat.id);
    else if (input === "/") setSearching(true);
  }, { isActive: props.active });

  const rows = Math.max(1, props.rows - 3);
  const { start, items } = windowAround(chats, index, rows);
  const listTop = 2 + (searching || state.query ? 1 : 0); // the border and the title
  // The wheel moves the selection; a click on a chat opens it.
  useMouse((event) => {
    if (event.x < props.left || event.x >= props.left + props.width) return;
    if (event.kind === "wheel-up") setSelected(Math.max(0, index - 1));
    if (event.kind === "wheel-down") setSelected(Math.min(chats.length - 1, index + 1));
    const chat = items[event.y - listTop];
    if (event.kind === "press" && event.button === 0 && chat) {
      setSelected(start + event.y - listTop);
      store.open(chat.id);
      props.onOpened();
    }
  });
  return h(
    Box,
    {
      flexDirection: "column",
      borderStyle: "round",
      borderColor: props.focused ? theme.color("focus") : undefined,
      borderDimColor: !props.focused,
      flexGrow: 1,
      overflow: "hidden",
    },
    h(Text, { bold: true, wrap: "truncate-end" }, `Sessions (${chats.length})`),
    searching || state.query
      ? h(
        Text,
        { wrap: "truncate-end", color: theme.color("accent") },
        `/${state.query}${searching ? "▌" : ""}`,
      )
      : null,
    ...items.map((chat, i) => {
      const isSelected = start + i === index;
      const isOpen = state.chat?.id === chat.id;
      return h(
        Text,
        { key: chat.id, wrap: "truncate-end", inverse: isSelected && props.focused, bold: isOpen },
        `${isSelected && props.focused ? "▸" : " "}${isOpen ? "●" : " "} ${chat.title}`,
      );
    }),
    chats.length === 0
      ? h(Text, { dimColor: true }, state.query ? "No match" : "No chats yet")
      : null,
  );
}
