/**
 * One native window with a WebKitGTK web view, through our own FFI binding to GTK 3 and
 * WebKitGTK 4.1 (Linux, X11 or Wayland).
 *
 * GTK is main-thread only and `gtk_main()` would block Deno's event loop, so each open
 * window pumps GTK from a `setInterval` on the main thread; signal handlers and async
 * WebKit results arrive synchronously inside that pump. The open window's interval keeps
 * the process alive until the window closes.
 *
 * @module
 */
import {
  ASYNC_READY_CALLBACK,
  GTK_WINDOW_TOPLEVEL,
  type GtkLibs,
  WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER,
  WEBKIT_SNAPSHOT_OPTIONS_NONE,
  WEBKIT_SNAPSHOT_REGION_VISIBLE,
  WIDGET_CALLBACK,
  WIDGET_EVENT_CALLBACK,
} from "../ffi/gtk_symbols.ts";
import {
  initGtk,
  takeErrorMessage,
  webviewAvailable,
  WindowUnavailableError,
  writeSurfaceToPng,
} from "./gtk_init.ts";
import { cString } from "../ffi/strings.ts";
import { hasRenderNode } from "../ffi/render_node.ts";
import { Signals } from "./signals.ts";
import { attachViewPolicy } from "./view_policy.ts";
import { attachDownloads, type SaveOutcome } from "./save_dialog.ts";
import { showFolderDialog } from "./folder_dialog.ts";
import { openBrowser } from "./open_browser.ts";
import { applyBackground, attachQuitKeys } from "./window_chrome.ts";

export { webviewAvailable, WindowUnavailableError };
export type { SaveOutcome };

/** How often the GTK loop is pumped, in milliseconds (8 ms ≈ 120 Hz, under one frame). */
const PUMP_INTERVAL_MS = 8;
/** Bound on GTK iterations per pump, so a flood of events cannot starve Deno's loop. */
const MAX_ITERATIONS_PER_PUMP = 64;
/** Quiet time after the last move or resize before `onGeometry` runs, in milliseconds. */
const GEOMETRY_DEBOUNCE_MS = 250;

/**
 * The DOM event the page receives when a download it started has ended:
 * `CustomEvent<{ saved: string } | { failed: string }>` on `window`.
 */
export const SAVE_EVENT = "hearth-saved";

/**
 * A window's position and size in GTK's logical pixels (device pixels divided by the
 * monitor's scale factor). x and y are the screen coordinates of its frame's top-left
 * corner; on Wayland they are always 0, as clients cannot know or set their position.
 */
export interface WindowGeometry {
  /** Screen x of the frame's left edge. */
  x: number;
  /** Screen y of the frame's top edge. */
  y: number;
  /** Width of the window's content. */
  width: number;
  /** Height of the window's content. */
  height: number;
}

/** Options of {@link WebviewWindow.open}; every size and position is in pixels. */
export interface WebviewWindowOptions {
  /** Window title. */
  title: string;
  /** The page to show, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** Initial width, a positive integer. @default 1024 */
  width?: number;
  /** Initial height, a positive integer. @default 768 */
  height?: number;
  /** Initial screen x of the frame; the window manager places it when x or y is absent. */
  x?: number;
  /** Initial screen y of the frame. */
  y?: number;
  /** Smallest width the user can resize to. @default 0 (no minimum) */
  minWidth?: number;
  /** Smallest height the user can resize to. @default 0 (no minimum) */
  minHeight?: number;
  /** Enables WebKit's inspector (right click → Inspect Element). @default false */
  devtools?: boolean;
  /**
   * The colour shown before the page paints and behind it, `#rrggbb`: the theme's
   * background, so the window does not flash white at start. @default "#ffffff"
   */
  background?: string;
  /**
   * Opens a link the page may not navigate to (any other origin; http, https or
   * mailto) outside the app. @default the system browser (desktop/open_browser.ts)
   */
  openExternal?: (url: string) => void;
  /**
   * Called when a download the page started (an export) has ended, after the page got
   * its {@link SAVE_EVENT}; a download the user cancelled in the save dialog reports
   * nothing.
   */
  onDownload?: (outcome: SaveOutcome) => void;
}

/**
 * A native window showing one web page. It owns its GtkWindow (GTK's top-level list
 * holds the reference until `gtk_widget_destroy`), the WebKitWebView inside it (owned and
 * destroyed by the window), its callbacks and its pump timer; each is released exactly
 * once, when the window closes.
 *
 * After the window closes, whether by {@link close} or by the user: `setTitle` and `eval`
 * do nothing (the user may close it at any moment), `geometry()` returns the last
 * geometry seen, and `snapshot` rejects.
 *
 * @example Open the UI and remember where the user put the window
 * ```ts ignore
 * const win = WebviewWindow.open({ title: "Hearth", url, ...savedGeometry, minWidth: 480 });
 * win.onGeometry = (geometry) => saveGeometry(geometry);
 * await win.closed;
 * ```
 */
export class WebviewWindow {
  /** Resolves once the window is gone, closed by the user or by {@link close}. */
  readonly closed: Promise<void>;
  /**
   * Called with the new geometry, debounced, after the window moves or resizes (also
   * once after it first appears). Errors it throws are logged, never propagated.
   */
  onGeometry?: (geometry: WindowGeometry) => void;

  readonly #libs: GtkLibs;
  readonly #window: Deno.PointerObject;
  readonly #view: Deno.PointerObject;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #resolveClosed: () => void;
  readonly #signals: Signals;
  /** The `reject` of each snapshot not settled yet. */
  readonly #snapshots = new Set<(error: Error) => void>();
  #geometry: WindowGeometry;
  #geometryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set by the "destroy" handler: the GtkWindow pointer must not be used after it. */
  #destroyed = false;
  #released = false;

  /**
   * Opens a window showing `options.url` and starts pumping GTK.
   *
   * @throws {WindowUnavailableError} when there is no display, GTK or WebKitGTK is
   *   missing, or the OS has no backend yet.
   * @throws {TypeError} when `title` or `url` is not a string.
   * @throws {RangeError} when a size is not a positive integer (a minimum: non-negative).
   */
  static open(options: WebviewWindowOptions): WebviewWindow {
    if (typeof options.title !== "string" || typeof options.url !== "string") {
      throw new TypeError("Cannot open a window: title and url must be strings");
    }
    if (options.background !== undefined && !/^#[0-9a-f]{6}$/i.test(options.background)) {
      throw new RangeError(
        `Cannot open a window: background "${options.background}" is not #rrggbb`,
      );
    }
    for (const key of ["width", "height", "x", "y", "minWidth", "minHeight"] as const) {
      const value = options[key];
      const min = key === "width" || key === "height" ? 1 : key.startsWith("min") ? 0 : -1e6;
      if (value !== undefined && (!Number.isInteger(value) || value < min || value > 1e6)) {
        throw new RangeError(`Cannot open a window: ${key} ${value} is not an integer >= ${min}`);
      }
    }
    return new WebviewWindow(initGtk(), options);
  }

  private constructor(libs: GtkLibs, options: WebviewWindowOptions) {
    this.#libs = libs;
    this.#signals = new Signals(libs);
    const { gtk, webkit } = libs;
    const width = options.width ?? 1024;
    const height = options.height ?? 768;
    this.#geometry = { x: options.x ?? 0, y: options.y ?? 0, width, height };
    const { promise, resolve } = Promise.withResolvers<void>();
    this.closed = promise;
    this.#resolveClosed = resolve;

    const window = gtk.gtk_window_new(GTK_WINDOW_TOPLEVEL)!;
    this.#window = window;
    this.#view = webkit.webkit_web_view_new()!;
    const settings = webkit.webkit_web_view_get_settings(this.#view);
    webkit.webkit_settings_set_enable_developer_extras(settings, options.devtools ? 1 : 0);
    // A local app needs neither WebGL, the back/forward cache, swipe navigation nor
    // quirks for other sites. (Plugins and Java are gone from WebKitGTK 4.1: their
    // setters are deprecated no-ops.)
    webkit.webkit_settings_set_enable_webgl(settings, 0);
    webkit.webkit_settings_set_enable_page_cache(settings, 0);
    webkit.webkit_settings_set_enable_site_specific_quirks(settings, 0);
    webkit.webkit_settings_set_enable_back_forward_navigation_gestures(settings, 0);
    // Without a GPU, accelerated compositing renders through a software GL stack: the
    // first paint came about 300 ms later under Xvfb than with plain software painting.
    if (!hasRenderNode()) {
      webkit.webkit_settings_set_hardware_acceleration_policy(
        settings,
        WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER,
      );
    }

    gtk.gtk_window_set_title(window, cString(options.title));
    gtk.gtk_window_set_default_size(window, width, height);
    if (options.minWidth || options.minHeight) {
      gtk.gtk_widget_set_size_request(window, options.minWidth || -1, options.minHeight || -1);
    }
    if (options.x !== undefined && options.y !== undefined) {
      gtk.gtk_window_move(window, options.x, options.y);
    }
    applyBackground(libs, window, this.#view, options.background ?? "#ffffff");
    gtk.gtk_container_add(window, this.#view);

    const signals = this.#signals;
    signals.connect(window, "destroy", WIDGET_CALLBACK, () => {
      this.#destroyed = true;
    });
    // Ctrl+Q and Ctrl+W close the window (the app quits with it).
    attachQuitKeys(signals, window, () => this.close());
    attachViewPolicy(libs, signals, this.#view, {
      appUrl: options.url,
      openExternal: options.openExternal ??
        ((url) => void openBrowser(url).catch((e) => console.error(`Cannot open ${url}:`, e))),
      devtools: options.devtools ?? false,
    });
    attachDownloads(libs, signals, window, this.#view, () => !this.#destroyed, (outcome) => {
      this.#announce(outcome);
      options.onDownload?.(outcome);
    });
    signals.connect(window, "configure-event", WIDGET_EVENT_CALLBACK, () => {
      this.#geometry = this.#queryGeometry();
      clearTimeout(this.#geometryTimer);
      this.#geometryTimer = setTimeout(() => this.#reportGeometry(), GEOMETRY_DEBOUNCE_MS);
      return 0; // FALSE: let GTK handle the event too
    });

    webkit.webkit_web_view_load_uri(this.#view, cString(options.url));
    gtk.gtk_widget_show_all(window);
    this.#timer = setInterval(() => this.#pump(), PUMP_INTERVAL_MS);
  }

  /** Current position and size, in pixels; the last ones seen once the window is closed. */
  geometry(): WindowGeometry {
    if (!this.#destroyed) this.#geometry = this.#queryGeometry();
    return { ...this.#geometry };
  }

  /** Sets the window title; does nothing once the window is closed. */
  setTitle(title: string): void {
    if (this.#destroyed) return;
    this.#libs.gtk.gtk_window_set_title(this.#window, cString(title));
  }

  /**
   * Brings the window to the front: shows it if hidden, restores it if minimised and
   * asks the window manager to raise and focus it (which it may refuse, e.g. to stop
   * focus stealing). Does nothing once the window is closed.
   */
  present(): void {
    if (this.#destroyed) return;
    this.#libs.gtk.gtk_window_present(this.#window);
  }

  /**
   * Runs `js` in the page's main world, fire and forget: no result, and errors stay in
   * the page's console. Does nothing once the window is closed.
   */
  eval(js: string): void {
    if (this.#destroyed) return;
    this.#libs.webkit.webkit_web_view_evaluate_javascript(
      this.#view,
      cString(js),
      -1n, // NUL-terminated
      null,
      null,
      null,
      null,
      null,
    );
  }

  /**
   * Renders the visible part of the page to a PNG file at `path` (relative to the
   * current directory), the size of the view in device pixels.
   *
   * @returns a promise that resolves when the file is written.
   * @throws {Error} (rejects) when the window is closed or closes first, or when WebKit
   *   or cairo fails; the message says which.
   */
  snapshot(path: string): Promise<void> {
    if (this.#destroyed) {
      return Promise.reject(new Error("Cannot snapshot the window: it is closed"));
    }
    const { webkit } = this.#libs;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    this.#snapshots.add(reject);
    const callback = new Deno.UnsafeCallback(ASYNC_READY_CALLBACK, (source, result) => {
      // Closed once it has returned (a callback must not be closed while it runs).
      // WebKit answers every request, even one cut short by close, maybe later from
      // another window's pump: until then it stays callable (leaked if nothing pumps).
      setTimeout(() => callback.close(), 0);
      const errorOut = new BigUint64Array(1);
      // Always finished, so WebKit's result and the surface are freed.
      const surface = webkit.webkit_web_view_get_snapshot_finish(source!, result!, errorOut);
      const wanted = this.#snapshots.delete(reject);
      const failure = surface === null
        ? `Cannot snapshot the window: ${takeErrorMessage(this.#libs, errorOut[0])}`
        : writeSurfaceToPng(this.#libs, surface, wanted ? path : undefined);
      if (!wanted) return;
      if (failure === undefined) resolve();
      else reject(new Error(failure));
    });
    webkit.webkit_web_view_get_snapshot(
      this.#view,
      WEBKIT_SNAPSHOT_REGION_VISIBLE,
      WEBKIT_SNAPSHOT_OPTIONS_NONE,
      null,
      callback.pointer,
      null,
    );
    return promise;
  }

  /** Whether the window is still open (the user may close it at any moment). */
  get isOpen(): boolean {
    return !this.#destroyed;
  }

  /**
   * Asks the user for a folder in a modal folder chooser over the window (a workspace
   * folder for the file layer).
   *
   * @returns the folder's absolute path, or null when the user cancels, or the window is closed.
   */
  chooseFolder(): Promise<string | null> {
    if (this.#destroyed) return Promise.resolve(null);
    return showFolderDialog(this.#libs, this.#window);
  }

  /** Closes the window and stops pumping GTK; idempotent. */
  close(): void {
    if (this.#released) return;
    if (!this.#destroyed) {
      this.#geometry = this.#queryGeometry();
      // Emits "destroy" synchronously, which sets #destroyed.
      this.#libs.gtk.gtk_widget_destroy(this.#window);
    }
    this.#release();
  }

  /** Same as {@link close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Tells the page how a download ended (see {@link SAVE_EVENT}). */
  #announce(outcome: SaveOutcome): void {
    this.eval(
      `dispatchEvent(new CustomEvent(${JSON.stringify(SAVE_EVENT)}, { detail: ${
        JSON.stringify(outcome)
      } }))`,
    );
  }

  #pump(): void {
    const { gtk } = this.#libs;
    for (let i = 0; i < MAX_ITERATIONS_PER_PUMP && !this.#destroyed; i++) {
      if (!gtk.gtk_events_pending()) break;
      gtk.gtk_main_iteration_do(0);
    }
    // Released here, after gtk_main_iteration_do returned: a callback must not be
    // closed while it is running.
    if (this.#destroyed) this.#release();
  }

  #queryGeometry(): WindowGeometry {
    const a = new Int32Array(1);
    const b = new Int32Array(1);
    this.#libs.gtk.gtk_window_get_position(this.#window, a, b);
    const [x, y] = [a[0], b[0]];
    this.#libs.gtk.gtk_window_get_size(this.#window, a, b);
    return { x, y, width: a[0], height: b[0] };
  }

  #reportGeometry(): void {
    this.#geometryTimer = undefined;
    try {
      this.onGeometry?.(this.geometry());
    } catch (error) {
      console.error("WebviewWindow.onGeometry threw:", error);
    }
  }

  /** Frees everything this window owns; runs once, after GTK destroyed the window. */
  #release(): void {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    clearTimeout(this.#geometryTimer);
    // Xlib buffers requests and GTK flushes them on its next loop turn, which no longer
    // comes once the pump stops: without this the closed window stays on screen.
    const display = this.#libs.gdk.gdk_display_get_default();
    if (display !== null) this.#libs.gdk.gdk_display_flush(display);
    // Destroying the window ran its dispose, which dropped the handlers on it and on
    // the view; those on WebKit's shared context and downloads are disconnected here.
    this.#signals.close();
    for (const reject of this.#snapshots) {
      reject(new Error("Cannot snapshot the window: it closed first"));
    }
    this.#snapshots.clear();
    this.#resolveClosed();
  }
}
