/**
 * What the child-process first load (engine/load_probe.ts) adds: the probe of a file
 * against an in-process load and context of the same file with its verdict known, on one
 * running engine, interleaved. `deno run -A bench/load_probe.ts [rounds]`.
 *
 * @module
 */
import { STORIES_260K, SYNTHETIC_135M } from "../tests/models.ts";
import { locateLibraries } from "../ffi/lib_dir.ts";
import { checkLoadInChild } from "../engine/load_probe.ts";
import { LoadVerdicts } from "../engine/load_verdicts.ts";
import { Engine } from "../engine/engine.ts";
import { loadModel } from "../engine/model.ts";
const models = { "stories260K": STORIES_260K, "synthetic-135m": SYNTHETIC_135M };
const loc = await locateLibraries();
using engine = await Engine.start();
const rounds = Number(Deno.args[0] ?? 5);
for (const [name, path] of Object.entries(models)) {
  const probe: number[] = [], load: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // probe alone (fresh verdicts: always probes)
    probe.push(
      await checkLoadInChild(loc, path, {
        nGpuLayers: 0,
        useMmap: true,
        vocabOnly: false,
        verdicts: new LoadVerdicts(),
      }),
    );
    // in-process load with a known verdict (no probe)
    const v = new LoadVerdicts();
    await v.set(await LoadVerdicts.stamp(path), { ok: true });
    const t = performance.now();
    const m = await loadModel(path, { engine, loadVerdicts: v, nGpuLayers: 0 });
    const c = await m.createContext({ nCtx: 256 });
    load.push(performance.now() - t);
    c.dispose();
    m.dispose();
  }
  const med = (a: number[]) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(
    `${name}: probe median ${med(probe).toFixed(0)} ms [${
      probe.map((x) => x.toFixed(0)).join(", ")
    }]; in-process load+context median ${med(load).toFixed(0)} ms [${
      load.map((x) => x.toFixed(0)).join(", ")
    }]; ratio ${(med(probe) / med(load)).toFixed(1)}x`,
  );
}
