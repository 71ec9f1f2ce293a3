/**
 * Words the model browser shows for the contract's enum values.
 *
 * @module
 */
import type { LibraryEntry, LibrarySource, MemoryFit } from "../../api/types.ts";

/** Where a library file was found. */
export const SOURCE_LABELS: Readonly<Record<LibrarySource, string>> = {
  bundled: "Bundled",
  folder: "Model folder",
  "hf-cache": "HF cache",
  lmstudio: "LM Studio",
  "llama.cpp": "llama.cpp cache",
};

/** What a file is, for files that are not chat models. */
export const KIND_LABELS: Readonly<Record<LibraryEntry["kind"], string>> = {
  model: "Model",
  "vocab-only": "Vocabulary only",
  mmproj: "Vision projector",
  adapter: "LoRA adapter",
};

/** The fit badge's word per verdict. */
export const FIT_LABELS: Readonly<Record<MemoryFit["verdict"], string>> = {
  fits: "Fits",
  tight: "Tight fit",
  "does-not-fit": "Does not fit",
};
