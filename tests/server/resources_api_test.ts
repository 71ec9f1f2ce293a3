/**
 * `GET /api/resources` over the real app server and engine: the process's own CPU and RSS,
 * and each ggml device's memory from `ggml_backend_dev_memory`: the CPU device with the CPU
 * prebuilt, and a Vulkan device (Mesa's lavapipe, a real Vulkan driver running on the CPU) with
 * the Vulkan prebuilt.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { startApp } from "../../cli/app.ts";
import type { LibVariant } from "../../ffi/lib_dir.ts";
import { AppApi, type Json } from "./_app_api.ts";

/**
 * Starts the app on `variant`, waits for the bundled model (when `loaded`), and returns the
 * first resources answer that lists devices.
 */
async function resourcesOn(variant: LibVariant, loaded = true): Promise<Json> {
  const dataDir = await Deno.makeTempDir({ prefix: "hearth-resources-" });
  const app = await startApp({ dataDir, libraryRoots: [], engine: { variant } });
  try {
    const api = new AppApi(app);
    if (loaded) {
      await api.waitFor(async () => (await api.json("GET", "/api/state")).loaded !== null);
    }
    let resources: Json;
    await api.waitFor(async () => {
      resources = await api.json("GET", "/api/resources");
      return resources.devices.length > 0;
    });
    return resources;
  } finally {
    await app.close();
    await Deno.remove(join(dataDir), { recursive: true });
  }
}

function checkMemory(device: Json): void {
  assert(device.memory_total_bytes > 0, JSON.stringify(device));
  assert(device.memory_free_bytes >= 0, JSON.stringify(device));
  assert(device.memory_free_bytes <= device.memory_total_bytes, JSON.stringify(device));
}

Deno.test("app server: /api/resources reports the CPU device's memory and the app's CPU and RSS", async () => {
  const resources = await resourcesOn("linux-x64");
  assertEquals(resources.devices.map((d: Json) => [d.name, d.type, d.backend]), [
    ["CPU", "CPU", "CPU"],
  ]);
  checkMemory(resources.devices[0]);
  // ggml's CPU device reports the machine's RAM.
  assertEquals(resources.devices[0].memory_total_bytes, resources.ram_total_bytes);
  assert(resources.rss_bytes > 0 && resources.model_size_bytes > 0, resources);
  assert(resources.cpu_cores >= 1 && resources.cpu_process_percent >= 0, resources);
});

Deno.test("app server: /api/resources reports a Vulkan device's VRAM (lavapipe)", async () => {
  // ggml-vulkan skips CPU-type Vulkan devices (lavapipe is one) unless they are named.
  Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
  try {
    // No model: the engine starts for the panel's first reading.
    const resources = await resourcesOn("linux-x64-vulkan", false);
    const vulkan = resources.devices.find((d: Json) => d.backend === "Vulkan");
    assert(vulkan, `no Vulkan device in ${JSON.stringify(resources.devices)}`);
    assertEquals([vulkan.name, vulkan.type], ["Vulkan0", "GPU"]);
    assert(/llvmpipe/i.test(vulkan.description), vulkan.description);
    checkMemory(vulkan);
    assert(resources.devices.some((d: Json) => d.type === "CPU"), "the CPU device is listed too");
  } finally {
    Deno.env.delete("GGML_VK_VISIBLE_DEVICES");
  }
});
