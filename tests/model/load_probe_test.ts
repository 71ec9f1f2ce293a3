/**
 * Loads that crash llama.cpp (issue 14): the child-process probe of engine/load_probe.ts
 * on the real libllama, the verdicts it keeps, and loadModel() refusing a file that
 * crashed. The crafted files pass to the probe directly, past the header checks that
 * refuse them in loadModel(), because they are the crashes we know how to make.
 */
import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { writeCraftedModels } from "../crafted_models.ts";
import { STORIES_260K } from "../models.ts";
import { locateLibraries } from "../../ffi/lib_dir.ts";
import { GgufError, ModelCrashError } from "../../engine/errors.ts";
import { checkLoadInChild, probeInChild } from "../../engine/load_probe.ts";
import { LoadVerdicts } from "../../engine/load_verdicts.ts";
import { loadModel } from "../../engine/model.ts";

const LOAD = { nGpuLayers: 0, useMmap: true, vocabOnly: false };

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hearth_load_probe_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return await promise.then(() => null, (error) => error);
}

Deno.test("probeInChild() reports the signal and llama.cpp's assert of a file that aborts", async () => {
  await withTempDir(async (dir) => {
    const location = await locateLibraries();
    const crafted = await writeCraftedModels(dir);
    const cases = [
      // Asserts at load, in llama-model.cpp.
      [crafted.zeroLayers, "GGML_ASSERT(hparams.n_layer_all > 0"],
      // Loads, then asserts in the first decode (ggml-cpu's rms_norm).
      [crafted.nanEpsilon, "GGML_ASSERT(eps >= 0.0f)"],
      [crafted.negativeEpsilon, "GGML_ASSERT(eps >= 0.0f)"],
    ];
    for (const [path, assertion] of cases) {
      const error = await rejection(probeInChild(location, { path, mode: "load", ...LOAD }));
      assert(error instanceof ModelCrashError, `${path}: ${error}`);
      assertEquals(error.signal, "SIGABRT");
      assertEquals(error.exitCode, null);
      assert(error.lastLogLines.at(-1)!.includes(assertion), error.lastLogLines.join("\n"));
      assert(error.message.includes("killed by SIGABRT") && error.message.includes(assertion));
    }
    // The memory-fit simulation (a no_alloc load) runs there too, and crashes the same way.
    const memory = {
      nGpuLayers: 0,
      nCtx: 256,
      nBatch: 256,
      nUbatch: 256,
      nSeqMax: 1,
      kvUnified: false,
      flashAttn: "auto" as const,
      typeK: 1,
      typeV: 1,
    };
    const simulated = await rejection(
      probeInChild(location, { path: crafted.zeroLayers, mode: "memory", ...LOAD, memory }),
    );
    assert(simulated instanceof ModelCrashError, String(simulated));
    assertEquals(simulated.signal, "SIGABRT");

    // A good file loads, and simulates with its KV cache.
    const { result } = await probeInChild(location, { path: STORIES_260K, mode: "load", ...LOAD });
    assertEquals(result, { ok: true });
    const fit = await probeInChild(location, {
      path: STORIES_260K,
      mode: "memory",
      ...LOAD,
      memory,
    });
    assertEquals((fit.result.probe as { nCtx: number }).nCtx, 256);
  });
});

Deno.test("checkLoadInChild() probes a file once per size and mtime and keeps a crash", async () => {
  await withTempDir(async (dir) => {
    const location = await locateLibraries();
    const crafted = await writeCraftedModels(dir);
    const good = join(dir, "good.gguf");
    await Deno.copyFile(STORIES_260K, good);
    const file = join(dir, "verdicts.json");
    const verdicts = new LoadVerdicts(file);

    assert(await checkLoadInChild(location, good, { ...LOAD, verdicts }) > 0, "probed");
    assertEquals(await checkLoadInChild(location, good, { ...LOAD, verdicts }), 0);

    const first = await rejection(
      checkLoadInChild(location, crafted.zeroLayers, { ...LOAD, verdicts }),
    );
    assert(first instanceof ModelCrashError, String(first));
    // A later process reads the verdict from the file, without a child: same error.
    const later = new LoadVerdicts(file);
    const again = await rejection(
      checkLoadInChild(location, crafted.zeroLayers, { ...LOAD, verdicts: later }),
    );
    assert(again instanceof ModelCrashError, String(again));
    assertEquals(again.message, first.message);
    assertEquals(again.lastLogLines, first.lastLogLines);
    assertEquals(await checkLoadInChild(location, good, { ...LOAD, verdicts: later }), 0);

    // A changed file is probed again.
    await Deno.utime(good, new Date(), new Date(Date.now() + 5000));
    assert(await checkLoadInChild(location, good, { ...LOAD, verdicts: later }) > 0, "re-probed");
  });
});

Deno.test("loadModel() never loads a file that crashed, and refuses the crafted files", async () => {
  await withTempDir(async (dir) => {
    const crafted = await writeCraftedModels(dir);
    for (const path of Object.values(crafted)) {
      const error = await rejection(loadModel(path, { nGpuLayers: 0 }));
      assert(error instanceof GgufError, `${path}: ${error}`);
    }
    // A good file with a crash verdict on its bytes: refused without touching llama.cpp.
    const good = join(dir, "good.gguf");
    await Deno.copyFile(STORIES_260K, good);
    const verdicts = new LoadVerdicts();
    const crash = {
      ok: false as const,
      reason: "llama.cpp crashed on this file: test",
      signal: "SIGABRT",
      exitCode: null,
      lastLogLines: ["GGML_ASSERT(test) failed"],
    };
    await verdicts.set(await LoadVerdicts.stamp(good), crash);
    const error = await rejection(loadModel(good, { loadVerdicts: verdicts }));
    assert(error instanceof ModelCrashError, String(error));
    assertEquals(error.signal, "SIGABRT");
    // Once the file changes the verdict no longer applies: it loads.
    await Deno.utime(good, new Date(), new Date(Date.now() + 5000));
    using model = await loadModel(good, { loadVerdicts: verdicts, nGpuLayers: 0 });
    assertEquals(model.info.architecture, "llama");
  });
});
