/**
 * Crafted model files that crash llama.cpp (issue 14): stories260K with one metadata value
 * rewritten in place. The new value has the old one's type and byte length, so every
 * offset after it (tensor infos, tensor data) stays where it was and only the value is
 * wrong. Written to a temp dir, so CI needs nothing beyond the real stories260K.
 *
 * @module
 */
import { join } from "node:path";
import { STORIES_260K } from "./models.ts";

/** GGUF value types of the keys rewritten here (gguf.h `enum gguf_type`). */
const GGUF_TYPE_UINT32 = 4;
const GGUF_TYPE_FLOAT32 = 6;

/**
 * Copies `source` to `target` with the scalar value of `key` replaced: a u32 or an f32,
 * whichever the file stores. Finds the key by its length-prefixed name in the header.
 *
 * @throws {Error} when the key is absent or holds another type.
 */
export async function rewriteKv(
  source: string,
  target: string,
  key: string,
  value: number,
): Promise<string> {
  const bytes = await Deno.readFile(source);
  const name = new TextEncoder().encode(key);
  const needle = new Uint8Array(8 + name.length);
  new DataView(needle.buffer).setBigUint64(0, BigInt(name.length), true);
  needle.set(name, 8);
  const at = indexOf(bytes, needle);
  if (at === -1) throw new Error(`Cannot rewrite "${key}": not in "${source}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + needle.length);
  const type = view.getUint32(0, true);
  if (type === GGUF_TYPE_UINT32) view.setUint32(4, value, true);
  else if (type === GGUF_TYPE_FLOAT32) view.setFloat32(4, value, true);
  else throw new Error(`Cannot rewrite "${key}": it has GGUF type ${type}, not u32 or f32`);
  await Deno.writeFile(target, bytes);
  return target;
}

/** The three crafted files of issue 14 item 3, by what is wrong with them. */
export interface CraftedModels {
  /** `llama.block_count` = 0: llama.cpp asserts `n_layer_all > 0` at load. */
  zeroLayers: string;
  /** `llama.attention.layer_norm_rms_epsilon` = NaN. */
  nanEpsilon: string;
  /** `llama.attention.layer_norm_rms_epsilon` = -1. */
  negativeEpsilon: string;
}

/** Writes the crafted files into `dir`; returns their paths. */
export async function writeCraftedModels(dir: string): Promise<CraftedModels> {
  const eps = "llama.attention.layer_norm_rms_epsilon";
  return {
    zeroLayers: await rewriteKv(
      STORIES_260K,
      join(dir, "zero-layers.gguf"),
      "llama.block_count",
      0,
    ),
    nanEpsilon: await rewriteKv(STORIES_260K, join(dir, "nan-epsilon.gguf"), eps, NaN),
    negativeEpsilon: await rewriteKv(STORIES_260K, join(dir, "negative-epsilon.gguf"), eps, -1),
  };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
