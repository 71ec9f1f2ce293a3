/**
 * One chat message in the terminal: a role badge, its Markdown, and a status line (token
 * counts and speed, incomplete or failed, which version of the branch it is). Memoised,
 * so a streaming reply redraws only itself.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text } from "ink";
import type { Message } from "../storage/mod.ts";
import { type Block, parseMarkdown, type Span, visibleTail } from "./markdown.ts";
import { useTheme } from "./theme.ts";

const h = React.createElement;

/** Props of {@link MessageView}. */
export interface MessageViewProps {
  role: Message["role"];
  /** The Markdown to show (the text so far while it streams). */
  content: string;
  /** What the status line says, "" for none. */
  status: string;
  /** Shows a cursor after the text: the reply is streaming. */
  streaming?: boolean;
  /**
   * The terminal's size: when given, only the blocks that can fit on it are drawn (a
   * streaming reply grows at the bottom, so its start is off screen). Default: all.
   */
  screen?: { columns: number; rows: number };
}

const BADGES: Record<Message["role"], string> = {
  user: " you ",
  assistant: " ai ",
  system: " sys ",
};

/** Draws a message. */
export const MessageView: React.NamedExoticComponent<MessageViewProps> = React.memo(
  function MessageView({ role, content, status, streaming, screen }: MessageViewProps) {
    const theme = useTheme();
    const parsed = parseMarkdown(content + (streaming ? "▌" : ""));
    const blocks = screen ? visibleTail(parsed, screen.columns, screen.rows) : parsed;
    return h(
      Box,
      { flexDirection: "column", marginBottom: 1, flexShrink: 0 },
      h(
        Box,
        { gap: 1 },
        h(Text, { inverse: true, bold: true, color: theme.color(role) }, BADGES[role]),
        status ? h(Text, { dimColor: true }, status) : null,
      ),
      ...blocks.map((block, i) => h(BlockView, { key: i, block })),
    );
  },
);

function BlockView({ block }: { block: Block }) {
  const theme = useTheme();
  if (block.kind === "code") {
    return h(
      Box,
      { borderStyle: "single", borderDimColor: true, flexDirection: "column", paddingX: 1 },
      block.language ? h(Text, { dimColor: true }, block.language) : null,
      ...block.lines.map((line, i) =>
        h(Text, { key: i, color: theme.color("accent"), wrap: "truncate-end" }, line || " ")
      ),
    );
  }
  return h(
    Text,
    { wrap: "wrap" },
    block.marker ? h(Text, { color: theme.color("accent") }, block.marker) : null,
    ...block.spans.map((span, i) => h(SpanView, { key: i, span })),
  );
}

function SpanView({ span }: { span: Span }) {
  const theme = useTheme();
  if (span.code) {
    return h(Text, { color: theme.color("accent"), inverse: !theme.color("accent") }, span.text);
  }
  return h(Text, { bold: span.bold }, span.text || (span.bold ? "" : " "));
}

/** The status line of a stored message: tokens, speed, state, version. */
export function messageStatus(
  message: Message,
  versions: { index: number; count: number },
): string {
  const parts: string[] = [];
  if (versions.count > 1) parts.push(`‹ ${versions.index}/${versions.count} ›`);
  const m = message.metrics;
  if (m) {
    parts.push(`${m.completion_tokens} tok`, `${m.gen_tok_per_sec.toFixed(1)} tok/s`);
    parts.push(`TTFT ${Math.round(m.ttft_ms)} ms`);
  }
  if (message.state === "incomplete") parts.push("[stopped: incomplete]");
  if (message.state === "error") parts.push("[failed]");
  return parts.join(" · ");
}
