/**
 * Runs llama-bench's tests on a loaded model: pp (prompt processing, n_prompt tokens
 * in n_batch chunks) and tg (generation, n_gen single-token decodes), each on a
 * context sized as llama-bench sizes it (n_ctx = n_prompt + n_gen), with a warm-up,
 * and returns results in llama-bench's record shape.
 *
 * @module
 */
import { LLAMA_CPP_COMMIT } from "../ffi/lib_version.ts";
import { type BenchResult, formatTestTime } from "./report.ts";
import type { Model } from "../engine/model.ts";
import type { LoraEntry } from "../engine/lora.ts";

/** One pp or tg test. */
export interface BenchTest {
  /** Prompt tokens per repetition (0 for a tg test). */
  nPrompt: number;
  /** Generated tokens per repetition (0 for a pp test). */
  nGen: number;
}

/** Settings shared by the tests of one run. */
export interface BenchSettings {
  /** Model path as the user gave it (llama-bench's model_filename). */
  modelFilename: string;
  nThreads: number;
  nBatch: number;
  nUbatch: number;
  nGpuLayers: number;
  flashAttn: boolean | "auto";
  /** Timed repetitions per test. */
  repetitions: number;
  /** Run llama-bench's warm-up (one pp run, one tg token) before timing. Default true. */
  warmup?: boolean;
  /** LoRA adapters applied to each test's context (`--lora`, `--lora-scaled`). Default none. */
  loras?: readonly LoraEntry[];
}

/** The tests llama-bench runs for `-p` and `-n` values (a 0 skips that test). */
export function benchTests(nPrompt: readonly number[], nGen: readonly number[]): BenchTest[] {
  return [
    ...nPrompt.filter((n) => n > 0).map((n) => ({ nPrompt: n, nGen: 0 })),
    ...nGen.filter((n) => n > 0).map((n) => ({ nPrompt: 0, nGen: n })),
  ];
}

/** Runs one test and returns its result (samples in nanoseconds). */
export async function runBenchTest(
  model: Model,
  test: BenchTest,
  settings: BenchSettings,
): Promise<BenchResult> {
  const testTime = formatTestTime(new Date());
  using ctx = await model.createContext({
    nCtx: test.nPrompt + test.nGen,
    nBatch: settings.nBatch,
    nUbatch: Math.min(settings.nUbatch, settings.nBatch),
    nThreads: settings.nThreads,
    flashAttn: settings.flashAttn,
  });
  if (settings.loras?.length) await ctx.setLoras(settings.loras);
  const samplesNs = await ctx._bench({
    ...test,
    repetitions: settings.repetitions,
    warmup: settings.warmup ?? true,
  });
  return benchRecord(model, test, settings, samplesNs, testTime);
}

/** Builds the llama-bench record of a finished test. */
export function benchRecord(
  model: Model,
  test: BenchTest,
  settings: BenchSettings,
  samplesNs: number[],
  testTime: string,
): BenchResult {
  const devices = model.engine.info.devices;
  const gpus = devices.filter((d) => d.type === "GPU" || d.type === "IGPU");
  const backends = [...new Set(devices.map((d) => d.backend).filter((b) => b !== "CPU"))];
  return {
    buildCommit: LLAMA_CPP_COMMIT,
    buildNumber: 1,
    cpuInfo: devices.filter((d) => d.type === "CPU" || d.type === "ACCEL")
      .map((d) => d.description).join(", "),
    gpuInfo: gpus.map((d) => d.description).join(", "),
    backends: backends.length > 0 ? backends.join(",") : "CPU",
    modelFilename: settings.modelFilename,
    modelType: model.info.description,
    modelSizeBytes: model.info.sizeBytes,
    modelNParams: model.info.nParams,
    nBatch: settings.nBatch,
    nUbatch: settings.nUbatch,
    nThreads: settings.nThreads,
    cpuMask: "0x0",
    cpuStrict: false,
    poll: 50,
    typeK: "f16",
    typeV: "f16",
    nGpuLayers: settings.nGpuLayers,
    splitMode: "layer",
    mainGpu: 0,
    noKvOffload: false,
    flashAttn: settings.flashAttn,
    tensorSplit: "0.00",
    embeddings: false,
    nPrompt: test.nPrompt,
    nGen: test.nGen,
    nDepth: 0,
    testTime,
    samplesNs,
  };
}
