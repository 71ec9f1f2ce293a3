/**
 * A thin progress bar with its ARIA role, label and percentage.
 *
 * @module
 */
import type { JSX } from "preact";

/** A progress bar; `ratio` is 0..1 (clamped). */
export function ProgressBar({ label, ratio }: { label: string; ratio: number }): JSX.Element {
  const clamped = Math.min(1, Math.max(0, ratio));
  return (
    <div
      class="bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(clamped * 100)}
    >
      <div class="bar-fill" style={{ width: `${clamped * 100}%` }} />
    </div>
  );
}
