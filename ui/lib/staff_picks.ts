/**
 * Small real models a new user can download from the welcome screen, as LM Studio's staff
 * picks do: instruction-tuned, permissively usable, Q4_K_M quantization (llama.cpp's usual
 * size/quality balance), each under about 1.1 GB so they run on any recent laptop's CPU.
 * Sizes are the files' sizes on Hugging Face, in bytes (rounded); the fit badge asks the
 * server, which reads the real header. Each repository and file name was checked against the
 * repository's file listing on huggingface.co (bartowski's Qwen2.5 0.5B and 1.5B, Llama 3.2 1B
 * and SmolLM2 1.7B repos; LM Studio's Gemma 3 1B repo, whose file list shows the Q4_K_M file
 * at 806 MB).
 *
 * @module
 */

/** One suggested model file. */
export type StaffPick = {
  /** What the welcome screen calls it. */
  name: string;
  /** Hugging Face repository. */
  repo: string;
  /** GGUF file in it. */
  file: string;
  /** Approximate file size, in bytes. */
  sizeBytes: number;
  /** One line on what it is good at. */
  blurb: string;
};

/** The list, smallest first. */
export const STAFF_PICKS: readonly StaffPick[] = [
  {
    name: "Qwen2.5 0.5B Instruct",
    repo: "bartowski/Qwen2.5-0.5B-Instruct-GGUF",
    file: "Qwen2.5-0.5B-Instruct-Q4_K_M.gguf",
    sizeBytes: 398_000_000,
    blurb: "Tiny and fast; simple questions and rewrites.",
  },
  {
    name: "Llama 3.2 1B Instruct",
    repo: "bartowski/Llama-3.2-1B-Instruct-GGUF",
    file: "Llama-3.2-1B-Instruct-Q4_K_M.gguf",
    sizeBytes: 808_000_000,
    blurb: "Meta's small model; everyday chat and summaries.",
  },
  {
    name: "Gemma 3 1B",
    repo: "lmstudio-community/gemma-3-1b-it-GGUF",
    file: "gemma-3-1b-it-Q4_K_M.gguf",
    sizeBytes: 806_000_000,
    blurb: "Google's small model; good writing for its size.",
  },
  {
    name: "Qwen2.5 1.5B Instruct",
    repo: "bartowski/Qwen2.5-1.5B-Instruct-GGUF",
    file: "Qwen2.5-1.5B-Instruct-Q4_K_M.gguf",
    sizeBytes: 986_000_000,
    blurb: "A capable all-rounder; code, math and many languages.",
  },
  {
    name: "SmolLM2 1.7B Instruct",
    repo: "bartowski/SmolLM2-1.7B-Instruct-GGUF",
    file: "SmolLM2-1.7B-Instruct-Q4_K_M.gguf",
    sizeBytes: 1_060_000_000,
    blurb: "Hugging Face's open model; fully open training data.",
  },
];
