/**
 * The app's one loaded model: the engine, the model, its serving context (the slots
 * chats and the app's OpenAI server share), and the load in progress. Loading a model
 * unloads the previous one; every change is published on the event hub for the UI.
 *
 * @module
 */
import { resolve } from "node:path";
import { createServingContext, type ServingContext } from "../engine/serving.ts";
import { Engine, type EngineOptions } from "../engine/engine.ts";
import { loadModel, type Model } from "../engine/model.ts";
import { chooseVariant, machineFacts } from "../ffi/lib_dir.ts";
import { detectDevices, type DeviceKind } from "../ffi/devices.ts";
import { LibraryLoadError } from "../ffi/errors.ts";
import { NoModelLoadedError } from "./errors.ts";
import { DisposedError, DraftModelError, ModelCrashError } from "../engine/errors.ts";
import { LoadVerdicts } from "../engine/load_verdicts.ts";
import type { ModelLibrary } from "../library/mod.ts";
import type { EventHub } from "./events.ts";
import type { LoraAdapter, LoraEntry } from "../engine/lora.ts";
import type { KvCacheType } from "../engine/context_options.ts";
import type { ModelLoadOptions } from "../storage/mod.ts";

/** The loaded model as the UI API shows it (docs/ui-api.md `LoadedModel`). */
export interface LoadedModel {
  path: string;
  description: string;
  n_params: number;
  size_bytes: number;
  n_ctx_train: number;
  /** Tokens of each slot. */
  n_ctx: number;
  /** Slots: replies generated at once. */
  n_parallel: number;
  /** KV cache of all slots. */
  kv_cache_bytes: number;
  n_layers_offloaded: number;
  /** LoRA adapters on the chat context, in the order they were added. */
  loras: LoadedLora[];
  /** The mmproj loaded with the model (it then takes images), or null. */
  mmproj: string | null;
  /**
   * Why the model takes no images although the library pairs it with an mmproj (libmtmd
   * not built, or the file refused), with what to do; null otherwise.
   */
  vision_error: string | null;
  /** The draft model speculative decoding runs with (load option `draft_model`), or null. */
  draft_model: string | null;
  /**
   * Why the model loaded without the draft model its load options name (a vocabulary that
   * differs, a file that does not load); null otherwise.
   */
  draft_error: string | null;
  /**
   * The prebuilt `@node-llama-cpp` package the model's engine runs, e.g. "linux-x64-vulkan",
   * or "custom" for --lib-dir (load option `variant` picks it).
   */
  variant: string;
  /** ggml's devices of that engine, e.g. ["Vulkan0", "CPU"]: the ones layers can go to. */
  devices: string[];
}

/** A LoRA adapter on the loaded model (docs/ui-api.md `LoadedLora`). */
export interface LoadedLora {
  /** The host's id of the adapter, for PATCH and DELETE. */
  id: number;
  path: string;
  /** `general.name` of the adapter file, else its file name. */
  name: string;
  /** The scale it is applied with; 0 = off. */
  scale: number;
  /** What llama.cpp multiplies with: scale * alpha / rank (alpha 0: scale). */
  effective_scale: number;
}

/** Saved load options in the engine's spelling: the model's, the context's and the draft's. */
interface EngineLoadOptions {
  /** The device kind to load on; absent: the engine the host was created for. */
  variant?: DeviceKind;
  model: { nGpuLayers?: number; useMmap?: boolean; useMlock?: boolean };
  /** The draft model file and its limits (engine defaults when absent). */
  draft?: { path: string; nMax?: number; pMin?: number };
  context: {
    nThreads?: number;
    flashAttn?: boolean | "auto";
    typeK?: KvCacheType;
    typeV?: KvCacheType;
  };
}

/** Maps saved load options (llama.cpp's names) to the engine's; absent ones stay absent. */
function engineLoadOptions(o: ModelLoadOptions): EngineLoadOptions {
  const pick = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  return {
    ...(o.variant === undefined ? {} : { variant: o.variant }),
    model: pick({ nGpuLayers: o.n_gpu_layers, useMmap: o.use_mmap, useMlock: o.use_mlock }),
    context: pick({
      nThreads: o.n_threads,
      flashAttn: o.flash_attn === undefined || o.flash_attn === "auto"
        ? o.flash_attn
        : o.flash_attn === "on",
      typeK: o.cache_type_k,
      typeV: o.cache_type_v,
    }),
    ...(o.draft_model === undefined
      ? {}
      : { draft: pick({ path: o.draft_model, nMax: o.draft_max, pMin: o.draft_p_min }) }),
  };
}

/** A load in progress: the file and a fraction in [0, 1]. */
export interface Loading {
  path: string;
  progress: number;
}

/** Why the last load failed: the file and the error's message. */
export interface LoadError {
  path: string;
  message: string;
}

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
  readonly #engineOptions: EngineOptions;
  /** What the running engine was started with (a load's `variant` changes it). */
  #currentOptions: EngineOptions;
  /**
   * The verdicts of child-process loads (engine/load_probe.ts): only a file's first load
   * runs in a child; a file that crashed there never loads here. Undefined: in memory.
   */
  readonly verdicts: LoadVerdicts | undefined;
  #engine: Promise<Engine> | undefined;
  #closed = false;
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
  #loras: { id: number; adapter: LoraAdapter; scale: number }[] = [];
  #nextLoraId = 1;
  /** Kept until the next load starts, so a UI that connects later still sees it. */
  #loadError: LoadError | undefined;

  readonly #onCrash: ((path: string, error: ModelCrashError) => void) | undefined;
  readonly #startEngine: (options: EngineOptions) => Promise<Engine>;

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
    this.#engineOptions = engineOptions;
    this.#currentOptions = engineOptions;
    this.verdicts = options.verdicts;
    this.#onCrash = options.onCrash;
    this.#startEngine = options.startEngine ?? ((engineOptions) => Engine.start(engineOptions));
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
      loras: this.#loras.map(({ id, adapter, scale }) => ({
        id,
        path: adapter.info.path,
        name: adapter.info.name ?? adapter.info.path.split(/[\\/]/).pop()!,
        scale,
        effective_scale: adapter.effectiveScale(scale),
      })),
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
    this.#loras.push({ id: this.#nextLoraId++, adapter, scale });
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
    this.#loras = this.#loras.filter((l) => l !== entry);
    const loaded = await this.#applyLoras();
    entry.adapter.dispose();
    return loaded;
  }

  #lora(id: number): { id: number; adapter: LoraAdapter; scale: number } {
    if (!this.loaded) throw new NoModelLoadedError();
    const entry = this.#loras.find((l) => l.id === id);
    if (!entry) {
      throw new RangeError(`Cannot find LoRA adapter ${id}: it is not on the loaded model`);
    }
    return entry;
  }

  /**
   * The adapters and scales replies run with: passed per request to the serving
   * context, whose scheduler never batches two different sets in one decode.
   */
  get activeLoras(): LoraEntry[] {
    return this.#loras.map(({ adapter, scale }) => ({ adapter, scale }));
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
  async engine(): Promise<Engine> {
    if (this.#closed) throw new DisposedError("Engine");
    // An engine that ended on its own (its RPC child process died with a worker) is
    // replaced: the next load starts a fresh one, and the app lives on.
    const current = await this.#engine?.catch(() => undefined);
    if (current?.disposed && !this.#closed) this.#engine = undefined;
    // One start shared by every caller; one that finishes after close() is stopped at
    // once, or its Worker would keep the process alive after the app closed.
    this.#engine ??= this.#startEngine(this.#currentOptions).then((engine) => {
      if (!this.#closed) return engine;
      engine.dispose();
      throw new DisposedError("Engine");
    }, (error) => {
      this.#engine = undefined; // the next call tries again, with the host's own options
      this.#currentOptions = this.#engineOptions;
      throw error;
    });
    return await this.#engine;
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
    let fresh: { engine: Engine; options: EngineOptions } | undefined;
    try {
      const target = await this.#engineFor(options.variant, abort.signal);
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
      let drafted: { serving: ServingContext; draftModel: Model | undefined; error: string | null };
      try {
        drafted = await this.#servingWithDraft(model, contextOptions, options, abort.signal);
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
      if (fresh) this.#adoptEngine(fresh.engine, fresh.options);
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

  /**
   * The engine a load on `device` runs on: the running one when it runs the package that
   * device kind maps to (no kind: when it runs the host's default package), else a new
   * engine on that package, returned as `fresh` for the caller to adopt or dispose.
   *
   * @throws the signal's reason when the load was cancelled before a new engine started.
   * @throws {LibraryLoadError} when `device` is not detected here (ffi/devices.ts: no
   *   package for this OS and CPU, no driver), or the new engine cannot start (its package
   *   cannot be fetched).
   */
  async #engineFor(
    device: DeviceKind | undefined,
    signal: AbortSignal,
  ): Promise<{ engine: Engine; fresh?: { engine: Engine; options: EngineOptions } }> {
    const wanted = this.#engineOptionsFor(device);
    if (this.#engine === undefined) this.#currentOptions = wanted; // the first start uses it
    const current = await this.engine();
    if (current.info.variant === this.#variantOf(wanted)) return { engine: current };
    signal.throwIfAborted(); // a load cancelled meanwhile starts no engine
    const engine = await this.#startEngine(wanted);
    if (this.#closed) {
      engine.dispose();
      throw new DisposedError("Engine");
    }
    return { engine, fresh: { engine, options: wanted } };
  }

  /** The engine options for `device`: the host's own for none, else its prebuilt package. */
  #engineOptionsFor(device: DeviceKind | undefined): EngineOptions {
    if (device === undefined) return this.#engineOptions;
    // Undetected kinds are refused rather than tried: a CUDA package is over 500 MB to fetch
    // for a machine without the driver to run it.
    const choice = detectDevices().find((d) => d.device === device)!;
    if (!choice.detected || choice.variant === null) {
      throw new LibraryLoadError(
        `Cannot load on ${device}: ${choice.reason.replace(/^./, (c) => c.toLowerCase())}; ` +
          `choose another device in the model's load options`,
      );
    }
    return { ...this.#engineOptions, libDir: undefined, variant: choice.variant };
  }

  /** The `EngineInfo.variant` an engine started with `options` reports. */
  #variantOf(options: EngineOptions): string {
    if (options.libDir !== undefined) return "custom";
    return options.variant ?? chooseVariant(machineFacts());
  }

  /** Makes `engine` the host's; the previous engine (its model already unloaded) is closed. */
  #adoptEngine(engine: Engine, options: EngineOptions): void {
    const previous = this.#engine;
    this.#engine = Promise.resolve(engine);
    this.#currentOptions = options;
    previous?.then((old) => old.dispose(), () => {});
  }

  /**
   * The serving context on `model`, with the draft model the load options name when it can
   * draft for it. A draft that does not load or whose vocabulary differs
   * ({@link DraftModelError}) is no failure of the load: the context is made without it and
   * the reason returned. The caller owns the draft model returned.
   *
   * @throws what createServingContext throws without a draft.
   */
  async #servingWithDraft(
    model: Model,
    contextOptions: Parameters<typeof createServingContext>[1],
    options: EngineLoadOptions,
    signal: AbortSignal,
  ): Promise<{ serving: ServingContext; draftModel: Model | undefined; error: string | null }> {
    if (!options.draft) {
      return {
        serving: await createServingContext(model, contextOptions),
        draftModel: undefined,
        error: null,
      };
    }
    const { path, ...limits } = options.draft;
    let draftModel: Model;
    try {
      draftModel = await loadModel(path, {
        engine: model.engine,
        loadVerdicts: this.verdicts,
        signal,
        ...options.model,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const reason = `Cannot load "${path}" as the draft model: ${(error as Error).message}`;
      return await this.#servingWithoutDraft(model, contextOptions, reason);
    }
    try {
      const serving = await createServingContext(model, {
        ...contextOptions,
        draft: { model: draftModel, ...limits },
      });
      return { serving, draftModel, error: null };
    } catch (error) {
      draftModel.dispose();
      if (!(error instanceof DraftModelError)) throw error;
      return await this.#servingWithoutDraft(model, contextOptions, error.message);
    }
  }

  async #servingWithoutDraft(
    model: Model,
    contextOptions: Parameters<typeof createServingContext>[1],
    reason: string,
  ): Promise<{ serving: ServingContext; draftModel: undefined; error: string }> {
    const serving = await createServingContext(model, contextOptions);
    return {
      serving,
      draftModel: undefined,
      error: `${reason.replace(/\.$/, "")}. The model runs without it.`,
    };
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
    this.#loras = [];
    this.#request = undefined;
    this.#events.publish({ event: "model", data: null });
  }

  /** Unloads and stops the engine Worker. */
  close(): void {
    this.#closed = true;
    this.#loading?.abort.abort();
    this.unload();
    this.#engine?.then((engine) => engine.dispose(), () => {});
  }
}

function checkScale(scale: number): void {
  if (typeof scale !== "number" || !Number.isFinite(scale)) {
    throw new RangeError(`Cannot set a LoRA scale of ${scale}: give a finite number such as 0.5`);
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

/** Marks a file that crashed llama.cpp broken in the library, if it is listed there. */
export async function markCrashed(
  library: ModelLibrary,
  path: string,
  error: ModelCrashError,
): Promise<void> {
  try {
    await library.markBroken(resolve(path), await LoadVerdicts.stamp(path), error.reason);
  } catch {
    // The file vanished or the library closed: the verdict cache still holds the crash.
  }
}
