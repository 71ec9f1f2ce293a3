/**
 * Reads the server's search snippets: HTML-escaped text in which hits are wrapped in
 * `<mark>...</mark>`. Only `<mark>` becomes markup; everything else is decoded back to plain
 * text and rendered as text nodes, so a snippet can never inject HTML.
 *
 * @module
 */

/** A run of snippet text; `hit` runs were inside `<mark>`. */
export type SnippetPart = { text: string; hit: boolean };

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  "#39": "'",
  "#x27": "'",
};

/** Decodes the entities an HTML escaper emits; unknown ones stay as they are. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
    const known = ENTITIES[name.toLowerCase()];
    if (known !== undefined) return known;
    const code = name.startsWith("#x") || name.startsWith("#X")
      ? parseInt(name.slice(2), 16)
      : name.startsWith("#")
      ? parseInt(name.slice(1), 10)
      : NaN;
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff
      ? String.fromCodePoint(code)
      : whole;
  });
}

/**
 * Splits a snippet into plain and highlighted runs.
 *
 * @example
 * ```ts
 * parseSnippet("a <mark>b</mark> &lt;c&gt;");
 * // [{text: "a ", hit: false}, {text: "b", hit: true}, {text: " <c>", hit: false}]
 * ```
 */
export function parseSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  // Any other tag (there should be none) is kept as literal text, never as markup.
  for (const [i, chunk] of snippet.split(/<\/?mark>/i).entries()) {
    if (chunk) parts.push({ text: decodeEntities(chunk), hit: i % 2 === 1 });
  }
  return parts;
}
