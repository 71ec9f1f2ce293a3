/**
 * Which file to offer first when a repository has many quantizations.
 *
 * @module
 */
import type { GgufFile } from "./list_gguf_files.ts";

/**
 * Quantizations in order of preference. Q4_K_M first: the usual balance of size and
 * quality for local use. Then other ~4-bit k/i-quants, then larger ones by rising size
 * (more quality, more memory), then smaller ones by falling quality, then full precision.
 */
export const QUANT_PREFERENCE: readonly string[] = Object.freeze([
  "Q4_K_M",
  "UD-Q4_K_XL",
  "Q4_K_XL",
  "Q4_K_S",
  "IQ4_XS",
  "IQ4_NL",
  "Q4_0",
  "Q5_K_M",
  "Q5_K_S",
  "Q5_0",
  "Q6_K",
  "Q8_0",
  "Q3_K_L",
  "Q3_K_M",
  "IQ3_M",
  "Q3_K_S",
  "IQ3_XS",
  "Q2_K",
  "IQ2_M",
  "BF16",
  "F16",
  "F32",
]);

/**
 * Picks the file to offer by default: the first of {@link QUANT_PREFERENCE} present,
 * else the smallest file. mmproj files and incomplete split models are never picked.
 *
 * @param files Files from `listGgufFiles`.
 * @returns The file, or null when there is no candidate.
 *
 * @example
 * ```ts
 * import { pickDefaultQuant } from "./pick_default_quant.ts";
 *
 * const file = (path: string, quant: string, sizeBytes: number) => ({
 *   path, quant, sizeBytes, sha256: null, isMmproj: false, complete: true, parts: [],
 * });
 * const files = [file("m-Q8_0.gguf", "Q8_0", 8), file("m-Q4_K_M.gguf", "Q4_K_M", 4)];
 * console.assert(pickDefaultQuant(files)?.path === "m-Q4_K_M.gguf");
 * ```
 */
export function pickDefaultQuant(files: readonly GgufFile[]): GgufFile | null {
  const candidates = files.filter((f) => !f.isMmproj && f.complete);
  for (const quant of QUANT_PREFERENCE) {
    const match = candidates.find((f) => f.quant === quant);
    if (match) return match;
  }
  return candidates.reduce<GgufFile | null>(
    (best, f) => (best === null || f.sizeBytes < best.sizeBytes ? f : best),
    null,
  );
}
