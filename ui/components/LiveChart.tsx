/**
 * A live time-series chart drawn by uPlot (about 50 KB, canvas, fast enough to redraw every
 * second): one line over the last samples, its colour taken from the theme's CSS variable, its
 * width following the panel's. The data changes by `setData`, without rebuilding the chart.
 *
 * @module
 */
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";

/** Props of {@link LiveChart}. */
export type LiveChartProps = {
  /** What the line shows (the legend and the accessible name). */
  label: string;
  /** The x values (seconds ago, or a reply's number), oldest first. */
  xs: readonly number[];
  /** The y values, one per x. */
  ys: readonly number[];
  /** Formats a y value for the axis and the legend. */
  format(value: number): string;
  /** Height in pixels. @default 90 */
  height?: number;
  /** Draws points instead of a line (sparse series such as replies). @default false */
  points?: boolean;
};

/** The chart. */
export function LiveChart(props: LiveChartProps): JSX.Element {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const format = useRef(props.format);
  format.current = props.format;
  useEffect(() => {
    const el = box.current!;
    const color = getComputedStyle(el).getPropertyValue("--accent").trim() || "#c8552b";
    const muted = getComputedStyle(el).getPropertyValue("--text-muted").trim() || "#888";
    const grid = getComputedStyle(el).getPropertyValue("--border").trim() || "#ddd";
    const axis = {
      stroke: muted,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      font: "10px system-ui, sans-serif",
    };
    const chart = new uPlot(
      {
        width: Math.max(120, el.clientWidth),
        height: props.height ?? 90,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false } },
        axes: [
          { ...axis, size: 18 },
          { ...axis, size: 44, values: (_u, ticks) => ticks.map((t) => format.current(t)) },
        ],
        series: [
          {},
          {
            label: props.label,
            stroke: color,
            width: 1.5,
            fill: props.points ? undefined : `${color}22`,
            points: { show: !!props.points, size: 5, fill: color },
            paths: props.points ? () => null : undefined,
          },
        ],
      },
      [[...props.xs], [...props.ys]],
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: Math.max(120, el.clientWidth), height: props.height ?? 90 });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => {
    plot.current?.setData([[...props.xs], [...props.ys]]);
  }, [props.xs, props.ys]);
  return <div class="live-chart" ref={box} role="img" aria-label={props.label} />;
}
