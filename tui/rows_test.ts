import { assertEquals } from "../tests/assert.ts";
import { parseMarkdown } from "./markdown.ts";
import { layoutBlocks, piecesRows, tailRows, wrapOffsets } from "./rows.ts";

Deno.test("wrapOffsets() wraps at spaces, cuts a long word, and never moves earlier rows", () => {
  assertEquals(wrapOffsets("one two three", 7), [[0, 7], [8, 13]]);
  assertEquals(wrapOffsets("abcdefghij", 4), [[0, 4], [4, 8], [8, 10]]);
  assertEquals(wrapOffsets("", 4), [[0, 0]]);
  assertEquals(wrapOffsets("漢字漢字", 4), [[0, 2], [2, 4]], "wide characters take 2 columns");
  const text = "Once upon a time, there was a little girl named Lily. She loved to play.";
  const all = wrapOffsets(text, 20);
  for (let end = 1; end <= text.length; end++) {
    const rows = wrapOffsets(text.slice(0, end), 20);
    // Every row but the last is final: a streaming reply's rows stay put as it grows.
    assertEquals(rows.slice(0, -1), all.slice(0, rows.length - 1).map(([a, b]) => [a, b]));
  }
  for (const [from, to] of all) assertEquals(to - from <= 20, true);
});

Deno.test("layoutBlocks() splits styled spans over rows and keeps the list marker", () => {
  const pieces = layoutBlocks(parseMarkdown("- **bold words** and more\n```\ncode\n```"), 12);
  assertEquals(pieces, [
    { kind: "row", spans: [{ text: "• ", marker: true }, { text: "bold words", bold: true }] },
    { kind: "row", spans: [{ text: "and more" }] },
    { kind: "code", language: "", lines: ["code"] },
  ]);
  assertEquals(piecesRows(pieces), 5);
});

Deno.test("tailRows() keeps the rows that fill the pane, cutting a code block to its end", () => {
  const pieces = layoutBlocks(parseMarkdown("a\nb\n```ts\n1\n2\n3\n```\nc"), 80);
  assertEquals(piecesRows(pieces), 9);
  assertEquals(tailRows(pieces, 100), pieces);
  assertEquals(tailRows(pieces, 1), [pieces.at(-1)]);
  // c takes 1 row; of the code block's 4 left, its border takes 2.
  assertEquals(tailRows(pieces, 5), [
    { kind: "code", language: "", lines: ["2", "3"] },
    pieces.at(-1),
  ]);
});
