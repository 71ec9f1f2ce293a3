/**
 * Where the Hugging Face cache lives, computed the way huggingface_hub does so that
 * files Hearth downloads are seen by other tools and the other way round.
 *
 * @module
 */
import { isAbsolute, join, resolve } from "node:path";

/**
 * Computes the hub cache directory: `$HF_HUB_CACHE`, else the legacy
 * `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
 * else `~/.cache/huggingface/hub`. Empty variables count as unset; a leading `~/` is
 * expanded to `home`; a relative `XDG_CACHE_HOME` is ignored, as the XDG spec asks.
 * Other relative values are taken from `home` (huggingface_hub takes them from the
 * working directory), so the app finds one folder however it is started.
 *
 * Both downloads (config/config.ts `hubEnv`) and the library's Hugging Face root
 * (library/roots.ts) come from here, so they always name the same folder.
 *
 * @param env Reads one environment variable, e.g. `(name) => Deno.env.get(name)`.
 * @param home The user's home directory, absolute.
 * @returns The directory, absolute; it may not exist yet (downloads create it).
 *
 * @example
 * ```ts
 * import { hubCacheDir } from "./hub_cache_dir.ts";
 *
 * const env = new Map([["HF_HOME", "/data/hf"]]);
 * console.assert(hubCacheDir((name) => env.get(name), "/home/ada") === "/data/hf/hub");
 * ```
 */
export function hubCacheDir(env: (name: string) => string | undefined, home: string): string {
  const expand = (path: string) =>
    path === "~" ? home : resolve(home, path.startsWith("~/") ? path.slice(2) : path);
  const hubCache = env("HF_HUB_CACHE") || env("HUGGINGFACE_HUB_CACHE");
  if (hubCache) return expand(hubCache);
  const hfHome = env("HF_HOME");
  if (hfHome) return join(expand(hfHome), "hub");
  const xdgCache = env("XDG_CACHE_HOME");
  const cacheRoot = xdgCache && isAbsolute(xdgCache) ? xdgCache : join(home, ".cache");
  return join(cacheRoot, "huggingface", "hub");
}
