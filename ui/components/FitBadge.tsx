/**
 * Whether a model fits in memory at the chat's n_ctx: a badge (fits / tight / does not fit)
 * whose tooltip and drop-down give weights, KV cache and compute buffers per device, the
 * largest n_ctx that fits, and a note when the estimate is the metadata formula's.
 *
 * @module
 */
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import { formatBytes, formatCount } from "../lib/format.ts";
import { FIT_LABELS } from "../lib/model_labels.ts";
import { useCloseOnOutside } from "../lib/outside.ts";
import type { FitState } from "../stores/library.ts";
import type { MemoryFit } from "../../api/types.ts";

/** The fit badge; `state` undefined means not asked yet. */
export function FitBadge({ state }: { state: FitState | undefined }): JSX.Element {
  const details = useRef<HTMLDetailsElement>(null);
  useCloseOnOutside(details);
  if (!state || state.status === "loading") {
    return <span class="fit-badge pending">Checking fit…</span>;
  }
  if (state.status === "error") {
    return <span class="fit-badge unknown" title={state.message}>Fit unknown</span>;
  }
  const { fit } = state;
  return (
    <details class="fit" ref={details}>
      <summary class={`fit-badge ${fit.verdict}`} title={fitSummary(fit)}>
        {FIT_LABELS[fit.verdict]}
      </summary>
      <div class="fit-details">
        <p>
          n_ctx {formatCount(fit.n_ctx)}
          {fit.n_parallel > 1 ? ` × ${fit.n_parallel} slots` : ""} needs{" "}
          <strong>{formatBytes(fit.total_bytes)}</strong>
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Weights</th>
              <th scope="col">KV cache</th>
              <th scope="col">Compute</th>
              <th scope="col">Free</th>
            </tr>
          </thead>
          <tbody>
            {fit.devices.map((d) => (
              <tr key={d.device}>
                <th scope="row">{d.device}</th>
                <td>{formatBytes(d.weights_bytes)}</td>
                <td>{formatBytes(d.kv_cache_bytes)}</td>
                <td>{formatBytes(d.compute_bytes)}</td>
                <td>{formatBytes(d.free_bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>Largest n_ctx that fits: {formatCount(fit.max_n_ctx)}</p>
        {fit.method === "formula" && (
          <p class="muted fit-method" title={fit.simulation_error ?? undefined}>{FORMULA_NOTE}</p>
        )}
      </div>
    </details>
  );
}

/** Shown when the estimate comes from the metadata formula, not llama.cpp's simulation. */
const FORMULA_NOTE = "Estimated from the file's metadata; compute buffers are approximate";

/**
 * The tooltip: verdict, need, each device, the largest n_ctx that fits, and for a formula
 * estimate, that it is one and why llama.cpp's simulation did not answer.
 */
export function fitSummary(fit: MemoryFit): string {
  const lines = [
    `${FIT_LABELS[fit.verdict]} at n_ctx ${formatCount(fit.n_ctx)}${
      fit.n_parallel > 1 ? ` × ${fit.n_parallel} slots` : ""
    }: ${formatBytes(fit.total_bytes)}`,
    ...fit.devices.map((d) =>
      `${d.device}: weights ${formatBytes(d.weights_bytes)}, KV ${
        formatBytes(d.kv_cache_bytes)
      }, compute ${formatBytes(d.compute_bytes)} (${formatBytes(d.free_bytes)} free)`
    ),
    `Largest n_ctx that fits: ${formatCount(fit.max_n_ctx)}`,
    ...(fit.method === "formula"
      ? [`${FORMULA_NOTE} (llama.cpp could not simulate: ${fit.simulation_error})`]
      : []),
  ];
  return lines.join("\n");
}
