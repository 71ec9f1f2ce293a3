/**
 * The open chat lives in the URL hash (`#/chat/ID`), so a reload of the window (or of the
 * browser tab in fallback mode) comes back to the same chat.
 *
 * @module
 */

/** The chat id in a location hash, or null. */
export function chatIdFromHash(hash: string): string | null {
  const match = /^#\/chat\/([^/?#]+)$/.exec(hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The hash that opens chat `id` ("" for a new chat). */
export function hashForChat(id: string | null): string {
  return id ? `#/chat/${encodeURIComponent(id)}` : "";
}
