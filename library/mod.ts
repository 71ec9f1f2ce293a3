/**
 * Hearth's model library: GGUF files indexed in place, without copying, from the user's
 * model folders, the Hugging Face cache, LM Studio's folders and llama.cpp's cache.
 * Every file is validated (engine/gguf_check.ts) before it is listed as loadable; the
 * index lives in storage (the `models` table) and a watcher keeps it current.
 *
 * This layer imports `engine/gguf_check.ts`, `engine/errors.ts`, `storage/` and
 * `hub/hub_cache_dir.ts` (so the library and downloads agree on the Hugging Face cache)
 * only.
 *
 * @example Index the well-known roots and pick the chat models
 * ```ts
 * import { defaultRoots, ModelLibrary } from "./mod.ts";
 * import { openDatabase } from "../storage/mod.ts";
 *
 * using storage = openDatabase(":memory:");
 * const home = Deno.makeTempDirSync();
 * const library = new ModelLibrary(storage, defaultRoots(() => undefined, home));
 * const result = await library.scan();
 * console.assert(result.roots.every(({ present }) => !present));
 * console.assert(library.list({ kind: "model", broken: false }).length === 0);
 * await library.close();
 * Deno.removeSync(home, { recursive: true });
 * ```
 *
 * @module
 */
export { ModelLibrary } from "./model_library.ts";
export { defaultRoots } from "./roots.ts";
export { pairedMmproj } from "./mmproj_pairing.ts";
export { mainTensorType, modelFacts } from "./model_facts.ts";
export type { ModelFacts } from "./model_facts.ts";
export type { Root } from "./roots.ts";
export { DeleteRefusedError, ModelNotInLibraryError } from "./errors.ts";
export type {
  GgufChecker,
  GgufFileInfo,
  GgufTensor,
  LibraryChanges,
  LibraryModel,
  ListFilter,
  ModelKind,
  ModelLibraryOptions,
  ModelRootKind,
  RemoveOptions,
  ScanResult,
  VerifyProgress,
  VerifyResult,
} from "./types.ts";
