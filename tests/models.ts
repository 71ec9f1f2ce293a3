/**
 * Paths of the real GGUF files the tests run on. They live in `../shared/models`
 * beside the repository (see its SOURCES.md); `HEARTH_TEST_MODELS` points elsewhere.
 * A missing file fails the test that needs it loudly: nothing here skips.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder that holds the test models. */
export const MODELS_DIR: string = Deno.env.get("HEARTH_TEST_MODELS") ??
  fileURLToPath(new URL("../../shared/models", import.meta.url));

/** Karpathy's stories260K (llama2.c, MIT): the tiny real model; no chat template. */
export const STORIES_260K: string = join(MODELS_DIR, "stories260K.gguf");

/** stories260K with a ChatML `tokenizer.chat_template` added; same weights. */
export const STORIES_260K_CHATML: string = join(MODELS_DIR, "stories260K-chatml-derived.gguf");

/** Random weights in SmolLM2-135M's shape, Q4_K_M, GPT-2 tokenizer: for speed only. */
export const SYNTHETIC_135M: string = join(MODELS_DIR, "synthetic-135m-Q4_K_M.gguf");

/** Tokenizer-only GGUF files (0 tensors): load with `vocabOnly`. */
export const VOCAB_PHI3: string = join(MODELS_DIR, "vocab-only", "ggml-vocab-phi-3.gguf");

/** GPT-2 byte-level BPE tokenizer, 0 tensors. */
export const VOCAB_GPT2: string = join(MODELS_DIR, "vocab-only", "ggml-vocab-gpt-2.gguf");

/** A LoRA adapter for stories260K (rank 4, alpha 4) whose B matrices are 0: no effect. */
export const STORIES_260K_LORA_ZERO: string = join(MODELS_DIR, "stories260K-lora-zero.gguf");

/** The same adapter shape with random B: changes greedy output at scale 1. */
export const STORIES_260K_LORA_RANDOM: string = join(MODELS_DIR, "stories260K-lora-random.gguf");

/** stories260K cut to its first 4 of 5 blocks, same vocab: a draft model (greedy agreement ~56 %). */
export const STORIES_260K_DRAFT4: string = join(MODELS_DIR, "stories260K-draft4.gguf");

/** stories260K cut to its first 2 blocks: a poor draft model (agreement ~7.5 %). */
export const STORIES_260K_DRAFT2: string = join(MODELS_DIR, "stories260K-draft2.gguf");

/**
 * A LLaVA-style mmproj with random weights for stories260K (28x28 images, 14 px
 * patches): image input plumbing only, it understands nothing.
 */
export const STORIES_260K_MMPROJ: string = join(MODELS_DIR, "stories260K-mmproj-random.gguf");
