/**
 * Markdown to safe HTML for model output, which is untrusted: `marked` parses, raw HTML in the
 * text is shown as text (as ChatGPT and LM Studio do), and DOMPurify sanitizes the result as a
 * second line of defence. Images never load: a remote image in a reply would let a prompt
 * injection send data out, so they become plain links.
 *
 * @module
 */
import { Marked, type Tokens } from "marked";
import createDOMPurify from "dompurify";
import { markdownNestingDepth, MAX_MARKDOWN_NESTING } from "./markdown_depth.ts";

/** Turns Markdown into sanitized HTML, ready for `innerHTML`. */
export type MarkdownRenderer = (markdown: string) => string;

/** Tags that must never come out of a reply even if a bug let them through marked. */
const FORBID_TAGS = ["img", "style", "iframe", "form", "input", "textarea", "select", "video"];

/** Escapes text for HTML element and attribute content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

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
        const language = escapeHtml((lang ?? "").split(/\s/)[0]);
        return `<div class="code-block"><div class="code-head"><span>${language}</span>` +
          `<button type="button" class="copy-code" aria-label="Copy code">Copy</button></div>` +
          `<pre><code>${escapeHtml(text)}</code></pre></div>`;
      },
    },
  });
  return (markdown) => {
    if (markdownNestingDepth(markdown) > MAX_MARKDOWN_NESTING) {
      return `<pre class="plain-text">${escapeHtml(markdown)}</pre>`;
    }
    return purify.sanitize(marked.parse(markdown) as string, {
      FORBID_TAGS,
      FORBID_ATTR: ["style"],
    });
  };
}
