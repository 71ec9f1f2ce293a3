/**
 * Asks llama.cpp where a model and a context would live without allocating them:
 * the model is loaded with `no_alloc` ("only load metadata and simulate memory
 * allocations", llama.h) and a context is made on it; llama.cpp logs the device of
 * every layer, the KV cache size and the compute buffers it reserved. Worker-only.
 *
 * @module
 */
import type { NativeLibraries } from "../../ffi/library.ts";
import { StructBuffer } from "../../ffi/layout.ts";
import { llama_context_params, llama_model_params } from "../../ffi/structs.ts";
import { cString } from "../../ffi/strings.ts";
import { EngineError, ModelLoadError } from "../errors.ts";

/** What llama.cpp planned, per device, in bytes. */
export interface MemoryProbe {
  /** Device of each layer, index = layer; the last entry is the output layer. */
  layerDevices: string[];
  /** Device of each layer's KV cache. */
  kvLayerDevices: string[];
  /** KV cache bytes over all layers. */
  kvBytes: number;
  /** Compute buffer bytes per buffer name ("CPU", "Vulkan0", "Vulkan_Host"...). */
  computeBytes: Record<string, number>;
  /** Logits/embeddings output buffer bytes per buffer name. */
  outputBytes: Record<string, number>;
  /** The context size llama.cpp made, in tokens. */
  nCtx: number;
}

/** Settings of the simulated load. */
export interface ProbeOptions {
  nGpuLayers: number;
  nCtx: number;
  nBatch: number;
  nUbatch: number;
  nSeqMax: number;
  /** One KV pool shared by all sequences (llama.cpp's kv_unified). */
  kvUnified: boolean;
  flashAttn: "auto" | boolean;
  typeK: number;
  typeV: number;
}

/** `enum llama_load_mode` NONE: `no_alloc` cannot simulate a memory-mapped load. */
const LLAMA_LOAD_MODE_NONE = 0;
const MIB = 1024 * 1024;

/**
 * Simulates loading `path` with `options`.
 *
 * @throws {ModelLoadError} or {EngineError} with llama.cpp's reason.
 */
export function probeMemory(
  libs: NativeLibraries,
  path: string,
  options: ProbeOptions,
): MemoryProbe {
  // Every line counts: a big model logs more than the recent-lines buffer holds.
  const { result: nCtx, lines } = libs.log.collect(() => simulate(libs, path, options));
  return { ...parseProbeLog(lines), nCtx };
}

function simulate(libs: NativeLibraries, path: string, options: ProbeOptions): number {
  const { llama, log } = libs;
  const mark = log.mark();
  const params = new StructBuffer(
    llama_model_params,
    new Uint8Array(llama.llama_model_default_params() as Uint8Array<ArrayBuffer>),
  );
  params.set("no_alloc", true).set("load_mode", LLAMA_LOAD_MODE_NONE)
    .set("n_gpu_layers", options.nGpuLayers);
  const model = llama.llama_model_load_from_file(cString(path), params.bytes);
  if (model === null) throw new ModelLoadError(path, log.reason(mark));
  try {
    const cparams = new StructBuffer(
      llama_context_params,
      new Uint8Array(llama.llama_context_default_params() as Uint8Array<ArrayBuffer>),
    );
    cparams.set("n_ctx", options.nCtx).set("n_batch", options.nBatch)
      .set("n_ubatch", options.nUbatch).set("n_seq_max", options.nSeqMax)
      .set("kv_unified", options.kvUnified)
      .set("flash_attn_type", options.flashAttn === "auto" ? -1 : options.flashAttn ? 1 : 0)
      .set("type_k", options.typeK).set("type_v", options.typeV).set("no_perf", true);
    const ctx = llama.llama_init_from_model(model, cparams.bytes);
    if (ctx === null) throw new EngineError(`Cannot simulate the context: ${log.reason(mark)}`);
    const nCtx = llama.llama_n_ctx(ctx);
    llama.llama_free(ctx);
    return nCtx;
  } finally {
    llama.llama_model_free(model);
  }
}

/** Reads llama.cpp's load and context log lines into a probe (without nCtx). */
export function parseProbeLog(lines: readonly string[]): Omit<MemoryProbe, "nCtx"> {
  const probe: Omit<MemoryProbe, "nCtx"> = {
    layerDevices: [],
    kvLayerDevices: [],
    kvBytes: 0,
    computeBytes: {},
    outputBytes: {},
  };
  const add = (to: Record<string, number>, name: string, mib: string) =>
    to[name] = (to[name] ?? 0) + Number(mib) * MIB;
  for (const text of lines) {
    let m = /load_tensors: layer\s+(\d+) assigned to device (\S+?),/.exec(text);
    if (m) probe.layerDevices[Number(m[1])] = m[2];
    else if ((m = /llama_kv_cache: layer\s+(\d+): dev = (\S+)/.exec(text))) {
      probe.kvLayerDevices[Number(m[1])] = m[2];
    } else if ((m = /llama_kv_cache: size =\s*([\d.]+) MiB/.exec(text))) {
      probe.kvBytes += Number(m[1]) * MIB;
    } else if ((m = /(\S+) compute buffer size =\s*([\d.]+) MiB/.exec(text))) {
      add(probe.computeBytes, m[1], m[2]);
    } else if ((m = /(\S+)\s+output buffer size =\s*([\d.]+) MiB/.exec(text))) {
      add(probe.outputBytes, m[1], m[2]);
    }
  }
  return probe;
}
