import { assertEquals, assertThrows } from "../tests/assert.ts";
import { TempDatabase } from "./_testing.ts";
import type { NewBenchRun } from "./bench_runs.ts";

/** A run as `deno task bench -p 16 -n 4 -r 2 -t 2` would save it. */
function run(model = "/m/stories260K.gguf", nThreads = 2): NewBenchRun {
  return {
    model_filename: model,
    model_type: "llama ?B all F32",
    model_size: 1_185_376,
    model_n_params: 292_352,
    build_commit: "abc1234",
    backends: "CPU",
    cpu_info: "Test CPU",
    gpu_info: "",
    params: {
      n_prompt: [16],
      n_gen: [4],
      repetitions: 2,
      n_threads: nThreads,
      n_batch: 2048,
      n_ubatch: 512,
      n_gpu_layers: 99,
      flash_attn: -1,
      type_k: "f16",
      type_v: "f16",
    },
    results: [
      {
        test: "pp16",
        n_prompt: 16,
        n_gen: 0,
        n_depth: 0,
        avg_ts: 8000,
        stddev_ts: 10,
        samples_ns: [2e6, 2e6],
      },
      {
        test: "tg4",
        n_prompt: 0,
        n_gen: 4,
        n_depth: 0,
        avg_ts: 900,
        stddev_ts: 0,
        samples_ns: [4e6],
      },
    ],
  };
}

Deno.test("BenchRunStore.add() saves a run that get() and list() read back, newest first", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  const first = storage.benchRuns.add(run());
  temp.clock.advance(1000);
  const second = storage.benchRuns.add(run("/m/other.gguf", 4));
  assertEquals(first, { ...run(), id: first.id, created_at: temp.clock.time - 1000 });
  assertEquals(storage.benchRuns.get(first.id), first);
  assertEquals(storage.benchRuns.get("nope"), null);
  assertEquals(storage.benchRuns.list(), [second, first]);
  assertEquals(storage.benchRuns.list({ model_filename: "/m/other.gguf" }), [second]);
  assertEquals(storage.benchRuns.list({ limit: 1 }), [second]);
});

Deno.test("BenchRunStore: runs survive reopening the file, and remove() deletes one", () => {
  using temp = new TempDatabase();
  const saved = temp.open().benchRuns.add(run());
  const reopened = temp.open();
  assertEquals(reopened.benchRuns.list(), [saved]);
  assertEquals(reopened.benchRuns.remove(saved.id), true);
  assertEquals(reopened.benchRuns.remove(saved.id), false);
  assertEquals(reopened.benchRuns.list(), []);
});

Deno.test("BenchRunStore.add() refuses a run without results or with a bad parameter", () => {
  using temp = new TempDatabase();
  const storage = temp.open();
  assertThrows(() => storage.benchRuns.add({ ...run(), results: [] }), TypeError, "results");
  assertThrows(
    () => storage.benchRuns.add({ ...run(), params: { ...run().params, n_threads: 0 } }),
    RangeError,
    "params.n_threads",
  );
  assertEquals(storage.benchRuns.list(), []);
});
