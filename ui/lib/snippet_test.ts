import { assertEquals } from "../../tests/assert.ts";
import { decodeEntities, parseSnippet } from "./snippet.ts";

Deno.test("parseSnippet() turns only <mark> into hits and decodes the rest to text", () => {
  assertEquals(parseSnippet("a <mark>b</mark> &lt;img src=x onerror=alert(1)&gt;"), [
    { text: "a ", hit: false },
    { text: "b", hit: true },
    { text: " <img src=x onerror=alert(1)>", hit: false },
  ]);
});

Deno.test("parseSnippet() keeps other tags as literal text", () => {
  assertEquals(parseSnippet("<b>x</b>"), [{ text: "<b>x</b>", hit: false }]);
  assertEquals(parseSnippet("<mark>&amp;&#39;&quot;</mark>"), [{ text: `&'"`, hit: true }]);
});

Deno.test("decodeEntities() decodes numeric entities and leaves unknown ones", () => {
  assertEquals(decodeEntities("&#x41;&#66;&nbsp;&#0;"), "AB&nbsp;&#0;");
});
