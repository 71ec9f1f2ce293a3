/**
 * Progress reports for long transfers: throttled, with a speed averaged over a few
 * seconds so the ETA does not jump with every chunk.
 *
 * @module
 */

/** Where a download stands. */
export interface DownloadProgress {
  /** Bytes on disk so far, including bytes resumed from an earlier attempt. */
  downloadedBytes: number;
  /** The file's size in bytes; null until the server says. */
  totalBytes: number | null;
  /** Recent speed in bytes per second, over about the last 3 s; 0 before any data. */
  bytesPerSecond: number;
  /** Seconds left at that speed; null when the speed or size is unknown. */
  etaSeconds: number | null;
}

/** Speed is measured over this window, in milliseconds. */
const SPEED_WINDOW_MS = 3000;

/** Turns byte counts into throttled {@link DownloadProgress} reports. */
export class ProgressMeter {
  #samples: { atMs: number; bytes: number }[] = [];
  #lastReportMs = -Infinity;
  #bytes: number;
  #totalBytes: number | null;
  readonly #report: (progress: DownloadProgress) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;

  /**
   * @param report Receives reports; a throwing callback is logged, never rethrown.
   * @param startBytes Bytes already present.
   * @param totalBytes Size in bytes, or null if unknown.
   * @param intervalMs Least time between reports, in milliseconds.
   * @param now Clock in milliseconds, for tests.
   */
  constructor(
    report: (progress: DownloadProgress) => void,
    startBytes: number,
    totalBytes: number | null,
    intervalMs = 250,
    now: () => number = () => performance.now(),
  ) {
    this.#report = report;
    this.#bytes = startBytes;
    this.#totalBytes = totalBytes;
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Sets the size once known. */
  set totalBytes(total: number | null) {
    this.#totalBytes = total;
  }

  /** Records the byte count and reports if the interval has passed (or `force`). */
  update(bytes: number, force = false): void {
    const nowMs = this.#now();
    if (bytes < this.#bytes) this.#samples = []; // restarted from scratch
    this.#bytes = bytes;
    if (!force && nowMs - this.#lastReportMs < this.#intervalMs) return;
    this.#lastReportMs = nowMs;
    // one sample per report keeps the window small however fast chunks arrive
    this.#samples.push({ atMs: nowMs, bytes });
    while (this.#samples.length > 2 && nowMs - this.#samples[0].atMs > SPEED_WINDOW_MS) {
      this.#samples.shift();
    }
    try {
      this.#report(this.snapshot());
    } catch (error) {
      console.error("Download progress callback threw:", error);
    }
  }

  /** The current progress, without reporting it. */
  snapshot(): DownloadProgress {
    const first = this.#samples[0];
    const last = this.#samples.at(-1);
    const spanMs = first && last ? last.atMs - first.atMs : 0;
    const bytesPerSecond = spanMs > 0 ? ((last!.bytes - first!.bytes) * 1000) / spanMs : 0;
    const total = this.#totalBytes;
    const etaSeconds = total !== null && bytesPerSecond > 0
      ? Math.max(0, total - this.#bytes) / bytesPerSecond
      : null;
    return { downloadedBytes: this.#bytes, totalBytes: total, bytesPerSecond, etaSeconds };
  }
}
