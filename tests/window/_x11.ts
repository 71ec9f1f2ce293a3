/**
 * A second X client for window tests, through libX11: finds a top-level window by its
 * title and asks it to close the way a window manager does (WM_DELETE_WINDOW), so the
 * user-close path runs without a window manager on Xvfb.
 *
 * @module
 */

const p = "pointer" as const;
const buf = "buffer" as const;

// Spelled as in X11/Xlib.h; Window and Atom are `unsigned long` (u64 on LP64).
const XLIB_SYMBOLS = {
  XOpenDisplay: { parameters: [buf], result: p }, // freed with XCloseDisplay; NULL on failure
  XCloseDisplay: { parameters: [p], result: "i32" },
  XDefaultRootWindow: { parameters: [p], result: "u64" },
  // *children_return is freed with XFree
  XQueryTree: { parameters: [p, "u64", buf, buf, buf, buf], result: "i32" },
  XFetchName: { parameters: [p, "u64", buf], result: "i32" }, // *name freed with XFree
  XFree: { parameters: [p], result: "i32" },
  XInternAtom: { parameters: [p, buf, "i32"], result: "u64" },
  XSendEvent: { parameters: [p, "u64", "i32", "i64", buf], result: "i32" },
  XFlush: { parameters: [p], result: "i32" },
  // int (*handler)(Display *, XErrorEvent *); returns the previous handler
  XSetErrorHandler: { parameters: [p], result: p },
  XDisplayWidth: { parameters: [p, "i32"], result: "i32" },
  XDisplayHeight: { parameters: [p, "i32"], result: "i32" },
  // An XImage*; its data and the struct are freed with XFree (what XDestroyImage does).
  XGetImage: { parameters: [p, "u64", "i32", "i32", "u32", "u32", "u64", "i32"], result: p },
} as const satisfies Deno.ForeignLibraryInterface;

/** sizeof(XEvent) and the XClientMessageEvent offsets, checked with gcc against Xlib.h. */
const XEVENT_SIZE = 192;
const CLIENT_MESSAGE = 33;
const OFFSET = { type: 0, window: 32, messageType: 40, format: 48, data: 56 };
/** XImage offsets (data, bytes_per_line, bits_per_pixel), checked with gcc against Xlib.h. */
const XIMAGE = { data: 16, bytesPerLine: 44, bitsPerPixel: 48 };
const Z_PIXMAP = 2;

const cString = (text: string) => new TextEncoder().encode(text + "\0");

/**
 * Runs `body` with a connection to the X server at `display`, closed afterwards.
 * X errors (a window that was destroyed between XQueryTree and XFetchName, as GTK's
 * short-lived windows are at start) make the failing call return 0 instead of running
 * Xlib's default handler, which exits the whole process.
 */
function withDisplay<T>(display: string, body: (x: XConnection) => T): T {
  const lib = Deno.dlopen("libX11.so.6", XLIB_SYMBOLS);
  const ignore = new Deno.UnsafeCallback({ parameters: [p, p], result: "i32" }, () => 0);
  const previous = lib.symbols.XSetErrorHandler(ignore.pointer);
  try {
    const dpy = lib.symbols.XOpenDisplay(cString(display));
    if (dpy === null) throw new Error(`Cannot open X display "${display}"`);
    try {
      return body({ x: lib.symbols, dpy });
    } finally {
      lib.symbols.XCloseDisplay(dpy);
    }
  } finally {
    lib.symbols.XSetErrorHandler(previous);
    ignore.close();
    lib.close();
  }
}

interface XConnection {
  x: Deno.DynamicLibrary<typeof XLIB_SYMBOLS>["symbols"];
  dpy: Deno.PointerObject;
}

/** Whether an X client can connect to `display` now. */
export function canConnect(display: string): boolean {
  try {
    return withDisplay(display, () => true);
  } catch {
    return false;
  }
}

/** The titles (WM_NAME) of the root window's direct children that have one. */
export function topLevelTitles(display: string): Map<string, bigint> {
  return withDisplay(display, ({ x, dpy }) => {
    const unused = new BigUint64Array(2);
    const children = new BigUint64Array(1);
    const count = new Uint32Array(1);
    const root = x.XDefaultRootWindow(dpy);
    if (!x.XQueryTree(dpy, root, unused.subarray(0, 1), unused.subarray(1), children, count)) {
      throw new Error("XQueryTree failed");
    }
    const titles = new Map<string, bigint>();
    const list = Deno.UnsafePointer.create(children[0]);
    if (list === null) return titles;
    const view = new Deno.UnsafePointerView(list);
    const name = new BigUint64Array(1);
    for (let i = 0; i < count[0]; i++) {
      const window = view.getBigUint64(i * 8);
      if (!x.XFetchName(dpy, window, name) || name[0] === 0n) continue;
      const text = Deno.UnsafePointer.create(name[0])!;
      titles.set(Deno.UnsafePointerView.getCString(text), window);
      x.XFree(text);
    }
    x.XFree(list);
    return titles;
  });
}

/**
 * Reads screen 0 of `display` straight from the X server (XGetImage, every 4th pixel
 * of every 4th row): the share of sampled pixels that are not black (Xvfb's background),
 * the share that are pure white (#ffffff: a white flash, where the theme is dark) and how
 * many colours they show. Milliseconds, where a PNG capture takes hundreds.
 */
export function screenStats(
  display: string,
): { share: number; white: number; colours: number } {
  return withDisplay(display, ({ x, dpy }) => {
    const [width, height] = [x.XDisplayWidth(dpy, 0), x.XDisplayHeight(dpy, 0)];
    const root = x.XDefaultRootWindow(dpy);
    const image = x.XGetImage(dpy, root, 0, 0, width, height, 0xffffffffffffffffn, Z_PIXMAP);
    if (image === null) throw new Error("XGetImage failed");
    const header = new Deno.UnsafePointerView(image);
    const data = Deno.UnsafePointer.create(header.getBigUint64(XIMAGE.data))!;
    try {
      if (header.getInt32(XIMAGE.bitsPerPixel) !== 32) throw new Error("expected 32-bit pixels");
      const stride = header.getInt32(XIMAGE.bytesPerLine);
      const pixels = new Deno.UnsafePointerView(data);
      const colours = new Set<number>();
      let drawn = 0;
      let white = 0;
      let sampled = 0;
      for (let y = 0; y < height; y += 4) {
        for (let col = 0; col < width; col += 4) {
          const rgb = pixels.getUint32(y * stride + col * 4) & 0xffffff;
          if (rgb !== 0) drawn++;
          if (rgb === 0xffffff) white++;
          colours.add(rgb);
          sampled++;
        }
      }
      return { share: drawn / sampled, white: white / sampled, colours: colours.size };
    } finally {
      x.XFree(data);
      x.XFree(image);
    }
  });
}

/** Sends the WM_PROTOCOLS/WM_DELETE_WINDOW client message a window manager's close button sends. */
export function requestClose(display: string, window: bigint): void {
  withDisplay(display, ({ x, dpy }) => {
    const event = new Uint8Array(XEVENT_SIZE);
    const view = new DataView(event.buffer);
    view.setInt32(OFFSET.type, CLIENT_MESSAGE, true);
    view.setBigUint64(OFFSET.window, window, true);
    view.setBigUint64(OFFSET.messageType, x.XInternAtom(dpy, cString("WM_PROTOCOLS"), 0), true);
    view.setInt32(OFFSET.format, 32, true);
    view.setBigUint64(OFFSET.data, x.XInternAtom(dpy, cString("WM_DELETE_WINDOW"), 0), true);
    // event_mask 0 (NoEventMask): delivered to the client that created the window.
    if (!x.XSendEvent(dpy, window, 0, 0n, event)) throw new Error("XSendEvent failed");
    x.XFlush(dpy);
  });
}
