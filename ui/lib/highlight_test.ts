import { assert, assertEquals } from "../../tests/assert.ts";
import { highlightCode, highlightPending, highlightRuns, loadHighlighter } from "./highlight.ts";

// First in this file: highlight.js is not loaded before a block asks for it.
Deno.test("highlightCode shows escaped plain text until highlight.js has loaded", async () => {
  assertEquals(highlightPending(""), false);
  assertEquals(highlightCode("<x>", "ts"), "&#60;x&#62;");
  assertEquals(highlightPending("ts"), true);
  await loadHighlighter();
  assertEquals(highlightPending("ts"), false);
  assert(highlightCode("const a", "ts").includes("hljs-keyword"));
});

Deno.test("highlightCode marks tokens of a known language and escapes the rest", () => {
  const html = highlightCode('const a = "<b>";', "ts");
  assert(html.includes('<span class="hljs-keyword">const</span>'), html);
  assert(html.includes("&lt;b&gt;"), html);
  assert(!html.includes("<b>"), html);
  assertEquals(highlightCode("<x> & y", "no-such-language"), "&#60;x&#62; &#38; y");
  assertEquals(highlightCode("<x>", ""), "&#60;x&#62;");
});

Deno.test("highlightCode highlights a block once however often a streamed reply re-renders", () => {
  const code = "def f(x):\n    return x * 2\n";
  const before = highlightRuns();
  const first = highlightCode(code, "python");
  for (let i = 0; i < 20; i++) assertEquals(highlightCode(code, "python"), first);
  assertEquals(highlightRuns() - before, 1);
  highlightCode(code + "print(f(2))\n", "python"); // the block grew: highlighted again
  assertEquals(highlightRuns() - before, 2);
});
