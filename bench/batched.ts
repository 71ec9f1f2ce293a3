/**
 * The batched benchmark, llama-batched-bench's test through Hearth's scheduler: for
 * each count of parallel sequences B, B requests of `pp` random prompt tokens each
 * generate `tg` tokens at once (end-of-generation banned, so every one runs to tg).
 * Timings: T_PP until the last request's first token reaches the caller, T_TG the
 * rest (tools/batched-bench/batched-bench.cpp measures the same two phases directly;
 * it decodes tg steps without sampling, where the scheduler samples every token).
 *
 * @module
 */
import type { BatchedBenchRow } from "./report.ts";
import type { Model } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";

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
    // Resolves with the time the last request's first token reached this thread:
    // the scheduler sends a request's first piece at once, so it marks the end of the
    // prompt phase as the caller sees it, whenever the Worker admitted each request.
    const run = async () => {
      let ppDone = 0;
      const one = async () => {
        const generation = serving.generate(prompt(), {
          temperature: 0,
          maxTokens: options.tg,
          logitBias: ban,
        });
        for await (const _ of generation) {
          ppDone = Math.max(ppDone, performance.now());
          break;
        }
        return await generation.result;
      };
      await Promise.all(Array.from({ length: pl }, one));
      return ppDone;
    };
    await run(); // warm-up, as llama-batched-bench does one
    const start = performance.now();
    const ppDone = await run();
    const end = performance.now();
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
