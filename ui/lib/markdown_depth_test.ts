import { assertEquals } from "../../tests/assert.ts";
import { markdownNestingDepth } from "./markdown_depth.ts";

const nestedList = (levels: number) =>
  Array.from({ length: levels }, (_, i) => `${"  ".repeat(i)}- item ${i}`).join("\n");

Deno.test("markdownNestingDepth() counts blockquote and list markers at a line's start", () => {
  assertEquals(markdownNestingDepth("plain text\n\nmore"), 0);
  assertEquals(markdownNestingDepth("> quote"), 1);
  assertEquals(markdownNestingDepth(">".repeat(2500) + " deep"), 2500);
  assertEquals(markdownNestingDepth("> > > - 1. x"), 5);
  assertEquals(markdownNestingDepth("1) a\n2) b"), 1);
  assertEquals(markdownNestingDepth("-not a list\n*emphasis*\n2024.05 is a date"), 0);
});

Deno.test("markdownNestingDepth() counts indentation for nested list items", () => {
  assertEquals(markdownNestingDepth(nestedList(3)), 3);
  assertEquals(markdownNestingDepth(nestedList(800)), 800);
  assertEquals(markdownNestingDepth("\t\t- x"), 5);
});

Deno.test("markdownNestingDepth() ignores lines inside fenced code blocks", () => {
  const code = "```json\n" + " ".repeat(300) + "- deep\n```\n> after";
  assertEquals(markdownNestingDepth(code), 1);
  assertEquals(markdownNestingDepth("~~~\n```\n>>>>\n~~~\n>>"), 2);
  assertEquals(markdownNestingDepth("````\n```\n>>>>"), 0);
});
