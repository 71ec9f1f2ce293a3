/**
 * Live resources, as a system monitor shows them: RAM, the app's memory, the model and its KV
 * cache, the app's own CPU use (from its CPU time), each ggml device's memory (VRAM on a GPU),
 * and live charts of generation speed, memory
 * and CPU over the last minute and of the latest replies' time to first token. Its store polls
 * only while this panel is open.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatBytes, formatMs, formatRate } from "../lib/format.ts";
import type { Stores } from "../stores/app.ts";
import { LiveChart } from "./LiveChart.tsx";
import { Meter } from "./Meter.tsx";
import { DeviceMeters } from "./DeviceMeters.tsx";

/** The resource panel. */
export function ResourcePanel({ stores }: { stores: Stores }): JSX.Element {
  const data = stores.resources.data.value;
  const error = stores.resources.error.value;
  if (!data) return <p class="muted" role="status">{error ?? "Measuring…"}</p>;
  const used = data.ram_total_bytes - data.ram_free_bytes;
  const rates = data.gen_tok_per_sec;
  const latest = rates.at(-1) ?? 0;
  const peak = Math.max(0, ...rates);
  const rss = data.rss_history_bytes ?? [];
  const cpu = data.cpu_history_percent ?? [];
  const replies = data.replies ?? [];
  const percent = data.cpu_process_percent ?? data.cpu_load * 100;
  const cores = data.cpu_cores ?? 1;
  return (
    <div class="resources">
      <Meter label="RAM" value={used} max={data.ram_total_bytes}>
        {formatBytes(used)} used of {formatBytes(data.ram_total_bytes)}
      </Meter>
      <Meter label="CPU (this app)" value={data.cpu_load} max={1}>
        {Math.round(percent)}% of one core · {cores} cores
      </Meter>
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
      <DeviceMeters devices={data.devices ?? []} ramUsedBytes={used} />
      <div class="chart-head">
        <span>Generation speed</span>
        <strong>{formatRate(latest)}</strong>
      </div>
      <Series label="Generation speed, tok/s" values={rates} format={(v) => v.toFixed(0)} />
      <p class="chart-foot">Last 60 s · peak {formatRate(peak)}</p>
      <div class="chart-head">
        <span>App memory</span>
        <strong>{formatBytes(data.rss_bytes)}</strong>
      </div>
      <Series label="App memory (RSS)" values={rss} format={(v) => formatBytes(v)} />
      <div class="chart-head">
        <span>CPU, % of one core</span>
        <strong>{Math.round(percent)}%</strong>
      </div>
      <Series label="CPU, percent of one core" values={cpu} format={(v) => `${v.toFixed(0)}`} />
      <div class="chart-head">
        <span>Time to first token</span>
        <strong>{replies.length ? formatMs(replies.at(-1)!.ttft_ms) : "–"}</strong>
      </div>
      <ReplyChart replies={replies} />
      <p class="chart-foot">Latest {replies.length} replies</p>
      {error && <p class="notice error" role="status">{error}</p>}
    </div>
  );
}

/** A per-second history as a live chart. */
function Series(
  props: { label: string; values: readonly number[]; format(v: number): string },
): JSX.Element {
  return <LiveChart label={props.label} values={props.values} format={props.format} />;
}

/** Each recent reply's time to first token, as points. */
function ReplyChart({ replies }: { replies: readonly { ttft_ms: number }[] }): JSX.Element {
  return (
    <LiveChart
      label="Time to first token"
      values={replies.map((r) => r.ttft_ms)}
      format={formatMs}
      samples={Math.max(10, replies.length)}
      points
    />
  );
}
