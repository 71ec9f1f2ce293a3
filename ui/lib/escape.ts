/**
 * HTML escaping for text put into markup the UI builds itself.
 *
 * @module
 */

/** Escapes text for HTML element and attribute content (`&<>"'` become character references). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
