/**
 * The resource panel's numbers: system RAM, the app's RSS, CPU load, and generation
 * speed over the last minute (one sample a second).
 *
 * @module
 */

/** Seconds of tok/s history kept for the chart. */
export const HISTORY_SECONDS = 60;

/** What `GET /api/resources` answers (docs/ui-api.md). */
export interface Resources {
  ram_total_bytes: number;
  ram_free_bytes: number;
  rss_bytes: number;
  model_size_bytes: number;
  kv_cache_bytes: number;
  /** Load average over one minute divided by logical CPUs, 0..1 (can exceed 1 when oversubscribed). */
  cpu_load: number;
  /** Generated tokens per second, one sample a second, oldest first. */
  gen_tok_per_sec: number[];
}

/** Counts generated tokens and turns them into a per-second history. */
export class TokenRate {
  readonly #history: number[] = [];
  #count = 0;
  #timer: ReturnType<typeof setInterval>;

  /** Starts sampling once a second. */
  constructor() {
    this.#timer = setInterval(() => {
      this.#history.push(this.#count);
      this.#count = 0;
      if (this.#history.length > HISTORY_SECONDS) this.#history.shift();
    }, 1000);
    // A chart must not keep the app alive. Deno's timers are numbers.
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Records `n` generated tokens. */
  add(n: number): void {
    this.#count += n;
  }

  /** The history, oldest first. */
  history(): number[] {
    return [...this.#history];
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
  }
}

/** Reads the machine's and the process's memory and load now. */
export function readResources(
  model: { size_bytes: number; kv_cache_bytes: number } | null,
  rate: TokenRate,
): Resources {
  const memory = Deno.systemMemoryInfo();
  const cores = navigator.hardwareConcurrency || 1;
  return {
    ram_total_bytes: memory.total,
    ram_free_bytes: memory.available,
    rss_bytes: Deno.memoryUsage().rss,
    model_size_bytes: model?.size_bytes ?? 0,
    kv_cache_bytes: model?.kv_cache_bytes ?? 0,
    cpu_load: Deno.loadavg()[0] / cores,
    gen_tok_per_sec: rate.history(),
  };
}
