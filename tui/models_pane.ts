/**
 * The model browser: the library's runnable models, a filter (/), the selected model's
 * details and whether it fits in memory, and Enter to load it (the open chat switches
 * to it without a restart; progress and errors show on the notification line).
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text, useInput } from "ink";
import type { App } from "../app/create_app.ts";
import type { LibraryModel } from "../library/mod.ts";
import type { TuiState, TuiStore } from "./store.ts";
import { useTheme } from "./theme.ts";
import { memoPane } from "./memo_pane.ts";
import { windowAround } from "./list_window.ts";
import { formatBytes } from "./metrics_pane.ts";

const h = React.createElement;

/** Props of {@link ModelsPane}. */
export interface ModelsPaneProps {
  app: App;
  store: TuiStore;
  state: TuiState;
  active: boolean;
  focused: boolean;
  rows: number;
}

/** How a model's file compares with the memory free now, from its size alone. */
export function fitOf(sizeBytes: number, freeBytes: number): string {
  if (sizeBytes <= freeBytes * 0.7) return "fits";
  if (sizeBytes <= freeBytes) return "tight";
  return "too big";
}

/** The models whose name, file, architecture or quantization contain `filter`. */
export function filterModels(models: readonly LibraryModel[], filter: string): LibraryModel[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return [...models];
  return models.filter((m) =>
    [m.displayName, m.path, m.architecture ?? "", m.quantization ?? ""]
      .some((field) => field.toLowerCase().includes(needle))
  );
}

/** Draws the model list and details and takes its keys. */
export const ModelsPane: React.NamedExoticComponent<ModelsPaneProps> = memoPane(
  ModelsPaneView,
  ["loaded", "loading"],
);

function ModelsPaneView(props: ModelsPaneProps): React.ReactElement {
  const { app, store, state } = props;
  const theme = useTheme();
  const [version, setVersion] = React.useState(0);
  const [selected, setSelected] = React.useState(0);
  const [filter, setFilter] = React.useState("");
  const [typing, setTyping] = React.useState(false);
  React.useEffect(() =>
    app.events.subscribe((event) => {
      if (event.event === "library") setVersion((v) => v + 1);
    }), [app]);
  const models = React.useMemo(
    () => filterModels(app.library.list({ kind: "model" }), filter),
    [app, filter, version],
  );
  const index = Math.min(selected, Math.max(0, models.length - 1));
  const model = models[index];
  useInput((input, key) => {
    if (typing) {
      if (key.return || key.escape) return setTyping(false);
      if (key.backspace || key.delete) return setFilter((f) => f.slice(0, -1));
      if (input && !key.ctrl && !key.meta && !key.tab) setFilter((f) => f + input);
      return;
    }
    if (key.upArrow || input === "k") setSelected(Math.max(0, index - 1));
    else if (key.downArrow || input === "j") setSelected(Math.min(models.length - 1, index + 1));
    else if (input.startsWith("/")) {
      // A fast typist's (or a paste's) "/name" arrives as one read: the rest is the filter.
      setTyping(true);
      setFilter(input.slice(1));
    } else if (key.return && model) {
      if (model.broken) {
        store.notify(`Cannot load ${model.displayName}: ${model.brokenReason}`, "error");
      } else store.load(model.path);
    }
  }, { isActive: props.active });

  const listRows = Math.max(1, Math.min(models.length, props.rows - 9));
  const { start, items } = windowAround(models, index, listRows);
  const free = Deno.systemMemoryInfo().available;
  return h(
    Box,
    {
      flexDirection: "column",
      borderStyle: "round",
      borderColor: props.focused ? theme.color("focus") : undefined,
      borderDimColor: !props.focused,
      overflow: "hidden",
      flexGrow: 1,
    },
    h(Text, { bold: true, wrap: "truncate-end" }, `Models (${models.length})`),
    typing || filter
      ? h(
        Text,
        { color: theme.color("accent"), wrap: "truncate-end" },
        `/${filter}${typing ? "▌" : ""}`,
      )
      : null,
    ...items.map((m, i) => {
      const loaded = state.loaded?.path === m.path;
      return h(
        Text,
        {
          key: m.id,
          wrap: "truncate-end",
          inverse: start + i === index && props.focused,
          bold: loaded,
        },
        `${start + i === index && props.focused ? "▸" : " "}${loaded ? "●" : " "} ${m.displayName}${
          m.broken ? " (broken)" : ""
        }`,
      );
    }),
    model
      ? h(Details, { model, fit: fitOf(model.sizeBytes, free) })
      : h(Text, { dimColor: true }, "No models"),
  );
}

function Details({ model, fit }: { model: LibraryModel; fit: string }) {
  const theme = useTheme();
  const params = model.nParams ? `${(model.nParams / 1e6).toFixed(1)}M params` : "";
  return h(
    Box,
    { flexDirection: "column", marginTop: 1 },
    h(Text, { wrap: "truncate-end", dimColor: true }, model.path),
    h(
      Text,
      { wrap: "truncate-end" },
      [model.architecture, params, model.quantization].filter(Boolean).join(" · "),
    ),
    h(
      Text,
      { wrap: "truncate-end" },
      `${formatBytes(model.sizeBytes)} · n_ctx_train ${model.nCtxTrain ?? "?"} · `,
      h(Text, { color: theme.color(fit === "too big" ? "error" : "accent") }, fit),
    ),
    h(Text, { dimColor: true, wrap: "truncate-end" }, "Enter loads · / filters"),
  );
}
