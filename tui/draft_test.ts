import { assertEquals } from "../tests/assert.ts";
import { backspace, draftOf, EMPTY_DRAFT, insert, lineEdge, move, splitEnter } from "./draft.ts";

Deno.test("insert(), backspace(), move() and lineEdge() edit at the cursor", () => {
  let draft = insert(EMPTY_DRAFT, "helo");
  draft = insert(move(draft, -1), "l");
  assertEquals(draft, { text: "hello", cursor: 4 });
  assertEquals(backspace(draft), { text: "helo", cursor: 3 });
  assertEquals(lineEdge(draftOf("ab\ncd"), -1).cursor, 3);
  assertEquals(lineEdge({ text: "ab\ncd", cursor: 0 }, 1).cursor, 2);
});

Deno.test("insert() drops control characters and turns a pasted CR into a newline", () => {
  assertEquals(insert(EMPTY_DRAFT, "a\x0e\x10b\r\nc").text, "ab\nc");
});

Deno.test("splitEnter() splits text typed together with Enter", () => {
  assertEquals(splitEnter("max tokens\r"), { text: "max tokens", enter: true });
  assertEquals(splitEnter("\r"), { text: "", enter: false });
  assertEquals(splitEnter("ab"), { text: "ab", enter: false });
});
