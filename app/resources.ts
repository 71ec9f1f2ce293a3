/**
 * The resource panel's numbers: system RAM, the app's RSS, the process's own CPU use (from
 * its CPU time, not the system load average), each ggml device's memory, and over the last minute (one sample a second)
 * generation speed, RSS and CPU; plus the recent replies' time to first token.
 *
 * @module
 */
import process from "node:process";
import type { DeviceMemory } from "./device_memory.ts";

/** Seconds of tok/s history kept for the chart. */
export const HISTORY_SECONDS = 60;

/** What `GET /api/resources` answers (docs/ui-api.md). */
export interface Resources {
  ram_total_bytes: number;
  ram_free_bytes: number;
  rss_bytes: number;
  model_size_bytes: number;
  kv_cache_bytes: number;
  /**
   * The app process's CPU use over the last second, 0..1 of the whole machine (all logical
   * CPUs busy = 1), from its user + system CPU time. (Before: the load average per core.)
   */
  cpu_load: number;
  /** The same as a percentage of one core, as `top` shows it (150 = one and a half cores). */
  cpu_process_percent: number;
  /** Logical CPUs. */
  cpu_cores: number;
  /** Generated tokens per second, one sample a second, oldest first. */
  gen_tok_per_sec: number[];
  /** The app's RSS in bytes, one sample a second, oldest first (same clock as tok/s). */
  rss_history_bytes: number[];
  /** The process's CPU use, percent of one core, one sample a second, oldest first. */
  cpu_history_percent: number[];
  /** The latest local replies, oldest first: when they finished and their speed. */
  replies: ReplySample[];
  /**
   * Every ggml device's memory (VRAM for a GPU, system RAM for the CPU device), in ggml's
   * order; empty until the engine has started.
   */
  devices: DeviceMemory[];
}

/** One finished reply's timing, for the TTFT chart. */
export interface ReplySample {
  /** When it finished, ms since the epoch. */
  at: number;
  /** Time to first token, in milliseconds. */
  ttft_ms: number;
  /** Generation speed, tokens per second. */
  gen_tok_per_sec: number;
}

/** Replies kept for the TTFT chart. */
export const REPLY_HISTORY = 60;

/**
 * Counts generated tokens and samples, once a second, the tok/s, the process's RSS and its
 * CPU use into a history of {@link HISTORY_SECONDS}; keeps the latest replies' timings.
 */
export class TokenRate {
  readonly #history: number[] = [];
  readonly #rss: number[] = [];
  readonly #cpu: number[] = [];
  readonly #replies: ReplySample[] = [];
  #count = 0;
  #timer: ReturnType<typeof setInterval>;
  #lastCpu = process.cpuUsage();
  #lastAt = performance.now();
  #cpuPercent = 0;

  /** Starts sampling once a second. */
  constructor() {
    this.#timer = setInterval(() => {
      this.#history.push(this.#count);
      this.#count = 0;
      this.#rss.push(Deno.memoryUsage().rss);
      this.#cpu.push(this.#sampleCpu());
      for (const list of [this.#history, this.#rss, this.#cpu]) {
        if (list.length > HISTORY_SECONDS) list.shift();
      }
    }, 1000);
    // A chart must not keep the app alive. Deno's timers are numbers.
    Deno.unrefTimer(this.#timer as unknown as number);
  }

  /** Records `n` generated tokens. */
  add(n: number): void {
    this.#count += n;
  }

  /** Records a finished reply's time to first token and speed. */
  addReply(ttftMs: number, genTokPerSec: number): void {
    this.#replies.push({ at: Date.now(), ttft_ms: ttftMs, gen_tok_per_sec: genTokPerSec });
    if (this.#replies.length > REPLY_HISTORY) this.#replies.shift();
  }

  /** The tok/s history, oldest first. */
  history(): number[] {
    return [...this.#history];
  }

  /** The RSS history in bytes, oldest first. */
  rssHistory(): number[] {
    return [...this.#rss];
  }

  /** The CPU history, percent of one core, oldest first. */
  cpuHistory(): number[] {
    return [...this.#cpu];
  }

  /** The latest replies, oldest first. */
  replies(): ReplySample[] {
    return [...this.#replies];
  }

  /**
   * The process's CPU use since the previous sample, in percent of one core: CPU time
   * (user + system, µs) over wall time. A sample less than 200 ms after the last one returns
   * the last value (too short to mean anything).
   */
  cpuPercent(): number {
    return performance.now() - this.#lastAt < 200 ? this.#cpuPercent : this.#sampleCpu();
  }

  #sampleCpu(): number {
    const now = performance.now();
    const used = process.cpuUsage(this.#lastCpu);
    const wallUs = (now - this.#lastAt) * 1000;
    this.#lastCpu = process.cpuUsage();
    this.#lastAt = now;
    if (wallUs > 0) this.#cpuPercent = ((used.user + used.system) / wallUs) * 100;
    return this.#cpuPercent;
  }

  /** Stops sampling. */
  close(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Reads the machine's and the process's memory and load now.
 *
 * @param model the loaded model's weights and KV cache sizes, in bytes; null when none
 * @param rate the sampler of tok/s, RSS and CPU
 * @param devices the latest reading of the ggml devices' memory
 */
export function readResources(
  model: { size_bytes: number; kv_cache_bytes: number } | null,
  rate: TokenRate,
  devices: DeviceMemory[] = [],
): Resources {
  const memory = Deno.systemMemoryInfo();
  const cores = navigator.hardwareConcurrency || 1;
  const percent = rate.cpuPercent();
  return {
    ram_total_bytes: memory.total,
    ram_free_bytes: memory.available,
    rss_bytes: Deno.memoryUsage().rss,
    model_size_bytes: model?.size_bytes ?? 0,
    kv_cache_bytes: model?.kv_cache_bytes ?? 0,
    cpu_load: percent / 100 / cores,
    cpu_process_percent: percent,
    cpu_cores: cores,
    gen_tok_per_sec: rate.history(),
    rss_history_bytes: rate.rssHistory(),
    cpu_history_percent: rate.cpuHistory(),
    replies: rate.replies(),
    devices,
  };
}
