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

/** Parameter counts as model cards write them: "1.1B", "135M", "260K". */
export function formatParams(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "–";
  if (n >= 1e9) return `${short(n / 1e9)}B`;
  if (n >= 1e6) return `${short(n / 1e6)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}K`;
  return String(n);
}

/** One decimal below 10 ("1.5", "7"), whole numbers above ("135"). */
function short(value: number): string {
  return value < 10 ? value.toFixed(1).replace(/\.0$/, "") : String(Math.round(value));
}

/** Counts as the hub shows them: "950", "12.3K", "4.1M". */
export function formatCompact(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 })
    .format(n);
}

/** A remaining time: "45 s", "3 min 5 s", "2 h 10 min"; "–" when unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const minutes = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ""}`;
}

/** A calendar date with the year: "Jan 5, 2026". */
export function formatDate(ms: number): string {
  return new Date(ms).toLocaleDateString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
  });
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
