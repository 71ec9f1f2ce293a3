/**
 * The benchmark result record and the statistics llama-bench derives from it, with
 * field names, types and value text taken from tools/llama-bench/llama-bench.cpp of the
 * pinned llama.cpp build (`test::get_fields`, `get_field_type`, `get_values`).
 * Public names are re-exported by `bench_report.ts`.
 *
 * @module
 */

import { _cFixed } from "./_printf.ts";

/**
 * One test's result: every field of llama-bench's JSON, camelCased. The optional fields
 * are llama-bench settings Hearth does not vary; when absent they print as llama-bench's
 * defaults (see {@linkcode BENCH_DEFAULTS}).
 */
export interface BenchResult {
  /** llama.cpp commit (`llama_commit()`, short hash) of the library that ran the test. */
  buildCommit: string;
  /** llama.cpp build number (`llama_build_number()`). */
  buildNumber: number;
  /** CPU/accelerator device descriptions, joined with ", ". */
  cpuInfo: string;
  /** GPU device descriptions joined with ", "; "" when there are none. */
  gpuInfo: string;
  /** Non-CPU backends joined with ","; "CPU" when only the CPU backend is loaded. */
  backends: string;
  /** The model path as given on the command line. */
  modelFilename: string;
  /** `llama_model_desc()` text, e.g. "llama ?B all F32". */
  modelType: string;
  /** `llama_model_size()`: total tensor bytes. */
  modelSizeBytes: number;
  /** `llama_model_n_params()`: parameter count. */
  modelNParams: number;
  /** Logical batch size, tokens. */
  nBatch: number;
  /** Physical (micro-)batch size, tokens. */
  nUbatch: number;
  /** Threads used for both generation and batch processing. */
  nThreads: number;
  /** CPU affinity mask in hex; "0x0" means no pinning. */
  cpuMask: string;
  /** Strict CPU placement. */
  cpuStrict: boolean;
  /** Thread-pool polling level, 0...100 (llama-bench default 50). */
  poll: number;
  /** KV cache K type as `ggml_type_name` spells it, e.g. "f16". */
  typeK: string;
  /** KV cache V type, e.g. "f16". */
  typeV: string;
  /** Layers offloaded to GPU; -1 means all. */
  nGpuLayers: number;
  /** "none" | "layer" | "row" | "tensor". */
  splitMode: string;
  /** GPU used when splitMode is "none". */
  mainGpu: number;
  /** Keep the KV cache off the GPU. */
  noKvOffload: boolean;
  /** Flash attention; printed as llama-bench's int: "auto" -1, false 0, true 1. */
  flashAttn: boolean | "auto";
  /** Per-device split proportions, "/"-joined with 2 decimals; "0.00" means none given. */
  tensorSplit: string;
  /** Context created with embeddings on. */
  embeddings: boolean;
  /** Prompt tokens processed per repetition (the "pp" test); 0 for a pure tg test. */
  nPrompt: number;
  /** Tokens generated one at a time per repetition (the "tg" test). */
  nGen: number;
  /** Tokens already in the KV cache before each repetition. */
  nDepth: number;
  /** Test start, RFC 3339 UTC without fractions, see {@linkcode formatTestTime}. */
  testTime: string;
  /** Wall time of each repetition (warm-up excluded), nanoseconds; rounded to integers. */
  samplesNs: number[];
  /** MoE expert layers kept on the CPU. Default 0. */
  nCpuMoe?: number;
  /** Devices used, "/"-joined; "auto" means all available. Default "auto". */
  devices?: string;
  /** Tensor buffer-type overrides "pattern=buft;..."; default "none". */
  tensorBuftOverrides?: string;
  /**
   * `llama_load_mode_name()`: "auto" | "none" | "mmap" | "mlock" | "mmap+mlock" | "dio".
   * The pinned build replaced `use_mmap` with this. Default "auto".
   */
  loadMode?: string;
  /** "off" | "auto" | "on": on-demand tensor reads. Default "auto". */
  lazyMode?: string;
  /** Disable offloading host ops to the GPU; printed as 0/1. Default false. */
  noOpOffload?: boolean;
  /** Bypass host buffers. Default false. */
  noHost?: boolean;
  /** `--fit-target` margin per device, MiB; 0 means fitting is off. Default 0. */
  fitTargetMiB?: number;
  /** `--fit-ctx` minimum context for fitting, tokens; default 0. */
  fitMinCtx?: number;
}

/** Values the optional {@linkcode BenchResult} fields take when absent: llama-bench's defaults. */
export const BENCH_DEFAULTS: Readonly<
  Required<
    Pick<
      BenchResult,
      | "nCpuMoe"
      | "devices"
      | "tensorBuftOverrides"
      | "loadMode"
      | "lazyMode"
      | "noOpOffload"
      | "noHost"
      | "fitTargetMiB"
      | "fitMinCtx"
    >
  >
> = Object.freeze({
  nCpuMoe: 0,
  devices: "auto",
  tensorBuftOverrides: "none",
  loadMode: "auto",
  lazyMode: "auto",
  noOpOffload: false,
  noHost: false,
  fitTargetMiB: 0,
  fitMinCtx: 0,
});

// deno-fmt-ignore
/**
 * llama-bench's `test::get_fields()` in order: the CSV header and the JSON keys (JSON
 * then adds `samples_ns` and `samples_ts`).
 */
export const LLAMA_BENCH_FIELDS: readonly string[] = Object.freeze([
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
]);

/** Samples as the uint64 llama-bench stores; RangeError for NaN/Infinity. @internal */
export function _ns(r: BenchResult): bigint[] {
  return r.samplesNs.map((ns) => BigInt(Math.round(ns)));
}

/**
 * Mean wall time per repetition, nanoseconds, truncated to an integer as llama-bench's
 * uint64 `avg` does; 0 without samples.
 */
export function avgNs(r: BenchResult): number {
  const s = _ns(r);
  return s.length === 0 ? 0 : Number(s.reduce((a, b) => a + b, 0n) / BigInt(s.length));
}

/**
 * Sample (n-1) standard deviation of the wall times, nanoseconds, with llama-bench's
 * integer formula; 0 for fewer than two samples. BigInt keeps the sum of squares exact
 * where llama-bench's uint64 wraps (samples over about 1.9 s with 5 repetitions).
 */
export function stddevNs(r: BenchResult): number {
  const s = _ns(r);
  if (s.length <= 1) return 0;
  const n = BigInt(s.length);
  const mean = s.reduce((a, b) => a + b, 0n) / n;
  const sqSum = s.reduce((a, v) => a + v * v, 0n);
  return Math.trunc(Math.sqrt(Number(sqSum / (n - 1n) - mean * mean * n / (n - 1n))));
}

/** Tokens per second of each repetition: (nPrompt + nGen) * 1e9 / ns, as llama-bench. */
export function samplesTs(r: BenchResult): number[] {
  const nTokens = r.nPrompt + r.nGen;
  return _ns(r).map((ns) => 1e9 * nTokens / Number(ns));
}

function _avg(v: number[]): number {
  let sum = 0;
  for (const x of v) sum += x;
  return v.length === 0 ? 0 : sum / v.length;
}

/** Mean of {@linkcode samplesTs}, tokens per second; 0 without samples. */
export function avgTs(r: BenchResult): number {
  return _avg(samplesTs(r));
}

/**
 * Sample (n-1) standard deviation of {@linkcode samplesTs}, tokens per second; 0 for
 * fewer than two samples. Same formula as llama-bench, but clamped at 0 where rounding
 * makes the variance slightly negative (llama-bench would print "nan").
 */
export function stddevTs(r: BenchResult): number {
  const v = samplesTs(r);
  const n = v.length;
  if (n <= 1) return 0;
  const mean = _avg(v);
  let sqSum = 0;
  for (const x of v) sqSum += x * x;
  return Math.sqrt(Math.max(0, sqSum / (n - 1) - mean * mean * n / (n - 1)));
}

/** A test time in llama-bench's `strftime("%FT%TZ")` shape: "2025-01-31T12:00:00Z". */
export function formatTestTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

const _b = (v: boolean): string => (v ? "1" : "0");

/** llama-bench's `get_values()`: each field as text, keyed by field name. @internal */
export function _values(r: BenchResult): Map<string, string> {
  const o = { ...BENCH_DEFAULTS, ...r };
  const flash = o.flashAttn === "auto" ? "-1" : _b(o.flashAttn);
  const s = String;
  // In LLAMA_BENCH_FIELDS order; the tests hold the two lists together.
  // deno-fmt-ignore
  return new Map([
    ["build_commit", o.buildCommit], ["build_number", s(o.buildNumber)],
    ["cpu_info", o.cpuInfo], ["gpu_info", o.gpuInfo], ["backends", o.backends],
    ["model_filename", o.modelFilename], ["model_type", o.modelType],
    ["model_size", s(o.modelSizeBytes)], ["model_n_params", s(o.modelNParams)],
    ["n_batch", s(o.nBatch)], ["n_ubatch", s(o.nUbatch)], ["n_threads", s(o.nThreads)],
    ["cpu_mask", o.cpuMask], ["cpu_strict", _b(o.cpuStrict)], ["poll", s(o.poll)],
    ["type_k", o.typeK], ["type_v", o.typeV], ["n_gpu_layers", s(o.nGpuLayers)],
    ["n_cpu_moe", s(o.nCpuMoe)], ["split_mode", o.splitMode], ["main_gpu", s(o.mainGpu)],
    ["no_kv_offload", _b(o.noKvOffload)], ["flash_attn", flash], ["devices", o.devices],
    ["tensor_split", o.tensorSplit], ["tensor_buft_overrides", o.tensorBuftOverrides],
    ["load_mode", o.loadMode], ["lazy_mode", o.lazyMode], ["embeddings", _b(o.embeddings)],
    ["no_op_offload", _b(o.noOpOffload)], ["no_host", _b(o.noHost)],
    ["fit_target", s(o.fitTargetMiB)], ["fit_min_ctx", s(o.fitMinCtx)],
    ["n_prompt", s(o.nPrompt)], ["n_gen", s(o.nGen)], ["n_depth", s(o.nDepth)],
    ["test_time", o.testTime], ["avg_ns", s(avgNs(r))], ["stddev_ns", s(stddevNs(r))],
    // std::to_string(double) is printf("%f").
    ["avg_ts", _cFixed(avgTs(r), 6)], ["stddev_ts", _cFixed(stddevTs(r), 6)],
  ]);
}

type _FieldType = "string" | "bool" | "int" | "float";

// deno-fmt-ignore
const _INT_FIELDS = new Set([
  "build_number", "n_batch", "n_ubatch", "n_threads", "poll", "model_size", "model_n_params",
  "n_gpu_layers", "main_gpu", "n_prompt", "n_gen", "n_depth", "avg_ns", "stddev_ns",
  "no_op_offload", "n_cpu_moe", "fit_target", "fit_min_ctx", "flash_attn",
]);
const _BOOL_FIELDS = new Set(["no_kv_offload", "cpu_strict", "embeddings", "no_host"]);

/** llama-bench's `test::get_field_type()`. @internal */
export function _fieldType(field: string): _FieldType {
  if (_INT_FIELDS.has(field)) return "int";
  if (_BOOL_FIELDS.has(field)) return "bool";
  return field === "avg_ts" || field === "stddev_ts" ? "float" : "string";
}

/**
 * The markdown "test" column: "pp512", "tg128", "pp512+tg128", plus " @ d<n>" when the
 * test ran at a KV depth. @internal
 */
export function _testName(r: BenchResult): string {
  let name = r.nPrompt > 0 && r.nGen === 0
    ? `pp${r.nPrompt}`
    : r.nGen > 0 && r.nPrompt === 0
    ? `tg${r.nGen}`
    : `pp${r.nPrompt}+tg${r.nGen}`;
  if (r.nDepth > 0) name += ` @ d${r.nDepth}`;
  return name;
}
