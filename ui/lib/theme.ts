/**
 * Applies the theme setting to the document: `data-theme="light"|"dark"` on `<html>`, which the
 * CSS variables key on. "system" follows the OS through `prefers-color-scheme` and keeps
 * following it while the app runs.
 *
 * @module
 */

/** The theme setting. */
export type ThemeSetting = "light" | "dark" | "system";

/**
 * Sets the document's theme and, for "system", tracks OS changes.
 *
 * @param setting the user's choice
 * @param doc the document to theme
 * @returns a function that stops tracking the OS
 */
export function applyTheme(setting: ThemeSetting, doc: Document = document): () => void {
  const view = doc.defaultView;
  const media = view?.matchMedia?.("(prefers-color-scheme: dark)");
  const set = () => {
    const dark = setting === "dark" || (setting === "system" && !!media?.matches);
    doc.documentElement.dataset.theme = dark ? "dark" : "light";
  };
  set();
  if (setting !== "system" || !media) return () => {};
  media.addEventListener("change", set);
  return () => media.removeEventListener("change", set);
}
