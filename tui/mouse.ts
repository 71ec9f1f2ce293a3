/**
 * Mouse clicks and the wheel, where the terminal reports them: the terminal is asked for
 * SGR mouse reports (`CSI ? 1000 h`: presses, releases and the wheel; `CSI ? 1006 h`: as
 * `CSI < button ; column ; row M|m`, any size of screen), and the reports are taken out
 * of the keyboard input before ink reads it (ink drops them: it has no mouse events).
 * A terminal that does not report the mouse simply sends none.
 *
 * @module
 */
// @ts-types="@types/react"
import React from "react";
import { PassThrough } from "node:stream";
import type process from "node:process";

/** A click or a wheel step; `x` and `y` are 0-based screen columns and rows. */
export interface MouseEvent {
  kind: "press" | "release" | "wheel-up" | "wheel-down";
  /** 0 left, 1 middle, 2 right (for presses and releases). */
  button: number;
  x: number;
  y: number;
}

/** Turns the terminal's mouse reports on (SGR encoding). */
export const MOUSE_ON = "\x1b[?1000h\x1b[?1006h";
/** Turns them off again. */
export const MOUSE_OFF = "\x1b[?1006l\x1b[?1000l";

// deno-lint-ignore no-control-regex
const REPORT = /\x1b\[<(\d+);(\d+);(\d+)([Mm])/g;
// deno-lint-ignore no-control-regex
const PARTIAL = /\x1b(\[(<[\d;]*)?)?$/;

/**
 * Splits terminal input into mouse events and the rest (the keys). `pending` is the end
 * of the previous chunk that may start a report; the result's `pending` goes with the
 * next chunk.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { splitMouse } from "./mouse.ts";
 *
 * deepStrictEqual(splitMouse("a\x1b[<64;3;4Mb"), {
 *   events: [{ kind: "wheel-up", button: 0, x: 2, y: 3 }],
 *   keys: "ab",
 *   pending: "",
 * });
 * ```
 */
export function splitMouse(
  chunk: string,
  pending = "",
): { events: MouseEvent[]; keys: string; pending: string } {
  let text = pending + chunk;
  // A report cut between two reads: keep its start for the next one.
  const partial = PARTIAL.exec(text);
  const rest = partial && partial[0] !== "\x1b" ? partial[0] : "";
  if (rest) text = text.slice(0, -rest.length);
  const events: MouseEvent[] = [];
  const keys = text.replace(REPORT, (_, code, column, row, final) => {
    const b = Number(code);
    const at = { x: Number(column) - 1, y: Number(row) - 1 };
    // 64/65: the wheel; bit 5 (32) is motion, which mode 1000 does not report anyway.
    if (b & 64) events.push({ kind: b & 1 ? "wheel-down" : "wheel-up", button: 0, ...at });
    else if (!(b & 32)) {
      events.push({ kind: final === "M" ? "press" : "release", button: b & 3, ...at });
    }
    return "";
  });
  return { events, keys, pending: rest };
}

/** Calls its listeners with each mouse event. */
export class MouseEvents {
  readonly #listeners = new Set<(event: MouseEvent) => void>();

  /** Adds `listener`; returns the function that removes it. */
  subscribe(listener: (event: MouseEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Hands `event` to every listener. */
  emit(event: MouseEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/**
 * The stdin ink reads: the terminal's input with the mouse reports taken out (they go
 * to `events`). Raw mode and reading are passed on to the real stdin.
 */
export function mouseFilteredStdin(
  stdin: typeof process.stdin,
  events: MouseEvents,
): typeof process.stdin {
  const through = new PassThrough({ encoding: "utf8" });
  let pending = "";
  let listening = false;
  const onData = (data: Buffer | string) => {
    const split = splitMouse(String(data), pending);
    pending = split.pending;
    for (const event of split.events) events.emit(event);
    if (split.keys) through.write(split.keys);
  };
  Object.assign(through, {
    isTTY: true,
    setRawMode(mode: boolean) {
      stdin.setRawMode(mode);
      if (mode && !listening) {
        stdin.setEncoding("utf8");
        stdin.on("data", onData);
      } else if (!mode && listening) stdin.off("data", onData);
      listening = mode;
      return through;
    },
    ref: () => (stdin.ref(), through),
    unref: () => (stdin.unref(), through),
  });
  return through as unknown as typeof process.stdin;
}

/** The mouse events of the screen (none in tests that give no provider). */
export const MouseContext: React.Context<MouseEvents> = React.createContext(new MouseEvents());

/** Calls `handler` with each mouse event while `active`. */
export function useMouse(handler: (event: MouseEvent) => void, active = true): void {
  const events = React.useContext(MouseContext);
  const latest = React.useRef(handler);
  latest.current = handler;
  React.useEffect(() => {
    if (!active) return;
    return events.subscribe((event) => latest.current(event));
  }, [events, active]);
}
