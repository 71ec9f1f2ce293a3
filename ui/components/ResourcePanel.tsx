/**
 * Live resources, as a system monitor shows them: RAM, the app's memory, the model and its KV
 * cache, CPU load, and generation speed over the last minute. Its store polls only while this
 * panel is open.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";
import { formatBytes, formatRate } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";
import { TokChart } from "./TokChart.tsx";

/** The resource panel. */
export function ResourcePanel({ stores }: { stores: Stores }): JSX.Element {
  const data = stores.resources.data.value;
  const error = stores.resources.error.value;
  if (!data) return <p class="muted" role="status">{error ?? "Measuring…"}</p>;
  const used = data.ram_total_bytes - data.ram_free_bytes;
  const rates = data.gen_tok_per_sec;
  const latest = rates.at(-1) ?? 0;
  const peak = Math.max(0, ...rates);
  return (
    <div class="resources">
      <Meter label="RAM" value={used} max={data.ram_total_bytes}>
        {formatBytes(used)} used of {formatBytes(data.ram_total_bytes)}
      </Meter>
      <Meter label="CPU" value={data.cpu_load} max={1}>{Math.round(data.cpu_load * 100)}%</Meter>
      <dl class="stat-grid">
        <dt>RAM free</dt>
        <dd>{formatBytes(data.ram_free_bytes)}</dd>
        <dt>App memory (RSS)</dt>
        <dd>{formatBytes(data.rss_bytes)}</dd>
        <dt>Model</dt>
        <dd>{data.model_size_bytes ? formatBytes(data.model_size_bytes) : "none loaded"}</dd>
        <dt>KV cache</dt>
        <dd>{formatBytes(data.kv_cache_bytes)}</dd>
      </dl>
      <div class="chart-head">
        <span>Generation speed</span>
        <strong>{formatRate(latest)}</strong>
      </div>
      <TokChart values={rates} />
      <p class="chart-foot">Last 60 s · peak {formatRate(peak)}</p>
      {error && <p class="notice error" role="status">{error}</p>}
    </div>
  );
}

function Meter(
  props: { label: string; value: number; max: number; children: ComponentChildren },
): JSX.Element {
  const ratio = props.max > 0 ? Math.min(1, props.value / props.max) : 0;
  return (
    <div class="meter">
      <div class="meter-head">
        <span>{props.label}</span>
        <span class="muted">{props.children}</span>
      </div>
      <div
        class="bar"
        role="meter"
        aria-label={props.label}
        aria-valuemin={0}
        aria-valuemax={props.max}
        aria-valuenow={props.value}
      >
        <div class="bar-fill" style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}
