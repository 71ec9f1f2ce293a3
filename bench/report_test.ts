import { deepStrictEqual, ok, throws } from "node:assert/strict";
import {
  avgNs,
  avgTs,
  BENCH_DEFAULTS,
  type BenchResult,
  compareBench,
  formatBatchedBench,
  formatBench,
  formatComparison,
  formatTestTime,
  LLAMA_BENCH_FIELDS,
  parseLlamaBenchJson,
  samplesTs,
  stddevNs,
  stddevTs,
} from "./report.ts";
import { _cFixed, _cG, _pad } from "./_printf.ts";

// deno-fmt-ignore
/** test::get_fields() copied by hand from tools/llama-bench/llama-bench.cpp (pinned build). */
const SOURCE_FIELDS = [
  "build_commit",   "build_number",   "cpu_info",      "gpu_info",       "backends",
  "model_filename", "model_type",     "model_size",    "model_n_params", "n_batch",
  "n_ubatch",       "n_threads",      "cpu_mask",      "cpu_strict",     "poll",
  "type_k",         "type_v",         "n_gpu_layers",  "n_cpu_moe",      "split_mode",
  "main_gpu",       "no_kv_offload",  "flash_attn",    "devices",        "tensor_split",
  "tensor_buft_overrides",            "load_mode",     "lazy_mode",
  "embeddings",
  "no_op_offload",  "no_host",        "fit_target",    "fit_min_ctx",
  "n_prompt",       "n_gen",          "n_depth",
  "test_time",      "avg_ns",         "stddev_ns",     "avg_ts",         "stddev_ts",
];

/** pp512 at 5120 and 4096 t/s: avg 4608, sample stddev 1024/sqrt(2) = 724.077... */
function result(over: Partial<BenchResult> = {}): BenchResult {
  return {
    buildCommit: "abc1234",
    buildNumber: 4567,
    cpuInfo: "AMD EPYC",
    gpuInfo: "",
    backends: "CPU",
    modelFilename: "models/stories260K.gguf",
    modelType: "llama ?B all F32",
    modelSizeBytes: 1_179_648, // exactly 1.125 MiB: glibc rounds the tie to even, "1.12"
    modelNParams: 294_912,
    nBatch: 2048,
    nUbatch: 512,
    nThreads: 4,
    cpuMask: "0x0",
    cpuStrict: false,
    poll: 50,
    typeK: "f16",
    typeV: "f16",
    nGpuLayers: 99,
    splitMode: "layer",
    mainGpu: 0,
    noKvOffload: false,
    flashAttn: "auto",
    tensorSplit: "0.00",
    embeddings: false,
    nPrompt: 512,
    nGen: 0,
    nDepth: 0,
    testTime: "2025-01-31T12:00:00Z",
    samplesNs: [100_000_000, 125_000_000],
    ...over,
  };
}

const TG = { nPrompt: 0, nGen: 128, nDepth: 512, samplesNs: [1_000_000_000] };

Deno.test("stats follow llama-bench's integer ns and n-1 formulas", () => {
  const r = result();
  deepStrictEqual(samplesTs(r), [5120, 4096]);
  deepStrictEqual(avgTs(r), 4608);
  ok(Math.abs(stddevTs(r) - 1024 / Math.SQRT2) < 1e-9);
  deepStrictEqual(avgNs(r), 112_500_000);
  // sqrt(3.125e14) = 17677669.53, truncated like llama-bench's uint64.
  deepStrictEqual(stddevNs(r), 17_677_669);
});

Deno.test("stddev of one sample is 0", () => {
  const r = result({ samplesNs: [123_456_789] });
  deepStrictEqual(stddevNs(r), 0);
  deepStrictEqual(stddevTs(r), 0);
  deepStrictEqual(avgNs(result({ samplesNs: [] })), 0);
});

Deno.test("formatBench() md renders llama-bench's CPU table", () => {
  const md = formatBench([result(), result(TG)], "md");
  deepStrictEqual(
    md,
    "| model                          |       size |     params | backend    | threads |            test |                  t/s |\n" +
      "| ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |\n" +
      "| llama ?B all F32               |   1.12 MiB |     0.29 M | CPU        |       4 |           pp512 |     4608.00 ± 724.08 |\n" +
      "| llama ?B all F32               |   1.12 MiB |     0.29 M | CPU        |       4 |    tg128 @ d512 |        128.00 ± 0.00 |\n" +
      "\nbuild: abc1234 (4567)\n",
  );
});

Deno.test("formatBench() md shows ngl on GPU backends and non-default settings", () => {
  const big = { backends: "CUDA", modelSizeBytes: 4_200_000_000, modelNParams: 8_030_000_000 };
  const md = formatBench([result({ ...big, flashAttn: true })], "md").split("\n");
  deepStrictEqual(
    md[0],
    "| model                          |       size |     params | backend    | ngl |  fa |            test |                  t/s |",
  );
  deepStrictEqual(md[1].split("|")[5], " --: ");
  deepStrictEqual(
    md[2],
    "| llama ?B all F32               |   3.91 GiB |     8.03 B | CUDA       |  99 |   1 |           pp512 |     4608.00 ± 724.08 |",
  );
  const threads = formatBench([result(big)], "md", { defaultNThreads: 8 });
  ok(threads.split("\n")[0].includes(" threads |"));
});

/** Captured from llama-bench of the pinned build: `-m stories260K.gguf -p 64 -n 16 -r 3 -t 2 -o jsonl -oe md`. */
const REAL_JSONL = [
  '{"build_commit": "de3ff81", "build_number": 1, "cpu_info": "AMD EPYC", "gpu_info": "", "backends": "CPU", "model_filename": "/work/main/models/stories260K.gguf", "model_type": "llama ?B (guessed) all F32", "model_size": 1171200, "model_n_params": 292800, "n_batch": 2048, "n_ubatch": 512, "n_threads": 2, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": -1, "n_cpu_moe": 0, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": -1, "devices": "auto", "tensor_split": "0.00", "tensor_buft_overrides": "none", "load_mode": "auto", "lazy_mode": "auto", "embeddings": false, "no_op_offload": 0, "no_host": false, "fit_target": 0, "fit_min_ctx": 0, "n_prompt": 64, "n_gen": 0, "n_depth": 0, "test_time": "2026-11-21T13:56:59Z", "avg_ns": 23632151, "stddev_ns": 12204206, "avg_ts": 3137.954352, "stddev_ts": 1248.339381, "samples_ns": [ 16616040, 16556101, 37724312 ],"samples_ts": [ 3851.7, 3865.64, 1696.52 ]}',
  '{"build_commit": "de3ff81", "build_number": 1, "cpu_info": "AMD EPYC", "gpu_info": "", "backends": "CPU", "model_filename": "/work/main/models/stories260K.gguf", "model_type": "llama ?B (guessed) all F32", "model_size": 1171200, "model_n_params": 292800, "n_batch": 2048, "n_ubatch": 512, "n_threads": 2, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": -1, "n_cpu_moe": 0, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": -1, "devices": "auto", "tensor_split": "0.00", "tensor_buft_overrides": "none", "load_mode": "auto", "lazy_mode": "auto", "embeddings": false, "no_op_offload": 0, "no_host": false, "fit_target": 0, "fit_min_ctx": 0, "n_prompt": 0, "n_gen": 16, "n_depth": 0, "test_time": "2026-11-21T13:56:59Z", "avg_ns": 11427807, "stddev_ns": 16145336, "avg_ts": 5243.739480, "stddev_ts": 4083.597970, "samples_ns": [ 2150985, 30070764, 2061673 ],"samples_ts": [ 7438.45, 532.078, 7760.69 ]}',
].map((line) => line + "\n").join("");
const REAL_MD = [
  "| model                          |       size |     params | backend    | threads |            test |                  t/s |",
  "| ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |",
  "| llama ?B (guessed) all F32     |   1.12 MiB |     0.29 M | CPU        |       2 |            pp64 |    3137.95 ± 1248.34 |",
  "| llama ?B (guessed) all F32     |   1.12 MiB |     0.29 M | CPU        |       2 |            tg16 |    5243.74 ± 4083.60 |",
  "",
  "build: de3ff81 (1)",
  "",
].join("\n");

Deno.test("formatBench() reproduces real llama-bench output byte for byte", () => {
  const results = parseLlamaBenchJson(REAL_JSONL);
  deepStrictEqual(formatBench(results, "jsonl"), REAL_JSONL);
  deepStrictEqual(formatBench(results, "md"), REAL_MD);
});

Deno.test("formatBench() json has every llama-bench key in order and round-trips", () => {
  const results = [result(), result({ ...TG, flashAttn: true, modelFilename: 'a"\\\n.gguf' })];
  const json = formatBench(results, "json");
  const parsed = JSON.parse(json) as Record<string, unknown>[];
  deepStrictEqual(LLAMA_BENCH_FIELDS, SOURCE_FIELDS);
  deepStrictEqual(Object.keys(parsed[0]), [...SOURCE_FIELDS, "samples_ns", "samples_ts"]);
  deepStrictEqual(parsed[0].flash_attn, -1);
  deepStrictEqual(parsed[0].no_op_offload, 0);
  deepStrictEqual(parsed[0].cpu_strict, false);
  deepStrictEqual(parsed[1].model_filename, 'a"\\\n.gguf');
  ok(json.startsWith('[\n  {\n    "build_commit": "abc1234",\n'));
  ok(json.includes('    "model_filename": "a\\"\\\\\\u000a.gguf",\n'));
  ok(json.includes('    "avg_ts": 4608.000000,\n    "stddev_ts": 724.077344,\n'));
  ok(
    json.includes(
      '"samples_ns": [ 100000000, 125000000 ],\n    "samples_ts": [ 5120, 4096 ]\n  },\n  {\n',
    ),
  );
  ok(json.endsWith("  }\n]\n"));
  deepStrictEqual(parseLlamaBenchJson(json), results.map((r) => ({ ...BENCH_DEFAULTS, ...r })));
});

Deno.test("formatBench() jsonl writes one llama-bench object per line", () => {
  const lines = formatBench([result(), result(TG)], "jsonl").split("\n");
  deepStrictEqual(lines.length, 3);
  deepStrictEqual(lines[2], "");
  ok(lines[0].startsWith('{"build_commit": "abc1234", "build_number": 4567, '));
  ok(lines[0].endsWith('"samples_ns": [ 100000000, 125000000 ],"samples_ts": [ 5120, 4096 ]}'));
  deepStrictEqual(parseLlamaBenchJson(lines.join("\n"))[1].nDepth, 512);
});

Deno.test("formatBench() csv header equals llama-bench's field list", () => {
  const csv = formatBench([result({ modelFilename: 'a"b.gguf' })], "csv").split("\n");
  deepStrictEqual(csv[0], SOURCE_FIELDS.join(","));
  ok(csv[1].startsWith('"abc1234","4567","AMD EPYC","","CPU","a""b.gguf",'));
  ok(csv[1].endsWith(',"112500000","17677669","4608.000000","724.077344"'));
  ok(csv[1].includes(',"0","50","f16","f16","99","0","layer","0","0","-1","auto",'));
  deepStrictEqual(csv[2], "");
  deepStrictEqual(formatBench([], "csv"), SOURCE_FIELDS.join(",") + "\n");
});

Deno.test("formatTestTime() drops milliseconds like strftime %FT%TZ", () => {
  deepStrictEqual(
    formatTestTime(new Date(Date.UTC(2025, 0, 31, 12, 0, 0, 789))),
    "2025-01-31T12:00:00Z",
  );
});

Deno.test("parseLlamaBenchJson() reads older builds' use_mmap and boolean flash_attn", () => {
  const old: Record<string, unknown> = JSON.parse(formatBench([result()], "json"))[0];
  for (const key of ["load_mode", "lazy_mode", "n_cpu_moe", "devices", "no_op_offload"]) {
    delete old[key];
  }
  const [r] = parseLlamaBenchJson(JSON.stringify([{ ...old, use_mmap: true, flash_attn: true }]));
  deepStrictEqual([r.loadMode, r.lazyMode, r.flashAttn, r.nCpuMoe], ["mmap", "auto", true, 0]);
});

Deno.test("parseLlamaBenchJson() rejects bad input", () => {
  const good: Record<string, unknown> = JSON.parse(formatBench([result()], "json"))[0];
  const bad = (patch: Record<string, unknown>) => JSON.stringify([{ ...good, ...patch }]);
  throws(() => parseLlamaBenchJson("[{"), SyntaxError);
  throws(() => parseLlamaBenchJson("42"), { name: "TypeError", message: /must be an object/ });
  throws(() => parseLlamaBenchJson('{"n_prompt": 512}'), {
    name: "TypeError",
    message: /"build_commit"/,
  });
  throws(() => parseLlamaBenchJson(bad({ n_prompt: "512" })), {
    name: "TypeError",
    message: /an integer/,
  });
  throws(() => parseLlamaBenchJson(bad({ n_prompt: undefined })), {
    name: "TypeError",
    message: /"n_prompt"/,
  });
  throws(() => parseLlamaBenchJson(bad({ cpu_strict: 0 })), {
    name: "TypeError",
    message: /a boolean/,
  });
  throws(() => parseLlamaBenchJson(bad({ flash_attn: 2 })), {
    name: "TypeError",
    message: /flash_attn/,
  });
  throws(() => parseLlamaBenchJson(bad({ samples_ns: [1.5] })), {
    name: "TypeError",
    message: /samples_ns/,
  });
  throws(() => parseLlamaBenchJson(bad({ devices: 3 })), {
    name: "TypeError",
    message: /"devices"/,
  });
  deepStrictEqual(parseLlamaBenchJson("[\n\n]\n"), []);
});

Deno.test("compareBench() matches tests and formatComparison() prints the ratio", () => {
  const theirs = [result({ nThreads: 8 }), result({ samplesNs: [128_000_000] })];
  const rows = compareBench([result(), result(TG)], theirs);
  deepStrictEqual(rows.length, 1);
  deepStrictEqual(rows[0].test, "pp512");
  deepStrictEqual(rows[0].theirsTs, 4000);
  deepStrictEqual(rows[0].ratio, 4608 / 4000);
  deepStrictEqual(
    formatComparison(rows),
    "|            test |           hearth t/s |      llama-bench t/s |  ratio |\n" +
      "| --------------: | -------------------: | -------------------: | -----: |\n" +
      "|           pp512 |     4608.00 ± 724.08 |       4000.00 ± 0.00 |  1.152 |\n",
  );
});

Deno.test("formatBatchedBench() uses llama-batched-bench's widths", () => {
  const row = {
    pp: 128,
    tg: 128,
    pl: 4,
    nKv: 1024,
    tPpS: 0.5,
    speedPp: 1024,
    tTgS: 2,
    speedTg: 256,
    tS: 2.5,
    speed: 614.4,
  };
  deepStrictEqual(
    formatBatchedBench([row]),
    "|    PP |     TG |    B |   N_KV |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s |      T s |    S t/s |\n" +
      "|-------|--------|------|--------|----------|----------|----------|----------|----------|----------|\n" +
      "|   128 |    128 |    4 |   1024 |    0.500 |  1024.00 |    2.000 |   256.00 |    2.500 |   614.40 |\n",
  );
});

Deno.test("C formatting helpers match glibc printf and ostream", () => {
  deepStrictEqual([_cFixed(1.125, 2), _cFixed(1.375, 2), _cFixed(2.5, 0), _cFixed(0.5, 0)], [
    "1.12",
    "1.38",
    "2",
    "0",
  ]);
  deepStrictEqual([_cFixed(-0.001, 2), _cFixed(1e21, 1), _cFixed(NaN, 2), _cFixed(-Infinity, 2)], [
    "-0.00",
    "1000000000000000000000.0",
    "nan",
    "-inf",
  ]);
  deepStrictEqual([
    _cG(5120),
    _cG(123456),
    _cG(1234567),
    _cG(1234.5678),
    _cG(0.0001),
    _cG(0.00001234),
  ], ["5120", "123456", "1.23457e+06", "1234.57", "0.0001", "1.234e-05"]);
  deepStrictEqual([_pad("±", 3), _pad("ab", -4)], [" ±", "ab  "]);
});
