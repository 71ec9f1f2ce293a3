/**
 * A labelled bar meter (`role="meter"`) with its figures beside the label.
 *
 * @module
 */
import type { ComponentChildren, JSX } from "preact";

/** Props of {@link Meter}. */
export type MeterProps = {
  label: string;
  /** The amount, in the unit of `max`. */
  value: number;
  max: number;
  /** The figures shown beside the label. */
  children: ComponentChildren;
};

/** One meter. */
export function Meter(props: MeterProps): JSX.Element {
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
