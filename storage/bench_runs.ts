/**
 * `deno task bench` runs (schema: migration 13 in migrations.ts): one row per run of the
 * command, with the model, the llama-bench parameters it ran with and one result per test
 * (pp, tg), in llama-bench's JSON field names, so runs are charted per model and settings.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { parseJson, type Row } from "./_sql.ts";
import {
  checkInteger,
  checkNumber,
  checkObject,
  checkString,
  fail,
  isObject,
} from "./_validate.ts";

/**
 * The parameters of a bench run, as llama-bench names them in its JSON output (`n_batch`,
 * `n_threads`, ...). `n_prompt` and `n_gen` are the test sizes asked for (`-p`, `-n`); each
 * result carries its own.
 */
export interface BenchParams {
  /** Prompt tokens of each pp test (`-p`). */
  n_prompt: number[];
  /** Generated tokens of each tg test (`-n`). */
  n_gen: number[];
  /** Timed repetitions per test (`-r`). */
  repetitions: number;
  /** CPU threads (`-t`). */
  n_threads: number;
  /** Logical batch size, tokens (`-b`). */
  n_batch: number;
  /** Physical batch size, tokens (`-ub`). */
  n_ubatch: number;
  /** Layers offloaded to a GPU (`-ngl`); -1 = all. */
  n_gpu_layers: number;
  /** Flash attention as llama-bench prints it: -1 auto, 0 off, 1 on (`-fa`). */
  flash_attn: number;
  /** KV cache K type, e.g. "f16". */
  type_k: string;
  /** KV cache V type, e.g. "f16". */
  type_v: string;
}

/** One test of a run (llama-bench's JSON row, the fields that vary). */
export interface BenchTestResult {
  /** llama-bench's test name: "pp512", "tg128", "pp512+tg128", with " @ d<n>" at a depth. */
  test: string;
  /** Prompt tokens per repetition. */
  n_prompt: number;
  /** Generated tokens per repetition. */
  n_gen: number;
  /** Tokens in the KV cache before each repetition. */
  n_depth: number;
  /** Mean tokens per second over the repetitions. */
  avg_ts: number;
  /** Sample standard deviation of the tokens per second; 0 for one repetition. */
  stddev_ts: number;
  /** Wall time of each repetition, nanoseconds. */
  samples_ns: number[];
}

/** A bench run to save; `created_at` defaults to now. */
export interface NewBenchRun {
  /** The model path as given to `-m`. */
  model_filename: string;
  /** `llama_model_desc()`, e.g. "llama ?B all F32". */
  model_type: string;
  /** Total tensor bytes. */
  model_size: number;
  /** Parameter count. */
  model_n_params: number;
  /** llama.cpp commit of the library that ran it. */
  build_commit: string;
  /** Non-CPU backends joined with ","; "CPU" when only the CPU ran. */
  backends: string;
  /** CPU description. */
  cpu_info: string;
  /** GPU descriptions; "" when none. */
  gpu_info: string;
  params: BenchParams;
  /** One per test, in the order they ran; at least one. */
  results: BenchTestResult[];
  /** ms since the epoch. */
  created_at?: number;
}

/** A saved bench run. */
export interface BenchRun extends Required<NewBenchRun> {
  /** Random UUID. */
  id: string;
}

/** Filters of {@link BenchRunStore.list}. */
export interface ListBenchRunsOptions {
  /** Only runs of this model path. */
  model_filename?: string;
  /** Most runs returned, newest first. @default {500} */
  limit?: number;
}

const INT32_MAX = 2 ** 31 - 1;

/** Checks a run from outside (the bench command, a test); TypeError/RangeError name the field. */
export function checkBenchRun(value: unknown): NewBenchRun {
  const run = checkObject(value, "run");
  const p = checkObject(run.params, "params");
  const ints = (v: unknown, f: string) => {
    if (!Array.isArray(v) || v.length === 0) fail(TypeError, f, "must be a non-empty array");
    return v.map((n, i) => checkInteger(n, `${f}[${i}]`, 0, INT32_MAX));
  };
  if (!Array.isArray(run.results) || run.results.length === 0) {
    fail(TypeError, "results", "must be a non-empty array");
  }
  return {
    model_filename: checkString(run.model_filename, "model_filename"),
    model_type: checkString(run.model_type, "model_type"),
    model_size: checkInteger(run.model_size, "model_size", 0, Number.MAX_SAFE_INTEGER),
    model_n_params: checkInteger(run.model_n_params, "model_n_params", 0, Number.MAX_SAFE_INTEGER),
    build_commit: checkString(run.build_commit, "build_commit"),
    backends: checkString(run.backends, "backends"),
    cpu_info: checkString(run.cpu_info, "cpu_info"),
    gpu_info: checkString(run.gpu_info, "gpu_info"),
    params: {
      n_prompt: ints(p.n_prompt, "params.n_prompt"),
      n_gen: ints(p.n_gen, "params.n_gen"),
      repetitions: checkInteger(p.repetitions, "params.repetitions", 1, INT32_MAX),
      n_threads: checkInteger(p.n_threads, "params.n_threads", 1, INT32_MAX),
      n_batch: checkInteger(p.n_batch, "params.n_batch", 1, INT32_MAX),
      n_ubatch: checkInteger(p.n_ubatch, "params.n_ubatch", 1, INT32_MAX),
      n_gpu_layers: checkInteger(p.n_gpu_layers, "params.n_gpu_layers", -1, INT32_MAX),
      flash_attn: checkInteger(p.flash_attn, "params.flash_attn", -1, 1),
      type_k: checkString(p.type_k, "params.type_k"),
      type_v: checkString(p.type_v, "params.type_v"),
    },
    results: run.results.map((r, i) => checkResult(r, `results[${i}]`)),
    ...(run.created_at === undefined ? {} : {
      created_at: checkInteger(run.created_at, "created_at", 0, Number.MAX_SAFE_INTEGER),
    }),
  };
}

function checkResult(value: unknown, field: string): BenchTestResult {
  if (!isObject(value)) fail(TypeError, field, "must be an object");
  const samples = value.samples_ns;
  if (!Array.isArray(samples)) fail(TypeError, `${field}.samples_ns`, "must be an array");
  return {
    test: checkString(value.test, `${field}.test`),
    n_prompt: checkInteger(value.n_prompt, `${field}.n_prompt`, 0, INT32_MAX),
    n_gen: checkInteger(value.n_gen, `${field}.n_gen`, 0, INT32_MAX),
    n_depth: checkInteger(value.n_depth, `${field}.n_depth`, 0, INT32_MAX),
    avg_ts: checkNumber(value.avg_ts, `${field}.avg_ts`, 0),
    stddev_ts: checkNumber(value.stddev_ts, `${field}.stddev_ts`, 0),
    samples_ns: samples.map((n, i) => checkNumber(n, `${field}.samples_ns[${i}]`, 0)),
  };
}

function toRun(row: Row): BenchRun {
  return {
    id: row.id as string,
    created_at: row.created_at as number,
    model_filename: row.model_filename as string,
    model_type: row.model_type as string,
    model_size: Number(row.model_size ?? 0),
    model_n_params: Number(row.model_n_params ?? 0),
    build_commit: row.build_commit as string,
    backends: row.backends as string,
    cpu_info: row.cpu_info as string,
    gpu_info: row.gpu_info as string,
    params: parseJson<BenchParams>(row.params)!,
    results: parseJson<BenchTestResult[]>(row.results)!,
  };
}

/** The bench runs table. */
export class BenchRunStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.benchRuns`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Saves a run.
   *
   * @param run What ran and what it measured.
   * @returns The saved run with its id.
   * @throws {TypeError} For a wrong shape, naming the field.
   * @throws {RangeError} For a value out of range, naming the field.
   */
  add(run: NewBenchRun): BenchRun {
    const checked = checkBenchRun(run);
    const saved: BenchRun = {
      ...checked,
      id: this.#ctx.newId(),
      created_at: checked.created_at ?? this.#ctx.now(),
    };
    this.#ctx.sql.get(
      `INSERT INTO bench_runs (id, created_at, model_filename, model_type, model_size,
        model_n_params, build_commit, backends, cpu_info, gpu_info, params, results)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      saved.id,
      saved.created_at,
      saved.model_filename,
      saved.model_type,
      saved.model_size,
      saved.model_n_params,
      saved.build_commit,
      saved.backends,
      saved.cpu_info,
      saved.gpu_info,
      JSON.stringify(saved.params),
      JSON.stringify(saved.results),
    );
    return saved;
  }

  /** A run by id, or null. */
  get(id: string): BenchRun | null {
    const row = this.#ctx.sql.get("SELECT * FROM bench_runs WHERE id = ?").get(id);
    return row ? toRun(row) : null;
  }

  /** Runs, newest first, optionally of one model only. */
  list(options: ListBenchRunsOptions = {}): BenchRun[] {
    const limit = Math.max(1, Math.trunc(options.limit ?? 500));
    const rows = options.model_filename === undefined
      ? this.#ctx.sql.get(
        "SELECT * FROM bench_runs ORDER BY created_at DESC, rowid DESC LIMIT ?",
      ).all(limit)
      : this.#ctx.sql.get(
        `SELECT * FROM bench_runs WHERE model_filename = ?
         ORDER BY created_at DESC, rowid DESC LIMIT ?`,
      ).all(options.model_filename, limit);
    return rows.map(toRun);
  }

  /** Deletes a run; false when there was none. */
  remove(id: string): boolean {
    return Number(this.#ctx.sql.get("DELETE FROM bench_runs WHERE id = ?").run(id).changes) > 0;
  }
}
