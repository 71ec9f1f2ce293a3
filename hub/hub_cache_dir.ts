/**
 * Where the Hugging Face cache lives, computed the way huggingface_hub does so that
 * files Hearth downloads are seen by other tools and the other way round.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";

/**
 * Computes the hub cache directory: `$HF_HUB_CACHE`, else the legacy
 * `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`,
 * else `~/.cache/huggingface/hub`. Empty variables count as unset; a leading `~/` is
 * expanded to `home`; a relative `XDG_CACHE_HOME` is ignored, as the XDG spec asks.
 *
 * @param env Reads one environment variable, e.g. `(name) => Deno.env.get(name)`.
 * @param home The user's home directory.
 * @returns The directory; it may not exist yet (downloads create it).
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
    path === "~" ? home : path.startsWith("~/") ? join(home, path.slice(2)) : path;
  const hubCache = env("HF_HUB_CACHE") || env("HUGGINGFACE_HUB_CACHE");
  if (hubCache) return expand(hubCache);
  const hfHome = env("HF_HOME");
  if (hfHome) return join(expand(hfHome), "hub");
  const xdgCache = env("XDG_CACHE_HOME");
  const cacheRoot = xdgCache && isAbsolute(xdgCache) ? xdgCache : join(home, ".cache");
  return join(cacheRoot, "huggingface", "hub");
}
