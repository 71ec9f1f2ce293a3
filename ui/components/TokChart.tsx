/**
 * A small line chart of tok/s samples (one a second): an inline SVG polyline scaled to the
 * highest sample, so it needs no chart library and follows the theme through currentColor.
 *
 * @module
 */
import type { JSX } from "preact";
import { formatRate } from "../lib/format.ts";

const WIDTH = 240;
const HEIGHT = 64;
/** The x axis always spans this many samples, so the line scrolls left as time passes. */
const SAMPLES = 60;

/** The chart; `values` are tok/s, oldest first. */
export function TokChart({ values }: { values: readonly number[] }): JSX.Element {
  const recent = values.slice(-SAMPLES);
  const peak = Math.max(1, ...recent);
  const step = WIDTH / (SAMPLES - 1);
  const offset = SAMPLES - recent.length;
  const points = recent
    .map((v, i) =>
      `${((offset + i) * step).toFixed(1)},${(HEIGHT - (v / peak) * (HEIGHT - 4) - 2).toFixed(1)}`
    )
    .join(" ");
  return (
    <svg
      class="tok-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Generation speed; peak ${formatRate(peak)}`}
    >
      <line x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} class="axis" />
      {recent.length > 1 && (
        <polyline points={points} fill="none" vector-effect="non-scaling-stroke" />
      )}
    </svg>
  );
}
