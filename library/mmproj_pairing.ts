/**
 * Pairs a vision model with its mmproj (the projector GGUF libmtmd needs to take
 * images), as LM Studio and llama.cpp's `-hf` do: an `mmproj*.gguf` (kind "mmproj") in
 * the same folder, or in the same Hugging Face repo and revision.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import type { LibraryModel } from "./types.ts";

/**
 * The mmproj that goes with `model` among `entries` (a library listing), or null: a
 * loadable kind-"mmproj" entry in the same folder, else in the same Hugging Face repo
 * and revision. Where several fit, names starting with "mmproj" come first, then the
 * larger file (f16 before a quantized copy: projectors are small and lose most to
 * quantization), then the path, so the choice is stable.
 *
 * @example
 * ```ts ignore
 * const mmproj = pairedMmproj(library.get(id)!, library.list({ kind: "mmproj" }));
 * ```
 */
export function pairedMmproj(
  model: LibraryModel,
  entries: readonly LibraryModel[],
): LibraryModel | null {
  if (model.kind !== "model") return null;
  const candidates = entries.filter((entry) => entry.kind === "mmproj" && !entry.broken);
  const folder = dirname(model.path);
  const sameFolder = candidates.filter((entry) => dirname(entry.path) === folder);
  const hf = model.hf;
  const sameRepo = hf
    ? candidates.filter((entry) => entry.hf?.repo === hf.repo && entry.hf.revision === hf.revision)
    : [];
  const pool = sameFolder.length > 0 ? sameFolder : sameRepo;
  return [...pool].sort(byPreference)[0] ?? null;
}

function byPreference(a: LibraryModel, b: LibraryModel): number {
  const named = (entry: LibraryModel) => /^mmproj/i.test(basename(entry.path)) ? 0 : 1;
  return named(a) - named(b) || b.sizeBytes - a.sizeBytes || a.path.localeCompare(b.path);
}
