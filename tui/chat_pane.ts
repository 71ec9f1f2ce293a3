/**
 * The chat pane: the open chat's branch (newest at the bottom, cut at the top when it
 * does not fit), the streaming reply, and the input box. Its keys: Enter sends,
 * Shift+Enter or Alt+Enter adds a line, Up (empty box) or Ctrl+E edits the last message,
 * Ctrl+R regenerates, Alt+Left/Right switch versions of the last reply, PageUp/PageDown
 * (or the mouse wheel over the pane) scroll by a message, `?` (empty box) shows the keys.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, type Key, Text, useInput } from "ink";
import type { TuiState, TuiStore } from "./store.ts";
import { basename } from "./store.ts";
import { backspace, type Draft, draftOf, EMPTY_DRAFT, insert, lineEdge, move } from "./draft.ts";
import { layoutMessage, messageStatus, MessageView } from "./message_view.ts";
import { type Piece, piecesRows, tailRows } from "./rows.ts";
import { useTheme } from "./theme.ts";
import { useMouse } from "./mouse.ts";

const h = React.createElement;

/** Messages drawn at most: older ones are above the pane's top anyway. */
const SHOWN_MESSAGES = 40;

/** The draft and which user message it edits (undefined = a new message). */
export interface Composer {
  draft: Draft;
  editOf?: string;
}

/** Props of {@link ChatPane}. */
export interface ChatPaneProps {
  store: TuiStore;
  state: TuiState;
  composer: Composer;
  setComposer: (composer: Composer) => void;
  /** Keys go to this pane. */
  active: boolean;
  focused: boolean;
  onHelp: () => void;
  /** The pane's width in columns, borders included (the root's layout decides it). */
  width: number;
  /**
   * Rows the messages can take at most (the pane's height less its border, title and
   * the input box's smallest size): messages are laid out only that far up.
   */
  messageRows: number;
  /** The pane's first screen column: the wheel scrolls it when the pointer is over it. */
  left: number;
}

/**
 * Applies a key to the composer: the new composer (null = the key is not the composer's)
 * and what else to do. A chunk of typed text ending in `\r` (keys sent faster than they
 * are read) is the text, then Enter.
 */
export function composerKey(
  composer: Composer,
  input: string,
  key: Key,
): { composer: Composer; action?: "send" | "edit-last" } | null {
  const { draft } = composer;
  const set = (next: Draft) => ({ composer: { ...composer, draft: next } });
  if (key.return) {
    return key.shift || key.meta ? set(insert(draft, "\n")) : { composer, action: "send" };
  }
  if (key.backspace || key.delete) return set(backspace(draft));
  if (key.leftArrow && !key.meta) return set(move(draft, -1));
  if (key.rightArrow && !key.meta) return set(move(draft, 1));
  if (key.home) return set(lineEdge(draft, -1));
  if (key.end) return set(lineEdge(draft, 1));
  if ((key.upArrow && draft.text === "") || (key.ctrl && input === "e")) {
    return { composer, action: "edit-last" };
  }
  if (key.ctrl || key.meta || key.escape || key.tab || !input) return null;
  if (input.length > 1 && input.endsWith("\r")) {
    return { ...set(insert(draft, input.slice(0, -1))), action: "send" };
  }
  return set(insert(draft, input));
}

/** Draws the chat and takes its keys. */
export function ChatPane(props: ChatPaneProps): React.ReactElement {
  const { store, state, composer, setComposer } = props;
  const theme = useTheme();
  // Keys can arrive faster than frames: each one edits the newest composer, not this
  // frame's.
  const latest = React.useRef(composer);
  latest.current = composer;
  const update = (next: Composer) => {
    latest.current = next;
    setComposer(next);
  };
  // Messages hidden below the pane's bottom (PageUp scrolls back); 0 = follow the newest.
  const [scroll, setScroll] = React.useState(0);
  React.useEffect(() => setScroll(0), [state.chat?.id]);
  const older = () => setScroll((n) => Math.min(n + 1, Math.max(0, state.branch.length - 1)));
  const newer = () => setScroll((n) => Math.max(0, n - 1));
  useMouse((event) => {
    if (event.x < props.left || event.x >= props.left + props.width) return;
    if (event.kind === "wheel-up") older();
    if (event.kind === "wheel-down") newer();
  });
  useInput((input, key) => {
    const composer = latest.current;
    if (key.pageUp) return older();
    if (key.pageDown) return newer();
    if (key.ctrl && input === "r") return store.regenerate();
    const lastReply = state.branch.findLast((m) => m.role === "assistant");
    if (key.meta && (key.leftArrow || key.rightArrow) && lastReply) {
      return store.switchBranch(lastReply.id, key.leftArrow ? -1 : 1);
    }
    if (input === "?" && composer.draft.text === "") return props.onHelp();
    const next = composerKey(composer, input, key);
    if (!next) return;
    if (next.action === "send") {
      if (state.streaming) {
        update(next.composer);
        return store.notify("A reply is streaming: Esc stops it", "error");
      }
      store.send(next.composer.draft.text, next.composer.editOf);
      return update({ draft: EMPTY_DRAFT });
    }
    if (next.action === "edit-last") {
      const last = state.branch.findLast((m) => m.role === "user");
      if (last) update({ draft: draftOf(last.content), editOf: last.id });
      return;
    }
    update(next.composer);
  }, { isActive: props.active });

  const chat = state.chat;
  const model = state.loaded ? basename(state.loaded.path) : "no model";
  const below = Math.min(scroll, Math.max(0, state.branch.length - 1));
  const shown = state.branch.slice(0, state.branch.length - below).slice(-SHOWN_MESSAGES);
  const inner = Math.max(1, props.width - 2);
  // Stored messages change only when the branch is read again: lay them out and read
  // their versions (a query each) once per branch, not on every frame of a reply.
  const stored = React.useMemo(
    () =>
      new Map(state.branch.map((m) => [m.id, {
        pieces: layoutMessage(m.content, inner),
        status: messageStatus(m, store.versions(m.id)),
      }])),
    [state.branch, inner, store],
  );
  // From the newest message up, as many rows as the pane can show: ink formats every
  // text it is given on every frame, also text clipped above the pane's top.
  const views: React.ReactNode[] = [];
  let rowsLeft = props.messageRows;
  for (let i = shown.length - 1; i >= 0 && rowsLeft > 0; i--) {
    const message = shown[i];
    const streaming = state.streaming?.id === message.id;
    let pieces: readonly Piece[] = streaming
      ? layoutMessage(state.streaming!.text, inner, true)
      : stored.get(message.id)?.pieces ?? [];
    const rows = piecesRows(pieces);
    // The badge row and the blank row after the message.
    if (rows + 2 > rowsLeft) pieces = tailRows(pieces, rowsLeft);
    rowsLeft -= rows + 2;
    views.push(h(MessageView, {
      key: message.id,
      role: message.role,
      pieces,
      status: streaming ? "streaming… Esc stops" : stored.get(message.id)?.status ?? "",
    }));
  }
  views.reverse();
  return h(
    Box,
    {
      flexDirection: "column",
      width: props.width,
      flexShrink: 0,
      borderStyle: "round",
      borderColor: props.focused ? theme.color("focus") : undefined,
      borderDimColor: !props.focused,
    },
    h(
      Box,
      { flexShrink: 0 },
      h(Text, { bold: true, wrap: "truncate-end" }, chat ? chat.title : "New chat"),
      h(Text, { dimColor: true, wrap: "truncate-end" }, `  ${model}`),
    ),
    h(
      Box,
      {
        flexDirection: "column",
        flexGrow: 1,
        flexShrink: 1,
        justifyContent: "flex-end",
        overflow: "hidden",
      },
      ...views,
      shown.length === 0
        ? h(Text, { dimColor: true }, "Type a message and press Enter. ? lists the keys.")
        : null,
    ),
    below > 0
      ? h(Text, { dimColor: true, wrap: "truncate-end" }, `↓ ${below} newer (PageDown)`)
      : null,
    h(InputBox, { composer, focused: props.focused }),
  );
}

function InputBox({ composer, focused }: { composer: Composer; focused: boolean }) {
  const theme = useTheme();
  const { text, cursor } = composer.draft;
  const label = composer.editOf ? "edit› " : "› ";
  const before = text.slice(0, cursor);
  const at = text.slice(cursor, cursor + 1);
  const after = text.slice(cursor + 1);
  return h(
    Box,
    {
      flexShrink: 0,
      borderStyle: "single",
      borderTop: true,
      borderBottom: false,
      borderLeft: false,
      borderRight: false,
      borderDimColor: true,
    },
    h(
      Text,
      { wrap: "wrap" },
      h(Text, { color: theme.color("user"), bold: true }, label),
      before,
      focused ? h(Text, { inverse: true }, at === "\n" || at === "" ? " " : at) : at,
      at === "\n" ? "\n" : "",
      after,
    ),
  );
}
