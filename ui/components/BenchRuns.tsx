/**
 * The Benchmarks tab of the history: the saved `deno task bench` runs charted per test, model
 * and settings ({@link BenchChart}), then the runs themselves, newest first, each deletable.
 *
 * @module
 */
import type { JSX } from "preact";
import type { HistoryStore } from "../stores/history.ts";
import { benchCharts, fileName, settingsLabel } from "../lib/bench_series.ts";
import { formatRate, formatWhen } from "../lib/format.ts";
import { BenchChart } from "./BenchChart.tsx";
import { IconButton } from "./IconButton.tsx";

/** The tab. */
export function BenchRuns({ history }: { history: HistoryStore }): JSX.Element {
  const runs = history.runs.value;
  if (runs.length === 0) {
    return (
      <p class="list-empty">
        No bench runs yet. Run <code>deno task bench -m MODEL</code>: each run is saved here.
      </p>
    );
  }
  return (
    <div class="bench-runs">
      {benchCharts(runs).map((chart) => <BenchChart key={chart.test} chart={chart} />)}
      <table class="history-table" aria-label="Bench runs">
        <thead>
          <tr>
            <th>When</th>
            <th>Model</th>
            <th>Settings</th>
            <th>Results</th>
            <th>Build</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.id}>
              <td title={new Date(run.created_at).toLocaleString()}>
                {formatWhen(run.created_at)}
              </td>
              <td title={run.model_filename}>{fileName(run.model_filename)}</td>
              <td>{settingsLabel(run.params)}</td>
              <td>
                {run.results.map((r) => `${r.test} ${formatRate(r.avg_ts)}`).join(", ")}
              </td>
              <td title={run.cpu_info}>{`${run.backends} ${run.build_commit}`}</td>
              <td>
                <IconButton
                  icon="trash"
                  label="Delete run"
                  onClick={() => history.removeRun(run.id)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
