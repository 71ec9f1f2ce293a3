/**
 * Markdown to safe HTML for model output, which is untrusted: `marked` parses, raw HTML in the
 * text is shown as text (as ChatGPT and LM Studio do), and DOMPurify sanitizes the result as a
 * second line of defence. Images never load: a remote image in a reply would let a prompt
 * injection send data out, so they become plain links. Code blocks are highlighted
 * (`highlight.ts`), TeX math is typeset by KaTeX (`math.ts`), both loaded on first use (until
 * then their blocks are marked pending, see {@link hasPendingParts}), and GFM task lists show their
 * boxes as text glyphs (form controls are forbidden tags).
 *
 * @module
 */
import { Marked, type Tokens } from "marked";
import createDOMPurify from "dompurify";
import { markdownNestingDepth, MAX_MARKDOWN_NESTING } from "./markdown_depth.ts";
import { escapeHtml } from "./escape.ts";
import { HIGHLIGHT_PENDING_CLASS, highlightCode, highlightPending } from "./highlight.ts";
import { MATH_PENDING_CLASS, mathExtension } from "./math.ts";

export { escapeHtml };

/**
 * Whether an element shows code or math rendered plain because highlight.js or KaTeX was still
 * loading: render it again when `onRenderLibraryLoaded` fires.
 */
export function hasPendingParts(element: Element): boolean {
  return element.querySelector(`.${HIGHLIGHT_PENDING_CLASS}, .${MATH_PENDING_CLASS}`) !== null;
}

/** Turns Markdown into sanitized HTML, ready for `innerHTML`. */
export type MarkdownRenderer = (markdown: string) => string;

/** Tags that must never come out of a reply even if a bug let them through marked. */
const FORBID_TAGS = ["img", "style", "iframe", "form", "input", "textarea", "select", "video"];

/** CSS a KaTeX `style` may not contain: anything that loads, or escapes that could hide it. */
const UNSAFE_STYLE = /url\s*\(|image|expression|@import|\\|&/i;

/**
 * Creates a renderer bound to `window` (its own DOMPurify instance, so hooks stay local).
 *
 * Code blocks come out as `<div class="code-block">` with a `button.copy-code`; the component
 * that shows the HTML handles that button's clicks (inline handlers would be stripped).
 *
 * Text nested deeper than {@link MAX_MARKDOWN_NESTING} blockquote/list levels comes out as
 * escaped plain text in `<pre class="plain-text">`, never parsed: deep nesting overflows the
 * parser's stack or takes seconds (see `markdown_depth.ts`).
 *
 * @param window the window whose DOM DOMPurify parses with
 * @returns the renderer
 */
export function createMarkdownRenderer(
  window: Window & typeof globalThis = globalThis.window,
): MarkdownRenderer {
  const purify = createDOMPurify(window);
  purify.addHook("uponSanitizeAttribute", (node, data) => {
    // Inline styles only inside KaTeX's output, which needs them for its layout; the
    // Markdown itself can never produce a style attribute (raw HTML is escaped).
    if (data.attrName !== "style") return;
    data.keepAttr = !UNSAFE_STYLE.test(data.attrValue) && !!(node as Element).closest?.(".katex");
    data.forceKeepAttr = data.keepAttr ? true : undefined;
  });
  purify.addHook("afterSanitizeAttributes", (node) => {
    // Links open outside the app window instead of replacing the app.
    if (node.tagName === "A") {
      node.setAttribute("target", "_blank");
      node.setAttribute("rel", "noopener noreferrer");
    }
  });
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
      image: ({ href, text }: Tokens.Image) =>
        `<a href="${escapeHtml(href)}" class="image-link">${escapeHtml(text || href)}</a>`,
      code: ({ text, lang }: Tokens.Code) => {
        const word = (lang ?? "").split(/\s/)[0];
        const language = escapeHtml(word);
        // Read before highlighting, which starts the load: a block shown plain is marked.
        const pending = highlightPending(word) ? ` ${HIGHLIGHT_PENDING_CLASS}` : "";
        return `<div class="code-block"><div class="code-head"><span>${language}</span>` +
          `<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>` +
          `<pre><code class="hljs${pending}">${highlightCode(text, word)}</code></pre></div>`;
      },
      checkbox: ({ checked }: Tokens.Checkbox) =>
        `<span class="task-box" role="img" aria-label="${checked ? "done" : "to do"}">` +
        `${checked ? "\u2611" : "\u2610"}</span> `,
    },
  });
  marked.use(mathExtension);
  return (markdown) => {
    if (markdownNestingDepth(markdown) > MAX_MARKDOWN_NESTING) {
      return `<pre class="plain-text">${escapeHtml(markdown)}</pre>`;
    }
    return purify.sanitize(marked.parse(markdown) as string, {
      FORBID_TAGS,
    });
  };
}
