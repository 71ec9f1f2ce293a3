/**
 * Full-text search over every message and chat title (FTS5), with HTML-safe snippets.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { CHAT_COLUMNS, rowToChat } from "./chats.ts";
import type { Chat } from "./types.ts";

/** A chat that matched a search, with the best-matching passage. */
export type SearchResult = Chat & {
  /**
   * A short passage around the hits, Markdown syntax removed, HTML-escaped, hits wrapped in
   * `<mark>`...`</mark>`, cut text marked with "…". Safe to insert as HTML.
   */
  snippet: string;
  /** The message the snippet comes from; null when it is the chat's title. */
  message_id: string | null;
};

/** Options of {@link searchChats}. */
export interface SearchOptions {
  /** Chats to return at most. @default {50} */
  limit?: number;
}

/**
 * Turns what a user typed into an FTS5 query that cannot be a syntax error: each
 * whitespace-separated term becomes a quoted string (quotes doubled inside), so `AND`,
 * `OR`, `NOT`, `NEAR`, `-`, `:`, `^`, `(` and `)` are plain text. All terms must match,
 * each as a prefix ("drag" finds "dragon"), as search boxes do while one types; a trailing
 * `*` is accepted and means the same. Control characters separate terms.
 *
 * @param input The user's text.
 * @returns The FTS5 query, or null when the input has no terms.
 *
 * @example
 * ```ts
 * import { ftsQuery } from "./search.ts";
 *
 * console.assert(ftsQuery('say "hi" conf*') === '"say"* """hi"""* "conf"*');
 * console.assert(ftsQuery("  ") === null);
 * ```
 */
export function ftsQuery(input: string): string | null {
  const terms: string[] = [];
  // Control characters count as spaces: FTS5 reads a NUL as the end of the query.
  for (const raw of input.replace(/\p{Cc}/gu, " ").split(/\s+/u)) {
    const term = raw.replace(/\*+$/u, "");
    if (term === "") continue;
    terms.push(`"${term.replaceAll('"', '""')}"*`);
  }
  return terms.length > 0 ? terms.join(" ") : null;
}

/**
 * Removes Markdown syntax from a snippet so it reads as text: emphasis and code marks,
 * heading, quote and list markers, fences, and link and image syntax (their text stays).
 * Line breaks become spaces. Underscores inside words (`snake_case`) stay.
 *
 * @param text raw message text (a snippet of it)
 * @returns the text without its Markdown syntax
 * @example
 * ```ts
 * import { stripMarkdown } from "./search.ts";
 *
 * console.assert(stripMarkdown("## A **bold** [link](http://x) `code`") === "A bold link code");
 * ```
 */
export function stripMarkdown(text: string): string {
  return text
    .replace(/^\s*(```|~~~)[^\n]*$/gmu, " ")
    .replace(/^\s{0,3}#{1,6}\s+/gmu, "")
    .replace(/^\s*(>\s?)+/gmu, "")
    .replace(/^\s*([-*+]|\d{1,9}[.)])\s+(\[[ xX]\]\s+)?/gmu, "")
    // A link's URL may be cut off by the snippet's "…".
    .replace(/!?\[([^\]\n]*)\]\((?:[^)\n]*\)|[^)\n]*$)/gu, "$1")
    .replace(/`+/gu, "")
    .replace(/(\*\*|__|~~)/gu, "")
    .replace(/(^|[\s(\[])[*_]+(?=\S)/gu, "$1")
    .replace(/(\S)[*_]+(?=[\s).,!?:;\]]|$)/gu, "$1")
    .replace(/\s*\n\s*/gu, " ")
    .trim();
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Finds chats whose messages or title match `query`, newest first, soft-deleted chats
 * excluded. Each result carries the snippet of its best-ranked hit (bm25).
 *
 * @param ctx The database.
 * @param query What the user typed; see {@link ftsQuery}.
 * @param options The result limit.
 * @returns The matching chats; empty when the query has no terms.
 */
export function searchChats(
  ctx: StoreContext,
  query: string,
  options: SearchOptions = {},
): SearchResult[] {
  const match = ftsQuery(query);
  if (match === null) return [];
  // snippet() inserts its markers into the raw text, which must be escaped afterwards;
  // markers with a fresh random part cannot collide with anything a message contains.
  const nonce = crypto.randomUUID();
  const open = `\uE000${nonce}\uE001`;
  const close = `\uE002${nonce}\uE003`;
  const rows = ctx.sql.get(
    `WITH hits(chat_id, message_id, snippet, rank) AS (
       SELECT m.chat_id, m.id, snippet(messages_fts, 0, ?2, ?3, '…', 12), bm25(messages_fts)
       FROM messages_fts JOIN messages m ON m.seq = messages_fts.rowid
       WHERE messages_fts MATCH ?1
       UNION ALL
       SELECT c.id, NULL, snippet(chats_fts, 0, ?2, ?3, '…', 12), bm25(chats_fts)
       FROM chats_fts JOIN chats c ON c.seq = chats_fts.rowid
       WHERE chats_fts MATCH ?1
     ), best AS (
       -- SQLite takes the bare columns from the row holding min(rank).
       SELECT chat_id, message_id, snippet, min(rank) FROM hits GROUP BY chat_id
     )
     SELECT ${CHAT_COLUMNS.split(", ").map((column) => `c.${column}`).join(", ")},
       best.snippet AS snippet, best.message_id AS message_id
     FROM best JOIN chats c ON c.id = best.chat_id
     WHERE c.deleted_at IS NULL
     ORDER BY c.updated_at DESC, c.seq DESC LIMIT ?4`,
  ).all(match, open, close, options.limit ?? 50);
  return rows.map((row) => ({
    ...rowToChat(row),
    snippet: escapeHtml(stripMarkdown(row.snippet as string)).replaceAll(open, "<mark>")
      .replaceAll(close, "</mark>"),
    message_id: (row.message_id as string | null) ?? null,
  }));
}
