/**
 * A sampler chain kept across generation calls, owned by the engine Worker. The chain
 * (its stages, settings and seed) is built once; its state resets at the start of
 * every call, as llama-server starts each request afresh.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { DisposedError } from "./errors.ts";
import type { ResolvedSampling } from "./sampling.ts";

/**
 * A native sampler chain. Create it with `model.createSampler(options)`, pass it as
 * `{ sampler }` to `generate`/`chat`, dispose it (or its model) to free it.
 *
 * Reusing one saves building the chain (parsing a grammar) per call. What carries
 * over is the chain itself, never its state: each call begins with an empty penalty
 * window, the grammar at its start and the random generator reseeded with
 * `options.seed`, so the same prompt with the same sampler gives the same text.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * using sampler = await model.createSampler({ temperature: 0.8, seed: 42 });
 * const first = await ctx.generate("Once", { sampler, maxTokens: 8 }).text();
 * strictEqual(await ctx.generate("Once", { sampler, maxTokens: 8 }).text(), first);
 * ```
 */
export class Sampler {
  /** The options the chain was built from, with defaults filled in and the seed drawn. */
  readonly options: Readonly<ResolvedSampling>;
  readonly #engine: Engine;
  readonly #id: number;
  #disposed = false;

  /** @internal Made by Model.createSampler. */
  constructor(engine: Engine, id: number, options: ResolvedSampling) {
    this.#engine = engine;
    this.#id = id;
    this.options = Object.freeze(options);
  }

  /** Whether the sampler was disposed (directly or with its model). */
  get disposed(): boolean {
    return this.#disposed || this.#engine.disposed;
  }

  /** @internal The Worker's id. @throws {DisposedError} after dispose. */
  get _id(): number {
    if (this.disposed) throw new DisposedError("Sampler");
    return this.#id;
  }

  /**
   * Frees the chain; idempotent. A call given a disposed sampler throws DisposedError.
   *
   * @example
   * ```ts
   * import { throws } from "node:assert/strict";
   * import { DisposedError, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * const sampler = await model.createSampler({ temperature: 0 });
   * sampler.dispose();
   * throws(() => ctx.generate("Once", { sampler }), DisposedError);
   * ```
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#engine._send("freeSampler", { samplerId: this.#id });
  }

  /** @internal Marks disposed when the model frees it in the Worker. */
  _markDisposed(): void {
    this.#disposed = true;
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Same as {@link dispose}. */
  close(): void {
    this.dispose();
  }
}
