/**
 * Measures the streamed generation path, the one chats use: `generate()` with
 * sampling and coalesced pieces, with a 1 ms timer on the calling thread recording
 * how late it fires (event-loop lag) meanwhile.
 *
 * @module
 */
import type { Model } from "../engine/model.ts";

/** Speed of the streamed path and the event-loop lag seen during it. */
export interface StreamingMeasurement {
  /** Tokens generated. */
  generated: number;
  /** Generated tokens per second after the first (the engine's own metric). */
  genTokPerSec: number;
  /** Median lag of a 1 ms interval timer, in milliseconds. */
  lagP50Ms: number;
  /** 99th percentile lag, in milliseconds. */
  lagP99Ms: number;
  /** Largest lag, in milliseconds. */
  lagMaxMs: number;
}

/** Generates `nGen` tokens (EOS banned so the count is exact) while timing the loop. */
export async function measureStreaming(
  model: Model,
  options: { nGen: number; nThreads: number },
): Promise<StreamingMeasurement> {
  using ctx = await model.createContext({ nCtx: options.nGen + 256, nThreads: options.nThreads });
  const lags: number[] = [];
  let expected = performance.now() + 1;
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - expected));
    expected = now + 1;
  }, 1);
  try {
    const bias = model.info.eos >= 0 ? { [model.info.eos]: -Infinity } : {};
    const generation = ctx.generate("Once upon a time", {
      maxTokens: options.nGen,
      seed: 42,
      logitBias: bias,
    });
    for await (const _ of generation);
    const { metrics } = await generation.result;
    lags.sort((a, b) => a - b);
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? 0;
    return {
      generated: metrics.generatedTokens,
      genTokPerSec: metrics.genTokPerSec,
      lagP50Ms: at(0.5),
      lagP99Ms: at(0.99),
      lagMaxMs: lags.at(-1) ?? 0,
    };
  } finally {
    clearInterval(timer);
  }
}
