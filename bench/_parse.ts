/**
 * Reads llama-bench's own `-o json` (or `-o jsonl`) output back into
 * {@linkcode BenchResult}s, for `deno task bench --compare`. Re-exported by
 * `bench_report.ts`.
 *
 * @module
 */

import { BENCH_DEFAULTS, type BenchResult } from "./_result.ts";

type _Kind = "string" | "int" | "bool";

/** Keys every llama-bench JSON object with `n_depth` has, with our names. */
// deno-fmt-ignore
const _REQUIRED: ReadonlyArray<readonly [string, keyof BenchResult, _Kind]> = [
  ["build_commit", "buildCommit", "string"], ["build_number", "buildNumber", "int"],
  ["cpu_info", "cpuInfo", "string"], ["gpu_info", "gpuInfo", "string"],
  ["backends", "backends", "string"], ["model_filename", "modelFilename", "string"],
  ["model_type", "modelType", "string"], ["model_size", "modelSizeBytes", "int"],
  ["model_n_params", "modelNParams", "int"], ["n_batch", "nBatch", "int"],
  ["n_ubatch", "nUbatch", "int"], ["n_threads", "nThreads", "int"],
  ["cpu_mask", "cpuMask", "string"], ["cpu_strict", "cpuStrict", "bool"], ["poll", "poll", "int"],
  ["type_k", "typeK", "string"], ["type_v", "typeV", "string"],
  ["n_gpu_layers", "nGpuLayers", "int"], ["split_mode", "splitMode", "string"],
  ["main_gpu", "mainGpu", "int"], ["no_kv_offload", "noKvOffload", "bool"],
  ["tensor_split", "tensorSplit", "string"], ["embeddings", "embeddings", "bool"],
  ["n_prompt", "nPrompt", "int"], ["n_gen", "nGen", "int"], ["n_depth", "nDepth", "int"],
  ["test_time", "testTime", "string"],
];

/** Keys newer or older builds lack; absent ones take {@linkcode BENCH_DEFAULTS}. */
// deno-fmt-ignore
const _OPTIONAL: ReadonlyArray<readonly [string, keyof BenchResult, _Kind]> = [
  ["n_cpu_moe", "nCpuMoe", "int"], ["devices", "devices", "string"],
  ["tensor_buft_overrides", "tensorBuftOverrides", "string"], ["load_mode", "loadMode", "string"],
  ["lazy_mode", "lazyMode", "string"], ["no_host", "noHost", "bool"],
  ["fit_target", "fitTargetMiB", "int"], ["fit_min_ctx", "fitMinCtx", "int"],
];

function _fail(index: number, key: string, want: string, got: unknown): never {
  throw new TypeError(
    `Cannot read llama-bench result ${index}: "${key}" must be ${want}, got ${
      JSON.stringify(got) ?? String(got)
    }; pass the output of llama-bench -o json`,
  );
}

function _check(index: number, key: string, kind: _Kind, v: unknown): string | number | boolean {
  if (kind === "string" && typeof v === "string") return v;
  if (kind === "int" && Number.isSafeInteger(v)) return v as number;
  if (kind === "bool" && typeof v === "boolean") return v;
  return _fail(
    index,
    key,
    kind === "int" ? "an integer" : `a ${kind === "bool" ? "boolean" : kind}`,
    v,
  );
}

/** flash_attn is an int (-1 auto, 0, 1) in the pinned build, a boolean in older ones. */
function _flashAttn(index: number, v: unknown): boolean | "auto" {
  if (typeof v === "boolean") return v;
  if (v === -1) return "auto";
  if (v === 0 || v === 1) return v === 1;
  return _fail(index, "flash_attn", "-1, 0, 1 or a boolean", v);
}

/** no_op_offload is printed as an int 0/1 although it is a flag. */
function _flag(index: number, key: string, v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === 0 || v === 1) return v === 1;
  return _fail(index, key, "0, 1 or a boolean", v);
}

function _samples(index: number, v: unknown): number[] {
  const ok = Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
  return ok ? [...v] : _fail(index, "samples_ns", "an array of non-negative integers", v);
}

function _result(index: number, o: unknown): BenchResult {
  if (typeof o !== "object" || o === null || Array.isArray(o)) {
    return _fail(index, "(result)", "an object", o);
  }
  const src = o as Record<string, unknown>;
  const out: Record<string, unknown> = { ...BENCH_DEFAULTS };
  for (const [key, name, kind] of _REQUIRED) out[name] = _check(index, key, kind, src[key]);
  for (const [key, name, kind] of _OPTIONAL) {
    if (src[key] !== undefined) out[name] = _check(index, key, kind, src[key]);
  }
  // Builds before load_mode printed use_mmap; name it as llama_load_mode_name would.
  if (src.load_mode === undefined && typeof src.use_mmap === "boolean") {
    out.loadMode = src.use_mmap ? "mmap" : "none";
  }
  if (src.no_op_offload !== undefined) {
    out.noOpOffload = _flag(index, "no_op_offload", src.no_op_offload);
  }
  out.flashAttn = _flashAttn(index, src.flash_attn);
  out.samplesNs = _samples(index, src.samples_ns);
  return out as unknown as BenchResult;
}

/**
 * Parses llama-bench's `-o json` output (an array of test objects) or `-o jsonl` output
 * (one object per line). Derived fields (`avg_ns`, `avg_ts`, `samples_ts`, ...) are
 * ignored: they are recomputed from `samples_ns`. Keys missing from older or newer
 * builds take {@linkcode BENCH_DEFAULTS}; an older `use_mmap` becomes `loadMode`.
 *
 * @throws {SyntaxError} if the text is not JSON.
 * @throws {TypeError} if a result lacks a field or has one of the wrong type.
 * @example
 * ```ts ignore
 * const theirs = parseLlamaBenchJson(await Deno.readTextFile("llama-bench.json"));
 * ```
 */
export function parseLlamaBenchJson(text: string): BenchResult[] {
  const trimmed = text.trim();
  // jsonl when the text is not an array; llama-bench writes one object per line.
  const data: unknown = trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
  if (!Array.isArray(data)) {
    throw new TypeError("Cannot read llama-bench output: expected a JSON array of results");
  }
  return data.map((o, i) => _result(i, o));
}
