/**
 * Streaming detection of stop strings in generated text.
 *
 * Detokenised text arrives one token piece at a time, and a stop string may span
 * several pieces, so text that could still turn into a stop string is held back
 * until the next piece settles it. The stop string itself is never emitted.
 *
 * @module
 */

/** What {@linkcode StopMatcher.push} returns for one piece. */
export interface StopPushResult {
  /** Text that is safe to show now; may be `""` while a possible stop is held back. */
  text: string;
  /** `true` once a stop string has been completed; generation should end. */
  stopped: boolean;
  /** The stop string that was matched, when `stopped` is `true`. */
  stop?: string;
}

/**
 * Matches stop strings over text that arrives in arbitrary pieces.
 *
 * Only the longest suffix of the pending text that is a proper prefix of some stop
 * string is held back; everything before it is emitted at once. When a stop string
 * appears, only the text before its first occurrence is emitted. If several stop
 * strings are found in the same piece, the one starting earliest wins, and on equal
 * starts the one listed first, as `find_stopping_strings` in llama.cpp
 * `tools/server/server-context.cpp` decides. Like there, with overlapping stop strings
 * (`"abcd"` and `"c"`) the winner can depend on where the piece boundaries fall.
 *
 * Matching is by UTF-16 code unit, so a stop string containing emoji also matches
 * when the surrogate pair is split across pieces.
 *
 * @example Usage
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { StopMatcher } from "./stop_strings.ts";
 *
 * const matcher = new StopMatcher(["</s>"]);
 * deepStrictEqual(matcher.push("Hi</"), { text: "Hi", stopped: false });
 * deepStrictEqual(matcher.push("s> more"), { text: "", stopped: true, stop: "</s>" });
 * ```
 */
export class StopMatcher {
  #stops: readonly string[];
  #pending = "";
  #stop: string | undefined;

  /**
   * Creates a matcher for a fixed set of stop strings.
   *
   * @param stops The stop strings; may be empty, in which case text passes through
   * unchanged. Duplicates are harmless.
   * @throws {TypeError} If `stops` is not an array of strings.
   * @throws {RangeError} If any stop string is empty: it would match before every
   * character and stop generation at once.
   */
  constructor(stops: readonly string[]) {
    if (!Array.isArray(stops)) {
      throw new TypeError(`stop must be an array of strings, got ${typeof stops}`);
    }
    stops.forEach((stop, i) => {
      if (typeof stop !== "string") {
        throw new TypeError(`stop[${i}] must be a string, got ${typeof stop}`);
      }
      if (stop === "") throw new RangeError(`stop[${i}] must not be empty, got ""`);
    });
    this.#stops = [...stops];
  }

  /**
   * Feeds the next piece of generated text.
   *
   * Once a stop string has been matched, every later call returns
   * `{ text: "", stopped: true, stop }` and ignores its input.
   *
   * @param text The next decoded piece; may be `""`.
   * @returns The text safe to emit now, and whether a stop string was completed.
   * @throws {TypeError} If `text` is not a string.
   */
  push(text: string): StopPushResult {
    if (typeof text !== "string") {
      throw new TypeError(`text must be a string, got ${typeof text}`);
    }
    if (this.#stop !== undefined) return { text: "", stopped: true, stop: this.#stop };
    if (this.#stops.length === 0) return { text, stopped: false };

    const pending = this.#pending + text;
    const match = this.#firstMatch(pending);
    if (match !== undefined) {
      this.#stop = match.stop;
      this.#pending = "";
      return { text: pending.slice(0, match.index), stopped: true, stop: match.stop };
    }
    const held = this.#heldLength(pending);
    this.#pending = pending.slice(pending.length - held);
    return { text: pending.slice(0, pending.length - held), stopped: false };
  }

  /**
   * Ends the stream when generation finished without a stop string (end of
   * generation token, token limit, abort).
   *
   * @returns The held-back text, which turned out not to be a stop string; `""` if
   * nothing is held or a stop string was already matched.
   */
  flush(): string {
    const rest = this.#pending;
    this.#pending = "";
    return rest;
  }

  #firstMatch(text: string): { index: number; stop: string } | undefined {
    let best: { index: number; stop: string } | undefined;
    for (const stop of this.#stops) {
      const index = text.indexOf(stop);
      // Strict `<` keeps the first-listed stop on equal starts, as llama-server does.
      if (index !== -1 && (best === undefined || index < best.index)) best = { index, stop };
    }
    return best;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of a stop string. */
  #heldLength(text: string): number {
    let longest = 0;
    for (const stop of this.#stops) {
      // A whole stop string cannot be a suffix here: #firstMatch found none.
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
