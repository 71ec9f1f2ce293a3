/**
 * The file name of a chat export, shared by the server (Content-Disposition) and the UI
 * (the link's `download` attribute, which browsers and WebKitGTK take as the name).
 *
 * @module
 */
import type { ExportFormat } from "./types.ts";

/** The file extension of each export format. */
export const EXPORT_EXTENSIONS: Readonly<Record<ExportFormat, string>> = Object.freeze({
  md: ".md",
  jsonl: ".jsonl",
  openai: ".json",
});

/**
 * `<title>.<extension>`, the title kept to letters, digits, spaces, `_` and `-` (no path
 * separators or characters file systems refuse); "chat" when nothing is left.
 */
export function exportFileName(title: string, format: ExportFormat): string {
  const stem = title.replace(/[^\p{L}\p{N} _-]+/gu, "").replace(/\s+/gu, " ").trim() || "chat";
  return stem + EXPORT_EXTENSIONS[format];
}
