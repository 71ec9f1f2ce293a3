/**
 * The stream of one generation call: an AsyncIterable of pieces that ends when the
 * engine finishes, plus the result with finish_reason and metrics.
 *
 * @module
 */
import type { GenerationResult, Piece } from "./types.ts";

/**
 * A running generation. Iterate it for pieces (each at most once), or await
 * {@link Generation.result} for the whole text and metrics; both may be used
 * together.
 *
 * @example
 * ```ts
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * const generation = ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 });
 * const encoder = new TextEncoder();
 * for await (const piece of generation) await Deno.stdout.write(encoder.encode(piece.text));
 * const { finishReason, metrics } = await generation.result;
 * console.log(`\n${finishReason}: ${metrics.generatedTokens} tokens`); // "length: 8 tokens"
 * ```
 */
export class Generation implements AsyncIterable<Piece> {
  /** Resolves when the generation ends; rejects with the error that ended it. */
  readonly result: Promise<GenerationResult>;
  readonly #queue: Piece[] = [];
  #wake: (() => void) | undefined;
  #done = false;
  #error: unknown;

  /** @internal Built by Context; `start` wires the engine's events to this stream. */
  constructor(start: (push: (pieces: Piece[]) => void) => Promise<GenerationResult>) {
    this.result = start((pieces) => {
      this.#queue.push(...pieces);
      this.#signal();
    }).then(
      (result) => {
        this.#done = true;
        this.#signal();
        return result;
      },
      (error) => {
        this.#done = true;
        this.#error = error;
        this.#signal();
        throw error;
      },
    );
    // Iterating callers see the error from the iterator; do not also report it unhandled.
    this.result.catch(() => {});
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Yields pieces as they arrive; throws the error that ended the generation. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Piece, void, undefined> {
    for (;;) {
      if (this.#queue.length > 0) {
        yield this.#queue.shift()!;
        continue;
      }
      if (this.#done) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * Yields the pieces in batches: every piece that arrived since the last batch, in
   * order, never an empty batch; throws the error that ended the generation. The
   * engine posts pieces coalesced (at most every 33 ms), so a server that writes one
   * event per batch instead of one per piece writes, wakes its client and builds
   * JSON a few times less per token. Use this or the pieces iterator, not both.
   */
  async *batches(): AsyncGenerator<Piece[], void, undefined> {
    for (;;) {
      if (this.#queue.length > 0) {
        yield this.#queue.splice(0);
        continue;
      }
      if (this.#done) {
        if (this.#error !== undefined) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /**
   * Waits for the end and returns the whole text.
   *
   * @throws the error that ended the generation, as {@link Generation.result} rejects.
   * @example
   * ```ts
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * console.log(await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).text());
   * ```
   */
  async text(): Promise<string> {
    return (await this.result).text;
  }
}
