import { assertEquals } from "../tests/assert.ts";
import { inline, parseMarkdown, stripControls } from "./markdown.ts";

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
