import { assertEquals } from "../../tests/assert.ts";
import type { BenchParams, BenchRun } from "../../api/history_json.ts";
import { benchCharts, settingsLabel } from "./bench_series.ts";

const PARAMS: BenchParams = {
  n_prompt: [16],
  n_gen: [4],
  repetitions: 1,
  n_threads: 2,
  n_batch: 2048,
  n_ubatch: 512,
  n_gpu_layers: 99,
  flash_attn: -1,
  type_k: "f16",
  type_v: "f16",
};

function run(id: string, at: number, model: string, threads: number, tg: number): BenchRun {
  return {
    id,
    created_at: at,
    model_filename: model,
    model_type: "",
    model_size: 0,
    model_n_params: 0,
    build_commit: "",
    backends: "CPU",
    cpu_info: "",
    gpu_info: "",
    params: { ...PARAMS, n_threads: threads },
    results: [
      { test: "tg4", n_prompt: 0, n_gen: 4, n_depth: 0, avg_ts: tg, stddev_ts: 1, samples_ns: [] },
      {
        test: "pp16",
        n_prompt: 16,
        n_gen: 0,
        n_depth: 0,
        avg_ts: tg * 10,
        stddev_ts: 0,
        samples_ns: [],
      },
    ],
  };
}

Deno.test("settingsLabel() names llama-bench's speed settings", () => {
  assertEquals(settingsLabel(PARAMS), "t 2 · b 2048 · ub 512 · ngl 99 · fa auto · f16/f16");
});

Deno.test("benchCharts() makes a chart per test and a series per model and settings", () => {
  const charts = benchCharts([
    run("c", 3, "/m/b.gguf", 2, 30),
    run("b", 2, "/m/a.gguf", 4, 20),
    run("a", 1, "/m/a.gguf", 2, 10),
    run("d", 4, "/m/a.gguf", 2, 11),
  ]);
  assertEquals(charts.map((c) => c.test), ["pp16", "tg4"]);
  const tg = charts[1].series;
  assertEquals(tg.map((s) => [s.model, s.settings.split(" · ")[0]]), [
    ["a.gguf", "t 2"],
    ["a.gguf", "t 4"],
    ["b.gguf", "t 2"],
  ]);
  // Oldest first within a series.
  assertEquals(tg[0].points.map((p) => [p.runId, p.avg_ts]), [["a", 10], ["d", 11]]);
});
