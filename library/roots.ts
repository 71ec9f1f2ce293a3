/**
 * Where GGUF files live on a machine: the folders the library indexes in place.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { hubCacheDir } from "../hub/hub_cache_dir.ts";
import type { ModelRootKind } from "../storage/models.ts";

export type { ModelRootKind };

/**
 * A folder the library indexes. The kind says how files below it are laid out:
 * - `"folder"`: any tree of `.gguf` files (a user's model folder);
 * - `"hf-cache"`: the Hugging Face hub cache, `models--org--name/snapshots/<rev>/<file>`
 *   links into `blobs/`;
 * - `"lmstudio"`: LM Studio's `publisher/repo/file.gguf`;
 * - `"llama.cpp"`: llama.cpp's download cache (`llama-cli -hf`), flat files.
 */
export interface Root {
  /** How files below the folder are laid out. */
  kind: ModelRootKind;
  /** The folder, absolute. */
  path: string;
}

/**
 * Computes the well-known roots of other tools on this machine, as those tools find them.
 * Pure: it reads no environment and touches no file, so a root may not exist; the
 * library skips absent roots at each scan.
 *
 * - Hugging Face cache: where downloads go, by the one rule of hub/hub_cache_dir.ts
 *   (huggingface_hub's own order: `$HF_HUB_CACHE`, the legacy `$HUGGINGFACE_HUB_CACHE`,
 *   `$HF_HOME/hub`, an absolute `$XDG_CACHE_HOME/huggingface/hub`, `~/.cache/huggingface/hub`;
 *   `~/` expanded).
 * - LM Studio: `~/.lmstudio/models` (current) and `~/.cache/lm-studio/models` (older
 *   versions).
 * - llama.cpp: `$LLAMA_CACHE`, else `$XDG_CACHE_HOME/llama.cpp`, else `~/.cache/llama.cpp`.
 *
 * User folders (`Storage.modelFolders`) are not included: the library reads them from
 * storage at every scan.
 *
 * @example
 * ```ts
 * const roots = defaultRoots((name) => ({ HF_HOME: "/data/hf" })[name], "/home/ada");
 * console.assert(roots[0].path === "/data/hf/hub" && roots[0].kind === "hf-cache");
 * ```
 *
 * @param env Reads an environment variable; unset and empty values count as absent.
 * @param home The user's home folder, absolute.
 * @returns The roots, Hugging Face cache first, without duplicates.
 */
export function defaultRoots(env: (name: string) => string | undefined, home: string): Root[] {
  const get = (name: string) => env(name) || undefined;
  const cache = get("XDG_CACHE_HOME") ?? join(home, ".cache");
  const roots: Root[] = [
    { kind: "hf-cache", path: hubCacheDir(env, home) },
    { kind: "lmstudio", path: join(home, ".lmstudio", "models") },
    { kind: "lmstudio", path: join(home, ".cache", "lm-studio", "models") },
    { kind: "llama.cpp", path: get("LLAMA_CACHE") ?? join(cache, "llama.cpp") },
  ];
  return uniqueRoots(roots.map((root) => ({ ...root, path: resolve(home, root.path) })));
}

/**
 * Drops later roots whose path an earlier root already has.
 *
 * @internal
 */
export function uniqueRoots(roots: readonly Root[]): Root[] {
  const seen = new Set<string>();
  return roots.filter((root) => !seen.has(root.path) && seen.add(root.path));
}
