/**
 * Memory fit before a load: how many bytes of weights, KV cache and compute buffers a
 * model and context would take on each device, against what is free, and the largest
 * n_ctx that fits.
 *
 * Where each layer goes, the KV cache size and the compute buffers come from
 * llama.cpp's own simulation (engine/worker/memory_probe.ts: a `no_alloc` load).
 * Weights per device are the GGUF's tensor sizes summed by the device llama.cpp
 * assigned their layer: `blk.N.*` tensors on layer N's device, the token embedding on
 * the CPU (llama.cpp keeps the input layer there), the rest on the output layer's
 * device. The KV cache splits by the device of each layer's cache.
 *
 * Where the simulation cannot answer (no engine, an architecture this llama.cpp does not
 * know, a context it refuses), a documented formula over the GGUF metadata stands in
 * (engine/memory_formula.ts): same weights, an exact KV cache for standard attention, an
 * approximate compute buffer. {@link MemoryFit.method} says which one answered.
 *
 * @module
 */
import type { Engine } from "./engine.ts";
import { checkGgufFile, type GgufFileInfo, type GgufTensor } from "./gguf_check.ts";
import { type ContextOptions, resolveContextOptions } from "./context_options.ts";
import { formulaProbe, modelShape } from "./memory_formula.ts";
import type { MemoryProbe, ProbeOptions } from "./worker/memory_probe.ts";
import { ModelCrashError } from "./errors.ts";
import { crashError, probeInChild, verdictsOf } from "./load_probe.ts";
import { LoadVerdicts } from "./load_verdicts.ts";
import type { BackendDevice, ModelInfo } from "./types.ts";

/** Bytes one device would hold. */
export interface DeviceMemory {
  /** ggml's device name: "CPU", "Vulkan0", "CUDA0". */
  device: string;
  /** Model weights. */
  weightsBytes: number;
  /** KV cache at the requested n_ctx and cache types. */
  kvCacheBytes: number;
  /** Compute and output buffers. */
  computeBytes: number;
  /** The sum of the three. */
  totalBytes: number;
  /** Free memory now: available RAM for the CPU, the backend's report for GPUs. */
  freeBytes: number;
}

/** How a load compares with free memory. */
export type FitVerdict = "fits" | "tight" | "does-not-fit";

/**
 * What produced an estimate: "simulation" is llama.cpp's own `no_alloc` load;
 * "formula" is the metadata formula of engine/memory_formula.ts (compute buffers
 * approximate).
 */
export type FitMethod = "simulation" | "formula";

/** The estimate for one model, context size and offload. */
export interface MemoryFit {
  /** One row per device that would hold anything. */
  devices: DeviceMemory[];
  /** Every device's total. */
  totalBytes: number;
  /**
   * "fits" when every device needs at most {@link TIGHT_SHARE} of its free memory,
   * "tight" up to all of it, else "does-not-fit".
   */
  verdict: FitVerdict;
  /** The n_ctx the estimate is for (as llama.cpp would round it). */
  nCtx: number;
  /**
   * The largest n_ctx of one sequence (a multiple of 256, at most the training context)
   * whose KV cache still fits in free memory; 0 when even the weights do not fit. With
   * `nSeqMax` sequences in separate KV streams every sequence gets that much, so the cache
   * holds `nSeqMax` times it. Compute buffers are taken as they are at `nCtx`.
   */
  maxNCtx: number;
  /** Which estimate this is. */
  method: FitMethod;
  /** Why the simulation did not answer when `method` is "formula"; else null. */
  simulationError: string | null;
}

/**
 * Share of free memory above which a fit is called tight.
 *
 * @example
 * ```ts
 * import { TIGHT_SHARE } from "@hearth/hearth";
 *
 * const neededBytes = 13e9, freeBytes = 16e9;
 * console.log(neededBytes / freeBytes > TIGHT_SHARE ? "tight" : "fits"); // "tight": 81% > 80%
 * ```
 */
export const TIGHT_SHARE = 0.8;

/** Options of {@link estimateMemory}: the load and context options that decide memory. */
export interface MemoryFitOptions extends ContextOptions {
  /** Layers on GPU devices; -1 = all. Default -1. */
  nGpuLayers?: number;
  /**
   * The verdicts of child-process loads (engine/load_probe.ts): a file not yet known to
   * load is simulated in a child process. Default: in memory, for this process.
   */
  loadVerdicts?: LoadVerdicts;
}

/**
 * Estimates the memory `path` would need with `options`, without loading it: by
 * llama.cpp's `no_alloc` simulation on `engine`, else (no engine, or the simulation
 * fails) by the metadata formula, with the simulation's error in `simulationError`.
 * Weights count every part of a split model (`name-00001-of-0000N.gguf` beside it).
 *
 * @param engine The engine that simulates; null when there is none (formula only).
 * @param path The GGUF file, or the first part of a split model.
 * @param options n_ctx, batch sizes, cache types and GPU layers of the load.
 * @throws {GgufError} or {ModelNotFoundError} for a bad or missing file or part
 *   (checked first).
 * @throws {RangeError} or {TypeError} for bad options.
 * @throws {ModelLoadError} or {EngineError} when the simulation fails and the header
 *   lacks what the formula needs (the simulation's error is the one thrown).
 * @throws {ModelCrashError} when the simulation crashed llama.cpp (it runs in a child
 *   process until the file is known to load), now or before.
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { Engine, estimateMemory } from "@hearth/hearth";
 *
 * using engine = await Engine.start();
 * const fit = await estimateMemory(engine, "models/stories260K.gguf", { nCtx: 512 });
 * console.log(fit.verdict, fit.totalBytes, fit.maxNCtx); // "fits", about 3.6 MB, 2048
 * const guess = await estimateMemory(null, "models/stories260K.gguf", { nCtx: 512 });
 * strictEqual(guess.method, "formula"); // no engine: the metadata formula answers
 * ```
 */
export async function estimateMemory(
  engine: Engine | null,
  path: string,
  options: MemoryFitOptions = {},
): Promise<MemoryFit> {
  const file = await checkGgufFile(path);
  const tensors = await splitTensors(file);
  const { nGpuLayers = -1, loadVerdicts, ...context } = options;
  const nCtxTrain = file.contextLength ?? 4096;
  const resolved = resolveContextOptions(context, { nCtxTrain } as ModelInfo);
  const probeOptions: ProbeOptions = {
    nGpuLayers,
    nCtx: resolved.nCtx,
    nBatch: resolved.nBatch,
    nUbatch: resolved.nUbatch,
    nSeqMax: resolved.nSeqMax,
    kvUnified: resolved.kvUnified,
    flashAttn: resolved.flashAttn,
    typeK: resolved.typeK,
    typeV: resolved.typeV,
  };
  // Separate KV streams split the cache between sequences; a unified one is shared.
  const streams = resolved.kvUnified ? 1 : resolved.nSeqMax;
  const ramAvailableBytes = Deno.systemMemoryInfo().available;
  let failure: unknown = new Error("no engine is running to simulate the load");
  if (engine) {
    try {
      const { probe, devices } = await simulate(engine, path, probeOptions, loadVerdicts);
      return planMemory(probe, tensors, devices, nCtxTrain, ramAvailableBytes, undefined, streams);
    } catch (error) {
      if (error instanceof ModelCrashError) throw error;
      failure = error;
    }
  }
  // Devices as the engine found them at start (their free memory then).
  const devices = engine?.info.devices ?? [];
  let probe: MemoryProbe;
  try {
    probe = formulaProbe(modelShape(file.metadata, tensors), probeOptions, devices);
  } catch (error) {
    throw engine ? failure : error;
  }
  return {
    ...planMemory(probe, tensors, devices, nCtxTrain, ramAvailableBytes, "formula", streams),
    simulationError: failure instanceof Error ? failure.message : String(failure),
  };
}

/**
 * llama.cpp's `no_alloc` simulation: in the engine for a file known to load (a child
 * process loaded it) or an engine that is itself a child process (RPC workers), else in
 * a child process, whose crash is kept as the file's verdict.
 */
async function simulate(
  engine: Engine,
  path: string,
  options: ProbeOptions,
  loadVerdicts: LoadVerdicts | undefined,
): Promise<{ probe: MemoryProbe; devices: BackendDevice[] }> {
  const verdicts = verdictsOf(loadVerdicts);
  const stamp = await LoadVerdicts.stamp(path);
  const known = await verdicts.get(stamp);
  if (known?.ok === false) throw crashError(path, known);
  // An engine in a child process (RPC workers) risks only itself, and only it has the
  // remote devices: a worker serves one client at a time, so a probe child could not.
  if (known?.ok || engine._isolated) {
    return await engine._call("probeMemory", { path, ...options }) as {
      probe: MemoryProbe;
      devices: BackendDevice[];
    };
  }
  try {
    const { result } = await probeInChild(engine._location, {
      path,
      mode: "memory",
      nGpuLayers: options.nGpuLayers,
      useMmap: false,
      memory: options,
    });
    return result as unknown as { probe: MemoryProbe; devices: BackendDevice[] };
  } catch (error) {
    if (error instanceof ModelCrashError) {
      const { reason, signal, exitCode, lastLogLines } = error;
      await verdicts.set(stamp, { ok: false, reason, signal, exitCode, lastLogLines });
    }
    throw error;
  }
}

/**
 * The tensors of every part of a split model (`split.count` in the first part), else of
 * the file alone; llama.cpp names parts `<prefix>-%05d-of-%05d.gguf` (`llama_split_path`).
 */
async function splitTensors(file: GgufFileInfo): Promise<GgufTensor[]> {
  const count = file.metadata["split.count"];
  const first = /-00001-of-(\d{5})\.gguf$/i.exec(file.path);
  if (typeof count !== "number" || count < 2 || !first) return file.tensors;
  const tensors = [...file.tensors];
  for (let part = 2; part <= count; part++) {
    const path = file.path.slice(0, first.index) +
      `-${String(part).padStart(5, "0")}-of-${first[1]}.gguf`;
    tensors.push(...(await checkGgufFile(path)).tensors);
  }
  return tensors;
}

/**
 * Turns a probe (simulated or worked out by formula) and the tensor sizes into
 * per-device totals and a verdict.
 *
 * @param probe Where layers go and the KV, compute and output buffer sizes, in bytes.
 * @param tensors Every tensor of the model with its size in bytes.
 * @param devices The engine's devices, for GPU free memory.
 * @param nCtxTrain The training context in tokens: the ceiling of `maxNCtx`.
 * @param ramAvailableBytes Available RAM: the CPU's free memory.
 * @param method What produced `probe`. Default "simulation".
 * @param kvStreams Sequences with a KV stream each (n_seq_max without kv_unified): the
 *   cache's tokens are shared out among them, so `maxNCtx` is per stream. Default 1.
 * @returns The fit; `simulationError` is null (the caller fills it in).
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { type MemoryProbe, planMemory } from "@hearth/hearth";
 *
 * const probe: MemoryProbe = {
 *   layerDevices: ["CPU", "CPU"], kvLayerDevices: ["CPU"], kvBytes: 1_048_576,
 *   computeBytes: { CPU: 2_000_000 }, outputBytes: {}, nCtx: 512,
 * };
 * const tensors = [{ name: "blk.0.attn_q.weight", bytes: 4_000_000 }];
 * const fit = planMemory(probe, tensors, [], 4096, 8e9); // no GPUs; 8 GB of free RAM
 * strictEqual(fit.totalBytes, 7_048_576); // weights + KV cache + compute
 * strictEqual(fit.verdict, "fits");
 * ```
 */
export function planMemory(
  probe: MemoryProbe,
  tensors: readonly { name: string; bytes: number }[],
  devices: readonly BackendDevice[],
  nCtxTrain: number,
  ramAvailableBytes: number,
  method: FitMethod = "simulation",
  kvStreams = 1,
): MemoryFit {
  const rows = new Map<string, DeviceMemory>();
  const row = (name: string) => {
    const device = canonicalDevice(name, devices);
    let found = rows.get(device);
    if (!found) {
      const info = devices.find((d) => d.name === device);
      const freeBytes = device === "CPU" ? ramAvailableBytes : info?.memoryFreeBytes ?? 0;
      found = {
        device,
        weightsBytes: 0,
        kvCacheBytes: 0,
        computeBytes: 0,
        totalBytes: 0,
        freeBytes,
      };
      rows.set(device, found);
    }
    return found;
  };
  const outputDevice = probe.layerDevices.at(-1) ?? "CPU";
  const hasOutput = tensors.some((t) => t.name === "output.weight");
  for (const tensor of tensors) {
    const layer = /^blk\.(\d+)\./.exec(tensor.name);
    if (layer) row(probe.layerDevices[Number(layer[1])] ?? "CPU").weightsBytes += tensor.bytes;
    else if (tensor.name.startsWith("token_embd")) {
      row("CPU").weightsBytes += tensor.bytes;
      // Tied embeddings: the output layer gets its own copy of the matrix.
      if (!hasOutput && outputDevice !== "CPU") row(outputDevice).weightsBytes += tensor.bytes;
    } else row(outputDevice).weightsBytes += tensor.bytes;
  }
  const kvLayers = probe.kvLayerDevices.filter(Boolean);
  for (const device of kvLayers) row(device).kvCacheBytes += probe.kvBytes / kvLayers.length;
  for (const [name, bytes] of Object.entries({ ...sum(probe.computeBytes, probe.outputBytes) })) {
    row(name).computeBytes += bytes;
  }
  const list = [...rows.values()].map((d) => ({
    ...d,
    kvCacheBytes: Math.round(d.kvCacheBytes),
    computeBytes: Math.round(d.computeBytes),
    totalBytes: Math.round(d.weightsBytes + d.kvCacheBytes + d.computeBytes),
  }));
  const worst = Math.max(...list.map((d) => d.totalBytes / Math.max(1, d.freeBytes)));
  const kvPerToken = probe.kvBytes / probe.nCtx;
  let maxNCtx = nCtxTrain;
  for (const d of list) {
    if (d.kvCacheBytes === 0) continue;
    const perToken = kvPerToken * (d.kvCacheBytes / probe.kvBytes);
    const room = d.freeBytes - d.weightsBytes - d.computeBytes;
    maxNCtx = Math.min(maxNCtx, Math.max(0, Math.floor(room / perToken / kvStreams)));
  }
  return {
    devices: list,
    totalBytes: list.reduce((total, d) => total + d.totalBytes, 0),
    verdict: worst <= TIGHT_SHARE ? "fits" : worst <= 1 ? "tight" : "does-not-fit",
    nCtx: probe.nCtx,
    maxNCtx: Math.floor(maxNCtx / 256) * 256,
    method,
    simulationError: null,
  };
}

function sum(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = (out[key] ?? 0) + value;
  return out;
}

/**
 * Maps a buffer name llama.cpp logs to the device whose memory it uses: "CPU_REPACK",
 * "CPU_Mapped" and "<backend>_Host" (pinned host memory) are RAM; an RPC worker's
 * buffers are "RPC<device on the worker>[HOST:PORT]" (ggml-rpc.cpp), its devices
 * "RPC<n>" in registration order with the endpoint as description.
 */
function canonicalDevice(name: string, devices: readonly BackendDevice[]): string {
  if (devices.some((d) => d.name === name)) return name;
  const rpc = /^RPC(\d+)\[(.+)\]$/.exec(name);
  if (rpc) {
    const ofWorker = devices.filter((d) => d.backend === "RPC" && d.description === rpc[2]);
    return ofWorker[Number(rpc[1])]?.name ?? name;
  }
  if (name.startsWith("CPU") || name.endsWith("_Host")) return "CPU";
  return name;
}
