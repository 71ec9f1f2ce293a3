/**
 * A cheap upper bound on how deeply Markdown nests blockquotes and lists, measured before
 * `marked` parses it. `marked` recurses once per level: a reply of 2,500 nested `>`
 * overflows the webview's stack (the bubble stays empty), and nested lists cost more than
 * quadratic time (800 levels took 3.4 s). Text deeper than {@link MAX_MARKDOWN_NESTING} is
 * shown as plain text instead.
 *
 * @module
 */

/**
 * Deepest blockquote/list nesting rendered as Markdown, in levels.
 *
 * Why 64: people and models nest a handful of levels, rarely ten. DOMPurify removes
 * elements nested deeper than 255 (its `MAX_NESTING_DEPTH`), and a list level is two
 * elements (`<ul><li>`), so 64 levels (128 elements plus the app's own) stay below that.
 * Measured under Deno on this machine, `marked` parses a 64-deep list in about 50 ms,
 * 128 in 130 ms, 256 in 600 ms and 800 in 11 s.
 */
export const MAX_MARKDOWN_NESTING = 64;

/**
 * Estimates the deepest blockquote/list nesting of `markdown`, in one linear pass over
 * line prefixes: on each line, every container marker (`>`, `-`, `*`, `+`, `1.`, `1)`)
 * at its start counts one level and each 2 columns of leading indentation one more (a
 * nested list item is indented at least 2 columns per level). Lines inside fenced code
 * blocks count nothing. It never underestimates the nesting `marked` builds, and may
 * overestimate it (a thematic break `- - -` counts 3).
 *
 * @param markdown the text to measure
 * @returns the estimated depth in levels (0 for plain paragraphs)
 */
export function markdownNestingDepth(markdown: string): number {
  let deepest = 0;
  let fence = ""; // the opening fence's character run while inside a fenced code block
  let start = 0;
  while (start <= markdown.length) {
    let end = markdown.indexOf("\n", start);
    if (end === -1) end = markdown.length;
    let i = start;
    let width = 0;
    for (; i < end && (markdown[i] === " " || markdown[i] === "\t"); i++) {
      width += markdown[i] === "\t" ? 4 - (width % 4) : 1;
    }
    let markers = 0;
    for (let next = markerEnd(markdown, i, end); next > 0; next = markerEnd(markdown, i, end)) {
      markers++;
      i = next;
      while (i < end && (markdown[i] === " " || markdown[i] === "\t")) i++;
    }
    const run = fenceRun(markdown, i, end);
    if (fence) {
      if (run && run[0] === fence[0] && run.length >= fence.length) fence = "";
    } else {
      deepest = Math.max(deepest, markers + Math.floor(width / 2));
      if (run) fence = run;
    }
    start = end + 1;
  }
  return deepest;
}

/** The index after a container marker starting at `i`, or 0 when none starts there. */
function markerEnd(text: string, i: number, end: number): number {
  const c = text[i];
  if (c === ">") return i + 1;
  const spaced = (j: number) => j === end || text[j] === " " || text[j] === "\t";
  if ((c === "-" || c === "*" || c === "+") && spaced(i + 1)) return i + 1;
  let j = i;
  while (j < end && j - i < 9 && text[j] >= "0" && text[j] <= "9") j++;
  if (j > i && (text[j] === "." || text[j] === ")") && spaced(j + 1)) return j + 1;
  return 0;
}

/** The run of 3 or more backticks or tildes starting at `i`, or "" when none does. */
function fenceRun(text: string, i: number, end: number): string {
  const c = text[i];
  if (c !== "`" && c !== "~") return "";
  let j = i;
  while (j < end && text[j] === c) j++;
  return j - i >= 3 ? text.slice(i, j) : "";
}
