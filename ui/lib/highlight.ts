/**
 * Syntax highlighting of code blocks in replies, with highlight.js (its "common" set of about
 * 37 languages). Why highlight.js and not shiki: it is synchronous (marked renders
 * synchronously while a reply streams), has no WebAssembly or per-language JSON grammars to
 * load, and the common set minifies to about 160 KB; shiki needs its Oniguruma/JS regex engine
 * and TextMate grammars, megabytes and async.
 *
 * highlight.js is its own chunk, loaded the first time a reply has a fenced block with a
 * language (`lazy_library.ts`); until then such blocks show as escaped plain text, marked
 * `hljs-pending` so the view renders them again once it is loaded.
 *
 * Highlighted HTML is cached by language and code: while a reply streams, its Markdown is
 * re-rendered every ~50 ms, and only the block still growing is highlighted again.
 *
 * @module
 */
import type { HLJSApi } from "highlight.js";
import { escapeHtml } from "./escape.ts";
import { LazyLibrary } from "./lazy_library.ts";

/** Most highlighted blocks kept (about a long chat's worth). */
const CACHE_ENTRIES = 256;
/** Code longer than this (characters) is shown plain: highlighting cost grows with size. */
const MAX_HIGHLIGHT_CHARS = 100_000;

const cache = new Map<string, string>();
let runs = 0;

const highlighter = new LazyLibrary<HLJSApi>(
  "highlight.js",
  () => import("highlight.js/lib/common").then((module) => module.default),
);

/** The class of a `<code>` shown plain because highlight.js was not loaded yet. */
export const HIGHLIGHT_PENDING_CLASS = "hljs-pending";

/**
 * Loads highlight.js now (the renderer otherwise loads it on the first block that needs it).
 *
 * @throws the import's error when its chunk cannot be loaded
 */
export async function loadHighlighter(): Promise<void> {
  await highlighter.load();
}

/** Whether {@link highlightCode} would return plain text for `language` only because
 * highlight.js is still loading (starts the load). */
export function highlightPending(language: string): boolean {
  return language !== "" && highlighter.get() === null;
}

/**
 * The HTML of `code` highlighted as `language` (`<span class="hljs-…">`), or escaped plain
 * text when the language is unknown, not given, or the code is very long, or while highlight.js
 * is loading (see {@link highlightPending}). Never guesses the
 * language: auto-detection runs every grammar and would cost that on each streamed update.
 *
 * @param code the code block's text
 * @param language the fence's info word ("ts", "python"); "" when none
 * @returns HTML safe to put inside `<code>`
 */
export function highlightCode(code: string, language: string): string {
  const lang = language.toLowerCase();
  const hljs = lang ? highlighter.get() : null;
  if (!hljs || code.length > MAX_HIGHLIGHT_CHARS || !hljs.getLanguage(lang)) {
    return escapeHtml(code);
  }
  const key = `${lang}\0${code}`;
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // Re-inserted below: the Map's order is the recency order.
    cache.set(key, hit);
    return hit;
  }
  runs++;
  const html = hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
  cache.set(key, html);
  if (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return html;
}

/** How many times {@link highlightCode} ran highlight.js since the page loaded (for tests). */
export function highlightRuns(): number {
  return runs;
}
