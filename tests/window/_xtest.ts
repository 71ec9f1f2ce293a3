/**
 * Real input for window tests through the XTest extension (libXtst): the pointer moves,
 * clicks and key presses reach the app as if from a mouse and keyboard.
 *
 * @module
 */

const p = "pointer" as const;
const buf = "buffer" as const;

// Spelled as in X11/Xlib.h and X11/extensions/XTest.h.
const SYMBOLS = {
  XOpenDisplay: { parameters: [buf], result: p },
  XCloseDisplay: { parameters: [p], result: "i32" },
  XFlush: { parameters: [p], result: "i32" },
  XSync: { parameters: [p, "i32"], result: "i32" },
  XKeysymToKeycode: { parameters: [p, "u64"], result: "u8" },
  // display, screen (-1: the pointer's), x, y, delay (ms)
  XTestFakeMotionEvent: { parameters: [p, "i32", "i32", "i32", "u64"], result: "i32" },
  // display, button or keycode, is_press, delay (ms)
  XTestFakeButtonEvent: { parameters: [p, "u32", "i32", "u64"], result: "i32" },
  XTestFakeKeyEvent: { parameters: [p, "u32", "i32", "u64"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** X keysyms (X11/keysymdef.h). */
export const KEYSYM = { Control_L: 0xffe3, q: 0x071, w: 0x077, Escape: 0xff1b } as const;

function withXTest(
  display: string,
  body: (x: typeof lib.symbols, dpy: Deno.PointerObject) => void,
) {
  const x = lib.symbols;
  const dpy = x.XOpenDisplay(new TextEncoder().encode(display + "\0"));
  if (dpy === null) throw new Error(`Cannot open X display "${display}"`);
  try {
    body(x, dpy);
    x.XSync(dpy, 0);
  } finally {
    x.XCloseDisplay(dpy);
  }
}

// libXtst opens libX11 itself; one handle for the process.
const lib = Deno.dlopen("libXtst.so.6", SYMBOLS);

/** Moves the pointer to (x, y) on the screen and clicks `button` (1 left, 3 right). */
export function click(display: string, x: number, y: number, button = 1): void {
  withXTest(display, (xt, dpy) => {
    xt.XTestFakeMotionEvent(dpy, -1, x, y, 0n);
    xt.XTestFakeButtonEvent(dpy, button, 1, 0n);
    xt.XTestFakeButtonEvent(dpy, button, 0, 0n);
  });
}

/** Moves the pointer to (x, y), then presses and releases the keys, held together. */
export function pressKeys(display: string, x: number, y: number, keysyms: number[]): void {
  withXTest(display, (xt, dpy) => {
    xt.XTestFakeMotionEvent(dpy, -1, x, y, 0n);
    const codes = keysyms.map((k) => xt.XKeysymToKeycode(dpy, BigInt(k)));
    for (const code of codes) xt.XTestFakeKeyEvent(dpy, code, 1, 0n);
    for (const code of codes.reverse()) xt.XTestFakeKeyEvent(dpy, code, 0, 0n);
  });
}
