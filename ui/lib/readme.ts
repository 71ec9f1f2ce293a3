/**
 * Model cards on the hub start with YAML front matter (license, tags, base_model) that reads
 * as noise when rendered; the browser shows the prose after it.
 *
 * @module
 */

/**
 * Removes a leading `---` ... `---` block.
 *
 * @example
 * ```ts
 * stripFrontMatter("---\nlicense: mit\n---\n# Title"); // "# Title"
 * ```
 */
export function stripFrontMatter(markdown: string): string {
  const match = /^\uFEFF?---[ \t]*\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(markdown);
  return match ? markdown.slice(match[0].length).trimStart() : markdown;
}
