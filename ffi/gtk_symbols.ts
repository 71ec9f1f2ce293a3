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
 * Deno makes every symbol without a struct parameter or result a V8 fast API call, and
 * V8 forbids running JS inside one: JS that invalidates the optimised caller there (the
 * "destroy" handler does, by writing a field the pump reads) aborts the process with
 * "Lazy deopt after a fast API call with return value is unsupported". So a symbol that
 * runs our handlers and returns a value is declared with {@link SLOW_I32}, a one-int
 * struct result: the same registers as `int` in the C ABIs Deno runs on, but never a
 * fast call. (V8 supports a lazy deopt after a fast call returning void.)

 * Opening them and initialising GTK is desktop/gtk_init.ts's work.
 *
 * @module
 */

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

/**
 * An `int` result read through a one-field struct, which keeps Deno off the fast API
 * path (see the module doc); the call returns a 4-byte Uint8Array.
 */
export const SLOW_I32 = { struct: ["i32"] } as const;

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
/** `WebKitPolicyDecisionType` (WebKitWebView.h): a navigation in the view. */
export const WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION = 0;
/** `WebKitPolicyDecisionType`: a request for a new window (target=_blank, window.open). */
export const WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION = 1;
/**
 * `WebKitContextMenuAction` values the app keeps in its context menu
 * (WebKitContextMenuActions.h): COPY_LINK_TO_CLIPBOARD 4, COPY 14, CUT 15, PASTE 16,
 * DELETE 17, SELECT_ALL 18, SPELLING_GUESS 21 to IGNORE_GRAMMAR 25, INSPECT_ELEMENT 31.
 * Others (GO_BACK 10, GO_FORWARD 11, STOP 12, RELOAD 13, OPEN_LINK 1, ...) are removed.
 */
export const WEBKIT_CONTEXT_MENU_KEPT_ACTIONS: ReadonlySet<number> = new Set([
  4,
  14,
  15,
  16,
  17,
  18,
  21,
  22,
  23,
  24,
  25,
  31,
]);
/** `GtkFileChooserAction`: save a file. */
export const GTK_FILE_CHOOSER_ACTION_SAVE = 1;
/** `GtkFileChooserAction`: choose a folder. */
export const GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER = 2;
/** `GtkResponseType` of the Save button and of Enter in the file name. */
export const GTK_RESPONSE_ACCEPT = -3;
/** `GtkResponseType` of the Cancel button. */
export const GTK_RESPONSE_CANCEL = -6;
/** `GdkModifierType`'s Control bit. */
export const GDK_CONTROL_MASK = 1 << 2;
/** Byte offsets in `GdkEventKey` (gdk/gdkevents.h, LP64): `guint state`, `guint keyval`. */
export const GDK_EVENT_KEY_OFFSETS = { state: 24, keyval: 28 } as const;
/** `cairo_status_t` success. */
export const CAIRO_STATUS_SUCCESS = 0;
/** Byte offset of `gchar *message` in `struct _GError { GQuark domain; gint code; ... }`. */
export const GERROR_MESSAGE_OFFSET = 8;

/**
 * libc's dlopen, to pin the GTK stack in memory: `RTLD_NOW | RTLD_NODELETE` (glibc:
 * 0x2 | 0x1000). The returned handle is never closed.
 */
export const DL_SYMBOLS = {
  dlopen: { parameters: [buf, "i32"], result: p },
} as const satisfies Deno.ForeignLibraryInterface;
/** `RTLD_NOW | RTLD_NODELETE` on glibc. */
export const RTLD_NOW_NODELETE = 0x2 | 0x1000;

/** libglib-2.0: error freeing, the program name. */
export const GLIB_SYMBOLS = {
  g_error_free: { parameters: [p], result: "void" },
  g_free: { parameters: [p], result: "void" },
  // the name is copied; GTK makes it the windows' WM_CLASS (set it before gtk_init)
  g_set_prgname: { parameters: [buf], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libgobject-2.0: signals. */
export const GOBJECT_SYMBOLS = {
  // handler id (> 0); `data` is passed to the handler, `destroy_data` may be NULL.
  // Handlers live until disconnected or until the instance's dispose drops them all
  // (gtk_widget_destroy runs dispose).
  g_signal_connect_data: { parameters: [p, buf, fn, p, p, "i32"], result: "u64" },
  // for objects that outlive the window (the shared WebKitWebContext)
  g_signal_handler_disconnect: { parameters: [p, "u64"], result: "void" },
  g_object_ref: { parameters: [p], result: p }, // returns its argument
  g_object_unref: { parameters: [p], result: "void" },
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
  // runs signal handlers and GAsyncReadyCallbacks: never a fast call (SLOW_I32)
  gtk_main_iteration_do: { parameters: ["i32"], result: SLOW_I32 },

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
  gtk_widget_show: { parameters: [p], result: "void" },
  // styling: the provider is a new GObject (g_object_unref once added: the context refs it)
  gtk_css_provider_new: { parameters: [], result: p },
  // provider, data, length (-1 = NUL-terminated), GError ** (NULL: errors are logged)
  gtk_css_provider_load_from_data: { parameters: [p, buf, "isize", p], result: "i32" },
  gtk_widget_get_style_context: { parameters: [p], result: p }, // owned by the widget
  // context, provider, priority (GTK_STYLE_PROVIDER_PRIORITY_APPLICATION = 600)
  gtk_style_context_add_provider: { parameters: [p, p, "u32"], result: "void" },
  gtk_widget_hide: { parameters: [p], result: "void" },
  gtk_window_set_transient_for: { parameters: [p, p], result: "void" },
  gtk_window_set_modal: { parameters: [p, "i32"], result: "void" },

  // dialog: a top-level like gtk_window_new's, destroyed with gtk_widget_destroy
  gtk_dialog_new: { parameters: [], result: p },
  // label (copied), response id; the button is owned by the dialog
  gtk_dialog_add_button: { parameters: [p, buf, "i32"], result: p },
  gtk_dialog_set_default_response: { parameters: [p, "i32"], result: "void" },
  gtk_dialog_get_content_area: { parameters: [p], result: p }, // a GtkBox owned by the dialog
  // emits "response", which runs our handler: never a fast call (void in C; the struct
  // result is never read)
  gtk_dialog_response: { parameters: [p, "i32"], result: SLOW_I32 },
  // box, child, expand, fill, padding; the box takes the child's floating reference
  gtk_box_pack_start: { parameters: [p, p, "i32", "i32", "u32"], result: "void" },
  // floating GtkFileChooserWidget (GtkFileChooserAction)
  gtk_file_chooser_widget_new: { parameters: ["i32"], result: p },
  gtk_file_chooser_set_current_name: { parameters: [p, buf], result: "void" }, // copied
  gtk_file_chooser_set_current_folder: { parameters: [p, buf], result: "i32" }, // copied
  gtk_file_chooser_set_do_overwrite_confirmation: { parameters: [p, "i32"], result: "void" },
  // newly allocated path, freed with g_free; NULL when none is chosen
  gtk_file_chooser_get_filename: { parameters: [p], result: p },
} as const satisfies Deno.ForeignLibraryInterface;

/** libwebkit2gtk-4.1: the web view and its settings. */
export const WEBKIT_SYMBOLS = {
  // floating reference: gtk_container_add hands it to the window, which destroys it
  webkit_web_view_new: { parameters: [], result: p },
  webkit_web_view_load_uri: { parameters: [p, buf], result: "void" },
  webkit_web_view_get_settings: { parameters: [p], result: p }, // owned by the view
  // the process-wide default context, shared by every view: never freed by us
  webkit_web_view_get_context: { parameters: [p], result: p },
  // GdkRGBA * (four doubles, copied): shown before and behind the page
  webkit_web_view_set_background_color: { parameters: [p, buf], result: "void" },

  // policy decisions (owned by the signal emission; ref them to decide later)
  webkit_policy_decision_ignore: { parameters: [p], result: "void" },
  webkit_policy_decision_use: { parameters: [p], result: "void" },
  // WebKitNavigationAction *, owned by the decision
  webkit_navigation_policy_decision_get_navigation_action: { parameters: [p], result: p },
  webkit_navigation_action_get_request: { parameters: [p], result: p }, // owned by the action
  webkit_uri_request_get_uri: { parameters: [p], result: p }, // owned by the request

  // context menu and its items: owned by the menu, which WebKit frees after the signal
  webkit_context_menu_get_n_items: { parameters: [p], result: "u32" },
  webkit_context_menu_get_item_at_position: { parameters: [p, "u32"], result: p },
  webkit_context_menu_remove: { parameters: [p, p], result: "void" }, // unrefs the item
  webkit_context_menu_item_get_stock_action: { parameters: [p], result: "i32" },
  webkit_context_menu_item_is_separator: { parameters: [p], result: "i32" },

  // downloads (owned by the context while they run; ref one to answer later)
  webkit_download_get_web_view: { parameters: [p], result: p }, // NULL for context downloads
  // a path (WebKitGTK >= 2.40); may be called after "decide-destination" returned TRUE
  webkit_download_set_destination: { parameters: [p, buf], result: "void" },
  webkit_download_set_allow_overwrite: { parameters: [p, "i32"], result: "void" },
  webkit_download_cancel: { parameters: [p], result: "void" },
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
/** `gboolean (*)(WebKitWebView *, WebKitPolicyDecision *, WebKitPolicyDecisionType, gpointer)`. */
export const DECIDE_POLICY_CALLBACK = { parameters: [p, p, "i32", p], result: "i32" } as const;
/** "context-menu": `gboolean (*)(view, WebKitContextMenu *, GdkEvent *, WebKitHitTestResult *, gpointer)`. */
export const CONTEXT_MENU_CALLBACK = { parameters: [p, p, p, p, p], result: "i32" } as const;
/** `void (*)(GObject *instance, GObject *arg, gpointer)`, e.g. "download-started", "failed". */
export const OBJECT_ARG_CALLBACK = { parameters: [p, p, p], result: "void" } as const;
/** "decide-destination": `gboolean (*)(WebKitDownload *, gchar *suggested_filename, gpointer)`. */
export const DECIDE_DESTINATION_CALLBACK = { parameters: [p, p, p], result: "i32" } as const;
/** "response": `void (*)(GtkDialog *, gint response_id, gpointer)`. */
export const RESPONSE_CALLBACK = { parameters: [p, "i32", p], result: "void" } as const;
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
