/**
 * The output side of one generation, shared by the single-sequence loop
 * (engine/worker/generate_loop.ts) and the scheduler (engine/scheduler.ts): token bytes
 * become text through one streaming decoder per sequence, stop strings are matched
 * across tokens, pieces are coalesced into messages, and the result's metrics are
 * computed from the clock readings taken on the way.
 *
 * @module
 */
import { StopMatcher } from "./stop_strings.ts";
import type { FinishReason, GenerationMetrics, GenerationResult, Piece } from "./types.ts";

/**
 * How often, at most, pieces are posted, in milliseconds: about 30 updates a second.
 * Each post wakes the main thread, which then competes with the ggml threads for the
 * cores; measured with `deno task bench --http` on 2 cores, 8 ms cost 5-8% of
 * generation speed.
 */
export const FLUSH_INTERVAL_MS = 33;

/** Options of {@link OutputStream}. */
export interface OutputStreamOptions {
  /** Stop strings; generation ends at the first one and it is never emitted. */
  stop: readonly string[];
  /** Tokens in the prompt, cached or not. */
  promptTokens: number;
  /** Prompt tokens reused from the KV cache (not decoded again). */
  cachedTokens: number;
  /** When the request reached the engine, on `now`'s clock: TTFT and promptMs count from it. */
  startedAt: number;
  /** Milliseconds clock, e.g. `() => performance.now()`. */
  now: () => number;
  /** Pieces are posted at most this often, in milliseconds (the first at once, for TTFT). Default {@link FLUSH_INTERVAL_MS}. */
  flushIntervalMs?: number;
  /** Receives coalesced pieces; never called with an empty array. */
  onPieces: (pieces: Piece[]) => void;
}

/**
 * The output of one generation, fed token by token.
 *
 * Call {@linkcode OutputStream.promptDone} when the prompt is decoded,
 * {@linkcode OutputStream.push} for every sampled token, then
 * {@linkcode OutputStream.finish} once for the result.
 *
 * @example Usage
 * ```ts
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 * import { OutputStream } from "./output_stream.ts";
 *
 * let clock = 0;
 * const posted: string[] = [];
 * const out = new OutputStream({
 *   stop: ["!"],
 *   promptTokens: 4,
 *   cachedTokens: 0,
 *   startedAt: 0,
 *   now: () => clock,
 *   onPieces: (pieces) => posted.push(pieces.map((p) => p.text).join("")),
 * });
 * clock = 10;
 * out.promptDone();
 * out.push(1, new TextEncoder().encode("Hi"));
 * strictEqual(out.push(2, new TextEncoder().encode("! more")), true);
 * const result = out.finish("stop");
 * deepStrictEqual(posted, ["Hi", ""]);
 * strictEqual(result.text, "Hi");
 * strictEqual(result.stop, "!");
 * ```
 */
export class OutputStream {
  readonly #options: OutputStreamOptions;
  readonly #flushMs: number;
  readonly #matcher: StopMatcher;
  // One decoder for the whole sequence: a token's bytes can be part of a character.
  readonly #decoder = new TextDecoder("utf-8");
  #text = "";
  #pending: Piece[] = [];
  #lastFlush = 0;
  #generated = 0;
  #promptDoneAt: number | undefined;
  #firstTokenAt = 0;
  #stop: string | undefined;
  #cachedTokens: number;
  #draft: { drafted: number; accepted: number } | undefined;

  /**
   * Starts the output of one generation.
   *
   * @throws {TypeError} If `stop` is not an array of strings.
   * @throws {RangeError} If a stop string is empty.
   */
  constructor(options: OutputStreamOptions) {
    this.#options = options;
    this.#flushMs = options.flushIntervalMs ?? FLUSH_INTERVAL_MS;
    this.#matcher = new StopMatcher(options.stop);
    this.#cachedTokens = options.cachedTokens;
  }

  /**
   * Sets the prompt tokens reused from the KV cache (not decoded), in place of the
   * `cachedTokens` option, for a generation that learns it after it started: one that
   * waited for another sequence to decode the prompt prefix it then copies.
   */
  reused(cachedTokens: number): void {
    this.#cachedTokens = cachedTokens;
  }

  /** Tokens sampled so far, end-of-generation tokens included. */
  get generated(): number {
    return this.#generated;
  }

  /** Records the end of prompt processing (now); promptMs ends here. */
  promptDone(): void {
    this.#promptDoneAt = this.#options.now();
  }

  /**
   * Takes a sampled token: counts it (the first one's time is the TTFT), decodes its
   * bytes, matches stop strings and posts pieces when the flush interval has passed.
   *
   * @param token The token id.
   * @param bytes The token's text as bytes; omit it for an end-of-generation token,
   *   which is counted but has no text.
   * @returns `true` when a stop string was completed: finish with "stop".
   */
  push(token: number, bytes?: Uint8Array): boolean {
    const now = this.#options.now();
    if (++this.#generated === 1) this.#firstTokenAt = now;
    if (bytes === undefined) return false;
    const pushed = this.#matcher.push(this.#decoder.decode(bytes, { stream: true }));
    this.#text += pushed.text;
    this.#pending.push({ token, text: pushed.text });
    if (pushed.stopped) {
      this.#stop = pushed.stop;
      return true;
    }
    if (this.#generated === 1 || now - this.#lastFlush >= this.#flushMs) this.#flush(now);
    return false;
  }

  /**
   * Records a speculative generation's draft counts: tokens the draft proposed and the
   * target verified, and those it accepted. The result's metrics then carry
   * draftTokens, draftAcceptedTokens and draftAcceptanceRate.
   */
  recordDraft(drafted: number, accepted: number): void {
    this.#draft = { drafted, accepted };
  }

  /**
   * Ends the output: unless a stop string matched, held-back text (a possible stop
   * string that was not, an incomplete character) rides on the last piece; every
   * pending piece is posted.
   *
   * @param reason Why the generation ended; a matched stop string is reported with it.
   * @returns The result, its text and its metrics.
   */
  finish(reason: FinishReason): GenerationResult {
    if (this.#stop === undefined) {
      const tail = this.#matcher.flush() + this.#decoder.decode();
      if (tail) {
        this.#text += tail;
        // Held-back text belongs to no new token.
        const last = this.#pending.at(-1);
        if (last) last.text += tail;
        else this.#pending.push({ token: -1, text: tail });
      }
    }
    this.#flush(this.#options.now());
    const end = this.#options.now();
    return {
      finishReason: reason,
      ...(this.#stop === undefined ? {} : { stop: this.#stop }),
      text: this.#text,
      droppedMessages: 0,
      metrics: this.#metrics(end),
    };
  }

  #flush(now: number): void {
    if (this.#pending.length === 0) return;
    this.#options.onPieces(this.#pending);
    this.#pending = [];
    this.#lastFlush = now;
  }

  #metrics(end: number): GenerationMetrics {
    const { promptTokens, startedAt } = this.#options;
    const cachedTokens = this.#cachedTokens;
    const generated = this.#generated;
    const promptEvalTokens = promptTokens - cachedTokens;
    // A request that ends before its prompt is decoded spent all its time on it.
    const promptMs = (this.#promptDoneAt ?? end) - startedAt;
    const genMs = generated > 0 ? end - this.#firstTokenAt : 0;
    return {
      promptTokens,
      cachedTokens,
      promptEvalTokens,
      generatedTokens: generated,
      ttftMs: generated > 0 ? this.#firstTokenAt - startedAt : 0,
      promptMs,
      genMs,
      promptTokPerSec: promptMs > 0 ? (promptEvalTokens * 1000) / promptMs : 0,
      genTokPerSec: genMs > 0 && generated > 1 ? ((generated - 1) * 1000) / genMs : 0,
      ...(this.#draft === undefined ? {} : {
        draftTokens: this.#draft.drafted,
        draftAcceptedTokens: this.#draft.accepted,
        draftAcceptanceRate: this.#draft.drafted > 0
          ? this.#draft.accepted / this.#draft.drafted
          : 0,
      }),
    };
  }
}
