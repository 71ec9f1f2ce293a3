/**
 * The app-like parts of the window around the page: the theme's background before the
 * first paint, and the keys that close it.
 *
 * @module
 */
import {
  GDK_CONTROL_MASK,
  GDK_EVENT_KEY_OFFSETS,
  type GtkLibs,
  WIDGET_EVENT_CALLBACK,
} from "../ffi/gtk_symbols.ts";
import { cString } from "../ffi/strings.ts";
import type { Signals } from "./signals.ts";

/** GDK key values of q and w, either case (gdk/gdkkeysyms.h). */
const QUIT_KEYS = new Set([0x071, 0x051, 0x077, 0x057]);
/** `GTK_STYLE_PROVIDER_PRIORITY_APPLICATION`. */
const PRIORITY_APPLICATION = 600;

/**
 * Paints `background` (`#rrggbb`) in the view until the page's first frame and behind
 * it, and in the GTK window around the view: GTK's theme grey (or WebKit's white)
 * otherwise shows until WebKit's first frame.
 */
export function applyBackground(
  libs: GtkLibs,
  window: Deno.PointerObject,
  view: Deno.PointerObject,
  background: string,
): void {
  const { gtk, webkit, gobject } = libs;
  const css = gtk.gtk_css_provider_new()!;
  gtk.gtk_css_provider_load_from_data(
    css,
    cString(`window { background-color: ${background}; }`),
    -1n,
    null,
  );
  gtk.gtk_style_context_add_provider(
    gtk.gtk_widget_get_style_context(window),
    css,
    PRIORITY_APPLICATION,
  );
  gobject.g_object_unref(css); // the style context holds it
  const rgb = background.slice(1).match(/../g)!.map((hex) => parseInt(hex, 16) / 255);
  webkit.webkit_web_view_set_background_color(view, new Float64Array([...rgb, 1])); // GdkRGBA
}

/**
 * Runs `onQuit` (after the handler returns: it may free the callbacks) on Ctrl+Q and
 * Ctrl+W. Connected handlers run before GtkWindow's own, which would hand the keys to
 * the page.
 */
export function attachQuitKeys(
  signals: Signals,
  window: Deno.PointerObject,
  onQuit: () => void,
): void {
  signals.connect(window, "key-press-event", WIDGET_EVENT_CALLBACK, (_widget, event) => {
    const key = new Deno.UnsafePointerView(event!);
    if (!(key.getUint32(GDK_EVENT_KEY_OFFSETS.state) & GDK_CONTROL_MASK)) return 0;
    if (!QUIT_KEYS.has(key.getUint32(GDK_EVENT_KEY_OFFSETS.keyval))) return 0;
    setTimeout(onQuit, 0);
    return 1; // handled
  });
}
