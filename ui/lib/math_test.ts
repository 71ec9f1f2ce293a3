import { assert, assertEquals } from "../../tests/assert.ts";
import { Marked } from "marked";
import { loadMath, mathExtension, mathRuns, renderMath } from "./math.ts";
import { onRenderLibraryLoaded } from "./lazy_library.ts";

const marked = new Marked({ async: false }).use(mathExtension);
const html = (md: string) => marked.parse(md) as string;

// First in this file: KaTeX is not loaded before a formula asks for it.
Deno.test("math: a formula before KaTeX has loaded is its escaped source, then typeset", async () => {
  const loaded = Promise.withResolvers<void>();
  const stop = onRenderLibraryLoaded(() => loaded.resolve());
  assertEquals(renderMath("a<b", false), '<code class="math-pending">a&#60;b</code>');
  await Promise.all([loaded.promise, loadMath()]);
  stop();
  assert(renderMath("a<b", false).includes('<span class="katex">'));
});

Deno.test("math: $…$ and \\(…\\) inline, $$…$$ and \\[…\\] display", () => {
  assert(html("so $x^2$ here").includes('<span class="katex">'));
  assert(html("so \\(x^2\\) here").includes('<span class="katex">'));
  assert(html("$$\\frac{a}{b}$$").includes('<div class="math-block"><span class="katex-display">'));
  assert(html("\\[\n\\sum_k k\n\\]").includes("katex-display"));
  assert(html("inline $$a+b$$ display").includes("katex-display"));
});

Deno.test("math: prices, code and unclosed delimiters stay text", () => {
  assertEquals(html("It costs $5 and $10."), "<p>It costs $5 and $10.</p>\n");
  assertEquals(html("Code `$x$` here"), "<p>Code <code>$x$</code> here</p>\n");
  assertEquals(html("```\n$$x$$\n```"), "<pre><code>$$x$$\n</code></pre>\n");
  assertEquals(html("a $ b"), "<p>a $ b</p>\n");
  assertEquals(html("$10, see `$x$`"), "<p>$10, see <code>$x$</code></p>\n");
  assertEquals(html("$$ unclosed"), "<p>$$ unclosed</p>\n");
});

Deno.test("math: untrusted commands and errors render inert, never throw", () => {
  const link = renderMath("\\href{javascript:alert(1)}{x}", false);
  assert(!/<a[\s>]/.test(link), link);
  assert(!link.includes('href="javascript'), link);
  const bad = renderMath("\\frac{", false);
  assert(bad.includes("katex-error"), bad);
  const bomb = renderMath("\\def\\a{\\a\\a}\\a", false);
  assert(!bomb.includes("<script"), bomb);
});

Deno.test("math: a formula is typeset once however often the reply re-renders", () => {
  const before = mathRuns();
  for (let i = 0; i < 10; i++) renderMath("e^{i\\pi}+1=0", false);
  assertEquals(mathRuns() - before, 1);
});
