/**
 * A message's Markdown laid out in screen rows at a known width, so the chat pane hands
 * ink only the rows that can be on screen. ink lays out, wraps and styles every text it
 * is given on every frame, including text clipped above a pane's top edge; a streaming
 * reply redraws up to 60 times a second, so the text it is given is the frame's cost.
 *
 * Lines wrap greedily at spaces (a word wider than the row is cut), like ink's own
 * wrapping. Greedy wrapping never moves an earlier row when text is appended, so a
 * streaming reply's rows stay put as it grows, and the rows of its end are the same
 * whether the start is drawn or not.
 *
 * @module
 */
import type { Block, Span } from "./markdown.ts";

/** A run of one style on a row; `marker` is a list marker (drawn in the accent colour). */
export interface RowSpan extends Span {
  marker?: boolean;
}

/** A piece of a laid-out message: one row of text, or a code block with its border. */
export type Piece =
  | { kind: "row"; spans: RowSpan[] }
  | { kind: "code"; language: string; lines: string[] };

/** How many screen rows `piece` takes (a code block: its lines, label and border). */
export function pieceRows(piece: Piece): number {
  if (piece.kind === "row") return 1;
  return piece.lines.length + 2 + (piece.language ? 1 : 0);
}

/**
 * The columns a code point takes on a terminal: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide characters and emoji, else 1. An approximation of
 * Unicode's East Asian Width (ink measures with string-width): a row it counts too
 * narrow is wrapped again by ink, so nothing is lost, only the row count is off.
 */
export function codePointColumns(cp: number): number {
  if (
    (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  ) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

/**
 * Where the rows of `text` start and end (UTF-16 offsets, end exclusive, the breaking
 * spaces left out) when wrapped greedily into `width` columns.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { wrapOffsets } from "./rows.ts";
 *
 * deepStrictEqual(wrapOffsets("one two three", 7), [[0, 7], [8, 13]]);
 * ```
 */
export function wrapOffsets(text: string, width: number): [number, number][] {
  const rows: [number, number][] = [];
  const columns = Math.max(1, width);
  let start = 0;
  let used = 0;
  // The row's last space so far (the row can end before it) and the columns up to it.
  let space = -1;
  let usedAtSpace = 0;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    const cols = codePointColumns(cp);
    if (cp === 0x20) {
      space = i;
      usedAtSpace = used;
    } else if (used + cols > columns && used > 0) {
      if (space > start) {
        rows.push([start, space]);
        start = space + 1;
        used -= usedAtSpace + 1;
      } else {
        rows.push([start, i]);
        start = i;
        used = 0;
      }
      space = -1;
      continue; // measure this character again on the new row
    }
    used += cols;
    i += size;
  }
  rows.push([start, text.length]);
  // Spaces past the width at the end of a row show nothing: cut them.
  return rows.map(([from, to]) => {
    let end = to;
    let cols = 0;
    for (let i = from; i < end; i++) cols += codePointColumns(text.charCodeAt(i));
    while (end > from && cols > columns && text[end - 1] === " ") (end--, cols--);
    return [from, end];
  });
}

/** One Markdown line block as rows of `width` columns (the list marker on the first). */
function lineRows(block: Extract<Block, { kind: "line" }>, width: number): Piece[] {
  const spans: RowSpan[] = block.marker
    ? [{ text: block.marker, marker: true }, ...block.spans]
    : block.spans;
  const text = spans.map((span) => span.text).join("");
  if (text === "") return [{ kind: "row", spans: [{ text: "" }] }];
  const pieces: Piece[] = [];
  for (const [from, to] of wrapOffsets(text, width)) {
    const row: RowSpan[] = [];
    let at = 0;
    for (const span of spans) {
      const a = Math.max(from, at);
      const b = Math.min(to, at + span.text.length);
      if (a < b) row.push({ ...span, text: span.text.slice(a - at, b - at) });
      at += span.text.length;
    }
    pieces.push({ kind: "row", spans: row.length ? row : [{ text: "" }] });
  }
  return pieces;
}

/** `blocks` laid out at `width` columns (the chat pane's inside). */
export function layoutBlocks(blocks: readonly Block[], width: number): Piece[] {
  const pieces: Piece[] = [];
  for (const block of blocks) {
    if (block.kind === "code") pieces.push(block);
    else pieces.push(...lineRows(block, width));
  }
  return pieces;
}

/** The rows `pieces` take. */
export function piecesRows(pieces: readonly Piece[]): number {
  return pieces.reduce((total, piece) => total + pieceRows(piece), 0);
}

/**
 * The end of `pieces` that fills `rows` rows: whole pieces from the end, and of a code
 * block that does not fit, its last lines (without its label).
 */
export function tailRows(pieces: readonly Piece[], rows: number): Piece[] {
  const kept: Piece[] = [];
  let left = rows;
  for (let i = pieces.length - 1; i >= 0 && left > 0; i--) {
    const piece = pieces[i];
    const height = pieceRows(piece);
    if (height <= left) {
      kept.push(piece);
      left -= height;
    } else if (piece.kind === "code") {
      // The border takes 2 rows; one line at least, so the block shows what it is.
      kept.push({ kind: "code", language: "", lines: piece.lines.slice(-Math.max(1, left - 2)) });
      left = 0;
    } else left = 0;
  }
  return kept.reverse();
}
