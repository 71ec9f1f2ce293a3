import { assert, assertEquals } from "../assert.ts";
import { Engine } from "../../engine/engine.ts";
import { estimateMemory, planMemory } from "../../engine/memory_fit.ts";
import { loadModel } from "../../engine/model.ts";
import { STORIES_260K, SYNTHETIC_135M } from "../models.ts";

const within = (actual: number, expected: number, share: number) =>
  Math.abs(actual - expected) <= expected * share;

Deno.test("estimateMemory() matches what a real load of the test models allocates", async () => {
  using engine = await Engine.start();
  for (const [path, nCtx] of [[STORIES_260K, 2048], [SYNTHETIC_135M, 4096]] as const) {
    const fit = await estimateMemory(engine, path, { nCtx, nGpuLayers: 0 });
    using model = await loadModel(path, { engine, nGpuLayers: 0 });
    using ctx = await model.createContext({ nCtx });
    const [cpu] = fit.devices;
    assertEquals(fit.devices.length, 1);
    assertEquals(cpu.device, "CPU");
    assertEquals(cpu.weightsBytes, model.info.sizeBytes);
    assertEquals(cpu.kvCacheBytes, ctx.info.kvCacheBytes);
    assert(
      within(cpu.computeBytes, ctx.info.computeBytes, 0.02),
      `${cpu.computeBytes} vs ${ctx.info.computeBytes}`,
    );
    assertEquals(fit.verdict, "fits");
    assertEquals(fit.nCtx, ctx.info.nCtx);
  }
});

Deno.test("estimateMemory() puts offloaded layers on the GPU device", async () => {
  Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
  using engine = await Engine.start({ variant: "linux-x64-vulkan" });
  const all = await estimateMemory(engine, SYNTHETIC_135M, { nCtx: 2048, nGpuLayers: -1 });
  const gpu = all.devices.find((d) => d.device.startsWith("Vulkan"));
  assert(gpu, JSON.stringify(all.devices));
  const cpu = all.devices.find((d) => d.device === "CPU")!;
  // Everything but the token embedding goes to the GPU; the KV cache too.
  assert(gpu.weightsBytes > cpu.weightsBytes, JSON.stringify(all.devices));
  assert(gpu.kvCacheBytes > 0 && cpu.kvCacheBytes === 0);
  const none = await estimateMemory(engine, SYNTHETIC_135M, { nCtx: 2048, nGpuLayers: 0 });
  assertEquals(none.devices.find((d) => d.device.startsWith("Vulkan"))?.weightsBytes ?? 0, 0);
});

Deno.test("planMemory() calls a load that exceeds free memory a misfit and finds the n_ctx that fits", () => {
  const MiB = 1024 * 1024;
  const probe = {
    layerDevices: ["CPU", "CPU", "CPU"],
    kvLayerDevices: ["CPU", "CPU"],
    kvBytes: 64 * MiB,
    computeBytes: { CPU: 16 * MiB },
    outputBytes: {},
    nCtx: 4096,
  };
  const tensors = [{ name: "token_embd.weight", bytes: 100 * MiB }, {
    name: "blk.0.attn_q.weight",
    bytes: 200 * MiB,
  }];
  const devices = [{
    name: "CPU",
    description: "",
    type: "CPU",
    backend: "CPU",
    memoryFreeBytes: 0,
    memoryTotalBytes: 0,
  }];
  const roomy = planMemory(probe, tensors, devices, 32768, 4096 * MiB);
  assertEquals(roomy.verdict, "fits");
  assertEquals(roomy.totalBytes, 380 * MiB);
  const tight = planMemory(probe, tensors, devices, 32768, 400 * MiB);
  assertEquals(tight.verdict, "tight");
  // 400 - 300 weights - 16 compute = 84 MiB of KV at 16 KiB a token = 5376 tokens.
  assertEquals(tight.maxNCtx, 5376);
  const short = planMemory(probe, tensors, devices, 32768, 300 * MiB);
  assertEquals(short.verdict, "does-not-fit");
  assertEquals(short.maxNCtx, 0);
});
