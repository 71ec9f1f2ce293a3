/**
 * GTK 3, GDK 3, WebKitGTK 4.1, GObject, GLib and cairo as Deno FFI symbol tables,
 * spelled as in gtk/gtk.h, webkit/webkit.h (webkitgtk-4.1), glib-object.h and cairo.h.
 *
 * Main thread only: GTK is not thread-safe, so every symbol is blocking and called
 * from the thread that ran `gtk_init_check`. Signal handlers and GAsyncReadyCallbacks
 * run synchronously inside `gtk_main_iteration_do` (or inside `gtk_widget_destroy`
 * for "destroy"), on that same thread. Pointer-returning symbols say who owns the
 * result and what frees it. `gboolean` is an `int` (i32), `gulong` a u64 on LP64.
 *
 * Also the seam every window goes through: opening the libraries and initialising GTK
 * once per process ({@link initGtk}), and turning GError and cairo status codes into
 * messages.
 *
 * @module
 */

import { cString, readCString } from "./strings.ts";

const p = "pointer" as const;
const buf = "buffer" as const;
const fn = "function" as const;

/** Shared-object names as Debian and most Linux distributions install them. */
export const GTK_LIBRARY_NAMES = {
  glib: "libglib-2.0.so.0",
  gobject: "libgobject-2.0.so.0",
  cairo: "libcairo.so.2",
  gdk: "libgdk-3.so.0",
  gtk: "libgtk-3.so.0",
  webkit: "libwebkit2gtk-4.1.so.0",
} as const;

/** `GtkWindowType`: a normal top-level window managed by the window manager. */
export const GTK_WINDOW_TOPLEVEL = 0;
/** `WebKitSnapshotRegion`: only the part of the page visible in the view. */
export const WEBKIT_SNAPSHOT_REGION_VISIBLE = 0;
/** `WebKitSnapshotOptions`: no selection highlight, white behind transparent pages. */
export const WEBKIT_SNAPSHOT_OPTIONS_NONE = 0;
/**
 * `WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER` (webkit2/WebKitSettings.h in 4.1:
 * ON_DEMAND 0, ALWAYS 1, NEVER 2).
 */
export const WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER = 2;
/** `cairo_status_t` success. */
export const CAIRO_STATUS_SUCCESS = 0;
/** Byte offset of `gchar *message` in `struct _GError { GQuark domain; gint code; ... }`. */
export const GERROR_MESSAGE_OFFSET = 8;

/** libglib-2.0: error freeing. */
export const GLIB_SYMBOLS = {
  g_error_free: { parameters: [p], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libgobject-2.0: signals. */
export const GOBJECT_SYMBOLS = {
  // handler id (> 0); `data` is passed to the handler, `destroy_data` may be NULL.
  // Handlers live until disconnected or until the instance's dispose drops them all
  // (gtk_widget_destroy runs dispose).
  g_signal_connect_data: { parameters: [p, buf, fn, p, p, "i32"], result: "u64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libcairo: writing a snapshot surface to a PNG file. */
export const CAIRO_SYMBOLS = {
  cairo_surface_write_to_png: { parameters: [p, buf], result: "i32" }, // cairo_status_t
  cairo_surface_destroy: { parameters: [p], result: "void" },
  cairo_status_to_string: { parameters: ["i32"], result: p }, // static string, not freed
} as const satisfies Deno.ForeignLibraryInterface;

/** libgdk-3: the display connection. */
export const GDK_SYMBOLS = {
  gdk_display_get_default: { parameters: [], result: p }, // owned by GDK; NULL before gtk_init
  // sends queued requests (e.g. an unmap after gtk_widget_destroy) without a main loop turn
  gdk_display_flush: { parameters: [p], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libgtk-3: initialisation, the main loop, top-level windows. */
export const GTK_SYMBOLS = {
  // FALSE when no display can be opened; argc/argv may be NULL
  gtk_init_check: { parameters: [p, p], result: "i32" },
  gtk_events_pending: { parameters: [], result: "i32" },
  // one iteration; blocking = FALSE returns at once when nothing is pending
  gtk_main_iteration_do: { parameters: ["i32"], result: "i32" },

  // window: owned by GTK's list of top-levels (not floating); gtk_widget_destroy (ours,
  // or the default "delete-event" handler when the user closes it) drops that reference
  // and the pointer must not be used afterwards
  gtk_window_new: { parameters: ["i32"], result: p },
  gtk_window_set_title: { parameters: [p, buf], result: "void" }, // the title is copied
  gtk_window_set_default_size: { parameters: [p, "i32", "i32"], result: "void" },
  gtk_window_move: { parameters: [p, "i32", "i32"], result: "void" },
  gtk_window_get_position: { parameters: [p, buf, buf], result: "void" }, // gint *root_x, *root_y
  gtk_window_get_size: { parameters: [p, buf, buf], result: "void" }, // gint *width, *height
  // shows, deiconifies and raises the window, asking the window manager for focus
  gtk_window_present: { parameters: [p], result: "void" },
  // the container sinks the child's floating reference and destroys it with itself
  gtk_container_add: { parameters: [p, p], result: "void" },
  gtk_widget_set_size_request: { parameters: [p, "i32", "i32"], result: "void" },
  gtk_widget_show_all: { parameters: [p], result: "void" },
  gtk_widget_destroy: { parameters: [p], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libwebkit2gtk-4.1: the web view and its settings. */
export const WEBKIT_SYMBOLS = {
  // floating reference: gtk_container_add hands it to the window, which destroys it
  webkit_web_view_new: { parameters: [], result: p },
  webkit_web_view_load_uri: { parameters: [p, buf], result: "void" },
  webkit_web_view_get_settings: { parameters: [p], result: p }, // owned by the view
  // script, length (-1 = NUL-terminated), world_name, source_uri, cancellable, callback,
  // user_data; a NULL callback makes it fire and forget
  webkit_web_view_evaluate_javascript: {
    parameters: [p, buf, "isize", p, p, p, fn, p],
    result: "void",
  },
  // region, options, cancellable, callback(GObject *, GAsyncResult *, gpointer), user_data
  webkit_web_view_get_snapshot: { parameters: [p, "i32", "i32", p, fn, p], result: "void" },
  // cairo_surface_t: owned by the caller, freed with cairo_surface_destroy; NULL on
  // failure with *error set (owned by the caller, freed with g_error_free)
  webkit_web_view_get_snapshot_finish: { parameters: [p, p, buf], result: p },

  webkit_settings_set_enable_developer_extras: { parameters: [p, "i32"], result: "void" },
  webkit_settings_set_enable_webgl: { parameters: [p, "i32"], result: "void" },
  webkit_settings_set_enable_page_cache: { parameters: [p, "i32"], result: "void" },
  webkit_settings_set_enable_site_specific_quirks: { parameters: [p, "i32"], result: "void" },
  webkit_settings_set_enable_back_forward_navigation_gestures: {
    parameters: [p, "i32"],
    result: "void",
  },
  // WebKitHardwareAccelerationPolicy: see WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER
  webkit_settings_set_hardware_acceleration_policy: { parameters: [p, "i32"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** `void (*)(GtkWidget *widget, gpointer user_data)`, e.g. "destroy". */
export const WIDGET_CALLBACK = { parameters: [p, p], result: "void" } as const;
/** `gboolean (*)(GtkWidget *widget, GdkEvent *event, gpointer user_data)`; FALSE propagates. */
export const WIDGET_EVENT_CALLBACK = { parameters: [p, p, p], result: "i32" } as const;
/** `GAsyncReadyCallback`: `void (*)(GObject *source, GAsyncResult *res, gpointer user_data)`. */
export const ASYNC_READY_CALLBACK = { parameters: [p, p, p], result: "void" } as const;

/** The opened GTK stack, one symbol table per library. */
export type GtkLibs = {
  glib: Deno.DynamicLibrary<typeof GLIB_SYMBOLS>["symbols"];
  gobject: Deno.DynamicLibrary<typeof GOBJECT_SYMBOLS>["symbols"];
  cairo: Deno.DynamicLibrary<typeof CAIRO_SYMBOLS>["symbols"];
  gdk: Deno.DynamicLibrary<typeof GDK_SYMBOLS>["symbols"];
  gtk: Deno.DynamicLibrary<typeof GTK_SYMBOLS>["symbols"];
  webkit: Deno.DynamicLibrary<typeof WEBKIT_SYMBOLS>["symbols"];
};

/** Thrown by `WebviewWindow.open` when this process cannot show a native window. */
export class WindowUnavailableError extends Error {
  /** Why, in one line: no display, missing libraries, or an unsupported OS. */
  readonly reason: string;

  /**
   * Creates the error.
   *
   * @param reason Why no window can be opened, in one line.
   */
  constructor(reason: string, options?: ErrorOptions) {
    super(`Cannot open a native window: ${reason}`, options);
    this.name = "WindowUnavailableError";
    this.reason = reason;
  }
}

// GTK is process-wide: it initialises once per process and its libraries cannot be
// unloaded, so the opened tables are kept here for the life of the process.
let gtkLibs: GtkLibs | undefined;

/**
 * Opens the GTK stack once per process and runs `gtk_init_check`, which opens the display
 * named by DISPLAY or WAYLAND_DISPLAY: that one display serves the whole process.
 *
 * @throws {WindowUnavailableError} on an OS without this backend, with no display set,
 *   when a library is missing, or when `gtk_init_check` fails.
 */
export function initGtk(): GtkLibs {
  if (Deno.build.os !== "linux") {
    throw new WindowUnavailableError(
      `no native window backend for ${Deno.build.os} yet (only Linux with GTK 3 and WebKitGTK 4.1)`,
    );
  }
  // GTK reads these itself; checking first gives a clearer reason than gtk_init_check.
  if (!Deno.env.get("DISPLAY") && !Deno.env.get("WAYLAND_DISPLAY")) {
    throw new WindowUnavailableError("no display: DISPLAY and WAYLAND_DISPLAY are unset");
  }
  try {
    gtkLibs ??= openLibraries();
  } catch (error) {
    const detail = (error as Error).message.split("\n")[0];
    throw new WindowUnavailableError(
      `GTK 3 or WebKitGTK 4.1 is missing (Debian: apt-get install libwebkit2gtk-4.1-0): ${detail}`,
      { cause: error },
    );
  }
  // Safe to call again after success (it returns TRUE at once) or after a failure.
  if (!gtkLibs.gtk.gtk_init_check(null, null)) {
    const display = Deno.env.get("DISPLAY") ?? Deno.env.get("WAYLAND_DISPLAY");
    throw new WindowUnavailableError(`gtk_init_check failed: cannot open display "${display}"`);
  }
  return gtkLibs;
}

/**
 * Whether `WebviewWindow.open` can work in this process: a supported OS, a display,
 * the GTK and WebKitGTK libraries, and `gtk_init_check` succeeding (which initialises GTK).
 */
export function webviewAvailable(): { ok: true } | { ok: false; reason: string } {
  try {
    initGtk();
    return { ok: true };
  } catch (error) {
    if (error instanceof WindowUnavailableError) return { ok: false, reason: error.reason };
    throw error;
  }
}

/**
 * Reads and frees a `GError *` that a GIO `*_finish` call stored in its `GError **`.
 *
 * @returns the error's message, or "unknown error" for NULL.
 */
export function takeErrorMessage(libs: GtkLibs, error: bigint): string {
  const pointer = Deno.UnsafePointer.create(error);
  if (pointer === null) return "unknown error";
  const message = readCString(
    new Deno.UnsafePointerView(pointer).getPointer(GERROR_MESSAGE_OFFSET),
  );
  libs.glib.g_error_free(pointer);
  return message;
}

/**
 * Writes a cairo surface to a PNG file (when `path` is given) and destroys the surface,
 * which the caller owned.
 *
 * @returns undefined on success, else a message with cairo's reason.
 */
export function writeSurfaceToPng(
  libs: GtkLibs,
  surface: Deno.PointerObject,
  path: string | undefined,
): string | undefined {
  const status = path === undefined
    ? CAIRO_STATUS_SUCCESS
    : libs.cairo.cairo_surface_write_to_png(surface, cString(path));
  libs.cairo.cairo_surface_destroy(surface);
  if (status === CAIRO_STATUS_SUCCESS) return undefined;
  const reason = readCString(libs.cairo.cairo_status_to_string(status));
  return `Cannot write snapshot "${path}": ${reason}`;
}

/**
 * Opens the six libraries in dependency order. They are never closed: GTK registers
 * GTypes, atexit handlers and X connections that do not survive unloading.
 */
function openLibraries(): GtkLibs {
  const open = <S extends Deno.ForeignLibraryInterface>(name: string, symbols: S) => {
    try {
      return Deno.dlopen(name, symbols).symbols;
    } catch (error) {
      throw new Error(`Cannot open ${name}: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    glib: open(GTK_LIBRARY_NAMES.glib, GLIB_SYMBOLS),
    gobject: open(GTK_LIBRARY_NAMES.gobject, GOBJECT_SYMBOLS),
    cairo: open(GTK_LIBRARY_NAMES.cairo, CAIRO_SYMBOLS),
    gdk: open(GTK_LIBRARY_NAMES.gdk, GDK_SYMBOLS),
    gtk: open(GTK_LIBRARY_NAMES.gtk, GTK_SYMBOLS),
    webkit: open(GTK_LIBRARY_NAMES.webkit, WEBKIT_SYMBOLS),
  };
}
