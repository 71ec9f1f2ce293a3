/**
 * Saved bench runs arranged for charts: one chart per test (pp512, tg128, ...), in it one
 * series per model and settings, each the runs' tok/s oldest first. Settings are llama-bench's
 * parameters that change speed (threads, batch sizes, GPU layers, flash attention, KV types).
 *
 * @module
 */
import type { BenchParams, BenchRun } from "../../api/history_json.ts";

/** One run's result in a series. */
export interface BenchPoint {
  runId: string;
  /** ms since the epoch. */
  created_at: number;
  /** Mean tokens per second. */
  avg_ts: number;
  /** Standard deviation of tokens per second. */
  stddev_ts: number;
}

/** The runs of one model with one set of settings, oldest first. */
export interface BenchSeries {
  /** The model's file name (without folders). */
  model: string;
  /** The settings, from {@link settingsLabel}. */
  settings: string;
  points: BenchPoint[];
}

/** One chart: a test and its series, sorted by model then settings. */
export interface BenchChartData {
  /** llama-bench's test name, e.g. "tg128". */
  test: string;
  series: BenchSeries[];
}

/** A model path's last segment. */
export function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The settings that change speed, short: "t 4 · b 2048 · ub 512 · ngl 99 · fa auto · f16/f16". */
export function settingsLabel(p: BenchParams): string {
  const fa = p.flash_attn === -1 ? "auto" : p.flash_attn === 1 ? "on" : "off";
  return `t ${p.n_threads} · b ${p.n_batch} · ub ${p.n_ubatch} · ngl ${p.n_gpu_layers} · ` +
    `fa ${fa} · ${p.type_k}/${p.type_v}`;
}

/**
 * Groups runs into charts.
 *
 * @param runs saved runs in any order
 * @returns one chart per test name, sorted by name; series sorted by model, then settings
 */
export function benchCharts(runs: readonly BenchRun[]): BenchChartData[] {
  const charts = new Map<string, Map<string, BenchSeries>>();
  const oldestFirst = [...runs].sort((a, b) => a.created_at - b.created_at);
  for (const run of oldestFirst) {
    const model = fileName(run.model_filename);
    const settings = settingsLabel(run.params);
    for (const result of run.results) {
      const chart = charts.get(result.test) ?? new Map<string, BenchSeries>();
      charts.set(result.test, chart);
      const key = `${run.model_filename}\n${settings}`;
      const series = chart.get(key) ?? { model, settings, points: [] };
      chart.set(key, series);
      series.points.push({
        runId: run.id,
        created_at: run.created_at,
        avg_ts: result.avg_ts,
        stddev_ts: result.stddev_ts,
      });
    }
  }
  const byName = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });
  return [...charts.entries()].sort(([a], [b]) => byName(a, b)).map(([test, series]) => ({
    test,
    series: [...series.values()].sort((a, b) =>
      byName(a.model, b.model) || byName(a.settings, b.settings)
    ),
  }));
}
