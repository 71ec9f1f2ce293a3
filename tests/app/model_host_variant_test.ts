/**
 * ModelHost and the load option `variant` with real engines: a load on a device kind the
 * running engine does not run starts an engine on that package, the old engine is closed
 * exactly once after the new model is in, a load that fails or is cancelled closes the
 * engine it started, and a model without a saved kind goes back to the host's own engine.
 * The host's own engine here is a --lib-dir one ("custom") on the CPU package's files, so the
 * test needs no GPU: "cpu" then means another package than the running engine's.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { Engine, type EngineOptions } from "../../engine/engine.ts";
import { locateLibraries } from "../../ffi/lib_dir.ts";
import { LibraryLoadError } from "../../ffi/errors.ts";
import { EventHub } from "../../app/events.ts";
import { ModelHost } from "../../app/model_host.ts";
import type { ModelLoadOptions } from "../../storage/mod.ts";
import { STORIES_260K } from "../models.ts";
import { waitFor } from "../server/_app_api.ts";

Deno.test("ModelHost: a load on another variant starts its engine and closes the old one once", async () => {
  const { dir } = await locateLibraries({ variant: "linux-x64" });
  const started: { engine: Engine; options: EngineOptions; disposals: number }[] = [];
  /** Set to hold the next engine start until the test resolves it. */
  let gate: PromiseWithResolvers<void> | undefined;
  let starting = 0;
  const startEngine = async (options: EngineOptions) => {
    starting++;
    const engine = await Engine.start(options);
    await gate?.promise;
    const entry = { engine, options, disposals: 0 };
    const dispose = engine.dispose.bind(engine);
    engine.dispose = () => {
      entry.disposals++;
      dispose();
    };
    started.push(entry);
    return engine;
  };
  let options: ModelLoadOptions = {};
  const host = new ModelHost(new EventHub(), { libDir: dir }, {
    startEngine,
    loadOptions: () => options,
  });
  try {
    assertEquals((await host.load(STORIES_260K, 256)).variant, "custom");
    assertEquals(started.length, 1);

    // No package runs Metal here: the load fails before any engine starts; the model stays.
    // (Undetected kinds fail the same way: ffi/devices_test.ts covers detection.)
    options = { variant: "metal" };
    await assertRejects(() => host.load(STORIES_260K, 256), LibraryLoadError, "metal");
    assertEquals(started.length, 1);
    assertEquals(host.loaded?.variant, "custom");

    // A load cancelled by the next one closes the engine it started.
    options = { variant: "cpu" };
    gate = Promise.withResolvers();
    const cancelled = host.load(STORIES_260K, 256).then(() => null, (error) => error);
    await waitFor("the first engine start", () => starting === 2);
    gate.resolve();
    gate = undefined;
    options = { variant: "cpu", n_gpu_layers: 0 };
    const loaded = await host.load(STORIES_260K, 256);
    assertEquals((await cancelled)?.name, "AbortError");
    assertEquals(loaded.variant, "linux-x64");
    assertEquals(loaded.devices, ["CPU"]);
    // Both loads start an engine at once; either may finish starting first.
    const current = started.find((entry) => entry.engine === host.model!.engine)!;
    assertEquals(current.options.variant, "linux-x64");
    assertEquals(current.options.libDir, undefined);
    assertEquals(current.disposals, 0);
    assertEquals(started.length, 3);
    for (const old of started.filter((entry) => entry !== current)) {
      assertEquals(old.disposals, 1, "closed once");
    }
    assert(started[0].engine.disposed);

    // Same package, other options: no new engine.
    const count = started.length;
    options = { variant: "cpu" };
    await host.load(STORIES_260K, 256);
    assertEquals(started.length, count);

    // No saved kind: back to the host's own engine options.
    options = {};
    assertEquals((await host.load(STORIES_260K, 256)).variant, "custom");
    assertEquals(started.length, count + 1);
    assertEquals(started.at(-1)!.options.libDir, dir);
    assertEquals(current.disposals, 1);
  } finally {
    host.close();
  }
  // close() disposes the engine when its start promise settles: a microtask later.
  await waitFor("the last engine closed", () => started.at(-1)!.disposals > 0);
  for (const entry of started) assertEquals(entry.disposals, 1, "each engine closed once");
});
