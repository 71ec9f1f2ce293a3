/**
 * Response and tool-call ids in OpenAI's shapes: `chatcmpl-…`, `cmpl-…`, `call_…`.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh id: `prefix` and 24 random letters and digits. */
export function newId(prefix: "chatcmpl-" | "cmpl-" | "call_"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  // 256 % 62 leaves a slight bias toward the first letters; ids need uniqueness only.
  return prefix + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

/** Unix time in seconds, OpenAI's `created`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
