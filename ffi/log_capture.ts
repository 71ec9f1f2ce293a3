/**
 * Captures llama.cpp's log through `llama_log_set`, which is process-wide: it keeps
 * the recent lines so a failed call can say why, and echoes lines at or above a level
 * to stderr. llama.cpp may log from its own threads, so the callback is thread-safe.
 *
 * @module
 */

/** `enum ggml_log_level` (ggml.h): NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5. */
export const GGML_LOG_LEVEL = { debug: 1, info: 2, warn: 3, error: 4, cont: 5 } as const;

const RECENT_LINES = 1024;

/** One log line, with its ggml level. */
export interface LogLine {
  level: number;
  text: string;
}

/** Holds the last {@link RECENT_LINES} lines llama.cpp logged. */
export class LogCapture {
  readonly callback: Deno.UnsafeCallback<{
    readonly parameters: readonly ["i32", "pointer", "pointer"];
    readonly result: "void";
  }>;
  readonly #lines: LogLine[] = [];
  readonly #collectors = new Set<string[]>();
  #serial = 0;
  readonly #echoLevel: number;

  /** Echoes lines of level >= `echoLevel` to stderr (5 or more: none). */
  constructor(echoLevel: number) {
    this.#echoLevel = echoLevel;
    this.callback = Deno.UnsafeCallback.threadSafe(
      { parameters: ["i32", "pointer", "pointer"], result: "void" } as const,
      (level, text) => this.#add(level, text),
    );
    // A thread-safe callback keeps the event loop alive unless unref'd.
    this.callback.unref();
  }

  #add(level: number, pointer: Deno.PointerValue): void {
    if (pointer === null) return;
    const text = new Deno.UnsafePointerView(pointer).getCString();
    const last = this.#lines.at(-1);
    if (level === GGML_LOG_LEVEL.cont && last && !last.text.endsWith("\n")) {
      last.text += text;
    } else {
      this.#lines.push({ level: level === GGML_LOG_LEVEL.cont ? (last?.level ?? 2) : level, text });
      if (this.#lines.length > RECENT_LINES) this.#lines.shift();
    }
    this.#serial++;
    for (const collector of this.#collectors) collector.push(text);
    const effective = level === GGML_LOG_LEVEL.cont ? (last?.level ?? 2) : level;
    if (effective >= this.#echoLevel) Deno.stderr.writeSync(new TextEncoder().encode(text));
  }

  /**
   * Runs `fn` and returns every line logged meanwhile, however many (the recent-lines
   * buffer keeps only the last ones), with `fn`'s result.
   */
  collect<T>(fn: () => T): { result: T; lines: string[] } {
    const lines: string[] = [];
    this.#collectors.add(lines);
    try {
      return { result: fn(), lines };
    } finally {
      this.#collectors.delete(lines);
    }
  }

  /** A mark to pass to {@link since}. */
  mark(): number {
    return this.#serial;
  }

  /** Lines logged since `mark` (at most the recent ones), oldest first. */
  since(mark: number): LogLine[] {
    const count = Math.min(this.#serial - mark, this.#lines.length);
    return count > 0 ? this.#lines.slice(-count) : [];
  }

  /**
   * The reason llama.cpp gave for a failure since `mark`: its error lines, else its
   * warnings, else the last line, trimmed into one sentence.
   */
  reason(mark = 0): string {
    const lines = this.since(mark);
    const pick = (min: number) => lines.filter((line) => line.level >= min && line.level <= 4);
    const chosen = pick(GGML_LOG_LEVEL.error).length > 0
      ? pick(GGML_LOG_LEVEL.error)
      : pick(GGML_LOG_LEVEL.warn).length > 0
      ? pick(GGML_LOG_LEVEL.warn)
      : lines.slice(-1);
    const text = chosen.map((line) => line.text.trim()).filter(Boolean).join("; ");
    return text || "llama.cpp gave no reason";
  }

  /** The last few lines, for messages about library loading. */
  recent(): string {
    return this.reason(Math.max(0, this.#serial - 8));
  }

  /** Closes the callback; llama_log_set must no longer point at it. */
  close(): void {
    this.callback.close();
  }
}
