/**
 * Fetches one prebuilt `@node-llama-cpp/<name>` npm package into Hearth's cache, outside
 * Deno's module graph. An `npm:` import would record every variant ever imported in
 * deno.lock, and `deno task` installs every npm package the lockfile names: a fresh
 * machine would fetch all twelve variants (about 1.4 GB, the CUDA pairs alone over
 * 1 GB) to use one. Here only the package this machine needs is fetched, checked
 * against the sha512 integrity pinned in {@link PREBUILT_INTEGRITY}, and unpacked.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tar from "tar";
import { NODE_LLAMA_CPP_VERSION, PREBUILT_INTEGRITY } from "./lib_version.ts";
import { LibraryLoadError } from "./errors.ts";

/** Where and from what registry {@link fetchPrebuilt} works. */
export interface PrebuiltSource {
  /** The folder that keeps unpacked packages, e.g. `~/.cache/hearth/libllama`. */
  cacheDir: string;
  /** The npm registry's base URL. Default "https://registry.npmjs.org". */
  registry?: string;
  /** The fetch to use. Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** sha512 integrity by package name. Default {@link PREBUILT_INTEGRITY}. */
  integrity?: Readonly<Record<string, string>>;
}

/**
 * The default {@link PrebuiltSource} from the environment: `HEARTH_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/hearth`, else `~/.cache/hearth` (Windows: `%LOCALAPPDATA%\hearth`);
 * the registry from `NPM_CONFIG_REGISTRY`, as npm and Deno read it.
 *
 * @param env Reads one environment variable.
 */
export function defaultPrebuiltSource(
  env: (name: string) => string | undefined = (name) => Deno.env.get(name),
): PrebuiltSource {
  const home = env("HOME") ?? env("USERPROFILE") ?? ".";
  const base = env("HEARTH_CACHE_DIR") ??
    join(env("XDG_CACHE_HOME") ?? env("LOCALAPPDATA") ?? join(home, ".cache"), "hearth");
  return { cacheDir: join(base, "libllama"), registry: env("NPM_CONFIG_REGISTRY") };
}

/**
 * Returns the folder of the unpacked package `@node-llama-cpp/<name>` at the pinned
 * version, downloading it first when the cache does not hold it. The download is
 * verified against {@link PREBUILT_INTEGRITY} before anything is unpacked, and the
 * package appears in the cache by one rename, so a killed process or a second process
 * fetching the same package never leaves a half-unpacked folder behind.
 *
 * @throws {LibraryLoadError} when the package is not pinned, cannot be downloaded, or
 *   its bytes do not match the pinned integrity.
 */
export async function fetchPrebuilt(name: string, source: PrebuiltSource): Promise<string> {
  const integrity = (source.integrity ?? PREBUILT_INTEGRITY)[name];
  if (integrity === undefined) {
    throw new LibraryLoadError(`Cannot fetch "@node-llama-cpp/${name}": no such prebuilt package`);
  }
  const dir = join(source.cacheDir, `${name}-${NODE_LLAMA_CPP_VERSION}`);
  if (existsSync(join(dir, "package.json"))) return dir;

  let temp: string;
  try {
    await Deno.mkdir(source.cacheDir, { recursive: true });
    temp = await Deno.makeTempDir({ dir: source.cacheDir, prefix: `.${name}-` });
  } catch (error) {
    throw cacheError(source.cacheDir, error);
  }
  try {
    const tarball = join(temp, "package.tgz");
    await download(name, source, tarball, integrity);
    const unpacked = join(temp, "package");
    try {
      await Deno.mkdir(unpacked);
      await tar.x({ file: tarball, cwd: unpacked, strip: 1 });
    } catch (error) {
      throw cacheError(source.cacheDir, error);
    }
    try {
      await Deno.rename(unpacked, dir);
    } catch (error) {
      // Another process unpacked the same package first: use its copy.
      if (!existsSync(join(dir, "package.json"))) throw cacheError(source.cacheDir, error);
    }
    return dir;
  } finally {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
  }
}

/** A failure to write the cache (read-only folder, full disk) as a LibraryLoadError. */
function cacheError(cacheDir: string, error: unknown): LibraryLoadError {
  return new LibraryLoadError(
    `Cannot unpack prebuilt libllama into "${cacheDir}": ${(error as Error).message}; ` +
      `set HEARTH_CACHE_DIR to a writable folder, or pass --lib-dir`,
    { cause: error },
  );
}

async function download(
  name: string,
  source: PrebuiltSource,
  path: string,
  integrity: string,
): Promise<void> {
  const registry = (source.registry ?? "https://registry.npmjs.org").replace(/\/+$/, "");
  const url = `${registry}/@node-llama-cpp/${name}/-/${name}-${NODE_LLAMA_CPP_VERSION}.tgz`;
  let response: Response;
  try {
    response = await (source.fetch ?? fetch)(url);
  } catch (error) {
    throw new LibraryLoadError(
      `Cannot fetch prebuilt libllama from ${url}: ${(error as Error).message}; ` +
        `check the network on first run, or pass --lib-dir`,
      { cause: error },
    );
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new LibraryLoadError(
      `Cannot fetch prebuilt libllama from ${url}: HTTP ${response.status}`,
    );
  }
  const hash = createHash("sha512");
  const hashing = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    // pipeTo closes the file when the body ends and aborts it when the body fails.
    await response.body.pipeThrough(hashing).pipeTo(file.writable);
  } catch (error) {
    throw new LibraryLoadError(
      `Cannot fetch prebuilt libllama from ${url}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const actual = `sha512-${hash.digest("base64")}`;
  if (actual !== integrity) {
    throw new LibraryLoadError(
      `Cannot use prebuilt libllama from ${url}: its sha512 integrity is ${actual}, ` +
        `expected ${integrity}`,
    );
  }
}
