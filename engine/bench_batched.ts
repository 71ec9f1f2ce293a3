/**
 * The batched benchmark, llama-batched-bench's test through Hearth's scheduler: for
 * each count of parallel sequences B, B requests of `pp` random prompt tokens each
 * generate `tg` tokens at once (end-of-generation banned, so every one runs to tg).
 * Timings: T_PP until the last request's first token, T_TG the rest
 * (tools/batched-bench/batched-bench.cpp measures the same two phases directly).
 *
 * @module
 */
import type { BatchedBenchRow } from "./bench_report.ts";
import type { Model } from "./model.ts";
import { createServingContext } from "./serving.ts";

/** Options of {@link runBatchedBench}. */
export interface BatchedBenchOptions {
  pp: number;
  tg: number;
  parallel: readonly number[];
  nThreads: number;
  nBatch: number;
}

/** Runs one row per parallel count. */
export async function runBatchedBench(
  model: Model,
  options: BatchedBenchOptions,
): Promise<BatchedBenchRow[]> {
  const rows: BatchedBenchRow[] = [];
  const nVocab = model.info.nVocab;
  const ban = model.info.eos >= 0 ? { [model.info.eos]: -Infinity } : {};
  for (const pl of options.parallel) {
    using serving = await createServingContext(model, {
      nParallel: pl,
      nCtxPerSlot: Math.ceil((options.pp + options.tg + 1) / 256) * 256,
      nBatch: options.nBatch,
      nThreads: options.nThreads,
    });
    const prompt = () =>
      Array.from({ length: options.pp }, () => 1 + Math.floor(Math.random() * (nVocab - 1)));
    const run = () =>
      Array.from(
        { length: pl },
        () =>
          serving.generate(prompt(), { temperature: 0, maxTokens: options.tg, logitBias: ban })
            .result,
      );
    await Promise.all(run()); // warm-up, as llama-batched-bench does one
    const start = performance.now();
    const results = await Promise.all(run());
    const end = performance.now();
    const ppDone = Math.max(...results.map((r) => r.metrics.ttftMs)) + start;
    const tPpS = (ppDone - start) / 1000;
    const tS = (end - start) / 1000;
    const tTgS = tS - tPpS;
    rows.push({
      pp: options.pp,
      tg: options.tg,
      pl,
      nKv: pl * (options.pp + options.tg),
      tPpS,
      speedPp: (pl * options.pp) / tPpS,
      tTgS,
      speedTg: (pl * options.tg) / tTgS,
      tS,
      speed: (pl * (options.pp + options.tg)) / tS,
    });
  }
  return rows;
}

/** Parses llama-batched-bench's `--output-format jsonl` lines. */
export function parseBatchedBenchJsonl(text: string): BatchedBenchRow[] {
  return text.split("\n").filter((line) => line.startsWith('{"n_kv_max"')).map((line) => {
    const r = JSON.parse(line);
    return {
      pp: r.pp,
      tg: r.tg,
      pl: r.pl,
      nKv: r.n_kv,
      tPpS: r.t_pp,
      speedPp: r.speed_pp,
      tTgS: r.t_tg,
      speedTg: r.speed_tg,
      tS: r.t,
      speed: r.speed,
    };
  });
}
