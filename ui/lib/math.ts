/**
 * TeX math in replies, typeset by KaTeX: `$…$` and `\(…\)` inline, `$$…$$` and `\[…\]` as
 * display math (models write both notations). A marked extension, so math inside code spans
 * and code blocks stays code.
 *
 * The inline `$` rule is pandoc's, so prices stay text: the opening `$` is followed by a
 * non-space, the closing `$` follows a non-space and is not followed by a digit ("$5 and $10"
 * is no formula).
 *
 * KaTeX runs with `trust: false` (no `\href`, `\url`, `\htmlClass`…), bounded macro expansion
 * and sizes, and errors shown in place instead of thrown. Its output keeps inline `style`
 * attributes (heights, offsets), which the sanitizer allows inside `.katex` only. Rendered
 * formulas are cached: a streaming reply is re-rendered every ~50 ms.
 *
 * KaTeX (about 270 KB of script, plus `katex.css`) is its own chunk, loaded the first time a
 * reply has math (`lazy_library.ts`); until then a formula shows as its TeX source in
 * `<code class="math-pending">`, and the view renders it again once KaTeX and its stylesheet
 * are in.
 *
 * @module
 */
import type { MarkedExtension, Tokens } from "marked";
import { escapeHtml } from "./escape.ts";
import { LazyLibrary } from "./lazy_library.ts";

type Katex = typeof import("katex").default;

/** KaTeX's stylesheet, a file of its own beside app.css (ui/build.ts). */
const KATEX_CSS = "/katex.css";

const typesetter = new LazyLibrary<Katex>("KaTeX", async () => {
  const [module] = await Promise.all([import("katex"), loadStylesheet(KATEX_CSS)]);
  return module.default;
});

/** Adds a `<link rel="stylesheet">` and resolves when it has loaded (rejects if it fails). */
function loadStylesheet(href: string): Promise<void> {
  // Unit tests typeset under Deno, where there is no document and nothing to style.
  if (typeof document === "undefined") return Promise.resolve();
  const existing = document.querySelector(`link[href="${href}"]`);
  if (existing) return Promise.resolve();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  const loaded = new Promise<void>((resolve, reject) => {
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`Cannot load ${href}`));
  });
  document.head.append(link);
  return loaded;
}

/** The class of a formula shown as its source because KaTeX was not loaded yet. */
export const MATH_PENDING_CLASS = "math-pending";

/**
 * Loads KaTeX and its stylesheet now (the renderer otherwise loads them on the first formula).
 *
 * @throws the import's error when its chunk or stylesheet cannot be loaded
 */
export async function loadMath(): Promise<void> {
  await typesetter.load();
}

/** Most typeset formulas kept. */
const CACHE_ENTRIES = 512;
/** Longest formula typeset, in characters; longer ones are shown as their TeX source. */
const MAX_TEX_CHARS = 10_000;

const cache = new Map<string, string>();
let runs = 0;

/**
 * Typesets one formula to HTML (KaTeX's HTML and MathML). A TeX error comes out as the source
 * in KaTeX's error colour with the message as its title, never as an exception. While KaTeX is
 * loading (this starts it), the source in `<code class="math-pending">`.
 *
 * @param tex the formula without its delimiters
 * @param display true for display (block) math
 * @returns KaTeX's markup, to be sanitized with the rest of the reply
 */
export function renderMath(tex: string, display: boolean): string {
  if (tex.length > MAX_TEX_CHARS) return `<code>${escapeHtml(tex)}</code>`;
  const katex = typesetter.get();
  if (!katex) return `<code class="${MATH_PENDING_CLASS}">${escapeHtml(tex)}</code>`;
  const key = `${display ? "D" : "I"}${tex}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  runs++;
  let html: string;
  try {
    html = katex.renderToString(tex, {
      displayMode: display,
      throwOnError: false,
      trust: false,
      strict: "ignore",
      maxExpand: 1000,
      maxSize: 20, // em: a `\rule{1e9em}` would otherwise make a huge box
      output: "htmlAndMathml",
    });
  } catch {
    // throwOnError:false still throws on some internal limits (maxExpand).
    html = `<code class="math-error">${escapeHtml(tex)}</code>`;
  }
  cache.set(key, html);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return html;
}

/** How many formulas KaTeX typeset since the page loaded (tests check the cache). */
export function mathRuns(): number {
  return runs;
}

type MathToken = Tokens.Generic & { text: string; display: boolean };

const BLOCK = /^ {0,3}(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])[ \t]*(?:\n+|$)/;
const INLINE_DISPLAY = /^(?:\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\])/;
// Inline `$…$` never spans a backtick: "$10, see `$x$`" is a price and a code span.
const INLINE = /^(?:\$(?![\s$])((?:\\[\s\S]|[^\\$\n`])*?[^\s\\`])\$(?!\d)|\\\(([\s\S]+?)\\\))/;

/** The marked extension that turns math delimiters into KaTeX markup. */
export const mathExtension: MarkedExtension = {
  extensions: [
    {
      name: "mathBlock",
      level: "block",
      start: (src: string) => src.match(/^ {0,3}(?:\$\$|\\\[)/m)?.index,
      tokenizer(src: string): MathToken | undefined {
        const m = BLOCK.exec(src);
        if (!m) return undefined;
        return { type: "mathBlock", raw: m[0], text: (m[1] ?? m[2]).trim(), display: true };
      },
      renderer: (token) => `<div class="math-block">${renderMath(token.text, true)}</div>\n`,
    },
    {
      name: "math",
      level: "inline",
      start: (src: string) => src.match(/\$|\\[([]/)?.index,
      tokenizer(src: string): MathToken | undefined {
        const display = INLINE_DISPLAY.exec(src);
        if (display) {
          return { type: "math", raw: display[0], text: display[1] ?? display[2], display: true };
        }
        const m = INLINE.exec(src);
        if (!m) return undefined;
        return { type: "math", raw: m[0], text: m[1] ?? m[2], display: false };
      },
      renderer: (token) => renderMath(token.text, token.display),
    },
  ],
};
