/**
 * The environment variables outside the option table: Hugging Face's (`HF_*`), the
 * library's model folders, the data and config folders (`HEARTH_HOME`, `XDG_*`), the
 * API key of `hearth serve` and providers' key variables. Each reader takes an
 * {@link EnvReader}; the default reads `Deno.env`.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import { dataDir } from "../storage/mod.ts";
import { DEFAULT_ENDPOINT, hubCacheDir } from "../hub/mod.ts";
import { defaultRoots, type Root } from "../library/mod.ts";

/** Reads one environment variable; the default reads `Deno.env`. */
export type EnvReader = (name: string) => string | undefined;

/** Reads `Deno.env`: the one place the process environment is read. */
export const denoEnv: EnvReader = (name) => Deno.env.get(name);

/** Hugging Face settings from the environment, as huggingface_hub reads them. */
export interface HubEnv {
  /** `HF_ENDPOINT`, default https://huggingface.co. */
  endpoint: string;
  /** `HF_TOKEN`: for gated and private repos; never logged. */
  token: string | undefined;
  /**
   * Where downloads go, absolute: `HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`, `$HF_HOME/hub`,
   * ... by hub/hub_cache_dir.ts, the rule the library's Hugging Face root follows too.
   */
  cacheDir: string;
}

const home = (env: EnvReader) => env("HOME") ?? env("USERPROFILE") ?? ".";

/** Reads the Hugging Face variables (empty counts as unset). */
export function hubEnv(env: EnvReader = denoEnv): HubEnv {
  const value = (name: string) => env(name) || undefined;
  return {
    endpoint: value("HF_ENDPOINT") ?? DEFAULT_ENDPOINT,
    token: value("HF_TOKEN"),
    cacheDir: hubCacheDir(env, home(env)),
  };
}

/**
 * Where models live besides the configured folders: the Hugging Face cache, LM
 * Studio's folders and llama.cpp's cache, from the environment.
 */
export function libraryRoots(env: EnvReader = denoEnv): Root[] {
  return defaultRoots(env, home(env));
}

/** The database folder (`HEARTH_HOME`, `XDG_DATA_HOME`) for commands without a Config. */
export function dataDirFromEnv(env: EnvReader = denoEnv): string {
  return dataDir(env, home(env));
}

/** `HEARTH_API_KEY`: the key `hearth serve` requires when no --api-key is given. */
export function apiKeyEnv(env: EnvReader = denoEnv): string | undefined {
  return env("HEARTH_API_KEY") || undefined;
}

/**
 * Where provider settings live and how their `api_key_env` variables are read: the config
 * folder ({@link configDirFromEnv}) and a reader of the process environment. The one place
 * front ends get provider keys from the environment.
 */
export function providersEnv(
  env: EnvReader = denoEnv,
): { configDir: string; env: EnvReader } {
  return { configDir: configDirFromEnv(env), env };
}

/**
 * Hearth's config folder (provider settings and their keys): `$HEARTH_HOME` if set (one
 * folder for everything), else `$XDG_CONFIG_HOME/hearth`, else `~/.config/hearth`. Empty
 * variables count as unset; a relative `XDG_CONFIG_HOME` is ignored, as the XDG spec asks.
 */
export function configDirFromEnv(env: EnvReader = denoEnv): string {
  const hearthHome = env("HEARTH_HOME");
  if (hearthHome) return hearthHome;
  const xdg = env("XDG_CONFIG_HOME");
  if (xdg && isAbsolute(xdg)) return join(xdg, "hearth");
  return join(home(env), ".config", "hearth");
}
