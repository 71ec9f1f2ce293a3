import { assertEquals } from "../tests/assert.ts";
import { detectDevices, type DeviceFacts, prebuiltVariant } from "./devices.ts";

const LINUX: DeviceFacts = {
  os: "linux",
  arch: "x86_64",
  nvidia: false,
  vulkan: false,
  vulkanLoader: true,
  vulkanDrivers: ["lvp_icd.x86_64.json"],
  renderNode: false,
  vkVisibleDevices: undefined,
};

/** `[device, variant, detected]` of each kind. */
function summary(facts: DeviceFacts) {
  return detectDevices(facts, "/nonexistent").map((d) => [d.device, d.variant, d.detected]);
}

Deno.test("detectDevices: Vulkan needs a render node or GGML_VK_VISIBLE_DEVICES, CUDA a driver", () => {
  assertEquals(summary(LINUX), [
    ["cpu", "linux-x64", true],
    ["vulkan", "linux-x64-vulkan", false],
    ["cuda", "linux-x64-cuda", false],
    ["metal", null, false],
  ]);
  assertEquals(summary({ ...LINUX, vkVisibleDevices: "0" })[1], [
    "vulkan",
    "linux-x64-vulkan",
    true,
  ]);
  assertEquals(summary({ ...LINUX, renderNode: true, nvidia: true }).map((d) => d[2]), [
    true,
    true,
    true,
    false,
  ]);
  // A render node without a Vulkan driver installed is no Vulkan.
  assertEquals(summary({ ...LINUX, renderNode: true, vulkanDrivers: [] })[1][2], false);
  assertEquals(detectDevices(LINUX, "/nonexistent").every((d) => !d.cached), true);
});

Deno.test("prebuiltVariant: the package of each kind per OS and CPU", () => {
  const mac = { os: "darwin", arch: "aarch64" } as const;
  assertEquals(prebuiltVariant("metal", mac), "mac-arm64-metal");
  assertEquals(prebuiltVariant("cpu", mac), null);
  assertEquals(prebuiltVariant("cpu", { os: "darwin", arch: "x86_64" }), "mac-x64");
  assertEquals(prebuiltVariant("cuda", { os: "windows", arch: "x86_64" }), "win-x64-cuda");
  assertEquals(prebuiltVariant("vulkan", { os: "linux", arch: "aarch64" }), null);
  assertEquals(prebuiltVariant("cpu", { os: "linux", arch: "aarch64" }), "linux-arm64");
});
