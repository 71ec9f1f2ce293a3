/**
 * The seam every native window goes through: opening the GTK stack's libraries
 * (ffi/gtk_symbols.ts) and initialising GTK once per process ({@link initGtk}), and
 * turning GError and cairo status codes into messages. Main thread only.
 *
 * @module
 */
import { cString, readCString } from "../ffi/strings.ts";
import {
  CAIRO_STATUS_SUCCESS,
  CAIRO_SYMBOLS,
  DL_SYMBOLS,
  GDK_SYMBOLS,
  GERROR_MESSAGE_OFFSET,
  GLIB_SYMBOLS,
  GOBJECT_SYMBOLS,
  GTK_LIBRARY_NAMES,
  GTK_SYMBOLS,
  type GtkLibs,
  RTLD_NOW_NODELETE,
  WEBKIT_SYMBOLS,
} from "../ffi/gtk_symbols.ts";

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
  // WM_CLASS "hearth" (not "deno"), so desktops match the window to hearth.desktop's
  // StartupWMClass; no effect once GTK is initialised.
  gtkLibs.glib.g_set_prgname(cString("hearth"));
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
  // Deno closes a DynamicLibrary when its isolate ends (a Worker, or a test file under
  // `deno test`, which runs each file in its own isolate in one process); unloading
  // GTK under its live display crashes the next user. A never-closed RTLD_NODELETE
  // handle keeps each library loaded for the life of the process.
  const libc = Deno.dlopen("libc.so.6", DL_SYMBOLS);
  for (const name of Object.values(GTK_LIBRARY_NAMES)) {
    libc.symbols.dlopen(cString(name), RTLD_NOW_NODELETE);
  }
  libc.close();
  return {
    glib: open(GTK_LIBRARY_NAMES.glib, GLIB_SYMBOLS),
    gobject: open(GTK_LIBRARY_NAMES.gobject, GOBJECT_SYMBOLS),
    cairo: open(GTK_LIBRARY_NAMES.cairo, CAIRO_SYMBOLS),
    gdk: open(GTK_LIBRARY_NAMES.gdk, GDK_SYMBOLS),
    gtk: open(GTK_LIBRARY_NAMES.gtk, GTK_SYMBOLS),
    webkit: open(GTK_LIBRARY_NAMES.webkit, WEBKIT_SYMBOLS),
  };
}
