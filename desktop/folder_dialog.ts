/**
 * Choosing a workspace folder: a GTK folder chooser over the window, answered later
 * (the dialog never blocks Deno's event loop), as the save dialog is
 * (desktop/save_dialog.ts).
 *
 * Tests set HEARTH_FOLDER_DIALOG_ANSWER to a path: the dialog, once shown, is answered
 * with that path through `gtk_dialog_response`, the call its Open button makes; only the
 * browsing and the click are skipped.
 *
 * @module
 */
import { GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, type GtkLibs } from "../ffi/gtk_symbols.ts";
import { showFileDialog } from "./save_dialog.ts";

/** The environment variable that makes the folder dialog answer a given path (tests). */
export const FOLDER_DIALOG_ANSWER_ENV = "HEARTH_FOLDER_DIALOG_ANSWER";

/**
 * Shows a modal folder chooser over `parent`, starting in the home folder.
 *
 * @returns the chosen folder's absolute path, or null when the user cancels or closes it.
 */
export function showFolderDialog(
  libs: GtkLibs,
  parent: Deno.PointerObject,
): Promise<string | null> {
  const answer = Deno.env.get(FOLDER_DIALOG_ANSWER_ENV);
  return showFileDialog(libs, parent, {
    action: GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
    title: "Add a workspace folder",
    accept: "_Open",
    answer: answer ? () => answer : undefined,
  });
}
