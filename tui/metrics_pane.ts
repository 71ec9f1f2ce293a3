/**
 * The metrics sidebar: the last reply's TTFT and speed, context used of n_ctx, memory,
 * the queue depth (replies generating) and a sparkline of tok/s over the last minute.
 * It reads the app once a second while shown.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text } from "ink";
import type { App } from "../app/create_app.ts";
import type { TuiState } from "./store.ts";
import { useTheme } from "./theme.ts";
import { memoPane } from "./memo_pane.ts";

const h = React.createElement;
const BARS = "▁▂▃▄▅▆▇█";

/** A sparkline of `values` (the last `width` of them), scaled to their maximum. */
export function sparkline(values: readonly number[], width: number): string {
  const shown = values.slice(-Math.max(1, width));
  const max = Math.max(...shown, 0);
  if (max === 0) return BARS[0].repeat(shown.length);
  return shown.map((v) => BARS[Math.min(7, Math.floor((v / max) * 7.999))]).join("");
}

/** Bytes in B, KiB, MiB or GiB, one decimal. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Props of {@link MetricsPane}. */
export interface MetricsPaneProps {
  app: App;
  state: TuiState;
  /** Columns, border included. */
  width: number;
}

/**
 * Draws the metrics of `state` and the app: once a second, and when the branch or the
 * model changes (not on every frame of a streaming reply).
 */
export const MetricsPane: React.NamedExoticComponent<MetricsPaneProps> = memoPane(
  MetricsPaneView,
  ["branch", "loaded"],
);

function MetricsPaneView({ app, state, width }: MetricsPaneProps): React.ReactElement {
  const theme = useTheme();
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, []);
  const last = state.branch.findLast((m) => m.role === "assistant" && m.metrics);
  const m = last?.metrics;
  const nCtx = state.loaded?.n_ctx;
  const used = m ? m.prompt_tokens + m.completion_tokens : 0;
  const memory = Deno.systemMemoryInfo();
  const rss = Deno.memoryUsage().rss;
  const history = app.rate.history();
  const row = (label: string, value: string) =>
    h(Text, { wrap: "truncate-end" }, h(Text, { dimColor: true }, `${label} `), value);
  return h(
    Box,
    {
      flexDirection: "column",
      borderStyle: "round",
      borderDimColor: true,
      flexShrink: 0,
      width,
      alignSelf: "flex-start",
    },
    h(Text, { bold: true }, "Metrics"),
    row("TTFT", m ? `${Math.round(m.ttft_ms)} ms` : "–"),
    row("tok/s", m ? m.gen_tok_per_sec.toFixed(1) : "–"),
    row("ctx", nCtx ? `${used}/${nCtx}` : "–"),
    row("RSS", formatBytes(rss)),
    row("RAM free", formatBytes(memory.available)),
    row("queue", String(app.replies.running)),
    h(Text, { color: theme.color("accent") }, sparkline(history, Math.max(4, width - 4))),
  );
}
