/**
 * Loading a model: {@link loadModel} and its load-time options. The file is validated
 * before llama.cpp sees it, loaded once in a child process first, then in the engine.
 * The {@link Model} it returns, with what hangs off it (contexts, samplers, tokenizer,
 * chat template, embeddings), is in model_handle.ts; this module re-exports it.
 *
 * @module
 */
import { Engine, type EngineOptions } from "./engine.ts";
import { checkGgufFile } from "./gguf_check.ts";
import { locateLibraries } from "../ffi/lib_dir.ts";
import { checkLoadInChild } from "./load_probe.ts";
import type { LoadVerdicts } from "./load_verdicts.ts";
import { Model } from "./model_handle.ts";
import type { ModelInfo } from "./types.ts";

export { Model } from "./model_handle.ts";
export type { DetokenizeOptions, TokenizeOptions } from "./types.ts";

/** Load-time options of {@link loadModel}. */
export interface LoadModelOptions extends EngineOptions {
  /**
   * Layers to offload to GPU devices; integer >= -1, `-1` = all, `0` = CPU only.
   * Ignored where no GPU backend loaded. Default -1 (llama.cpp's default).
   */
  nGpuLayers?: number;
  /** Memory-map the file instead of reading it (pages load on demand). Default true. */
  useMmap?: boolean;
  /**
   * Lock the weights in RAM (`mlock`: never swapped out or compressed), llama.cpp's
   * `--mlock` (load mode MLOCK, or MMAP_MLOCK with `useMmap`). Needs RLIMIT_MEMLOCK room
   * for the weights (root has it; others may need `ulimit -l`). Default false.
   */
  useMlock?: boolean;
  /** Load the tokenizer only: tokenize and detokenize work, contexts do not. Default false. */
  vocabOnly?: boolean;
  /**
   * Let the CPU backend repack weights into its extra buffer types (interleaved layouts
   * with their own matmul kernels), `llama_model_params.use_extra_bufts` in llama.h;
   * false is llama.cpp's `--no-repack`. Default true (llama.cpp's default). The kernels
   * differ in rounding from the plain ones that an RPC worker's CPU backend runs.
   */
  useExtraBufts?: boolean;
  /** Called with the load progress, a fraction in [0, 1]; exceptions are ignored. */
  onProgress?: (fraction: number) => void;
  /** Cancels the load; `loadModel` then rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Load each file the first time in a short-lived child process (engine/load_probe.ts),
   * so a file that makes llama.cpp abort kills the child, not this process; the verdict
   * is kept by path, size and mtime, so later loads skip it. Default true.
   */
  isolateFirstLoad?: boolean;
  /** Where those verdicts are kept. Default: in memory, for this process. */
  loadVerdicts?: LoadVerdicts;
  /**
   * The engine to load into; default: a new engine (from `libDir`/`variant`) that the
   * model owns and stops when it is disposed.
   */
  engine?: Engine;
}

/**
 * Loads a GGUF model. The file is validated first (magic, version, counts, tensor
 * offsets and sizes against the file size); llama.cpp never sees a file that fails.
 *
 * @param path A GGUF file (for split models, the first part).
 * @throws {ModelNotFoundError} when `path` is not a file.
 * @throws {GgufError} when the file is not a valid GGUF model.
 * @throws {ModelLoadError} with llama.cpp's reason when llama.cpp refuses the file.
 * @throws {ModelCrashError} when the file crashed llama.cpp in the child-process load
 *   (now or at an earlier load of the same bytes); it is never loaded in this process.
 * @throws {RangeError} or {TypeError} for invalid options.
 * @throws `signal.reason` when `signal` aborts the load.
 * @example
 * ```ts
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf", { nGpuLayers: 0 });
 * using ctx = await model.createContext({ nCtx: 256 });
 * console.log(await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).text());
 * ```
 */
export async function loadModel(path: string, options: LoadModelOptions = {}): Promise<Model> {
  const { nGpuLayers = -1, useMmap = true, useMlock = false, vocabOnly = false } = options;
  const { useExtraBufts = true } = options;
  const { onProgress, signal } = options;
  if (typeof path !== "string" || path === "") {
    throw new TypeError("path must be a non-empty string");
  }
  if (!Number.isInteger(nGpuLayers) || nGpuLayers < -1) {
    throw new RangeError(`nGpuLayers must be an integer >= -1, got ${nGpuLayers}`);
  }
  if (typeof useMmap !== "boolean") throw new TypeError("useMmap must be a boolean");
  if (typeof useMlock !== "boolean") throw new TypeError("useMlock must be a boolean");
  if (typeof vocabOnly !== "boolean") throw new TypeError("vocabOnly must be a boolean");
  if (typeof useExtraBufts !== "boolean") throw new TypeError("useExtraBufts must be a boolean");
  signal?.throwIfAborted();
  await checkGgufFile(path);
  signal?.throwIfAborted();
  // An engine in a child process (RPC workers) is isolated already, and a local test
  // load of a model meant for remote devices could need more memory than this machine has.
  const isolated = options.engine?._isolated ??
    (options.rpc !== undefined && options.rpc.length > 0);
  if ((options.isolateFirstLoad ?? true) && !isolated) {
    const location = options.engine?._location ?? await locateLibraries(options);
    await checkLoadInChild(location, path, {
      nGpuLayers,
      useMmap,
      vocabOnly,
      verdicts: options.loadVerdicts,
      signal,
    });
  }
  const owned = options.engine === undefined;
  const engine = options.engine ?? await Engine.start(options);
  const serial = engine._serial();
  const onAbort = () => engine._abort(0, serial);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const { modelId, info } = await engine._call("loadModel", {
      path,
      nGpuLayers,
      useMmap,
      useMlock,
      vocabOnly,
      useExtraBufts,
      serial,
      progress: onProgress !== undefined,
    }, {
      progress(fraction) {
        try {
          onProgress?.(fraction);
        } catch {
          // A throwing callback must not break the load.
        }
      },
    }) as { modelId: number; info: ModelInfo };
    return new Model(engine, modelId, info, owned);
  } catch (error) {
    if (owned) engine.dispose();
    signal?.throwIfAborted();
    throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
