/**
 * A LoRA adapter loaded onto a model: made by `model.loadLora()`, applied to a context
 * with `context.setLoras()` or per request on a serving context.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { DisposedError } from "./errors.ts";
import { effectiveLoraScale, type LoraAdapterInfo } from "./lora_check.ts";

/** An adapter and the scale to apply it with (0 = off; 1 = as trained). */
export interface LoraEntry {
  /** The adapter, loaded on the context's model. */
  adapter: LoraAdapter;
  /** Scale; any finite number, 0 = off. llama.cpp multiplies by alpha / rank. */
  scale: number;
}

/** The owner an adapter reports to (its Model), kept abstract to avoid a cycle. */
export interface LoraOwner {
  /** Whether the model was disposed. */
  readonly disposed: boolean;
  /** @internal */
  _forgetLora(adapter: LoraAdapter): void;
}

/**
 * A LoRA adapter owned by its model: disposing the model frees it. Disposing it first
 * also takes it off every context that uses it.
 *
 * @example
 * ```ts
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using lora = await model.loadLora("models/stories260K-lora-random.gguf");
 * console.log(lora.info.alpha, lora.info.rank, lora.effectiveScale(1)); // 4 4 1
 * ```
 */
export class LoraAdapter {
  /** The file's facts, read before llama.cpp loaded it. */
  readonly info: LoraAdapterInfo;
  /** The model it was loaded on. */
  readonly model: LoraOwner;
  readonly #engine: Engine;
  readonly #id: number;
  #disposed = false;

  /** @internal Made by Model.loadLora. */
  constructor(engine: Engine, model: LoraOwner, id: number, info: LoraAdapterInfo) {
    this.#engine = engine;
    this.model = model;
    this.#id = id;
    this.info = info;
  }

  /** Whether the adapter was disposed, directly or with its model. */
  get disposed(): boolean {
    return this.#disposed || this.model.disposed || this.#engine.disposed;
  }

  /** @internal The Worker's id. @throws {DisposedError} after dispose. */
  get _id(): number {
    if (this.disposed) throw new DisposedError("LoraAdapter");
    return this.#id;
  }

  /** The scale llama.cpp applies for `scale`: `scale * alpha / rank` (alpha 0: `scale`). */
  effectiveScale(scale: number): number {
    return effectiveLoraScale(this.info, scale);
  }

  /** Frees the adapter, after taking it off the contexts that use it. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.model.disposed && !this.#engine.disposed) {
      this.#engine._send("freeLora", { loraId: this.#id });
    }
    this.model._forgetLora(this);
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * Checks a list of adapters with scales for `model` and turns it into the Worker's
 * form (ids and scales).
 *
 * @throws {TypeError} for a malformed entry or an adapter of another model.
 * @throws {RangeError} for a scale that is not finite.
 * @throws {DisposedError} for a disposed adapter.
 */
export function resolveLoras(
  loras: readonly LoraEntry[],
  model: LoraOwner,
): { loraId: number; scale: number }[] {
  if (!Array.isArray(loras)) throw new TypeError("loras must be an array of { adapter, scale }");
  return loras.map((entry, i) => {
    if (!(entry?.adapter instanceof LoraAdapter)) {
      throw new TypeError(`loras[${i}].adapter must be a LoraAdapter from model.loadLora()`);
    }
    if (entry.adapter.model !== model) {
      throw new TypeError(`loras[${i}].adapter was loaded on another model`);
    }
    if (typeof entry.scale !== "number" || !Number.isFinite(entry.scale)) {
      throw new RangeError(`loras[${i}].scale must be a finite number, got ${entry.scale}`);
    }
    return { loraId: entry.adapter._id, scale: entry.scale };
  });
}
