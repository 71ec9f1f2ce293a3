/**
 * The shared-prefix benchmark (issue 11's "prefix reuse" target): B rows whose prompts
 * share a prefix of P tokens, each followed by {@link ROW_TOKENS} tokens of its own,
 * all submitted at once to a serving context of B slots, as a sheet job starts its
 * rows. Run with the scheduler's prefix sharing off and on, for each KV layout (one
 * stream per slot, and kv_unified): prompt tokens decoded per row (the requests' own
 * `promptEvalTokens`) against the row's own tokens, and rows/s. Prompts are random
 * token ids from a seeded PRNG (end-of-generation banned, so every row generates exactly
 * -n tokens); each repetition is a fresh context, so no cache carries over.
 *
 * @module
 */
import type { Model } from "../engine/model.ts";
import { createServingContext } from "../engine/serving.ts";
import { seededRandom } from "../tests/hub/_helpers.ts";

/** Tokens of each row's own after the shared prefix. */
export const ROW_TOKENS = 20;

/** Options of {@link runSharedPrefixBench}. */
export interface SharedPrefixBenchOptions {
  /** Tokens of the shared prefix. */
  prefixTokens: number;
  /** Rows, all at once; also the slots (n_parallel). */
  rows: number;
  /** Tokens each row generates. */
  nGen: number;
  repetitions: number;
  nThreads: number;
  nBatch: number;
  nUbatch: number;
}

/** One line of the report: one setting, means over the repetitions. */
export interface SharedPrefixRow {
  kvUnified: boolean;
  prefixSharing: boolean;
  rows: number;
  prefixTokens: number;
  /** Tokens of each row's own (after the prefix). */
  ownTokens: number;
  /** Prompt tokens decoded per row: all rows' promptEvalTokens / rows (the prefix's once included). */
  decodedPerRow: number;
  /**
   * Prompt tokens decoded by a row that copied the prefix (mean promptEvalTokens of the
   * rows with cachedTokens > 0): what each row past the first costs. undefined when none
   * copied.
   */
  decodedPerCopyingRow: number | undefined;
  /** Wall time from submitting all rows to the last one's end, in milliseconds. */
  ms: number;
  rowsPerSec: number;
}

/** Runs off and on for both KV layouts, repetitions interleaved. */
export async function runSharedPrefixBench(
  model: Model,
  options: SharedPrefixBenchOptions,
): Promise<SharedPrefixRow[]> {
  const { rows, prefixTokens, nGen } = options;
  const random = seededRandom(1);
  const token = () => 1 + Math.floor(random() * (model.info.nVocab - 1));
  const prefix = Array.from({ length: prefixTokens }, token);
  const prompts = Array.from({ length: rows }, () => [
    ...prefix,
    ...Array.from({ length: ROW_TOKENS }, token),
  ]);
  const settings = [false, true].flatMap((kvUnified) =>
    [false, true].map((prefixSharing) => ({ kvUnified, prefixSharing }))
  );
  const totals = settings.map(() => ({ decoded: 0, ms: 0, copying: 0, copyingRows: 0 }));
  for (let r = 0; r < options.repetitions; r++) {
    for (const [i, setting] of settings.entries()) {
      const one = await runOnce(model, prompts, nGen, options, setting);
      totals[i].decoded += one.decoded;
      totals[i].ms += one.ms;
      totals[i].copying += one.copying;
      totals[i].copyingRows += one.copyingRows;
    }
  }
  return settings.map((setting, i) => {
    const ms = totals[i].ms / options.repetitions;
    return {
      ...setting,
      rows,
      prefixTokens,
      ownTokens: ROW_TOKENS,
      decodedPerRow: totals[i].decoded / options.repetitions / rows,
      decodedPerCopyingRow: totals[i].copyingRows > 0
        ? totals[i].copying / totals[i].copyingRows
        : undefined,
      ms,
      rowsPerSec: (rows * 1000) / ms,
    };
  });
}

async function runOnce(
  model: Model,
  prompts: readonly number[][],
  nGen: number,
  options: SharedPrefixBenchOptions,
  setting: { kvUnified: boolean; prefixSharing: boolean },
): Promise<{ decoded: number; ms: number; copying: number; copyingRows: number }> {
  const perSlot = Math.ceil((prompts[0].length + nGen + 1) / 256) * 256;
  using serving = await createServingContext(model, {
    nParallel: prompts.length,
    nCtx: perSlot * prompts.length,
    nBatch: options.nBatch,
    nUbatch: options.nUbatch,
    nThreads: options.nThreads,
    queueLimit: prompts.length,
    ...setting,
  });
  const ban = model.info.eos >= 0 ? { [model.info.eos]: -Infinity } : {};
  const started = performance.now();
  const results = await Promise.all(
    prompts.map((prompt) =>
      serving.generate(prompt, { temperature: 0, maxTokens: nGen, logitBias: ban }).result
    ),
  );
  const ms = performance.now() - started;
  const copied = results.filter((r) => r.metrics.cachedTokens > 0);
  return {
    decoded: results.reduce((n, r) => n + r.metrics.promptEvalTokens, 0),
    ms,
    copying: copied.reduce((n, r) => n + r.metrics.promptEvalTokens, 0),
    copyingRows: copied.length,
  };
}

/** The report as a markdown table, and the ratios that matter under it. */
export function formatSharedPrefixBench(rows: readonly SharedPrefixRow[]): string {
  const lines = [
    "| KV | prefix sharing | rows | prefix tok | own tok/row | prompt tok decoded/row | / own | decoded/copying row | / own | rows/s |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.kvUnified ? "unified" : "per slot"} | ${r.prefixSharing ? "on" : "off"} | ` +
        `${r.rows} | ${r.prefixTokens} | ${r.ownTokens} | ${r.decodedPerRow.toFixed(1)} | ` +
        `${(r.decodedPerRow / r.ownTokens).toFixed(3)} | ` +
        (r.decodedPerCopyingRow === undefined
          ? "- | - | "
          : `${r.decodedPerCopyingRow.toFixed(1)} | ${
            (r.decodedPerCopyingRow / r.ownTokens).toFixed(3)
          } | `) +
        `${r.rowsPerSec.toFixed(2)} |`,
    );
  }
  lines.push("");
  for (const kvUnified of [false, true]) {
    const off = rows.find((r) => r.kvUnified === kvUnified && !r.prefixSharing);
    const on = rows.find((r) => r.kvUnified === kvUnified && r.prefixSharing);
    if (!off || !on) continue;
    lines.push(
      `KV ${kvUnified ? "unified" : "per slot"}: rows/s with sharing / without: ` +
        `${(on.rowsPerSec / off.rowsPerSec).toFixed(2)}x`,
    );
  }
  return `${lines.join("\n")}\n`;
}
