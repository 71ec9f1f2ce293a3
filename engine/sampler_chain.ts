/**
 * The sampler chain resolved sampling options imply: which `llama_sampler_init_*`
 * stages, with what values, in llama.cpp's `common_sampler_init` order. The Worker
 * builds each stage over FFI.
 *
 * @module
 */
import type { LogitBias, ResolvedSampling } from "./sampling_options.ts";

/** One stage of the sampler chain, named after its `llama_sampler_init_*` constructor. */
export type SamplerStage =
  | { kind: "logit_bias"; bias: LogitBias[] }
  | {
    kind: "penalties";
    /** `-1` = whole context; pass n_ctx, as llama.cpp's penalties sampler reads -1 as 0 (off). */
    lastN: number;
    repeat: number;
    frequency: number;
    presence: number;
  }
  | { kind: "grammar"; grammar: string; root: string }
  | { kind: "top_k"; k: number }
  | { kind: "typical"; p: number }
  | { kind: "top_p"; p: number }
  | { kind: "min_p"; p: number }
  | { kind: "temp"; t: number }
  /** `m` is the tokens estimating s_hat: 100, as llama.cpp's common_sampler_init passes. */
  | { kind: "mirostat"; seed: number; tau: number; eta: number; m: number }
  | { kind: "mirostat_v2"; seed: number; tau: number; eta: number }
  | { kind: "dist"; seed: number }
  | { kind: "greedy" };

/**
 * Lists the samplers to chain for resolved options, in order; stages that are off
 * are left out. The order is that of `common_sampler_init` in llama.cpp
 * `common/sampling.cpp`: logit bias, penalties, top-k, typical, top-p, min-p,
 * temperature, then `dist` draws the token. At temperature 0 the chain ends in
 * `greedy` instead, with no truncation, temperature or `dist` stages. With mirostat
 * on, logit bias (and grammar) are followed by temperature and the mirostat stage
 * alone, as in llama.cpp (greedy at temperature 0).
 *
 * The FFI side builds each stage with its `llama_sampler_init_*` function,
 * `min_keep` 0 as in `common_params_sampling`; a `penalties` stage with `lastN` -1
 * must be given the context size.
 *
 * @param s Options from `resolveSampling` (sampling.ts).
 * @returns The stages, first applied first; the last one always picks the token.
 */
export function samplerChain(s: ResolvedSampling): SamplerStage[] {
  const chain: SamplerStage[] = [];
  if (s.logitBias.length > 0) chain.push({ kind: "logit_bias", bias: s.logitBias });
  // llama.cpp keeps the grammar outside the chain and resamples when a token breaks
  // it; a flat chain cannot, so the grammar masks first. Otherwise top-k/top-p could
  // keep only grammar-invalid tokens and leave nothing to sample. Penalties map a
  // masked -Infinity logit to -Infinity, so masking before them changes nothing.
  if (s.grammar !== "") chain.push({ kind: "grammar", grammar: s.grammar, root: s.grammarRoot });
  if (s.mirostat !== 0) {
    if (s.temperature === 0) chain.push({ kind: "greedy" });
    else chain.push({ kind: "temp", t: s.temperature }, mirostatStage(s));
    return chain;
  }
  const penaltiesOff = s.penaltyLastN === 0 ||
    (s.repeatPenalty === 1 && s.frequencyPenalty === 0 && s.presencePenalty === 0);
  if (!penaltiesOff) {
    chain.push({
      kind: "penalties",
      lastN: s.penaltyLastN,
      repeat: s.repeatPenalty,
      frequency: s.frequencyPenalty,
      presence: s.presencePenalty,
    });
  }
  if (s.temperature === 0) {
    chain.push({ kind: "greedy" });
    return chain;
  }
  if (s.topK !== 0) chain.push({ kind: "top_k", k: s.topK });
  if (s.typicalP !== 1) chain.push({ kind: "typical", p: s.typicalP });
  if (s.topP !== 1) chain.push({ kind: "top_p", p: s.topP });
  if (s.minP !== 0) chain.push({ kind: "min_p", p: s.minP });
  chain.push({ kind: "temp", t: s.temperature }, { kind: "dist", seed: s.seed });
  return chain;
}

function mirostatStage(s: ResolvedSampling): SamplerStage {
  const { seed, mirostatTau: tau, mirostatEta: eta } = s;
  return s.mirostat === 1
    ? { kind: "mirostat", seed, tau, eta, m: 100 }
    : { kind: "mirostat_v2", seed, tau, eta };
}
