/**
 * What a `Model` loads onto itself besides contexts and samplers: its LoRA
 * adapters and its mmproj (vision projector). Each file is checked before llama.cpp
 * sees it; the model owns them and frees them when it is disposed.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { checkGgufFile } from "./gguf_check.ts";
import { LoraAdapter, type LoraOwner } from "./lora.ts";
import { checkLoraFile } from "./lora_check.ts";
import { checkMmprojFile, Mmproj, type MmprojInfo, type MmprojOwner } from "./mmproj.ts";
import type { ModelInfo } from "./types.ts";

/** The model the adapters belong to, as they see it. */
export type AdapterOwner = LoraOwner & MmprojOwner & { readonly info: ModelInfo };

/** The LoRA adapters and the mmproj of one model. */
export class ModelAdapters {
  readonly #engine: Engine;
  readonly #owner: AdapterOwner;
  /** Throws DisposedError once the model is disposed. */
  readonly #check: () => void;
  readonly #loras = new Set<LoraAdapter>();
  #mmproj: Mmproj | undefined;
  /** The model's tensor shapes by name, read from its file at the first adapter. */
  #tensorShapes: Promise<Map<string, number[]>> | undefined;

  /** @param check throws DisposedError once the model is disposed */
  constructor(engine: Engine, owner: AdapterOwner, check: () => void) {
    this.#engine = engine;
    this.#owner = owner;
    this.#check = check;
  }

  /** Loads a LoRA adapter: see `Model.loadLora`. */
  async loadLora(path: string): Promise<LoraAdapter> {
    this.#check();
    if (typeof path !== "string" || path === "") {
      throw new TypeError("path must be a non-empty string");
    }
    const { info: model } = this.#owner;
    this.#tensorShapes ??= checkGgufFile(model.path).then((file) =>
      new Map(file.tensors.map((t) => [t.name, t.shape]))
    );
    const info = await checkLoraFile(path, model.architecture, await this.#tensorShapes);
    this.#check();
    const modelId = this.#owner._id;
    const loraId = await this.#engine._call("loadLora", { modelId, path }) as number;
    const adapter = new LoraAdapter(this.#engine, this.#owner, loraId, info);
    this.#loras.add(adapter);
    return adapter;
  }

  /** Loads the mmproj: see `Model.loadMmproj`. */
  async loadMmproj(path: string, options: { nThreads?: number }): Promise<Mmproj> {
    this.#check();
    if (typeof path !== "string" || path === "") {
      throw new TypeError("path must be a non-empty string");
    }
    const nThreads = options.nThreads ?? Math.min(8, navigator.hardwareConcurrency || 4);
    if (!Number.isInteger(nThreads) || nThreads < 1) {
      throw new RangeError(`nThreads must be an integer >= 1, got ${nThreads}`);
    }
    await checkMmprojFile(path);
    this.#check();
    const info = await this.#engine._call("loadMmproj", {
      modelId: this.#owner._id,
      path,
      nThreads,
    }) as MmprojInfo;
    this.#mmproj = new Mmproj(this.#engine, this.#owner, info);
    return this.#mmproj;
  }

  /** The mmproj loaded and not disposed, if any. */
  get mmproj(): Mmproj | undefined {
    return this.#mmproj;
  }

  /** The adapters loaded and not disposed. */
  get loras(): readonly LoraAdapter[] {
    return [...this.#loras];
  }

  /** Forgets an mmproj that reported its own dispose. */
  forgetMmproj(mmproj: Mmproj): void {
    if (this.#mmproj === mmproj) this.#mmproj = undefined;
  }

  /** Forgets an adapter that reported its own dispose. */
  forgetLora(adapter: LoraAdapter): void {
    this.#loras.delete(adapter);
  }

  /** Disposes every adapter, then the mmproj (the Worker frees them with the model). */
  dispose(): void {
    for (const adapter of [...this.#loras]) adapter.dispose();
    this.#mmproj?.dispose();
  }
}
