/**
 * Saving the page's downloads (the chat exports) where the user says: every download
 * the view starts asks for a path in a GTK save dialog, with the name the page suggested
 * (the `download` attribute), instead of landing silently in a default folder.
 *
 * WebKitGTK (>= 2.40) lets "decide-destination" answer later: the handler returns TRUE
 * and the dialog's response sets the destination or cancels the download, so the
 * dialog never blocks Deno's event loop (no nested `gtk_dialog_run` loop).
 *
 * Tests set HEARTH_SAVE_DIALOG_ANSWER to a path: the dialog, once shown, gets that path
 * in its name field (as a user may type it) and is answered with Save through
 * `gtk_dialog_response`, the call its Save button makes; only the typing and the click
 * are skipped.
 *
 * @module
 */
import {
  DECIDE_DESTINATION_CALLBACK,
  GERROR_MESSAGE_OFFSET,
  GTK_FILE_CHOOSER_ACTION_SAVE,
  GTK_RESPONSE_ACCEPT,
  GTK_RESPONSE_CANCEL,
  type GtkLibs,
  OBJECT_ARG_CALLBACK,
  RESPONSE_CALLBACK,
  WIDGET_CALLBACK,
} from "../ffi/gtk_symbols.ts";
import { cString, readCString } from "../ffi/strings.ts";
import type { Signals } from "./signals.ts";

/** The environment variable that makes the save dialog answer a given path (tests). */
export const SAVE_DIALOG_ANSWER_ENV = "HEARTH_SAVE_DIALOG_ANSWER";

/** What became of one download. */
export type SaveOutcome = { saved: string } | { failed: string };

/**
 * Shows a modal save dialog over `parent` with `suggestedName` in the name field.
 *
 * @returns the chosen absolute path, or null when the user cancels or closes it.
 */
export function showSaveDialog(
  libs: GtkLibs,
  parent: Deno.PointerObject,
  suggestedName: string,
): Promise<string | null> {
  return showFileDialog(libs, parent, {
    action: GTK_FILE_CHOOSER_ACTION_SAVE,
    title: "Save export",
    accept: "_Save",
    setUp: (chooser) => {
      libs.gtk.gtk_file_chooser_set_do_overwrite_confirmation(chooser, 1);
      libs.gtk.gtk_file_chooser_set_current_name(chooser, cString(suggestedName));
    },
    // A whole path in the name field, as a user may type it (changing the folder
    // first would finish asynchronously).
    answer: Deno.env.get(SAVE_DIALOG_ANSWER_ENV) && ((chooser) => {
      libs.gtk.gtk_file_chooser_set_current_name(
        chooser,
        cString(Deno.env.get(SAVE_DIALOG_ANSWER_ENV)!),
      );
      return undefined;
    }),
  });
}

/** What {@link showFileDialog} shows. */
export interface FileDialogOptions {
  /** `GtkFileChooserAction` (save a file, select a folder). */
  action: number;
  /** The dialog's title. */
  title: string;
  /** The accept button's label, with its mnemonic ("_Save"). */
  accept: string;
  /** Sets the chooser up after its folder is the home folder. */
  setUp?: (chooser: Deno.PointerObject) => void;
  /**
   * Tests only: answers the dialog once shown, as the accept button would. It may put a
   * path in the chooser (returning undefined) or return the path to resolve with.
   */
  answer?: ((chooser: Deno.PointerObject) => string | undefined) | "" | undefined;
}

/**
 * Shows a modal file chooser dialog over `parent`, starting in the home folder, with
 * Cancel and an accept button.
 *
 * @returns the chosen absolute path, or null when the user cancels or closes it.
 */
export function showFileDialog(
  libs: GtkLibs,
  parent: Deno.PointerObject,
  options: FileDialogOptions,
): Promise<string | null> {
  const { gtk, glib } = libs;
  const { promise, resolve } = Promise.withResolvers<string | null>();
  const dialog = gtk.gtk_dialog_new()!;
  gtk.gtk_window_set_title(dialog, cString(options.title));
  gtk.gtk_window_set_transient_for(dialog, parent);
  gtk.gtk_window_set_modal(dialog, 1);
  gtk.gtk_window_set_default_size(dialog, 760, 520);
  gtk.gtk_dialog_add_button(dialog, cString("_Cancel"), GTK_RESPONSE_CANCEL);
  gtk.gtk_dialog_add_button(dialog, cString(options.accept), GTK_RESPONSE_ACCEPT);
  gtk.gtk_dialog_set_default_response(dialog, GTK_RESPONSE_ACCEPT);
  const chooser = gtk.gtk_file_chooser_widget_new(options.action)!;
  const home = Deno.env.get("HOME");
  if (home) gtk.gtk_file_chooser_set_current_folder(chooser, cString(home));
  options.setUp?.(chooser);
  gtk.gtk_box_pack_start(gtk.gtk_dialog_get_content_area(dialog)!, chooser, 1, 1, 0);

  // The dialog's own signals: it is destroyed below, which drops them, and their
  // callbacks are closed after that (never while one runs).
  const callbacks: Deno.UnsafeCallback[] = [];
  const finish = (path: string | null) => {
    resolve(path);
    gtk.gtk_widget_destroy(dialog);
    setTimeout(() => callbacks.forEach((c) => c.close()), 0);
  };
  const connect = <D extends Deno.UnsafeCallbackDefinition>(
    instance: Deno.PointerObject,
    signal: string,
    definition: D,
    handler: Deno.UnsafeCallbackFunction<D["parameters"], D["result"]>,
  ) => {
    const callback = new Deno.UnsafeCallback(definition, handler);
    callbacks.push(callback as unknown as Deno.UnsafeCallback);
    libs.gobject.g_signal_connect_data(instance, cString(signal), callback.pointer, null, null, 0);
  };
  let answered = false;
  let answeredPath: string | undefined;
  connect(dialog, "response", RESPONSE_CALLBACK, (_dialog, response) => {
    if (answered) return;
    answered = true;
    let path: string | null = null;
    if (response === GTK_RESPONSE_ACCEPT) {
      const chosen = answeredPath === undefined ? gtk.gtk_file_chooser_get_filename(chooser) : null;
      if (chosen !== null) {
        path = readCString(chosen);
        glib.g_free(chosen);
      } else if (answeredPath !== undefined) path = answeredPath;
    }
    finish(path);
  });
  // Enter in the name field activates the file, not the dialog's default button.
  connect(chooser, "file-activated", WIDGET_CALLBACK, () => {
    gtk.gtk_dialog_response(dialog, GTK_RESPONSE_ACCEPT);
  });
  gtk.gtk_widget_show_all(dialog);

  const answer = options.answer;
  if (answer) {
    setTimeout(() => {
      if (answered) return;
      answeredPath = answer(chooser);
      gtk.gtk_dialog_response(dialog, GTK_RESPONSE_ACCEPT);
    }, 0);
  }
  return promise;
}

/**
 * Routes every download started by `view` through {@link showSaveDialog} and reports
 * each one that ends (saved, or failed; a cancelled dialog reports nothing).
 */
export function attachDownloads(
  libs: GtkLibs,
  signals: Signals,
  window: Deno.PointerObject,
  view: Deno.PointerObject,
  isOpen: () => boolean,
  onOutcome: (outcome: SaveOutcome) => void,
): void {
  const { webkit, gobject } = libs;
  const context = webkit.webkit_web_view_get_context(view)!;
  // The context is shared by every view and outlives this window.
  signals.connect(context, "download-started", OBJECT_ARG_CALLBACK, (_context, download) => {
    const ownView = webkit.webkit_download_get_web_view(download!);
    if (ownView === null || !Deno.UnsafePointer.equals(ownView, view)) return;
    let destination = "";
    // Its handlers go at the window's close: it must still exist then.
    signals.keepAlive(download!);
    const own = { outlivesWindow: true };
    signals.connect(download!, "decide-destination", DECIDE_DESTINATION_CALLBACK, (d, name) => {
      const suggested = readCString(name) || "export";
      gobject.g_object_ref(d!); // answered later, from the dialog's response
      showSaveDialog(libs, window, suggested).then((path) => {
        if (path === null || !isOpen()) webkit.webkit_download_cancel(d!);
        else {
          destination = path;
          // The dialog already asked whether to replace an existing file.
          webkit.webkit_download_set_allow_overwrite(d!, 1);
          webkit.webkit_download_set_destination(d!, cString(path));
        }
        gobject.g_object_unref(d!);
      });
      return 1; // TRUE: the destination comes later
    }, own);
    signals.connect(download!, "finished", WIDGET_CALLBACK, () => {
      if (destination) onOutcome({ saved: destination });
    }, own);
    signals.connect(download!, "failed", OBJECT_ARG_CALLBACK, (_d, error) => {
      // A cancelled dialog cancels the download, which fails it: not worth a toast.
      if (destination) onOutcome({ failed: `Cannot save "${destination}": ${gerror(error)}` });
    }, own);
  }, { outlivesWindow: true });
}

/** A GError's message, not freed (the signal owns it). */
function gerror(error: Deno.PointerValue): string {
  if (error === null) return "unknown error";
  return readCString(new Deno.UnsafePointerView(error).getPointer(GERROR_MESSAGE_OFFSET));
}
