/**
 * Saves a `deno task bench` pp/tg run in SQLite (storage/bench_runs.ts), so the desktop app
 * charts runs per model and settings: by default in the app's own database, with `--db FILE`
 * in another file, with `--no-db` nowhere.
 *
 * @module
 */
import { join } from "node:path";
import { dataDirFromEnv } from "../config/config.ts";
import { type BenchRun, DATABASE_FILE, type NewBenchRun, openDatabase } from "../storage/mod.ts";
import { _testName, avgTs, type BenchResult, stddevTs } from "./_result.ts";

/** The run's parameters besides its results: what `-p`, `-n` and `-r` asked for. */
export interface BenchRunRequest {
  nPrompt: readonly number[];
  nGen: readonly number[];
  repetitions: number;
}

/**
 * The row of a run: the model and build facts of its first result (every test of one run
 * shares them), llama-bench's parameters, and each test's mean and deviation of tok/s.
 *
 * @param results What the run measured, one per test, at least one.
 * @param request The test sizes and repetitions asked for.
 * @returns The run to save.
 * @throws {RangeError} Without results.
 */
export function benchRunOf(results: readonly BenchResult[], request: BenchRunRequest): NewBenchRun {
  const first = results[0];
  if (!first) throw new RangeError("Cannot save a bench run without results");
  return {
    model_filename: first.modelFilename,
    model_type: first.modelType,
    model_size: first.modelSizeBytes,
    model_n_params: first.modelNParams,
    build_commit: first.buildCommit,
    backends: first.backends,
    cpu_info: first.cpuInfo,
    gpu_info: first.gpuInfo,
    params: {
      n_prompt: [...request.nPrompt],
      n_gen: [...request.nGen],
      repetitions: request.repetitions,
      n_threads: first.nThreads,
      n_batch: first.nBatch,
      n_ubatch: first.nUbatch,
      n_gpu_layers: first.nGpuLayers,
      flash_attn: first.flashAttn === "auto" ? -1 : first.flashAttn ? 1 : 0,
      type_k: first.typeK,
      type_v: first.typeV,
    },
    results: results.map((r) => ({
      test: _testName(r),
      n_prompt: r.nPrompt,
      n_gen: r.nGen,
      n_depth: r.nDepth,
      avg_ts: avgTs(r),
      stddev_ts: stddevTs(r),
      samples_ns: r.samplesNs.map((ns) => Math.round(ns)),
    })),
  };
}

/** The database a run goes to when `--db` names none: the app's (`$HEARTH_HOME/hearth.db`). */
export function defaultBenchDatabase(): string {
  return join(dataDirFromEnv(), DATABASE_FILE);
}

/**
 * Saves a run in the database file `path` (created and migrated if needed). A running app on
 * the same file is left alone: its streaming replies are not marked interrupted, and SQLite's
 * busy timeout waits for its writes.
 *
 * @param path The SQLite file.
 * @param run The run, from {@link benchRunOf}.
 * @returns The saved run with its id.
 * @throws {Error} When the file cannot be opened, or a newer Hearth wrote it
 *   (`DatabaseVersionError`).
 */
export function saveBenchRun(path: string, run: NewBenchRun): BenchRun {
  using storage = openDatabase(path, { recoverInterrupted: false });
  return storage.benchRuns.add(run);
}
