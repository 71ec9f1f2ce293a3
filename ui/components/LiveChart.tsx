/**
 * A small live line chart: the last samples of one series as an inline SVG polyline scaled to
 * its highest value, the line in the theme's accent through currentColor; or points, for a
 * sparse series such as the latest replies. Redrawn by Preact when the samples change.
 *
 * Why no chart library: uPlot 1.6.32 (tried first) throws while its module loads in
 * WebKitGTK 2.50, which left the native window blank; a few SVG lines need none.
 *
 * @module
 */
import type { JSX } from "preact";

const WIDTH = 240;
const HEIGHT = 64;

/** Props of {@link LiveChart}. */
export type LiveChartProps = {
  /** What the chart shows (its accessible name, with the latest and peak values). */
  label: string;
  /** The samples, oldest first. */
  values: readonly number[];
  /** Formats a value for the accessible name. */
  format(value: number): string;
  /** The x axis spans this many samples, so a line scrolls left as time passes. @default 60 */
  samples?: number;
  /** Points instead of a line. @default false */
  points?: boolean;
};

/** The chart. */
export function LiveChart(props: LiveChartProps): JSX.Element {
  const samples = props.samples ?? 60;
  const recent = props.values.slice(-samples);
  const peak = Math.max(...recent, 0);
  const top = peak > 0 ? peak : 1;
  const step = WIDTH / Math.max(1, samples - 1);
  const offset = samples - recent.length;
  const xy = recent.map((v, i) => [
    (offset + i) * step,
    HEIGHT - (v / top) * (HEIGHT - 4) - 2,
  ]);
  const latest = recent.at(-1);
  const label = `${props.label}; latest ${latest === undefined ? "none" : props.format(latest)}` +
    `, peak ${props.format(peak)}`;
  return (
    <svg
      class="live-chart"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      <line x1="0" y1={HEIGHT - 1} x2={WIDTH} y2={HEIGHT - 1} class="axis" />
      {props.points
        ? xy.map(([x, y], i) => <circle key={i} cx={x} cy={y} r="2.2" />)
        : xy.length > 1 && (
          <polyline
            points={xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ")}
            fill="none"
            vector-effect="non-scaling-stroke"
          />
        )}
    </svg>
  );
}
