/**
 * The markdown tables: llama-bench's `markdown_printer`, the `--compare` table, and
 * llama-batched-bench's table. Public names are re-exported by `bench_report.ts`.
 *
 * @module
 */

import { _cFixed, _pad } from "./_printf.ts";
import { _fieldType, _testName, _values, avgTs, type BenchResult, stddevTs } from "./_result.ts";

/** `markdown_printer::get_field_width`: negative means left-aligned. */
// deno-fmt-ignore
const _WIDTHS: Readonly<Record<string, number>> = {
  model: -30, "t/s": 20, size: 10, params: 10, n_gpu_layers: 3, n_threads: 7, n_batch: 7,
  n_ubatch: 8, type_k: 6, type_v: 6, split_mode: 6, load_mode: 10, flash_attn: 3, devices: -12,
  test: 15, no_op_offload: 4, no_host: 4,
};

/** `markdown_printer::get_field_display_name`. */
// deno-fmt-ignore
const _NAMES: Readonly<Record<string, string>> = {
  n_gpu_layers: "ngl", split_mode: "sm", n_threads: "threads", no_kv_offload: "nkvo",
  flash_attn: "fa", load_mode: "lm", embeddings: "embd", no_op_offload: "nopo", no_host: "noh",
  devices: "dev", tensor_split: "ts", tensor_buft_overrides: "ot", fit_target: "fitt",
  fit_min_ctx: "fitc",
};

/**
 * Columns `markdown_printer::print_header` adds when a setting is not llama-bench's
 * default, in its order, with the default's `get_values()` text. n_threads' default is
 * per machine, so it is handled separately.
 */
// deno-fmt-ignore
const _OPTIONAL: ReadonlyArray<readonly [string, string]> = [
  ["n_cpu_moe", "0"], ["n_threads", ""], ["cpu_mask", "0x0"], ["cpu_strict", "0"], ["poll", "50"],
  ["n_batch", "2048"], ["n_ubatch", "512"], ["type_k", "f16"], ["type_v", "f16"], ["main_gpu", "0"],
  ["split_mode", "layer"], ["no_kv_offload", "0"], ["flash_attn", "-1"], ["devices", "auto"],
  ["tensor_split", "0.00"], ["tensor_buft_overrides", "none"], ["load_mode", "auto"],
  ["lazy_mode", "auto"], ["embeddings", "0"], ["no_op_offload", "0"], ["no_host", "0"],
  ["fit_target", "0"], ["fit_min_ctx", "0"],
];

function _width(field: string): number {
  const w = _WIDTHS[field];
  if (w !== undefined) return w;
  const width = Math.max(field.length, 10);
  return _fieldType(field) === "string" ? -width : width;
}

/** The "| a | b |" header and "| ---: | --- |" rule for the given widths. */
function _tableHead(names: string[], widths: number[]): string {
  const head = names.map((n, i) => ` ${_pad(n, widths[i])} |`).join("");
  const rule = widths.map((w) => ` ${"-".repeat(Math.abs(w) - 1)}${w > 0 ? ":" : "-"} |`);
  return `|${head}\n|${rule.join("")}\n`;
}

/** "1.13 MiB" below 1 GiB, else "1.24 GiB"; params "0.26 M" below 1e9, else "1.24 B". */
function _size(bytes: number): string {
  return bytes < 1024 * 1024 * 1024
    ? `${_cFixed(bytes / 1024.0 / 1024.0, 2)} MiB`
    : `${_cFixed(bytes / 1024.0 / 1024.0 / 1024.0, 2)} GiB`;
}

function _params(n: number): string {
  return n < 1000 * 1000 * 1000 ? `${_cFixed(n / 1e6, 2)} M` : `${_cFixed(n / 1e9, 2)} B`;
}

/** "avg ± stddev" with 2 decimals, as llama-bench's t/s column. */
function _ts(avg: number, stddev: number): string {
  return `${_cFixed(avg, 2)} ± ${_cFixed(stddev, 2)}`;
}

/** Columns `markdown_printer::print_test` renders itself; the rest print `get_values()`. */
const _CELLS: Readonly<Record<string, (r: BenchResult) => string>> = {
  model: (r) => r.modelType,
  size: (r) => _size(r.modelSizeBytes),
  params: (r) => _params(r.modelNParams),
  backend: (r) => r.backends,
  test: _testName,
  "t/s": (r) => _ts(avgTs(r), stddevTs(r)),
};

function _columns(results: BenchResult[], defaultNThreads?: number): string[] {
  // llama-bench asks the loaded backends; every result of one run shares them.
  const backends = results[0]?.backends ?? "CPU";
  const isCpu = ["CPU", "BLAS", "ZenDNN"].some((b) => backends.includes(b));
  const maps = results.map(_values);
  const fields = ["model", "size", "params", "backend"];
  if (!isCpu) fields.push("n_gpu_layers");
  for (const [field, def] of _OPTIONAL) {
    const seen = new Set(maps.map((m) => m.get(field)));
    const other = field === "n_threads"
      ? isCpu || (defaultNThreads !== undefined && !seen.has(String(defaultNThreads)))
      : seen.size === 1 && !seen.has(def);
    if (seen.size > 1 || other) fields.push(field);
  }
  return [...fields, "test", "t/s"];
}

/** llama-bench's markdown table and build footer. @internal */
export function _markdown(results: BenchResult[], defaultNThreads?: number): string {
  const fields = _columns(results, defaultNThreads);
  let out = _tableHead(fields.map((f) => _NAMES[f] ?? f), fields.map(_width));
  for (const r of results) {
    const map = _values(r);
    const cells = fields.map((f) => {
      const value = _CELLS[f]?.(r) ?? map.get(f) ?? "";
      // llama-bench widens t/s by one because "±" is two bytes; _pad counts bytes too.
      return ` ${_pad(value, _width(f) + (f === "t/s" ? 1 : 0))} |`;
    });
    out += `|${cells.join("")}\n`;
  }
  if (results.length > 0) out += `\nbuild: ${results[0].buildCommit} (${results[0].buildNumber})\n`;
  return out;
}

/** One row of `--compare`: the same test measured by Hearth and by llama-bench. */
export interface BenchComparison {
  /** The test as llama-bench's markdown names it, e.g. "pp512" or "tg128 @ d512". */
  test: string;
  /** Hearth's mean speed, tokens per second. */
  oursTs: number;
  /** Hearth's sample standard deviation, tokens per second. */
  oursStddevTs: number;
  /** llama-bench's mean speed, tokens per second. */
  theirsTs: number;
  /** llama-bench's sample standard deviation, tokens per second. */
  theirsStddevTs: number;
  /** oursTs / theirsTs: above 1 means Hearth is faster. */
  ratio: number;
}

/**
 * Pairs each of our results with the first llama-bench result of the same nPrompt,
 * nGen, nDepth and nThreads, in our order; tests without a match are left out.
 *
 * @example
 * ```ts ignore
 * const theirs = parseLlamaBenchJson(await Deno.readTextFile("llama-bench.json"));
 * console.log(formatComparison(compareBench(ours, theirs)));
 * ```
 */
export function compareBench(ours: BenchResult[], theirs: BenchResult[]): BenchComparison[] {
  const key = (r: BenchResult) => `${r.nPrompt}/${r.nGen}/${r.nDepth}/${r.nThreads}`;
  const byKey = new Map<string, BenchResult>();
  for (const t of theirs) if (!byKey.has(key(t))) byKey.set(key(t), t);
  return ours.flatMap((o) => {
    const t = byKey.get(key(o));
    if (t === undefined) return [];
    const oursTs = avgTs(o);
    const theirsTs = avgTs(t);
    const row = { test: _testName(o), oursTs, oursStddevTs: stddevTs(o), theirsTs };
    return [{ ...row, theirsStddevTs: stddevTs(t), ratio: oursTs / theirsTs }];
  });
}

/**
 * A markdown table `| test | hearth t/s | llama-bench t/s | ratio |` in llama-bench's
 * style: speeds as "avg ± stddev" with 2 decimals, ratio with 3.
 */
export function formatComparison(rows: BenchComparison[]): string {
  const widths = [15, 20, 20, 6];
  let out = _tableHead(["test", "hearth t/s", "llama-bench t/s", "ratio"], widths);
  for (const row of rows) {
    const cells = [
      _pad(row.test, widths[0]),
      _pad(_ts(row.oursTs, row.oursStddevTs), widths[1] + 1),
      _pad(_ts(row.theirsTs, row.theirsStddevTs), widths[2] + 1),
      _pad(_cFixed(row.ratio, 3), widths[3]),
    ];
    out += `|${cells.map((c) => ` ${c} |`).join("")}\n`;
  }
  return out;
}

/** One row of llama-batched-bench's table: `pl` sequences decoded in parallel. */
export interface BatchedBenchRow {
  /** Prompt tokens per sequence. */
  pp: number;
  /** Generated tokens per sequence. */
  tg: number;
  /** Parallel sequences (the "B" column). */
  pl: number;
  /** KV cells the test needed, tokens. */
  nKv: number;
  /** Prompt processing time, seconds. */
  tPpS: number;
  /** Prompt processing speed, tokens per second. */
  speedPp: number;
  /** Generation time, seconds. */
  tTgS: number;
  /** Generation speed over all sequences, tokens per second. */
  speedTg: number;
  /** tPpS + tTgS, seconds. */
  tS: number;
  /** All tokens over tS, tokens per second. */
  speed: number;
}

/**
 * llama-batched-bench's table, header through rows, with its `printf` widths
 * (`|%6d | %6d | %4d | %6d | %8.3f | %8.2f | %8.3f | %8.2f | %8.3f | %8.2f |`).
 */
export function formatBatchedBench(rows: BatchedBenchRow[]): string {
  const w = [6, 6, 4, 6, 8, 8, 8, 8, 8, 8];
  const names = [
    "PP",
    "TG",
    "B",
    "N_KV",
    "T_PP s",
    "S_PP t/s",
    "T_TG s",
    "S_TG t/s",
    "T s",
    "S t/s",
  ];
  // Its format strings put no space after the first "|", hence the odd first cell.
  const line = (cells: string[], sep: string) =>
    `|${cells.map((c, i) => _pad(c, w[i])).join(`${sep}|${sep}`)}${sep}|\n`;
  let out = line(names, " ") + line(w.map((n) => "-".repeat(n)), "-");
  for (const r of rows) {
    const ints = [r.pp, r.tg, r.pl, r.nKv].map((n) => String(Math.trunc(n)));
    const secs = [r.tPpS, r.speedPp, r.tTgS, r.speedTg, r.tS, r.speed];
    out += line([...ints, ...secs.map((x, i) => _cFixed(x, i % 2 === 0 ? 3 : 2))], " ");
  }
  return out;
}
