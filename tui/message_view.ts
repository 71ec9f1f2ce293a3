/**
 * One chat message in the terminal: a role badge, its Markdown, and a status line (token
 * counts and speed, incomplete or failed, which version of the branch it is). Memoised,
 * so a streaming reply redraws only itself. The Markdown arrives laid out in rows
 * (tui/rows.ts): the chat pane gives each message only the rows that can be on screen.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { Box, Text } from "ink";
import type { Message } from "../storage/mod.ts";
import { parseMarkdown } from "./markdown.ts";
import { layoutBlocks, type Piece, type RowSpan } from "./rows.ts";
import { useTheme } from "./theme.ts";

const h = React.createElement;

/** Props of {@link MessageView}. */
export interface MessageViewProps {
  role: Message["role"];
  /** The message's Markdown laid out in rows ({@link layoutMessage}), or its tail. */
  pieces: readonly Piece[];
  /** What the status line says, "" for none. */
  status: string;
}

const BADGES: Record<Message["role"], string> = {
  user: " you ",
  assistant: " ai ",
  system: " sys ",
};

/**
 * Lays out a message's Markdown in rows of `width` columns (the chat pane's inside);
 * `streaming` adds a cursor after the text.
 */
export function layoutMessage(content: string, width: number, streaming = false): Piece[] {
  return layoutBlocks(parseMarkdown(content + (streaming ? "▌" : "")), width);
}

/** Draws a message. */
export const MessageView: React.NamedExoticComponent<MessageViewProps> = React.memo(
  function MessageView({ role, pieces, status }: MessageViewProps) {
    const theme = useTheme();
    return h(
      Box,
      { flexDirection: "column", marginBottom: 1, flexShrink: 0 },
      h(
        Box,
        { gap: 1 },
        h(Text, { inverse: true, bold: true, color: theme.color(role) }, BADGES[role]),
        status ? h(Text, { dimColor: true }, status) : null,
      ),
      ...pieces.map((piece, i) => h(PieceView, { key: i, piece })),
    );
  },
);

function PieceView({ piece }: { piece: Piece }) {
  const theme = useTheme();
  if (piece.kind === "code") {
    return h(
      Box,
      { borderStyle: "single", borderDimColor: true, flexDirection: "column", paddingX: 1 },
      piece.language ? h(Text, { dimColor: true }, piece.language) : null,
      ...piece.lines.map((line, i) =>
        h(Text, { key: i, color: theme.color("accent"), wrap: "truncate-end" }, line || " ")
      ),
    );
  }
  // Already wrapped to the pane's width: ink wraps again only a row whose width the
  // layout counted low (rare wide characters), and loses nothing then.
  return h(Text, { wrap: "wrap" }, ...piece.spans.map((span, i) => h(SpanView, { key: i, span })));
}

function SpanView({ span }: { span: RowSpan }) {
  const theme = useTheme();
  if (span.marker) return h(Text, { color: theme.color("accent") }, span.text);
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
