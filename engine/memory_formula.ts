/**
 * The memory of a load worked out from GGUF metadata alone, for when llama.cpp's `no_alloc`
 * simulation (engine/worker/memory_probe.ts) cannot answer: an architecture this llama.cpp
 * does not know, a context it refuses to simulate, or no engine at all. It yields the same
 * {@link MemoryProbe} the simulation does, so engine/memory_fit.ts plans both alike; weights
 * are the tensor sizes from the header there, exact in both cases.
 *
 * Each part follows llama.cpp's source (commit `LLAMA_CPP_COMMIT` of ffi/lib_version.ts):
 * - **Context size**, exact: `llama_context::llama_context` (src/llama-context.cpp) rounds
 *   n_ctx up to a multiple of 256; without a unified KV cache each of the n_seq_max
 *   streams gets n_ctx_seq = pad256(n_ctx / n_seq_max) cells and n_ctx = n_ctx_seq ×
 *   n_seq_max. n_batch is at most n_ctx, n_ubatch at most n_batch.
 * - **KV cache**, exact for standard attention: `llama_kv_cache::llama_kv_cache`
 *   (src/llama-kv-cache.cpp) makes, per layer, K as `[n_embd_k_gqa, kv_size, n_stream]` of
 *   type_k and V as `[n_embd_v_gqa, kv_size, n_stream]` of type_v, where n_embd_k_gqa =
 *   n_embd_head_k × n_head_kv (`llama_hparams::n_embd_k_gqa`, src/llama-hparams.cpp) and
 *   kv_size × n_stream = n_ctx. So bytes = n_layer × n_ctx × (row(type_k, n_embd_k_gqa) +
 *   row(type_v, n_embd_v_gqa)), row = `ggml_row_size`. Sliding-window, MLA, recurrent and
 *   per-layer head counts (arrays in the header) are not modelled: such models come out
 *   larger than llama.cpp makes them, never smaller.
 * - **Layer devices**: `llama_model::load_tensors` (src/llama-model.cpp) puts layers from
 *   i_gpu_start = max(n_layer + 1 - n_gpu_layers, 0) on the GPUs (n_gpu_layers -1 = all
 *   n_layer + 1, the output layer counting as one), split by free memory; the KV cache of
 *   a layer sits with the layer (offload_kqv, the default).
 * - **Output buffer**, exact: `llama_context::output_reserve` keeps logits for n_seq_max
 *   outputs, n_vocab × n_seq_max × 4 bytes, in host memory.
 * - **Compute buffer**, approximate: the larger of two peaks of the worst-case graph
 *   llama.cpp reserves (n_ubatch tokens, all of them outputs, n_kv = n_ctx_seq):
 *   - attention: the KQ mask, n_kv × n_ubatch in f16 with flash attention ("auto" counts
 *     as on, as llama.cpp decides on devices that support it) or in f32 without, plus the
 *     f32 scores n_kv × n_ubatch × n_head without flash attention, plus live activations
 *     of about (7 × n_embd + 2 × n_ff) f32 values per token;
 *   - output: the logits and the last hidden states, n_ubatch × (n_vocab + 2 × n_embd) × 4.
 *
 *   On the llama-shaped test models (stories260K, a SmolLM2-135M-shaped Q4_K_M) this is
 *   within {@link COMPUTE_FORMULA_TOLERANCE} of the simulation for n_ctx 1,024 to 32,768,
 *   n_ubatch 64 to 1,024, one to four sequences, with and without flash attention; other
 *   graphs (MoE, vision towers) differ more. It all sits on the output layer's device,
 *   where llama.cpp puts most of it.
 *
 * @module
 */
import { ggmlRowBytes } from "./gguf_check.ts";
import type { MemoryProbe, ProbeOptions } from "./worker/memory_probe.ts";
import type { BackendDevice } from "./types.ts";

/**
 * How far the compute-buffer formula may be from llama.cpp's simulation, as a share of
 * the simulation's figure, on the models it was checked against (tests/model).
 */
export const COMPUTE_FORMULA_TOLERANCE = 0.1;

/** `GGML_PAD` granularity of n_ctx in `llama_context::llama_context`. */
const N_CTX_PAD = 256;
/** f32 values of live activations per token at the attention peak: see the module doc. */
const EMBD_ACTIVATIONS = 7;
const FF_ACTIVATIONS = 2;

/** The hyperparameters the formula needs, as llama.cpp's `llama_hparams` names them. */
export interface ModelShape {
  /** `{arch}.block_count`: repeating layers. */
  nLayer: number;
  /** `{arch}.embedding_length`. */
  nEmbd: number;
  /** `{arch}.attention.head_count`. */
  nHead: number;
  /** `{arch}.attention.head_count_kv`; n_head when absent, as llama.cpp reads it. */
  nHeadKv: number;
  /** `{arch}.attention.key_length`; n_embd / n_head when absent. */
  nEmbdHeadK: number;
  /** `{arch}.attention.value_length`; n_embd / n_head when absent. */
  nEmbdHeadV: number;
  /** `{arch}.feed_forward_length`; 4 × n_embd when absent (or per-layer). */
  nFf: number;
  /** `{arch}.vocab_size`, else the rows of `token_embd.weight`. */
  nVocab: number;
}

/**
 * Reads the {@link ModelShape} from a header's scalar metadata and tensor list.
 *
 * @param metadata Scalar key-value pairs (`GgufFileInfo.metadata`).
 * @param tensors Tensor names and element counts, to count the vocabulary.
 * @throws {TypeError} when the header lacks the architecture, block count, embedding
 *   length or head count as numbers, or gives no way to count the vocabulary.
 */
export function modelShape(
  metadata: Readonly<Record<string, string | number | boolean>>,
  tensors: readonly { name: string; elements: number }[],
): ModelShape {
  const arch = metadata["general.architecture"];
  if (typeof arch !== "string") {
    throw new TypeError("Cannot work out memory by formula: the header names no architecture");
  }
  const optional = (key: string) => {
    const value = metadata[`${arch}.${key}`];
    return typeof value === "number" && value > 0 ? value : undefined;
  };
  const required = (key: string) => {
    const value = optional(key);
    if (value === undefined) {
      throw new TypeError(
        `Cannot work out memory by formula: the header has no number ${arch}.${key}`,
      );
    }
    return value;
  };
  const nEmbd = required("embedding_length");
  const nHead = required("attention.head_count");
  const embeddings = tensors.find((t) => t.name === "token_embd.weight");
  const nVocab = optional("vocab_size") ?? (embeddings ? embeddings.elements / nEmbd : 0);
  if (!Number.isInteger(nVocab) || nVocab <= 0) {
    throw new TypeError(
      `Cannot work out memory by formula: no ${arch}.vocab_size and no token_embd.weight`,
    );
  }
  return {
    nLayer: required("block_count"),
    nEmbd,
    nHead,
    nHeadKv: optional("attention.head_count_kv") ?? nHead,
    nEmbdHeadK: optional("attention.key_length") ?? nEmbd / nHead,
    nEmbdHeadV: optional("attention.value_length") ?? nEmbd / nHead,
    nFf: optional("feed_forward_length") ?? 4 * nEmbd,
    nVocab,
  };
}

/**
 * Works out where a load would put things and how big the KV cache, compute and output
 * buffers are, by the formulas of the module doc, as a {@link MemoryProbe}.
 *
 * @param shape The model's hyperparameters.
 * @param options The load and context settings (n_ctx in tokens, ggml types for the cache).
 * @param devices The engine's devices (for GPU offload); empty = CPU only.
 * @throws {RangeError} for a cache type ggml cannot size, or heads that are not a whole
 *   number of the type's blocks.
 */
export function formulaProbe(
  shape: ModelShape,
  options: ProbeOptions,
  devices: readonly BackendDevice[],
): MemoryProbe {
  // llama_context's constructor: a unified pool is n_ctx itself; else n_ctx / n_seq_max
  // per sequence, padded to 256, times n_seq_max.
  const nCtxSeq = options.kvUnified
    ? pad(options.nCtx)
    : pad(Math.max(1, Math.floor(pad(options.nCtx) / options.nSeqMax)));
  const nCtx = options.kvUnified ? nCtxSeq : nCtxSeq * options.nSeqMax;
  const nUbatch = Math.min(options.nUbatch, options.nBatch, nCtx);
  const kvPerCell = ggmlRowBytes(options.typeK, shape.nEmbdHeadK * shape.nHeadKv) +
    ggmlRowBytes(options.typeV, shape.nEmbdHeadV * shape.nHeadKv);
  const layerDevices = assignLayers(shape.nLayer, options.nGpuLayers, devices);
  return {
    layerDevices,
    kvLayerDevices: layerDevices.slice(0, shape.nLayer),
    kvBytes: shape.nLayer * nCtx * kvPerCell,
    computeBytes: {
      [layerDevices[shape.nLayer]]: computeBytes(shape, nCtxSeq, nUbatch, options.flashAttn),
    },
    outputBytes: { CPU: shape.nVocab * options.nSeqMax * 4 },
    nCtx,
  };
}

function pad(n: number): number {
  return Math.ceil(n / N_CTX_PAD) * N_CTX_PAD;
}

/** The approximate compute buffer of the module doc, in bytes. */
function computeBytes(
  shape: ModelShape,
  nKv: number,
  nUbatch: number,
  flashAttn: boolean | "auto",
): number {
  const flash = flashAttn !== false;
  const scores = flash ? nKv * nUbatch * 2 : nKv * nUbatch * 4 * (shape.nHead + 1);
  const activations = nUbatch * (EMBD_ACTIVATIONS * shape.nEmbd + FF_ACTIVATIONS * shape.nFf) *
    4;
  const output = nUbatch * (shape.nVocab + 2 * shape.nEmbd) * 4;
  return Math.max(scores + activations, output);
}

/**
 * The device of layers 0..n_layer (the last is the output layer), as `load_tensors`
 * assigns them: discrete GPUs if there are any, else the integrated GPUs of one backend
 * (`llama_model_load_from_file_impl`, src/llama.cpp); split by free memory.
 */
function assignLayers(
  nLayer: number,
  nGpuLayers: number,
  devices: readonly BackendDevice[],
): string[] {
  const gpus = devices.filter((d) => d.type === "GPU");
  const igpus = devices.filter((d) => d.type === "IGPU");
  const offload = gpus.length > 0 ? gpus : igpus.filter((d) => d.backend === igpus[0].backend);
  const requested = nGpuLayers < 0 ? nLayer + 1 : nGpuLayers;
  const start = Math.max(nLayer + 1 - requested, 0);
  const active = offload.length === 0 ? 0 : Math.min(requested, nLayer + 1);
  const free = offload.map((d) => Math.max(0, d.memoryFreeBytes));
  const total = free.reduce((a, b) => a + b, 0);
  let running = 0;
  // Cumulative split points in (0, 1]; equal shares when no device reports free memory.
  const splits = free.map((bytes, i) =>
    total > 0 ? (running += bytes) / total : (i + 1) / free.length
  );
  return Array.from({ length: nLayer + 1 }, (_, il) => {
    if (il < start || il - start >= active) return "CPU";
    const share = (il - start) / active;
    const index = splits.findIndex((point) => point > share);
    return offload[index === -1 ? offload.length - 1 : index].name;
  });
}
