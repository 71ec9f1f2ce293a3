/**
 * Validates a LoRA adapter file against the model it is meant for, before llama.cpp
 * sees it: the checks of llama.cpp's `llama_adapter_lora_init` (src/llama-adapter.cpp
 * at the pinned commit), in TypeScript, so a wrong file is a clear error.
 *
 * @module
 */
import { checkGgufFile, type GgufTensor } from "./gguf_check.ts";
import { GgufError, LoraAdapterError } from "./errors.ts";

/** What {@link checkLoraFile} learned about an adapter. */
export interface LoraAdapterInfo {
  /** The adapter file. */
  path: string;
  /** `general.name`, when the file has one. */
  name: string | undefined;
  /** `adapter.lora.alpha`; 0 when absent (then the scale is used as given). */
  alpha: number;
  /** The rank: rows of the first `lora_b` tensor (llama.cpp reads `b->ne[0]`). */
  rank: number;
  /** Model tensors the adapter changes. */
  tensorCount: number;
  /** File size in bytes. */
  sizeBytes: number;
}

/**
 * The scale llama.cpp multiplies an adapter's product with: `scale * alpha / rank`,
 * or `scale` when the adapter has no alpha (llama_adapter_lora_weight::get_scale).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { effectiveLoraScale } from "@hearth/hearth";
 *
 * strictEqual(effectiveLoraScale({ alpha: 8, rank: 4 }, 0.5), 1);
 * ```
 */
export function effectiveLoraScale(info: { alpha: number; rank: number }, scale: number): number {
  return info.alpha ? scale * info.alpha / info.rank : scale;
}

/**
 * Checks that `path` is a LoRA adapter llama.cpp can apply to a model with
 * `architecture` and `modelTensors`: a valid GGUF with `general.type` "adapter",
 * `adapter.type` "lora", the same `general.architecture`, tensors named
 * `<model tensor>.lora_a` / `.lora_b` in pairs (norm vectors are skipped, as llama.cpp
 * does), each pair shaped for its model tensor.
 *
 * @throws {ModelNotFoundError} when `path` is not a file.
 * @throws {LoraAdapterError} naming what does not fit.
 */
export async function checkLoraFile(
  path: string,
  architecture: string,
  modelTensors: ReadonlyMap<string, readonly number[]>,
): Promise<LoraAdapterInfo> {
  let file;
  try {
    file = await checkGgufFile(path);
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    throw new LoraAdapterError(path, error.message, { cause: error });
  }
  const fail = (reason: string) => new LoraAdapterError(path, reason);
  const meta = file.metadata;
  if (meta["general.type"] !== "adapter") {
    throw fail(
      `it is not an adapter (general.type is ${
        JSON.stringify(meta["general.type"] ?? null)
      }, not "adapter"); give a LoRA GGUF made for this model`,
    );
  }
  if (meta["adapter.type"] !== "lora") {
    throw fail(`adapter.type is ${JSON.stringify(meta["adapter.type"] ?? null)}, not "lora"`);
  }
  if (file.architecture !== architecture) {
    throw fail(
      `it is for architecture "${file.architecture}" but the model is "${architecture}"`,
    );
  }
  const alpha = meta["adapter.lora.alpha"] ?? 0;
  if (typeof alpha !== "number" || !Number.isFinite(alpha)) {
    throw fail(`adapter.lora.alpha must be a number, got ${JSON.stringify(alpha)}`);
  }
  const pairs = pairTensors(file.tensors, fail);
  let rank = 0;
  for (const [name, { a, b }] of pairs) {
    const target = modelTensors.get(name);
    if (!target) throw fail(`tensor "${name}" does not exist in the model: wrong base model?`);
    const [tn0, tn1 = 1] = target;
    const [an0, an1 = 1] = a.shape;
    const [bn0, bn1 = 1] = b.shape;
    // token_embd's pair is stored flipped (llm_build_inp_embd).
    const fits = name.endsWith("token_embd.weight")
      ? tn0 === bn1 && tn1 === an1
      : tn0 === an0 && tn1 === bn1 && an1 === bn0;
    if (!fits) {
      throw fail(
        `tensor "${name}" has shape [${a.shape}] x [${b.shape}], which does not fit the ` +
          `model's [${target}]: wrong base model?`,
      );
    }
    if (rank === 0) rank = bn0;
  }
  if (pairs.size === 0) throw fail("it has no lora_a/lora_b tensor pairs");
  return {
    path,
    name: typeof meta["general.name"] === "string" ? meta["general.name"] : undefined,
    alpha,
    rank,
    tensorCount: pairs.size,
    sizeBytes: file.sizeBytes,
  };
}

function pairTensors(
  tensors: readonly GgufTensor[],
  fail: (reason: string) => Error,
): Map<string, { a: GgufTensor; b: GgufTensor }> {
  const halves = new Map<string, { a?: GgufTensor; b?: GgufTensor }>();
  for (const tensor of tensors) {
    const found = /^(.*)\.lora_([ab])$/.exec(tensor.name);
    if (!found) {
      if (tensor.name.endsWith("_norm.weight")) continue;
      throw fail(`tensor "${tensor.name}" ends in neither .lora_a nor .lora_b`);
    }
    const entry = halves.get(found[1]) ?? {};
    entry[found[2] as "a" | "b"] = tensor;
    halves.set(found[1], entry);
  }
  const pairs = new Map<string, { a: GgufTensor; b: GgufTensor }>();
  for (const [name, { a, b }] of halves) {
    if (!a || !b) {
      throw fail(`tensor "${name}" has lora_${a ? "a" : "b"} but no lora_${a ? "b" : "a"}`);
    }
    pairs.set(name, { a, b });
  }
  return pairs;
}
