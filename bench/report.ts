/**
 * Prints benchmark results in llama-bench's layouts (`-o md|json|jsonl|csv`) so tools
 * that read llama-bench output read `deno task bench` output too.
 *
 * Everything follows tools/llama-bench/llama-bench.cpp of the pinned llama.cpp build:
 * field names and order from `test::get_fields()`, JSON types from `get_field_type()`,
 * value text from `get_values()`, and the printers' spacing. The numbers are computed
 * the way llama-bench computes them (integer nanoseconds, n-1 sample deviation).
 *
 * @module
 */

import { _cG, _escapeCsv, _escapeJson } from "./_printf.ts";
import { _markdown } from "./_markdown.ts";
import {
  _fieldType,
  _ns,
  _values,
  type BenchResult,
  LLAMA_BENCH_FIELDS,
  samplesTs,
} from "./_result.ts";

export {
  avgNs,
  avgTs,
  BENCH_DEFAULTS,
  type BenchResult,
  formatTestTime,
  LLAMA_BENCH_FIELDS,
  samplesTs,
  stddevNs,
  stddevTs,
} from "./_result.ts";
export {
  type BatchedBenchRow,
  type BenchComparison,
  compareBench,
  formatBatchedBench,
  formatComparison,
} from "./_markdown.ts";
export { parseLlamaBenchJson } from "./_parse.ts";

/** Output layouts, as llama-bench's `-o` names them (its "sql" is not supported). */
export type BenchFormat = "md" | "json" | "jsonl" | "csv";

/** Options for {@linkcode formatBench}. */
export interface FormatBenchOptions {
  /**
   * The thread count llama-bench would default to on this machine
   * (`common_cpu_get_num_math()`). Markdown only: on GPU backends the `threads` column
   * shows when nThreads differs from it or varies. Default: unknown, so one value hides it.
   */
  defaultNThreads?: number;
}

function _jsonValue(field: string, value: string): string {
  const type = _fieldType(field);
  if (type === "string") return `"${_escapeJson(value)}"`;
  if (type === "bool") return value === "0" ? "false" : "true";
  return value;
}

/** `json_printer` (`jsonl` false) or `jsonl_printer` (`jsonl` true) for one test. */
function _jsonTest(r: BenchResult, jsonl: boolean): string {
  const ns = _ns(r).join(", ");
  const ts = samplesTs(r).map(_cG).join(", ");
  const pairs = [..._values(r)].map(([f, v]) => `"${f}": ${_jsonValue(f, v)}`);
  if (jsonl) {
    return `{${
      pairs.map((p) => p + ", ").join("")
    }"samples_ns": [ ${ns} ],"samples_ts": [ ${ts} ]}\n`;
  }
  const lines = [...pairs, `"samples_ns": [ ${ns} ]`].map((p) => `    ${p},\n`).join("");
  return `  {\n${lines}    "samples_ts": [ ${ts} ]\n  }`;
}

/**
 * Renders results exactly as llama-bench's printer for `format` writes them to stdout:
 * - "md": the table plus its "build: <commit> (<number>)" footer (omitted with no results).
 * - "json": an array of objects, keys in {@linkcode LLAMA_BENCH_FIELDS} order, then
 *   `samples_ns` and `samples_ts`; "jsonl": one such object per line.
 * - "csv": the {@linkcode LLAMA_BENCH_FIELDS} header, then every value quoted.
 *
 * Markdown shows the columns llama-bench would for these results: model, size, params,
 * backend, `ngl` unless the backend is CPU/BLAS/ZenDNN, `threads` on those backends,
 * any setting whose values differ or are not llama-bench's default, then test and t/s.
 *
 * @throws {RangeError} if a sample is NaN or infinite.
 * @example
 * ```ts ignore
 * console.log(formatBench(results, "md"));
 * ```
 */
export function formatBench(
  results: BenchResult[],
  format: BenchFormat,
  options: FormatBenchOptions = {},
): string {
  switch (format) {
    case "md":
      return _markdown(results, options.defaultNThreads);
    case "json":
      return `[\n${results.map((r) => _jsonTest(r, false)).join(",\n")}\n]\n`;
    case "jsonl":
      return results.map((r) => _jsonTest(r, true)).join("");
    case "csv": {
      const rows = results.map((r) => [..._values(r).values()].map(_escapeCsv).join(",") + "\n");
      return `${LLAMA_BENCH_FIELDS.join(",")}\n${rows.join("")}`;
    }
    default:
      throw new TypeError(`Cannot format bench results as "${format}"; use md, json, jsonl or csv`);
  }
}
