/**
 * Markdown for the terminal: the subset replies use (bold, inline code, headings, bullet
 * and numbered lists, fenced code blocks), parsed line by line into blocks the views draw
 * with ink. Text is never interpreted as terminal escapes: control characters are shown
 * as `?`, so a reply cannot move the cursor or change colours.
 *
 * @module
 */

/** A run of text with one style. */
export interface Span {
  text: string;
  bold?: boolean;
  code?: boolean;
}

/** A block: a paragraph line (with an optional list marker) or a fenced code block. */
export type Block =
  | { kind: "line"; spans: Span[]; marker?: string; heading?: boolean }
  | { kind: "code"; language: string; lines: string[] };

// C0 controls but tab and newline, DEL, and C1 controls: what a terminal would act on.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Replaces terminal control characters with `?`. */
export function stripControls(text: string): string {
  return text.replace(CONTROLS, "?");
}

/**
 * Parses `markdown` into blocks. An unclosed fence (a reply still streaming) is a code
 * block up to the end.
 */
export function parseMarkdown(markdown: string): Block[] {
  const blocks: Block[] = [];
  let code: { kind: "code"; language: string; lines: string[] } | undefined;
  for (const raw of stripControls(markdown).split("\n")) {
    const fence = /^\s*```\s*(\S*)/.exec(raw);
    if (fence) {
      if (code) {
        blocks.push(code);
        code = undefined;
      } else code = { kind: "code", language: fence[1], lines: [] };
      continue;
    }
    if (code) {
      code.lines.push(raw.replaceAll("\t", "  "));
      continue;
    }
    blocks.push(lineBlock(raw));
  }
  if (code) blocks.push(code);
  return blocks;
}

function lineBlock(raw: string): Block {
  const heading = /^#{1,6}\s+(.*)$/.exec(raw);
  if (heading) return { kind: "line", spans: [{ text: heading[1], bold: true }], heading: true };
  const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(raw);
  if (bullet) return { kind: "line", marker: `${bullet[1]}• `, spans: inline(bullet[2]) };
  const numbered = /^(\s*)(\d+[.)])\s+(.*)$/.exec(raw);
  if (numbered) {
    return { kind: "line", marker: `${numbered[1]}${numbered[2]} `, spans: inline(numbered[3]) };
  }
  return { kind: "line", spans: inline(raw) };
}

/** Splits a line into plain, **bold** and `code` spans. */
export function inline(text: string): Span[] {
  const spans: Span[] = [];
  const pattern = /\*\*(.+?)\*\*|__(.+?)__|`([^`]+)`/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) spans.push({ text: text.slice(last, match.index) });
    if (match[3] !== undefined) spans.push({ text: match[3], code: true });
    else spans.push({ text: match[1] ?? match[2], bold: true });
    last = match.index + match[0].length;
  }
  if (last < text.length || spans.length === 0) spans.push({ text: text.slice(last) });
  return spans;
}
