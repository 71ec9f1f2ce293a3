/**
 * Number formatting for the UI: sizes, rates, durations, counts.
 *
 * @module
 */

/** Bytes in binary units, as system monitors show memory: "1.5 GiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A rate with one decimal below 100: "42.3 tok/s". */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return "–";
  return `${perSec >= 100 ? Math.round(perSec) : perSec.toFixed(1)} tok/s`;
}

/** Milliseconds, switching to seconds from 1 s: "850 ms", "1.2 s". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A count with thousands separators: "4,096". */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

/** Parameter counts as model cards write them: "1.1B", "260K". */
export function formatParams(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}K`;
  return String(n);
}

/** A short relative time for lists: "now", "5 min", "3 h", "Yesterday", or a date. */
export function formatWhen(ms: number, now: number = Date.now()): string {
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return "now";
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h`;
  if (minutes < 48 * 60) return "Yesterday";
  return new Date(ms).toLocaleDateString(undefined, { month: "short", day: "numeric" });
}
