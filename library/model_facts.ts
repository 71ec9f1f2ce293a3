/**
 * What a GGUF header says about a model (architecture, size, quantization, shape, chat
 * template, license, base model), read the same way for a file in the library and for a
 * hub file whose header came over HTTP ranges.
 *
 * @module
 */
import { basename } from "node:path";
import {
  GGMLFileQuantizationType,
  GGMLQuantizationType,
  parseGGUFQuantLabel,
} from "@huggingface/gguf";

/** The model facts of a header; every field is null when the header does not say. */
export interface ModelFacts {
  /** `general.architecture`, e.g. "llama". */
  architecture: string | null;
  /** `general.name`. */
  name: string | null;
  /** `general.parameter_count`: weights over all parts of a split model. */
  nParams: number | null;
  /**
   * `general.file_type` as its llama_ftype name ("Q4_K_M"), else the quantization label in
   * the file name.
   */
  quantization: string | null;
  /** `{arch}.context_length`: the training context, in tokens. */
  nCtxTrain: number | null;
  /** `{arch}.block_count`: repeating layers. */
  nLayer: number | null;
  /** `{arch}.embedding_length`. */
  nEmbd: number | null;
  /** `{arch}.attention.head_count`. */
  nHead: number | null;
  /** `{arch}.attention.head_count_kv`. */
  nHeadKv: number | null;
  /** Whether `tokenizer.chat_template` is there. */
  hasChatTemplate: boolean;
  /** `general.license`, e.g. "apache-2.0". */
  license: string | null;
  /** `general.base_model.0.name`. */
  baseModelName: string | null;
  /** `general.base_model.0.repo_url`. */
  baseModelRepoUrl: string | null;
}

/**
 * Reads the {@link ModelFacts} of a header. Numbers may be numbers or bigints (64-bit
 * values from @huggingface/gguf); arrays and other types count as absent.
 *
 * @example
 * ```ts
 * import { modelFacts } from "./model_facts.ts";
 *
 * const facts = modelFacts({
 *   "general.architecture": "llama",
 *   "llama.block_count": 30,
 *   "general.file_type": 15,
 * }, "smol.gguf");
 * console.assert(facts.nLayer === 30 && facts.quantization === "Q4_K_M");
 * ```
 *
 * @param metadata The header's key-value pairs.
 * @param path The file's path or name, for a quantization label like "Q4_K_M" in it.
 * @returns The facts.
 */
export function modelFacts(metadata: Readonly<Record<string, unknown>>, path: string): ModelFacts {
  const number = (key: string) => {
    const value = metadata[key];
    return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
  };
  const text = (key: string) => {
    const value = metadata[key];
    return typeof value === "string" ? value : null;
  };
  const arch = text("general.architecture");
  const archNumber = (key: string) => arch ? number(`${arch}.${key}`) : null;
  const fileType = number("general.file_type");
  return {
    architecture: arch,
    name: text("general.name"),
    nParams: number("general.parameter_count"),
    quantization: (fileType === null ? null : GGMLFileQuantizationType[fileType]) ??
      parseGGUFQuantLabel(basename(path)) ?? null,
    nCtxTrain: archNumber("context_length"),
    nLayer: archNumber("block_count"),
    nEmbd: archNumber("embedding_length"),
    nHead: archNumber("attention.head_count"),
    nHeadKv: archNumber("attention.head_count_kv"),
    hasChatTemplate: text("tokenizer.chat_template") !== null,
    license: text("general.license"),
    baseModelName: text("general.base_model.0.name"),
    baseModelRepoUrl: text("general.base_model.0.repo_url"),
  };
}

/**
 * The ggml type that holds the most elements, e.g. "F32" for stories260K: the
 * quantization of files that name no file type (old converters).
 *
 * @param tensors Each tensor's `enum ggml_type` number and shape.
 * @returns The type's name, or null with no tensors or an unknown type.
 */
export function mainTensorType(
  tensors: Iterable<{ type: number; shape: readonly bigint[] }>,
): string | null {
  const byType = new Map<number, bigint>();
  for (const { type, shape } of tensors) {
    const elements = shape.reduce((product, dim) => product * BigInt(dim), 1n);
    byType.set(type, (byType.get(type) ?? 0n) + elements);
  }
  let best: [number, bigint] | null = null;
  for (const entry of byType) if (!best || entry[1] > best[1]) best = entry;
  return best ? GGMLQuantizationType[best[0]] ?? null : null;
}
