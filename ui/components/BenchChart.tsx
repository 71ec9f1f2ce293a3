/**
 * One bench test charted per model and settings: a bar per series at its latest run's mean
 * tok/s with a ±1 standard deviation whisker, and a dot for each earlier run, so a change of
 * speed across runs shows. Inline SVG, as LiveChart.tsx draws (uPlot broke WebKitGTK).
 *
 * @module
 */
import type { JSX } from "preact";
import type { BenchChartData } from "../lib/bench_series.ts";
import { formatDate, formatRate } from "../lib/format.ts";

// Drawn at 1:1 (the stylesheet caps the width), so the labels keep the UI's type sizes.
const WIDTH = 720;
const LABEL = 310; // the labels' column, left of the bars
const ROW = 36;
const TOP = 8;

/** The chart. */
export function BenchChart({ chart }: { chart: BenchChartData }): JSX.Element {
  const peak = Math.max(
    1,
    ...chart.series.flatMap((s) => s.points.map((p) => p.avg_ts + p.stddev_ts)),
  );
  const x = (value: number) => LABEL + (value / peak) * (WIDTH - LABEL - 95);
  const height = TOP * 2 + chart.series.length * ROW;
  const summary = chart.series.map((s) =>
    `${s.model} (${s.settings}): ${formatRate(s.points.at(-1)!.avg_ts)}`
  ).join("; ");
  return (
    <figure class="bench-chart">
      <figcaption>{chart.test}</figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-label={`${chart.test} tok/s per model and settings: ${summary}`}
      >
        <line x1={LABEL} y1={TOP} x2={LABEL} y2={height - TOP} class="axis" />
        {chart.series.map((s, i) => {
          const y = TOP + i * ROW;
          const latest = s.points.at(-1)!;
          return (
            <g key={`${s.model} ${s.settings}`} class="bench-series">
              <text x={LABEL - 8} y={y + 14} class="bench-model">{s.model}</text>
              <text x={LABEL - 8} y={y + 28} class="bench-settings">{s.settings}</text>
              <rect x={LABEL} y={y + 6} width={x(latest.avg_ts) - LABEL} height={ROW - 14}>
                <title>{`${formatRate(latest.avg_ts)} ± ${latest.stddev_ts.toFixed(1)}`}</title>
              </rect>
              <line
                class="whisker"
                x1={x(Math.max(0, latest.avg_ts - latest.stddev_ts))}
                x2={x(latest.avg_ts + latest.stddev_ts)}
                y1={y + ROW / 2 - 1}
                y2={y + ROW / 2 - 1}
              />
              {s.points.slice(0, -1).map((p) => (
                <circle key={p.runId} cx={x(p.avg_ts)} cy={y + ROW / 2 - 1} r="3">
                  <title>{`${formatDate(p.created_at)}: ${formatRate(p.avg_ts)}`}</title>
                </circle>
              ))}
              <text x={x(latest.avg_ts + latest.stddev_ts) + 6} y={y + 22} class="bench-value">
                {formatRate(latest.avg_ts)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
