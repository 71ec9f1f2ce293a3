/**
 * The GPU offload path (n_gpu_layers > 0) on a CPU stand-in: the prebuilt Vulkan
 * variant with Mesa's lavapipe (Debian `mesa-vulkan-drivers`). ggml-vulkan skips
 * CPU-type Vulkan devices unless GGML_VK_VISIBLE_DEVICES names them.
 */
import { assert, assertEquals } from "../assert.ts";
import { loadModel } from "../../engine/model.ts";
import { STORIES_260K } from "../models.ts";

Deno.test("loadModel() offloads layers to a Vulkan device and generates the same text", async () => {
  Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
  using gpu = await loadModel(STORIES_260K, { variant: "linux-x64-vulkan", nGpuLayers: 99 });
  const vulkan = gpu.engine.info.devices.find((d) => d.backend === "Vulkan");
  assert(vulkan, `no Vulkan device in ${JSON.stringify(gpu.engine.info.devices)}`);
  assertEquals(vulkan.type, "GPU");
  assertEquals(gpu.info.nLayersOffloaded, gpu.info.nLayer + 1);
  using gpuCtx = await gpu.createContext({ nCtx: 256 });
  const onGpu = await gpuCtx.generate("Once upon a time", { temperature: 0, maxTokens: 12 }).text();

  using cpu = await loadModel(STORIES_260K, { engine: gpu.engine, nGpuLayers: 0 });
  assertEquals(cpu.info.nLayersOffloaded, 0);
  using cpuCtx = await cpu.createContext({ nCtx: 256 });
  const onCpu = await cpuCtx.generate("Once upon a time", { temperature: 0, maxTokens: 12 }).text();
  assertEquals(onGpu, onCpu);
  assert(onGpu.startsWith(", there was a little girl named Lily"), onGpu);
});
