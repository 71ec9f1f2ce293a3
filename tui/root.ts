/**
 * The terminal UI's root: lays the panes out for the terminal's size and the chosen
 * layout, routes keys to the focused pane, and owns the global keys (Tab, Esc, Ctrl+P,
 * Ctrl+L, Ctrl+N, Ctrl+C) and the overlays. A click focuses the pane under the pointer.
 *
 * Layouts: "single" shows the focused pane alone; "sidebar" puts the sessions (or models)
 * left of the chat and the metrics right of it; "inspector" puts the models (or sessions)
 * and the metrics right of the chat. Below 70 columns every layout is "single", and below
 * 100 the sidebar drops its metrics, so 80x24 and 40x12 stay readable.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text, useInput, useWindowSize } from "ink";
import type { App } from "../app/create_app.ts";
import type { TuiLayout } from "../config/config.ts";
import { TUI_LAYOUTS } from "../config/config.ts";
import type { TuiStore } from "./store.ts";
import { ChatPane, type Composer } from "./chat_pane.ts";
import { draftOf, EMPTY_DRAFT } from "./draft.ts";
import { SessionsPane } from "./sessions_pane.ts";
import { ModelsPane } from "./models_pane.ts";
import { MetricsPane } from "./metrics_pane.ts";
import { HelpOverlay, Palette, type PaletteCommand, PromptOverlay } from "./overlays.ts";
import { paletteCommands } from "./palette_commands.ts";
import { useTheme } from "./theme.ts";
import { useMouse } from "./mouse.ts";

const h = React.createElement;

/** The metrics pane's width beside the chat, in columns. */
const METRICS_WIDTH = 24;

/** The panes that take keys, in Tab order. */
export const PANES = ["chat", "sessions", "models"] as const;
/** A pane that takes keys. */
export type Pane = typeof PANES[number];

type Overlay =
  | { kind: "help" }
  | { kind: "palette" }
  | { kind: "prompt"; label: string; initial: string; onSubmit: (text: string) => void };

/** Props of {@link Root}. */
export interface RootProps {
  app: App;
  store: TuiStore;
  layout: TuiLayout;
  /** The user asked to quit. */
  onQuit: () => void;
  /** Called with the time a key arrived, for the input latency benchmark. */
  onKey?: (atMs: number) => void;
}

/** The whole screen. */
export function Root(props: RootProps): React.ReactElement {
  const { app, store } = props;
  const state = React.useSyncExternalStore(store.subscribe, () => store.state);
  const { columns, rows } = useWindowSize();
  const theme = useTheme();
  const [focus, setFocus] = React.useState<Pane>("chat");
  const [layout, setLayout] = React.useState<TuiLayout>(props.layout);
  const [overlay, setOverlay] = React.useState<Overlay | null>(null);
  const [composer, setComposer] = React.useState<Composer>({ draft: EMPTY_DRAFT });

  const focusPane = (pane: Pane) => setFocus(pane);
  // Stable callbacks: the memoised panes compare their props by identity.
  const ask = React.useCallback(
    (label: string, initial: string, onSubmit: (text: string) => void) =>
      setOverlay({ kind: "prompt", label, initial, onSubmit }),
    [],
  );
  const openedChat = React.useCallback(() => setFocus("chat"), []);
  const commands: PaletteCommand[] = paletteCommands({
    store,
    state,
    ask,
    setLayout,
    focus: focusPane,
    help: () => setOverlay({ kind: "help" }),
    quit: props.onQuit,
    editLast: () => {
      const last = state.branch.findLast((m) => m.role === "user");
      if (last) setComposer({ draft: draftOf(last.content), editOf: last.id });
      focusPane("chat");
    },
  });

  useInput((input, key) => {
    props.onKey?.(performance.now());
    if (overlay) return;
    if (key.ctrl && input === "c") return props.onQuit();
    if (key.escape) {
      if (store.stop()) store.notify("Reply stopped");
      else if (composer.editOf) setComposer({ draft: EMPTY_DRAFT });
      return;
    }
    if (key.tab) {
      const at = PANES.indexOf(focus);
      return focusPane(PANES[(at + (key.shift ? PANES.length - 1 : 1)) % PANES.length]);
    }
    if (key.ctrl && input === "p") return setOverlay({ kind: "palette" });
    if (key.ctrl && input === "l") {
      return setLayout(TUI_LAYOUTS[(TUI_LAYOUTS.indexOf(layout) + 1) % TUI_LAYOUTS.length]);
    }
    if (key.ctrl && input === "n") {
      store.newChat();
      return focusPane("chat");
    }
  });

  const active = overlay === null;
  // The side pane: the focused one, else the layout's own (sessions beside, models inspected).
  const side = focus !== "chat" ? focus : layout === "inspector" ? "models" : "sessions";
  const height = Math.max(3, rows - 1);
  const narrow = columns < 70;
  const effective: TuiLayout = narrow ? "single" : layout;
  const sideWidth = Math.min(36, Math.max(24, Math.floor(columns * 0.28)));
  const sideRows = effective === "inspector" && columns >= 70 ? height - 10 : height;
  const metricsBeside = effective === "sidebar" && columns >= 100;
  const chatWidth = effective === "single"
    ? columns
    : columns - sideWidth - (metricsBeside ? METRICS_WIDTH : 0);
  // Where the panes sit on the screen, for the mouse: the side pane is left of the chat in
  // the sidebar layout, right of it in the inspector layout.
  const chatLeft = effective === "sidebar" ? sideWidth : 0;
  const sideLeft = effective === "inspector" ? chatWidth : 0;
  useMouse((event) => {
    if (event.kind !== "press" || overlay) return;
    if (effective === "single") return;
    const inSide = event.x >= sideLeft && event.x < sideLeft + sideWidth;
    if (inSide && event.y < (effective === "inspector" ? sideRows : height)) focusPane(side);
    else if (event.x >= chatLeft && event.x < chatLeft + chatWidth) focusPane("chat");
  });
  const chatPane = h(ChatPane, {
    key: "chat",
    store,
    state,
    composer,
    setComposer,
    active: active && focus === "chat",
    focused: focus === "chat",
    onHelp: () => setOverlay({ kind: "help" }),
    width: chatWidth,
    left: chatLeft,
    // Less the border (2 rows), the title and the input box at its smallest (2).
    messageRows: height - 5,
  });
  const sidePane = (which: "sessions" | "models", width?: number, rowsFor = height) =>
    h(
      Box,
      { key: which, width, flexShrink: 0, flexDirection: "column", height: rowsFor },
      which === "sessions"
        ? h(SessionsPane, {
          store,
          state,
          active: active && focus === "sessions",
          focused: focus === "sessions",
          rows: rowsFor,
          ask,
          onOpened: openedChat,
          left: effective === "single" ? 0 : sideLeft,
          width: width ?? columns,
        })
        : h(ModelsPane, {
          app,
          store,
          state,
          active: active && focus === "models",
          focused: focus === "models",
          rows: rowsFor,
        }),
    );

  let body: React.ReactNode;
  if (overlay?.kind === "help") body = h(HelpOverlay, { onClose: () => setOverlay(null) });
  else if (overlay?.kind === "palette") {
    body = h(Palette, { commands, rows: height, onClose: () => setOverlay(null) });
  } else if (overlay?.kind === "prompt") {
    body = h(PromptOverlay, { ...overlay, onClose: () => setOverlay(null) });
  }
  const panes = effective === "single"
    ? [focus === "chat" ? chatPane : sidePane(focus, columns)]
    : effective === "sidebar"
    ? [
      sidePane(side, sideWidth),
      chatPane,
      metricsBeside ? h(MetricsPane, { key: "metrics", app, state, width: METRICS_WIDTH }) : null,
    ]
    : [
      chatPane,
      h(
        Box,
        { key: "inspector", flexDirection: "column", width: sideWidth, flexShrink: 0 },
        sidePane(side, sideWidth, sideRows),
        h(MetricsPane, { app, state, width: sideWidth }),
      ),
    ];
  const notice = state.notice;
  return h(
    Box,
    { flexDirection: "column", width: columns, height: rows },
    h(
      Box,
      { flexDirection: "row", height, overflow: "hidden" },
      ...(body ? [h(Box, { key: "overlay", flexGrow: 1, flexDirection: "column" }, body)] : []),
      ...(body ? [] : panes),
    ),
    h(
      Text,
      {
        wrap: "truncate-end",
        color: notice?.kind === "error" ? theme.color("error") : undefined,
        dimColor: !notice,
        bold: notice?.kind === "error",
      },
      notice
        ? `${notice.kind === "error" ? "✗ " : ""}${notice.text}`
        : `[${effective}] Tab panes · Enter send · Esc stop · Ctrl+P commands · ? keys · Ctrl+C quit`,
    ),
  );
}
