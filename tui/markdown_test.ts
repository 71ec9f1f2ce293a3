import { assertEquals } from "../tests/assert.ts";
import { inline, parseMarkdown, stripControls, visibleTail } from "./markdown.ts";

Deno.test("parseMarkdown() reads headings, lists, bold and fenced code", () => {
  const blocks = parseMarkdown("# Title\n- **one** and `x`\n2. two\n```ts\nlet a = 1;\n```\nend");
  assertEquals(blocks, [
    { kind: "line", spans: [{ text: "Title", bold: true }], heading: true },
    {
      kind: "line",
      marker: "• ",
      spans: [{ text: "one", bold: true }, { text: " and " }, { text: "x", code: true }],
    },
    { kind: "line", marker: "2. ", spans: [{ text: "two" }] },
    { kind: "code", language: "ts", lines: ["let a = 1;"] },
    { kind: "line", spans: [{ text: "end" }] },
  ]);
});

Deno.test("parseMarkdown() keeps an unclosed fence (a streaming reply) as code", () => {
  assertEquals(parseMarkdown("```\nabc"), [{ kind: "code", language: "", lines: ["abc"] }]);
});

Deno.test("stripControls() defuses terminal escapes in model output", () => {
  assertEquals(stripControls("a\x1b[2Jb\x07c\n"), "a?[2Jb?c\n");
  assertEquals(inline("plain"), [{ text: "plain" }]);
});

Deno.test("visibleTail() keeps the blocks that can be on screen, counting heights low", () => {
  const blocks = parseMarkdown(["a".repeat(250), "```", "x", "y", "```", "b", "c"].join("\n"));
  // 100 columns: the long line takes 3 rows, the code block 4, "b" and "c" 1 each.
  assertEquals(visibleTail(blocks, 100, 2).length, 2);
  assertEquals(visibleTail(blocks, 100, 3).length, 3, "a block partly on screen is kept");
  assertEquals(visibleTail(blocks, 100, 6).length, 3);
  assertEquals(visibleTail(blocks, 100, 7).length, 4);
  assertEquals(visibleTail(blocks, 100, 100).length, 4, "a short message is kept whole");
});
