/**
 * `deno task sheet`'s progress on stderr: the import's line (rows, bytes read of the
 * file's size, rows/s, time left), then each column's bar (rows done of total, rows/s,
 * tok/s, time left). Redrawn in place on a terminal; in a pipe, a line a second and the
 * last one.
 *
 * @module
 */
import type { ColumnProgress, SheetImportProgress } from "../app/sheets/mod.ts";
import { writeAllSync } from "./errors.ts";

/** Lines a second at most when stderr is not a terminal (a log stays readable). */
const PIPE_INTERVAL_MS = 1000;
/** Characters of the bar. */
const BAR_WIDTH = 30;

/** The progress line on stderr; one at a time, named by {@link ProgressBar.start}. */
export class ProgressBar {
  #name = "";
  #last = 0;
  #line = "";
  /** Lines written to a pipe since {@link ProgressBar.start}. */
  #written = 0;
  readonly #tty: boolean;

  /** @param tty redraw in place (default: stderr is a terminal). */
  constructor(tty = Deno.stderr.isTerminal()) {
    this.#tty = tty;
  }

  /** Starts a line for `name` (a column, or the file being imported). */
  start(name: string): void {
    this.#name = name;
    this.#line = "";
    this.#written = 0;
    // A pipe's first line comes after a second: a quick step (a small import) says nothing.
    this.#last = performance.now();
  }

  /** A column job's progress: `NAME [####....] 12/40 rows  1.5 rows/s  80 tok/s  ETA 19s`. */
  update(p: ColumnProgress): void {
    const fraction = p.rows_total === 0 ? 1 : p.rows_done / p.rows_total;
    this.#draw(
      `${this.#name} ${bar(fraction)} ${p.rows_done}/${p.rows_total} rows  ` +
        `${p.rows_per_s.toFixed(1)} rows/s  ${p.tok_per_s.toFixed(0)} tok/s  ` +
        `ETA ${eta(p.eta_s)}`,
    );
  }

  /**
   * An import's progress:
   * `importing NAME [####....] 41% of 1.0 GB  4,200,000 rows  65,000 rows/s  ETA 1m35s`.
   */
  importing(p: SheetImportProgress): void {
    const fraction = p.bytes_total === 0 ? 1 : p.bytes_read / p.bytes_total;
    this.#draw(
      `importing ${this.#name} ${bar(fraction)} ${Math.floor(fraction * 100)}% of ` +
        `${formatBytes(p.bytes_total)}  ${p.rows_done.toLocaleString("en-US")} rows  ` +
        `${Math.round(p.rows_per_s).toLocaleString("en-US")} rows/s  ETA ${eta(p.eta_s)}`,
      p.state !== "importing",
    );
    if (p.state === "importing") return;
    // An import quick enough to print nothing to a pipe ends without a line too, so bad
    // input there is still one line of error.
    if (this.#tty || this.#written > 0) this.finish();
    else this.#line = "";
  }

  /** Ends the line (a terminal gets its newline; a pipe the last state). */
  finish(): void {
    if (this.#line === "") return;
    writeAllSync(Deno.stderr, this.#tty ? "\n" : `${this.#line}\n`);
    this.#line = "";
  }

  #draw(line: string, last = false): void {
    this.#line = line;
    const now = performance.now();
    if (this.#tty) writeAllSync(Deno.stderr, `\r\x1b[K${line}`);
    // The last state is written by finish().
    else if (!last && now - this.#last >= PIPE_INTERVAL_MS) {
      this.#last = now;
      this.#written++;
      writeAllSync(Deno.stderr, `${line}\n`);
    }
  }
}

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}]`;
}

function eta(seconds: number | null): string {
  if (seconds === null) return "--";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/** Bytes in decimal units, as file managers show sizes: "1.0 GB", "512.0 KB". */
function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
