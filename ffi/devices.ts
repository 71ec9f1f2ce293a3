/**
 * The device kinds a model can be loaded on (CPU, Vulkan, CUDA, Metal), each mapped to the
 * prebuilt `@node-llama-cpp/<variant>` package that runs on it here, and whether this
 * machine shows the means to run it: what the per-model "Device" load option offers.
 *
 * "Detected" means the files a backend needs are present, not that a device answered: no
 * library is opened to find out (that would load ggml on the main thread). For Vulkan that
 * is the Vulkan loader plus an installed driver (an ICD manifest) plus either a GPU render
 * node or `GGML_VK_VISIBLE_DEVICES`: ggml-vulkan skips CPU-type Vulkan devices such as Mesa's
 * lavapipe unless that variable names them, so without a render node nothing would run on
 * Vulkan unless the user asked for a software device that way.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  hasLinuxVulkanLoader,
  type LibVariant,
  type MachineFacts,
  machineFacts,
} from "./lib_dir.ts";
import { hasRenderNode } from "./render_node.ts";
import { NODE_LLAMA_CPP_VERSION } from "./lib_version.ts";
import { defaultPrebuiltSource } from "./prebuilt.ts";

/** A device kind of the load option `variant`: the backend a model's layers run on. */
export type DeviceKind = "cpu" | "vulkan" | "cuda" | "metal";

/** Every device kind, in the order the UI lists them. */
export const DEVICE_KINDS: readonly DeviceKind[] = ["cpu", "vulkan", "cuda", "metal"];

/** One device kind as this machine offers it (docs/ui-api.md `DeviceChoice`). */
export interface DeviceChoice {
  device: DeviceKind;
  /** The prebuilt package that runs it on this OS and CPU, or null when none is published. */
  variant: LibVariant | null;
  /** Whether the machine has what the backend needs (see the module doc); CPU always. */
  detected: boolean;
  /** Whether the package is in Hearth's cache already (else the first load fetches it). */
  cached: boolean;
  /** Why it is or is not detected, in words for the UI's tooltip. */
  reason: string;
}

/** What {@link detectDevices} reads; defaults read this machine. */
export interface DeviceFacts extends MachineFacts {
  /** A Vulkan loader library (libvulkan.so.1, vulkan-1.dll) is installed. */
  vulkanLoader: boolean;
  /** Installed Vulkan driver manifests (ICD JSON file names), e.g. "lvp_icd.x86_64.json". */
  vulkanDrivers: string[];
  /** Linux exposes a GPU render node (/dev/dri/renderD*). */
  renderNode: boolean;
  /** The value of GGML_VK_VISIBLE_DEVICES, if set. */
  vkVisibleDevices: string | undefined;
}

/** Where Linux's Vulkan loader looks for driver manifests (Vulkan-Loader docs, LoaderDriverInterface). */
const ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];

/** Reads {@link DeviceFacts} from this machine. */
export function deviceFacts(): DeviceFacts {
  const facts = machineFacts();
  const linux = facts.os === "linux";
  const vulkanLoader = linux ? hasLinuxVulkanLoader() : facts.vulkan;
  const vulkanDrivers = linux
    ? ICD_DIRS.flatMap((dir) =>
      existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith(".json")) : []
    )
    : [];
  return {
    ...facts,
    vulkanLoader,
    vulkanDrivers,
    renderNode: linux ? hasRenderNode() : facts.vulkan,
    vkVisibleDevices: Deno.env.get("GGML_VK_VISIBLE_DEVICES"),
  };
}

/**
 * The prebuilt package that runs `device` on an OS and CPU, or null when none is published
 * (Metal off Apple silicon; CUDA and Vulkan off x64; a CPU-only package on Apple silicon,
 * where the Metal package runs on the CPU with n_gpu_layers 0).
 */
export function prebuiltVariant(
  device: DeviceKind,
  facts: Pick<MachineFacts, "os" | "arch">,
): LibVariant | null {
  const { os, arch } = facts;
  // The package names' spelling of the OS and CPU (@node-llama-cpp/<platform>-<cpu>[-<gpu>]).
  const platform =
    ({ linux: "linux", windows: "win", darwin: "mac" } as Record<string, string>)[os];
  const cpu = ({ x86_64: "x64", aarch64: "arm64" } as Record<string, string>)[arch];
  if (!platform || !cpu) return null;
  switch (device) {
    case "cpu":
      return platform === "mac" && cpu === "arm64" ? null : `${platform}-${cpu}` as LibVariant;
    case "vulkan":
    case "cuda":
      return platform !== "mac" && cpu === "x64"
        ? `${platform}-${cpu}-${device}` as LibVariant
        : null;
    case "metal":
      return platform === "mac" && cpu === "arm64" ? "mac-arm64-metal" : null;
  }
}

/**
 * Lists every device kind with its package on this machine, whether it is detected and
 * why, and whether its package is cached.
 *
 * @param facts What the machine has; default {@link deviceFacts}.
 * @param cacheDir Hearth's prebuilt cache; default `defaultPrebuiltSource().cacheDir`.
 */
export function detectDevices(
  facts: DeviceFacts = deviceFacts(),
  cacheDir: string = defaultPrebuiltSource().cacheDir,
): DeviceChoice[] {
  return DEVICE_KINDS.map((device) => {
    const variant = prebuiltVariant(device, facts);
    const cached = variant !== null &&
      existsSync(join(cacheDir, `${variant}-${NODE_LLAMA_CPP_VERSION}`, "package.json"));
    if (variant === null) {
      return {
        device,
        variant,
        detected: false,
        cached,
        reason: `No prebuilt ${device} package for ${facts.os}-${facts.arch}`,
      };
    }
    const [detected, reason] = detect(device, facts);
    return { device, variant, detected, cached, reason };
  });
}

function detect(device: DeviceKind, facts: DeviceFacts): [boolean, string] {
  switch (device) {
    case "cpu":
      return [true, "Runs everywhere"];
    case "metal":
      return [true, "Apple silicon GPU"];
    case "cuda":
      return facts.nvidia ? [true, "NVIDIA driver found"] : [false, "No NVIDIA driver found"];
    case "vulkan":
      if (!facts.vulkanLoader) return [false, "No Vulkan loader (libvulkan) installed"];
      if (facts.os === "linux" && facts.vulkanDrivers.length === 0) {
        return [false, "No Vulkan driver (ICD manifest) installed"];
      }
      if (facts.renderNode) return [true, "Vulkan loader and a GPU render node found"];
      if (facts.vkVisibleDevices !== undefined) {
        return [
          true,
          `No GPU render node; GGML_VK_VISIBLE_DEVICES=${facts.vkVisibleDevices} names a ` +
          `Vulkan device, e.g. a software one (drivers: ${facts.vulkanDrivers.join(", ")})`,
        ];
      }
      return [
        false,
        "No GPU render node: only a software Vulkan driver could answer, and ggml uses it " +
        "only when GGML_VK_VISIBLE_DEVICES names it",
      ];
  }
}
