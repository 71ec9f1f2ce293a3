/**
 * The sheets bench's anchor: llama-batched-bench (built from the pinned source) run on the
 * sheet's own shape, so the rows/s a job at N slots could reach if every decode were as
 * dense as llama.cpp's own batched test is measured in the same run as the job itself.
 *
 * A sheet row decodes `pp` prompt tokens (what prefix sharing leaves) and generates `tg`;
 * llama-batched-bench decodes `pl` sequences of exactly that at once (`-npp pp -ntg tg
 * -npl pl`), with the serving context's batch sizes, KV cache per sequence, threads and
 * flash attention. Its S (all tokens over all the time, llama-batched-bench's last
 * column) over `pp + tg` is then rows/s at `pl` slots with no scheduler, no sampling, no
 * staggered rows and no sheet: the ceiling a job's rows/s is held against, and
 * S(16) / S(1) is how much batching itself can give on this model and machine.
 *
 * @module
 */
import { parseBatchedBenchJsonl } from "./batched.ts";

/** What the anchor runs with: the job's shape and the serving context's settings. */
export interface AnchorShape {
  /** GGUF file. */
  model: string;
  /** Prompt tokens decoded per row (after prefix sharing), rounded. */
  pp: number;
  /** Tokens generated per row, rounded. */
  tg: number;
  /** Slot counts to run (llama-batched-bench's `-npl`). */
  parallels: readonly number[];
  /** KV cells per sequence: n_ctx is this times the largest slot count. */
  nCtxPerSlot: number;
  /** CPU threads; undefined = llama.cpp's default. */
  threads: number | undefined;
  /** Flash attention: "on", "off" or "auto" (llama.cpp's `-fa`). */
  fa: string;
}

/** One slot count's anchor figures. */
export interface AnchorRow {
  /** Sequences at once (llama-batched-bench's B). */
  parallel: number;
  /** All tokens (prompt and generated) over all the time, tokens per second. */
  speed: number;
  /** `speed / (pp + tg)`: rows per second with nothing around the decodes. */
  rowsPerS: number;
}

/** The serving context's batch sizes (engine/serving.ts defaults: n_batch 2048, n_ubatch 512). */
const N_BATCH = 2048;
const N_UBATCH = 512;

/**
 * How many times llama-batched-bench runs: one of its tests of a sheet row's shape takes
 * 10-200 ms, so one run is at the mercy of a single scheduler hiccup; the median of
 * several is not.
 */
export const ANCHOR_RUNS = 7;

/**
 * Runs llama-batched-bench at `path` {@link ANCHOR_RUNS} times on `shape` and takes the
 * median S of each slot count.
 *
 * @throws {Error} when it exits non-zero (its last stderr line is the message) or prints
 *   no row for a slot count.
 */
export async function runAnchor(path: string, shape: AnchorShape): Promise<AnchorRow[]> {
  const runs: AnchorRow[][] = [];
  for (let i = 0; i < ANCHOR_RUNS; i++) runs.push(await runAnchorOnce(path, shape));
  return shape.parallels.map((parallel, i) => {
    const speeds = runs.map((run) => run[i].speed).sort((a, b) => a - b);
    const speed = speeds[Math.floor(speeds.length / 2)];
    return { parallel, speed, rowsPerS: speed / (shape.pp + shape.tg) };
  });
}

async function runAnchorOnce(path: string, shape: AnchorShape): Promise<AnchorRow[]> {
  const nCtx = Math.max(...shape.parallels) * shape.nCtxPerSlot;
  const args = [
    ...["-m", shape.model, "-c", String(nCtx), "-b", String(N_BATCH), "-ub", String(N_UBATCH)],
    ...["-npp", String(shape.pp), "-ntg", String(shape.tg), "-npl", shape.parallels.join(",")],
    ...["-fa", shape.fa, "--output-format", "jsonl"],
    ...(shape.threads ? ["-t", String(shape.threads)] : []),
  ];
  const output = await new Deno.Command(path, { args, stdout: "piped", stderr: "piped" }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) {
    throw new Error(`llama-batched-bench failed: ${stderr.trim().split("\n").at(-1)}`);
  }
  const rows = parseBatchedBenchJsonl(new TextDecoder().decode(output.stdout) + stderr);
  return shape.parallels.map((parallel) => {
    const row = rows.find((r) => r.pl === parallel);
    if (!row) throw new Error(`llama-batched-bench printed no row for -npl ${parallel}`);
    return { parallel, speed: row.speed, rowsPerS: row.speed / (shape.pp + shape.tg) };
  });
}

/** The command line `runAnchor` runs, for the report. */
export function anchorCommand(path: string, shape: AnchorShape): string {
  const nCtx = Math.max(...shape.parallels) * shape.nCtxPerSlot;
  return [
    path,
    ...["-m", shape.model, "-c", nCtx, "-b", N_BATCH, "-ub", N_UBATCH],
    ...["-npp", shape.pp, "-ntg", shape.tg, "-npl", shape.parallels.join(","), "-fa", shape.fa],
    ...(shape.threads ? ["-t", shape.threads] : []),
  ].join(" ");
}
