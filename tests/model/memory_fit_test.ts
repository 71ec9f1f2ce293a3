import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { Engine } from "../../engine/engine.ts";
import { estimateMemory, type MemoryFitOptions, planMemory } from "../../engine/memory_fit.ts";
import {
  COMPUTE_FORMULA_TOLERANCE,
  formulaProbe,
  modelShape,
} from "../../engine/memory_formula.ts";
import { checkGgufFile } from "../../engine/gguf_check.ts";
import type { MemoryProbe } from "../../engine/worker/memory_probe.ts";
import type { BackendDevice } from "../../engine/types.ts";
import { writeGguf } from "../library/_gguf.ts";
import { loadModel } from "../../engine/model.ts";
import { LoadVerdicts } from "../../engine/load_verdicts.ts";
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
  // Two KV streams (n_seq_max 2, not unified) share those 5376 tokens: 2688 each, to 2560.
  const twoSlots = planMemory(probe, tensors, devices, 32768, 400 * MiB, "simulation", 2);
  assertEquals(twoSlots.maxNCtx, 2560);
  const short = planMemory(probe, tensors, devices, 32768, 300 * MiB);
  assertEquals(short.verdict, "does-not-fit");
  assertEquals(short.maxNCtx, 0);
});

/** The simulated and the formula estimate of one load. */
async function bothWays(engine: Engine, path: string, options: MemoryFitOptions) {
  const simulated = await estimateMemory(engine, path, { nGpuLayers: 0, ...options });
  const formula = await estimateMemory(null, path, { nGpuLayers: 0, ...options });
  assertEquals(simulated.method, "simulation");
  assertEquals(formula.method, "formula");
  assertEquals(formula.devices.length, 1);
  return { sim: simulated.devices[0], est: formula.devices[0], simulated, formula };
}

Deno.test("estimateMemory() without an engine: the formula matches the simulation on the test models", async () => {
  using engine = await Engine.start();
  const cases: [string, MemoryFitOptions][] = [
    [STORIES_260K, { nCtx: 2048 }],
    [STORIES_260K, { nCtx: 4096, flashAttn: false }],
    [STORIES_260K, { nCtx: 32768, nUbatch: 1024, nBatch: 1024 }],
    [STORIES_260K, { nCtx: 4096, nSeqMax: 4 }],
    [STORIES_260K, { nCtx: 4096, typeK: "f32", typeV: "f32" }],
    [SYNTHETIC_135M, { nCtx: 4096 }],
    [SYNTHETIC_135M, { nCtx: 2048, nUbatch: 64 }],
    [SYNTHETIC_135M, { nCtx: 8192, flashAttn: false }],
    [SYNTHETIC_135M, { nCtx: 4096, nSeqMax: 4 }],
    [SYNTHETIC_135M, { nCtx: 1000, nSeqMax: 3, kvUnified: true }],
    [SYNTHETIC_135M, { nCtx: 1000, nSeqMax: 3 }],
  ];
  for (const [path, options] of cases) {
    const { sim, est, simulated, formula } = await bothWays(engine, path, options);
    const what = `${path.split("/").pop()} ${JSON.stringify(options)}`;
    assertEquals(formula.nCtx, simulated.nCtx, what);
    assertEquals(est.weightsBytes, sim.weightsBytes, what);
    // llama.cpp logs the KV size in MiB with two decimals; these sizes are whole 1/100 MiB.
    assertEquals(est.kvCacheBytes, sim.kvCacheBytes, what);
    assert(
      within(est.computeBytes, sim.computeBytes, COMPUTE_FORMULA_TOLERANCE),
      `${what}: compute ${est.computeBytes} vs simulated ${sim.computeBytes}`,
    );
    assertEquals(formula.simulationError, "no engine is running to simulate the load");
    assertEquals(simulated.simulationError, null);
  }
});

Deno.test("estimateMemory() gives the exact KV cache of a quantized cache by formula", async () => {
  using engine = await Engine.start();
  const { sim, est } = await bothWays(engine, SYNTHETIC_135M, {
    nCtx: 4096,
    flashAttn: true,
    typeK: "q8_0",
    typeV: "q8_0",
  });
  // 30 layers × 4096 cells × 2 × (192 values in 6 blocks of 34 bytes).
  assertEquals(est.kvCacheBytes, 30 * 4096 * 2 * 6 * 34);
  // The simulation's figure is the logged "47.81 MiB".
  assert(Math.abs(est.kvCacheBytes - sim.kvCacheBytes) <= 0.005 * 1024 * 1024);
});

Deno.test("estimateMemory() falls back to the formula when llama.cpp cannot simulate the load", async (t) => {
  using engine = await Engine.start();
  await t.step("a context llama.cpp refuses", async () => {
    // stories260K's 8-value heads are not a whole q8_0 block: llama.cpp refuses the cache.
    const fit = await estimateMemory(engine, STORIES_260K, { nCtx: 2048, typeK: "q8_0" });
    assertEquals(fit.method, "formula");
    assert(fit.simulationError?.includes("block size"), fit.simulationError ?? "");
    assertEquals(fit.devices[0].weightsBytes, 1171200);
  });
  await t.step("an architecture llama.cpp does not know", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = writeGguf(join(dir, "future.gguf"), {
        metadata: {
          "general.architecture": "futurenet",
          "futurenet.context_length": 1024,
          "futurenet.block_count": 2,
          "futurenet.embedding_length": 64,
          "futurenet.attention.head_count": 4,
          "futurenet.attention.head_count_kv": 2,
        },
        tensors: [
          { name: "token_embd.weight", shape: [64, 100] },
          { name: "blk.0.attn_q.weight", shape: [64, 64] },
          { name: "blk.1.attn_q.weight", shape: [64, 64] },
        ],
      });
      const fit = await estimateMemory(engine, path, { nCtx: 512 });
      assertEquals(fit.method, "formula");
      assert(fit.simulationError?.includes("futurenet"), fit.simulationError ?? "");
      const [cpu] = fit.devices;
      assertEquals(cpu.weightsBytes, (64 * 100 + 2 * 64 * 64) * 4);
      // 2 layers × 512 cells × (K + V) × 2 kv heads × 16 values × 2 bytes (f16).
      assertEquals(cpu.kvCacheBytes, 2 * 512 * 2 * 2 * 16 * 2);
      assertEquals(fit.nCtx, 512);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("formulaProbe() puts layers on the devices llama.cpp's simulation picks", async () => {
  Deno.env.set("GGML_VK_VISIBLE_DEVICES", "0");
  using engine = await Engine.start({ variant: "linux-x64-vulkan" });
  const file = await checkGgufFile(SYNTHETIC_135M);
  const shape = modelShape(file.metadata, file.tensors);
  for (const nGpuLayers of [-1, 0, 1, 12, 30, 31, 99]) {
    const options = {
      nGpuLayers,
      nCtx: 2048,
      nBatch: 2048,
      nUbatch: 512,
      nSeqMax: 1,
      kvUnified: false,
      flashAttn: "auto" as const,
      typeK: 1,
      typeV: 1,
    };
    const { probe, devices } = await engine._call("probeMemory", {
      path: SYNTHETIC_135M,
      ...options,
    }) as { probe: MemoryProbe; devices: BackendDevice[] };
    const formula = formulaProbe(shape, options, devices);
    assertEquals(formula.layerDevices, probe.layerDevices, `n_gpu_layers ${nGpuLayers}`);
    assertEquals(formula.kvLayerDevices, probe.kvLayerDevices, `n_gpu_layers ${nGpuLayers}`);
  }
});

Deno.test("estimateMemory() refuses more sequences than n_batch rather than marking the file broken", async () => {
  using engine = await Engine.start();
  const dir = await Deno.makeTempDir();
  try {
    // A fresh verdict store: the file is not yet known to load, so it is simulated in a
    // child process, where llama.cpp aborts on n_seq_max > n_batch (output_reserve).
    const loadVerdicts = new LoadVerdicts(join(dir, "verdicts.json"));
    const options = { nCtx: 512, nSeqMax: 8, nBatch: 4, loadVerdicts };
    await assertRejects(() => estimateMemory(engine, STORIES_260K, options), RangeError, "nSeqMax");
    const fit = await estimateMemory(engine, STORIES_260K, { ...options, nBatch: 8 });
    assertEquals(fit.method, "simulation");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
