/**
 * Finds the folder that holds libllama and its ggml libraries: a folder the user
 * names (`--lib-dir`, `HEARTH_LIB_DIR`: a native/build.sh output or llama.cpp's own
 * build/bin), else the prebuilt `@node-llama-cpp/<variant>` npm package chosen for
 * this machine by OS, CPU and GPU. Only that one package is fetched, on first use,
 * into Hearth's cache (ffi/prebuilt.ts; the CUDA packages alone are over 500 MB).
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { hasRenderNode } from "./render_node.ts";
import { defaultPrebuiltSource, fetchPrebuilt, type PrebuiltSource } from "./prebuilt.ts";
import { LibraryLoadError } from "./errors.ts";

/** A prebuilt variant: the suffix of an `@node-llama-cpp/<variant>` npm package. */
export type LibVariant =
  | "linux-x64"
  | "linux-x64-cuda"
  | "linux-x64-vulkan"
  | "linux-arm64"
  | "mac-arm64-metal"
  | "mac-x64"
  | "win-x64"
  | "win-x64-cuda"
  | "win-x64-vulkan"
  | "win-arm64";

/**
 * Every variant published at the pinned version; `Engine.start({ variant })` takes one.
 *
 * @example
 * ```ts
 * import { LIB_VARIANTS } from "@hearth/hearth";
 *
 * console.log(LIB_VARIANTS.filter((variant) => variant.startsWith("linux-")));
 * // ["linux-x64", "linux-x64-cuda", "linux-x64-vulkan", "linux-arm64"]
 * ```
 */
export const LIB_VARIANTS: readonly LibVariant[] = [
  "linux-x64",
  "linux-x64-cuda",
  "linux-x64-vulkan",
  "linux-arm64",
  "mac-arm64-metal",
  "mac-x64",
  "win-x64",
  "win-x64-cuda",
  "win-x64-vulkan",
  "win-arm64",
];

/** Where the libraries were found, and why. */
export interface LibLocation {
  /** The folder holding libllama, libggml, libggml-base and the ggml backends. */
  dir: string;
  /** Folders whose libraries are opened first (CUDA runtime from `*-cuda-ext`). */
  preloadDirs: string[];
  /** The prebuilt variant, or "custom" for a user's folder. */
  variant: LibVariant | "custom";
}

/** What the machine offers, as far as choosing a variant needs. */
export interface MachineFacts {
  os: typeof Deno.build.os;
  arch: typeof Deno.build.arch;
  /** An NVIDIA driver is installed. */
  nvidia: boolean;
  /** A Vulkan loader and a GPU render node are present. */
  vulkan: boolean;
}

/** Whether Linux's Vulkan loader (libvulkan.so.1) is installed where distributions put it. */
export function hasLinuxVulkanLoader(): boolean {
  return [
    "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
    "/usr/lib/aarch64-linux-gnu/libvulkan.so.1",
    "/usr/lib64/libvulkan.so.1",
    "/usr/lib/libvulkan.so.1",
  ].some((path) => existsSync(path));
}

/** Reads the facts {@link chooseVariant} needs from this machine. */
export function machineFacts(): MachineFacts {
  const { os, arch } = Deno.build;
  const anyExists = (paths: string[]) => paths.some((path) => existsSync(path));
  let nvidia = false;
  let vulkan = false;
  if (os === "linux") {
    nvidia = anyExists(["/proc/driver/nvidia/version", "/dev/nvidiactl"]);
    vulkan = hasRenderNode() && hasLinuxVulkanLoader();
  } else if (os === "windows") {
    const system32 = `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\System32`;
    nvidia = existsSync(`${system32}\\nvcuda.dll`);
    vulkan = existsSync(`${system32}\\vulkan-1.dll`);
  }
  return { os, arch, nvidia, vulkan };
}

/**
 * Picks the prebuilt variant for a machine: CUDA where an NVIDIA driver is present,
 * else Vulkan where a Vulkan GPU is, else CPU; Metal on Apple silicon.
 *
 * @throws {LibraryLoadError} when no prebuilt package exists for the OS and CPU.
 */
export function chooseVariant(facts: MachineFacts): LibVariant {
  const { os, arch, nvidia, vulkan } = facts;
  if (os === "linux" && arch === "x86_64") {
    return nvidia ? "linux-x64-cuda" : vulkan ? "linux-x64-vulkan" : "linux-x64";
  }
  if (os === "linux" && arch === "aarch64") return "linux-arm64";
  if (os === "darwin") return arch === "aarch64" ? "mac-arm64-metal" : "mac-x64";
  if (os === "windows" && arch === "x86_64") {
    return nvidia ? "win-x64-cuda" : vulkan ? "win-x64-vulkan" : "win-x64";
  }
  if (os === "windows" && arch === "aarch64") return "win-arm64";
  throw new LibraryLoadError(
    `Cannot choose a prebuilt libllama for ${os}-${arch}; build one with native/build.sh and pass --lib-dir`,
  );
}

/** Options of {@link locateLibraries}. */
export interface LocateOptions {
  /** A folder with libllama to use instead of a prebuilt package. */
  libDir?: string;
  /** Force a prebuilt variant instead of choosing one from the machine. */
  variant?: LibVariant;
  /** Where prebuilt packages are cached and fetched from; default {@link defaultPrebuiltSource}. */
  prebuilt?: PrebuiltSource;
}

/**
 * Returns the folder to load libllama from, fetching the chosen npm package into
 * Hearth's cache on first use.
 *
 * @throws {LibraryLoadError} when `libDir` holds no libllama, the variant is unknown,
 *   or the package cannot be fetched (offline on first use).
 */
export async function locateLibraries(options: LocateOptions = {}): Promise<LibLocation> {
  if (options.libDir !== undefined) {
    if (!existsSync(options.libDir)) {
      throw new LibraryLoadError(`Cannot use lib dir "${options.libDir}": no such folder`);
    }
    return { dir: options.libDir, preloadDirs: [], variant: "custom" };
  }
  const variant = options.variant ?? chooseVariant(machineFacts());
  if (!LIB_VARIANTS.includes(variant)) {
    throw new LibraryLoadError(
      `Cannot use variant "${variant}": expected one of ${LIB_VARIANTS.join(", ")}`,
    );
  }
  const source = options.prebuilt ?? defaultPrebuiltSource();
  const dir = await packageBinsDir(variant, source);
  const preloadDirs = variant.endsWith("-cuda")
    ? [await packageBinsDir(`${variant}-ext`, source)]
    : [];
  return { dir, preloadDirs, variant };
}

async function packageBinsDir(name: string, source: PrebuiltSource): Promise<string> {
  const binsDir = join(await fetchPrebuilt(name, source), "bins");
  // The package keeps one folder per platform name under bins/.
  const [platform] = existsSync(binsDir)
    ? readdirSync(binsDir).filter((entry) => !entry.startsWith("_"))
    : [];
  if (!platform) throw new LibraryLoadError(`Cannot find libraries in "${binsDir}"`);
  return join(binsDir, platform);
}
