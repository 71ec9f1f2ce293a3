/**
 * Builds a llama.cpp sampler chain from the stages engine/sampling.ts derives.
 * Worker-only. The chain owns every sampler added to it (llama.h:
 * `llama_sampler_chain_add` takes ownership), so freeing the chain frees them all.
 *
 * @module
 */
import type { LlamaLib } from "../../ffi/llama_symbols.ts";
import { llama_logit_bias, llama_sampler_chain_params } from "../../ffi/structs.ts";
import { cString } from "../../ffi/strings.ts";
import { EngineError } from "../errors.ts";
import type { SamplerStage } from "../sampling.ts";
import type { LogCapture } from "../../ffi/log_capture.ts";

/** One native sampler chain; freed exactly once. */
export class NativeSampler {
  readonly #llama: LlamaLib;
  #chain: Deno.PointerObject | null;

  /**
   * @throws {EngineError} when a stage cannot be made (a grammar that does not
   *   parse), with llama.cpp's reason; nothing is leaked.
   */
  constructor(
    llama: LlamaLib,
    vocab: Deno.PointerObject,
    nVocab: number,
    nCtx: number,
    stages: readonly SamplerStage[],
    log: LogCapture,
  ) {
    this.#llama = llama;
    const params = new Uint8Array(llama_sampler_chain_params.size);
    params[llama_sampler_chain_params.offsets.no_perf] = 1;
    const chain = llama.llama_sampler_chain_init(params);
    if (chain === null) throw new EngineError("Cannot create a sampler chain");
    this.#chain = chain;
    for (const stage of stages) {
      const mark = log.mark();
      const sampler = makeStage(llama, vocab, nVocab, nCtx, stage);
      if (sampler === null) {
        this.free();
        throw new EngineError(`Cannot create the ${stage.kind} sampler: ${log.reason(mark)}`);
      }
      llama.llama_sampler_chain_add(chain, sampler);
    }
  }

  /** The chain's handle. @throws {EngineError} after {@link free}. */
  get pointer(): Deno.PointerObject {
    if (this.#chain === null) throw new EngineError("Cannot use a freed sampler");
    return this.#chain;
  }

  /** Samples from the logits at batch index `index` of `ctx`, and accepts the token. */
  sample(ctx: Deno.PointerObject, index: number): number {
    return this.#llama.llama_sampler_sample(this.pointer, ctx, index);
  }

  /**
   * Forgets accepted tokens (penalty windows, grammar state) and reseeds the random
   * pick with the chain's seed (`llama_sampler_reset`).
   */
  reset(): void {
    this.#llama.llama_sampler_reset(this.pointer);
  }

  /** Frees the chain and its members; later calls do nothing. */
  free(): void {
    if (this.#chain === null) return;
    this.#llama.llama_sampler_free(this.#chain);
    this.#chain = null;
  }
}

function makeStage(
  llama: LlamaLib,
  vocab: Deno.PointerObject,
  nVocab: number,
  nCtx: number,
  stage: SamplerStage,
): Deno.PointerValue {
  switch (stage.kind) {
    case "logit_bias": {
      const size = llama_logit_bias.size;
      const bytes = new Uint8Array(size * stage.bias.length);
      const view = new DataView(bytes.buffer);
      stage.bias.forEach(({ token, bias }, i) => {
        view.setInt32(i * size + llama_logit_bias.offsets.token, token, true);
        view.setFloat32(i * size + llama_logit_bias.offsets.bias, bias, true);
      });
      return llama.llama_sampler_init_logit_bias(nVocab, stage.bias.length, bytes);
    }
    case "penalties":
      // llama.cpp's penalties sampler reads -1 as off; -1 means the whole context here.
      return llama.llama_sampler_init_penalties(
        stage.lastN === -1 ? nCtx : stage.lastN,
        stage.repeat,
        stage.frequency,
        stage.presence,
      );
    case "grammar":
      return llama.llama_sampler_init_grammar(vocab, cString(stage.grammar), cString(stage.root));
    case "top_k":
      return llama.llama_sampler_init_top_k(stage.k);
    case "typical":
      return llama.llama_sampler_init_typical(stage.p, 0n);
    case "top_p":
      return llama.llama_sampler_init_top_p(stage.p, 0n);
    case "min_p":
      return llama.llama_sampler_init_min_p(stage.p, 0n);
    case "temp":
      return llama.llama_sampler_init_temp(stage.t);
    case "dist":
      return llama.llama_sampler_init_dist(stage.seed);
    case "mirostat":
      return llama.llama_sampler_init_mirostat(nVocab, stage.seed, stage.tau, stage.eta, stage.m);
    case "mirostat_v2":
      return llama.llama_sampler_init_mirostat_v2(stage.seed, stage.tau, stage.eta);
    case "greedy":
      return llama.llama_sampler_init_greedy();
  }
}
