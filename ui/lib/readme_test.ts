import { assertEquals } from "../../tests/assert.ts";
import { stripFrontMatter } from "./readme.ts";

Deno.test("stripFrontMatter() drops a leading YAML block and keeps the rest", () => {
  assertEquals(
    stripFrontMatter("---\nlicense: mit\ntags:\n- gguf\n---\n\n# Tiny\nText"),
    "# Tiny\nText",
  );
  assertEquals(stripFrontMatter("---\r\nlicense: mit\r\n---\r\nBody"), "Body");
  assertEquals(stripFrontMatter("# No front matter\n---\nrule"), "# No front matter\n---\nrule");
  assertEquals(stripFrontMatter("---\nunclosed"), "---\nunclosed");
});
