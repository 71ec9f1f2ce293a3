/**
 * The app's one loaded model: the engine, the model, its serving context (the slots
 * chats and the app's OpenAI server share), and the load in progress. Loading a model
 * unloads the previous one; every change is published on the event hub for the UI.
 *
 * This module holds the load queue (one load at a time, joined when asked again) and
 * what is loaded; beside it are the engine and its switching between device kinds
 * (`host_engine.ts`), the draft model's serving context (`draft_serving.ts`), the LoRA
 * adapters (`host_loras.ts`), the saved load options' mapping (`engine_load_options.ts`)
 * and the UI API's shapes (`loaded_model.ts`).
 *
 * @module
 */
import type { ServingContext } from "../engine/serving.ts";
import type { Engine, EngineOptions } from "../engine/engine.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { NoModelLoadedError } from "./errors.ts";
import { ModelCrashError } from "../engine/errors.ts";
import type { LoadVerdicts } from "../engine/load_verdicts.ts";
import type { EventHub } from "./events.ts";
import type { LoraEntry } from "../engine/lora.ts";
import { checkScale, type HostLora, HostLoras } from "./host_loras.ts";
import type { ModelLoadOptions } from "../storage/mod.ts";
import { type EngineLoadOptions, engineLoadOptions } from "./engine_load_options.ts";
import { type FreshEngine, HostEngine } from "./host_engine.ts";
import { type DraftServing, servingWithDraft } from "./draft_serving.ts";
import type { LoadedModel, LoadError, Loading } from "./loaded_model.ts";

// The UI API's shapes live in loaded_model.ts, markCrashed in model_loads.ts; their
// importers keep this path.
export type { LoadedLora, LoadedModel, LoadError, Loading } from "./loaded_model.ts";
export { markCrashed } from "./model_loads.ts";

/** A load in progress, and what it was asked for. */
interface LoadJob extends Loading {
  abort: AbortController;
  /** Path, n_ctx and slots, as JSON: the same key joins this load. */
  key: string;
  done?: Promise<LoadedModel>;
}

/**
 * Owns the engine and the loaded model; one load at a time. A load ends with a `model`
 * event (success) or a `load_error` event (failure), then `loading: null`.
 */
export class ModelHost {
  readonly #events: EventHub;
  /** The engine, and switching it when a load asks for another device kind. */
  readonly #engines: HostEngine;
  /**
   * The verdicts of child-process loads (engine/load_probe.ts): only a file's first load
   * runs in a child; a file that crashed there never loads here. Undefined: in memory.
   */
  readonly verdicts: LoadVerdicts | undefined;
  #model: Model | undefined;
  /** The draft model on the same engine, freed with the model. */
  #draftModel: Model | undefined;
  #draftError: string | null = null;
  #serving: ServingContext | undefined;
  #loading: LoadJob | undefined;
  /** What the loaded model was asked for; llama.cpp may round n_ctx up. */
  #request: { path: string; nCtx: number; nParallel: number; options: string } | undefined;
  readonly #slots: () => number;
  readonly #mmprojFor: (path: string) => string | null;
  #visionError: string | null = null;
  readonly #loadOptions: (path: string) => ModelLoadOptions;
  readonly #loras = new HostLoras();
  /** Kept until the next load starts, so a UI that connects later still sees it. */
  #loadError: LoadError | undefined;

  readonly #onCrash: ((path: string, error: ModelCrashError) => void) | undefined;

  /**
   * Creates the host; the engine starts with the first load.
   *
   * @param options.verdicts Where child-process load verdicts are kept; default: in memory.
   * @param options.onCrash Called when a load crashed llama.cpp in its child process
   *   (the app marks the file broken in the library); exceptions are ignored.
   * @param options.startEngine Starts the engine; default `Engine.start`. Tests may pass
   *   another.
   * @param options.slots The slots a load makes (read at each load and by {@link serves});
   *   default 4.
   * @param options.loadOptions The load options saved for a file (GPU layers, threads, flash
   *   attention, KV cache types, mmap), read at each load and by {@link serves}: changed
   *   options make the next reply reload the model. Default none.
   */
  constructor(
    events: EventHub,
    engineOptions: EngineOptions = {},
    options: {
      verdicts?: LoadVerdicts;
      onCrash?: (path: string, error: ModelCrashError) => void;
      startEngine?: (options: EngineOptions) => Promise<Engine>;
      slots?: () => number;
      mmprojFor?: (path: string) => string | null;
      loadOptions?: (path: string) => ModelLoadOptions;
    } = {},
  ) {
    this.#events = events;
    this.#engines = new HostEngine(engineOptions, options.startEngine);
    this.verdicts = options.verdicts;
    this.#onCrash = options.onCrash;
    this.#slots = options.slots ?? (() => 4);
    this.#mmprojFor = options.mmprojFor ?? (() => null);
    this.#loadOptions = options.loadOptions ?? (() => ({}));
  }

  /** The loaded model, or null. */
  get loaded(): LoadedModel | null {
    const model = this.#model;
    const ctx = this.#serving?.context;
    if (!model || !ctx || ctx.disposed) return null;
    return {
      path: model.info.path,
      description: model.info.description,
      n_params: model.info.nParams,
      size_bytes: model.info.sizeBytes,
      n_ctx_train: model.info.nCtxTrain,
      n_ctx: ctx.info.nCtxSeq,
      n_parallel: ctx.info.nSeqMax,
      kv_cache_bytes: ctx.info.kvCacheBytes,
      n_layers_offloaded: model.info.nLayersOffloaded,
      loras: this.#loras.loaded,
      mmproj: model.mmproj?.info.path ?? null,
      vision_error: this.#visionError,
      draft_model: this.#draftModel?.info.path ?? null,
      draft_error: this.#draftError,
      variant: model.engine.info.variant,
      devices: model.engine.info.devices.map((device) => device.name),
    };
  }

  /**
   * Loads a LoRA adapter onto the loaded model and applies it to the chat context at
   * `scale`; the next reply uses it, no reload needed.
   *
   * @throws {NoModelLoadedError} when no model is loaded.
   * @throws {LoraAdapterError} for a file that is not an adapter of this model.
   * @throws {RangeError} for a scale that is not finite.
   */
  async addLora(path: string, scale = 1): Promise<LoadedModel> {
    const model = this.model;
    if (!model) throw new NoModelLoadedError();
    checkScale(scale);
    const adapter = await model.loadLora(path);
    if (this.#model !== model) throw new NoModelLoadedError(); // unloaded meanwhile
    this.#loras.add(adapter, scale);
    return await this.#applyLoras();
  }

  /**
   * Sets an adapter's scale (0 = off) for the next reply.
   *
   * @throws {NoModelLoadedError} when no model is loaded.
   * @throws {RangeError} for an unknown id or a scale that is not finite.
   */
  async setLoraScale(id: number, scale: number): Promise<LoadedModel> {
    checkScale(scale);
    this.#lora(id).scale = scale;
    return await this.#applyLoras();
  }

  /**
   * Takes an adapter off and frees it.
   *
   * @throws {NoModelLoadedError} when no model is loaded.
   * @throws {RangeError} for an unknown id.
   */
  async removeLora(id: number): Promise<LoadedModel> {
    const entry = this.#lora(id);
    this.#loras.remove(entry);
    const loaded = await this.#applyLoras();
    entry.adapter.dispose();
    return loaded;
  }

  #lora(id: number): HostLora {
    if (!this.loaded) throw new NoModelLoadedError();
    return this.#loras.get(id);
  }

  /**
   * The adapters and scales replies run with: passed per request to the serving
   * context, whose scheduler never batches two different sets in one decode.
   */
  get activeLoras(): LoraEntry[] {
    return this.#loras.active;
  }

  // Replies take the set per request: one running now keeps its set, the next gets this.
  // deno-lint-ignore require-await
  async #applyLoras(): Promise<LoadedModel> {
    const loaded = this.loaded!;
    this.#events.publish({ event: "model", data: loaded });
    return loaded;
  }

  /** The load in progress, or null. */
  get loading(): Loading | null {
    return this.#loading ? { path: this.#loading.path, progress: this.#loading.progress } : null;
  }

  /** Why the last load failed, or null when it succeeded or another load runs. */
  get loadError(): LoadError | null {
    return this.#loadError ? { ...this.#loadError } : null;
  }

  /**
   * The loaded model, or null. The host owns it: contexts made on it are freed with it
   * when it is unloaded; never dispose it elsewhere.
   */
  get model(): Model | null {
    return this.loaded ? this.#model! : null;
  }

  /** The engine, started on first use (memory-fit estimates need one before any load). */
  engine(): Promise<Engine> {
    return this.#engines.engine();
  }

  /**
   * Whether the loaded model is `path` with slots made for `nCtx` tokens each, as many
   * as the slots setting asks for now.
   */
  serves(path: string, nCtx: number): boolean {
    const request = this.#request;
    return this.loaded !== null && request?.path === path && request.nCtx === nCtx &&
      request.nParallel === this.#slots() &&
      request.options === JSON.stringify(engineLoadOptions(this.#loadOptions(path)));
  }

  /**
   * The serving context whose slots chats and the OpenAI server share.
   *
   * @throws {NoModelLoadedError} when no model is loaded.
   */
  serving(): ServingContext {
    if (!this.#serving || this.#serving.context.disposed) {
      throw new NoModelLoadedError();
    }
    return this.#serving;
  }

  /**
   * Loads `path` with slots of `nCtx` tokens each (as many as the slots setting says),
   * replacing the loaded model; another load already running is cancelled. Resolves when loaded; rejects with the load error, which
   * is also kept in {@link loadError} and published as `load_error` (unless the load was
   * cancelled: that is no failure to report). The same load asked for again while it runs
   * (two chats sending at once) joins it rather than restarting it.
   */
  load(path: string, nCtx: number): Promise<LoadedModel> {
    const options = engineLoadOptions(this.#loadOptions(path));
    const key = JSON.stringify([path, nCtx, this.#slots(), options]);
    if (this.#loading?.key === key && this.#loading.done) return this.#loading.done;
    this.#loading?.abort.abort();
    const loading: LoadJob = {
      path,
      progress: 0,
      abort: new AbortController(),
      key,
    };
    this.#loading = loading;
    loading.done = this.#load(path, nCtx, loading, options);
    return loading.done;
  }

  async #load(
    path: string,
    nCtx: number,
    loading: LoadJob,
    options: EngineLoadOptions,
  ): Promise<LoadedModel> {
    const { abort } = loading;
    this.#loadError = undefined;
    this.#events.publish({ event: "loading", data: this.loading });
    /** A new engine this load started (another device kind); owned here until adopted. */
    let fresh: FreshEngine | undefined;
    try {
      const target = await this.#engines.engineFor(options.variant, abort.signal);
      fresh = target.fresh;
      const model = await loadModel(path, {
        engine: target.engine,
        loadVerdicts: this.verdicts,
        signal: abort.signal,
        ...options.model,
        onProgress: (progress) => {
          loading.progress = progress;
          this.#events.publish({ event: "loading", data: this.loading });
        },
      });
      const nParallel = this.#slots();
      const contextOptions = {
        nParallel,
        nCtxPerSlot: Math.min(nCtx, model.info.nCtxTrain || nCtx),
        ...options.context,
      };
      let drafted: DraftServing;
      try {
        drafted = await servingWithDraft(
          model,
          contextOptions,
          options,
          this.verdicts,
          abort.signal,
        );
      } catch (error) {
        model.dispose();
        throw error;
      }
      const { serving, draftModel } = drafted;
      const visionError = await loadPairedMmproj(model, this.#mmprojFor(path));
      if (abort.signal.aborted) {
        model.dispose();
        draftModel?.dispose();
        throw abort.signal.reason;
      }
      this.unload();
      if (fresh) this.#engines.adopt(fresh);
      fresh = undefined;
      this.#visionError = visionError;
      this.#model = model;
      this.#draftModel = draftModel;
      this.#draftError = drafted.error;
      this.#serving = serving;
      this.#request = { path, nCtx, nParallel, options: JSON.stringify(options) };
      this.#events.publish({ event: "model", data: this.loaded });
      if (drafted.error !== null) {
        // The model serves without the draft; the reason is a load error the UI shows.
        this.#loadError = { path, message: drafted.error };
        this.#events.publish({ event: "load_error", data: this.loadError });
      }
      return this.loaded!;
    } catch (error) {
      fresh?.engine.dispose();
      if (error instanceof ModelCrashError) {
        try {
          this.#onCrash?.(path, error);
        } catch {
          // Marking the file is a courtesy; the verdict already keeps it from loading.
        }
      }
      if (!abort.signal.aborted) {
        this.#loadError = { path, message: error instanceof Error ? error.message : String(error) };
        this.#events.publish({ event: "load_error", data: this.loadError });
      }
      throw error;
    } finally {
      if (this.#loading === loading) this.#loading = undefined;
      this.#events.publish({ event: "loading", data: this.loading });
    }
  }

  /** Unloads the model (stopping its generations). */
  unload(): void {
    if (!this.#model) return;
    this.#model.dispose();
    this.#draftModel?.dispose();
    this.#draftModel = undefined;
    this.#draftError = null;
    this.#model = undefined;
    this.#serving = undefined;
    this.#loras.clear();
    this.#request = undefined;
    this.#events.publish({ event: "model", data: null });
  }

  /** Unloads and stops the engine Worker. */
  close(): void {
    // Marked closed first (no engine starts after this); the engine stops in a later
    // microtask, after the unload below has freed the model.
    this.#engines.close();
    this.#loading?.abort.abort();
    this.unload();
  }
}

/**
 * Loads the mmproj the library pairs with a model, if any; a failure leaves the model
 * usable for text and is returned as the reason it takes no images.
 */
async function loadPairedMmproj(model: Model, mmproj: string | null): Promise<string | null> {
  if (mmproj === null) return null;
  try {
    await model.loadMmproj(mmproj);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}
