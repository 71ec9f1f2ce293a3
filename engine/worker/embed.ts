/**
 * Sentence embeddings in the engine Worker: one context per call with embeddings on
 * and the model's own pooling (`LLAMA_POOLING_TYPE_UNSPECIFIED` lets the GGUF
 * decide); where the model pools nothing, token embeddings are mean-pooled here.
 *
 * @module
 */
import { ContextOverflowError, EngineError } from "../errors.ts";
import { NativeContext } from "./native_context.ts";
import type { NativeModel } from "./native_model.ts";

/** `enum llama_pooling_type` (llama.h): NONE = 0. */
const LLAMA_POOLING_TYPE_NONE = 0;
/** Embedding contexts hold a whole text in one ubatch; longer texts are refused. */
const MAX_EMBED_TOKENS = 8192;

/**
 * Embeds each text; returns one vector of n_embd floats per text, L2-normalized
 * when `normalize`.
 *
 * @throws {ContextOverflowError} for a text longer than the model's context (or 8192 tokens).
 */
export function embedTexts(
  model: NativeModel,
  texts: readonly string[],
  normalize: boolean,
  nThreads: number,
): number[][] {
  if (model.info.vocabOnly) {
    throw new EngineError("Cannot embed: the model was loaded with vocabOnly");
  }
  const tokenized = texts.map((text) => model.tokenize(text, true, false));
  const longest = Math.max(1, ...tokenized.map((t) => t.length));
  const limit = Math.min(model.info.nCtxTrain || MAX_EMBED_TOKENS, MAX_EMBED_TOKENS);
  if (longest > limit) throw new ContextOverflowError(longest, limit);
  const size = Math.max(256, Math.ceil(longest / 256) * 256);
  const ctx = new NativeContext(
    model,
    {
      nCtx: size,
      nBatch: size,
      nUbatch: size,
      nThreads,
      nSeqMax: 1,
      kvUnified: false,
      flashAttn: "auto",
      typeK: 1,
      typeV: 1,
      embeddings: true,
    },
    new Int32Array(1),
    0,
  );
  try {
    const { llama } = model.libs;
    const pooling = llama.llama_pooling_type(ctx.pointer);
    const nEmbd = model.info.nEmbd;
    return tokenized.map((tokens) => {
      ctx.clear();
      ctx.batch.clear();
      tokens.forEach((token, i) => ctx.batch.add(token, i, 0, true));
      if (tokens.length === 0) return new Array(nEmbd).fill(0);
      ctx.decode();
      const sum = new Float64Array(nEmbd);
      if (pooling === LLAMA_POOLING_TYPE_NONE) {
        for (let i = 0; i < tokens.length; i++) {
          addVector(sum, llama.llama_get_embeddings_ith(ctx.pointer, i), nEmbd, 1 / tokens.length);
        }
      } else {
        addVector(sum, llama.llama_get_embeddings_seq(ctx.pointer, 0), nEmbd, 1);
      }
      const out = Array.from(sum);
      if (!normalize) return out;
      const norm = Math.hypot(...out);
      return norm > 0 ? out.map((x) => x / norm) : out;
    });
  } finally {
    ctx.free();
  }
}

function addVector(sum: Float64Array, pointer: Deno.PointerValue, n: number, scale: number): void {
  if (pointer === null) throw new EngineError("Cannot read embeddings: llama.cpp returned none");
  const values = new Float32Array(Deno.UnsafePointerView.getArrayBuffer(pointer, n * 4));
  for (let i = 0; i < n; i++) sum[i] += values[i] * scale;
}
