/**
 * What opens over the panes: the key list (`?`), the command palette (Ctrl+P: type to
 * filter, Up/Down, Enter runs) and a one-line prompt (rename, system prompt, sampling,
 * export path). Esc closes each.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text, useInput } from "ink";
import { backspace, draftOf, insert, splitEnter } from "./draft.ts";
import { useTheme } from "./theme.ts";

const h = React.createElement;

/** The key list `?` shows. */
export const KEYS: readonly (readonly [string, string])[] = [
  ["Tab / Shift+Tab", "next / previous pane"],
  ["Enter", "send (sessions: open, models: load)"],
  ["Shift+Enter, Alt+Enter", "new line"],
  ["Esc", "stop the reply"],
  ["Up (empty), Ctrl+E", "edit the last message and resend"],
  ["Ctrl+R", "regenerate the last reply"],
  ["PageUp / PageDown", "scroll the chat by a message"],
  ["Alt+Left / Alt+Right", "previous / next version of the reply"],
  ["Ctrl+N", "new chat"],
  ["Ctrl+L", "next layout (single, sidebar, inspector)"],
  ["Ctrl+P", "command palette"],
  ["n r d /", "sessions: new, rename, delete, search"],
  ["mouse", "click: focus a pane, open a chat; wheel: scroll"],
  ["?", "this list"],
  ["Ctrl+C", "quit"],
];

/** The key list; any key closes it. */
export function HelpOverlay({ onClose }: { onClose: () => void }): React.ReactElement {
  useInput(() => onClose());
  const width = Math.max(...KEYS.map(([keys]) => keys.length));
  return h(
    Box,
    { flexDirection: "column", borderStyle: "double", paddingX: 1 },
    h(Text, { bold: true }, "Keys"),
    ...KEYS.map(([keys, what]) =>
      h(
        Text,
        { key: keys, wrap: "truncate-end" },
        h(Text, { bold: true }, keys.padEnd(width)),
        `  ${what}`,
      )
    ),
    h(Text, { dimColor: true }, "Any key closes this list"),
  );
}

/** A palette command. */
export interface PaletteCommand {
  title: string;
  run: () => void;
}

/** The command palette. */
export function Palette(
  { commands, onClose, rows }: {
    commands: readonly PaletteCommand[];
    onClose: () => void;
    rows: number;
  },
): React.ReactElement {
  const theme = useTheme();
  const [filter, setFilter] = React.useState("");
  const [selected, setSelected] = React.useState(0);
  const latest = React.useRef(filter);
  latest.current = filter;
  const matching = (f: string) =>
    commands.filter((c) => c.title.toLowerCase().includes(f.toLowerCase()));
  const shown = matching(filter);
  const index = Math.min(selected, Math.max(0, shown.length - 1));
  useInput((input, key) => {
    if (key.escape) return onClose();
    if (key.upArrow) return setSelected(Math.max(0, index - 1));
    if (key.downArrow) return setSelected(Math.min(shown.length - 1, index + 1));
    // Keys can arrive faster than frames: each edits the newest filter, not this frame's.
    const { text, enter } = splitEnter(key.ctrl || key.meta || key.tab ? "" : input);
    const next = key.backspace || key.delete ? latest.current.slice(0, -1) : latest.current + text;
    latest.current = next;
    setFilter(next);
    if (key.return || enter) {
      onClose();
      const list = matching(next);
      list[Math.min(index, Math.max(0, list.length - 1))]?.run();
    }
  });
  return h(
    Box,
    { flexDirection: "column", borderStyle: "double", paddingX: 1 },
    h(Text, { color: theme.color("accent") }, `> ${filter}▌`),
    ...shown.slice(0, Math.max(1, rows - 4)).map((c, i) =>
      h(Text, { key: c.title, inverse: i === index, wrap: "truncate-end" }, c.title)
    ),
  );
}

/** A one-line question: Enter answers, Esc cancels. */
export function PromptOverlay(
  { label, initial, onSubmit, onClose }: {
    label: string;
    initial: string;
    onSubmit: (text: string) => void;
    onClose: () => void;
  },
): React.ReactElement {
  const [draft, setDraft] = React.useState(draftOf(initial));
  const latest = React.useRef(draft);
  latest.current = draft;
  useInput((input, key) => {
    if (key.escape) return onClose();
    // Text and Enter typed faster than they are read arrive as one chunk ending in "\r".
    if (key.return || (input.length > 1 && input.endsWith("\r"))) {
      const text = key.return
        ? latest.current.text
        : insert(latest.current, input.slice(0, -1)).text;
      onClose();
      return onSubmit(text);
    }
    const next = key.backspace || key.delete
      ? backspace(latest.current)
      : input && !key.ctrl && !key.meta && !key.tab
      ? insert(latest.current, input)
      : latest.current;
    latest.current = next;
    setDraft(next);
  });
  return h(
    Box,
    { flexDirection: "column", borderStyle: "double", paddingX: 1 },
    h(Text, { bold: true }, label),
    h(Text, { wrap: "wrap" }, `${draft.text}▌`),
    h(Text, { dimColor: true }, "Enter to apply · Esc to cancel"),
  );
}
