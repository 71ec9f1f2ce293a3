/**
 * What the OpenAI-compatible API needs from the engine: one served model that takes
 * many requests at once. The scheduler-backed implementation (continuous batching
 * over n_seq_max slots) and a single-sequence Context both fit it.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { Context } from "../../engine/context.ts";
import type { ChatOptions, GenerateOptions } from "../../engine/generate_options.ts";
import type { Generation } from "../../engine/generation.ts";
import type { LoraEntry } from "../../engine/lora.ts";
import type { ServedLoras } from "./loras.ts";
import type { Model } from "../../engine/model.ts";
import type { ModelInfo } from "../../engine/types.ts";

/** What a request adds to the engine's call options: the adapters it runs with. */
export interface BackendCallOptions {
  /** LoRA adapters with their scales (every served adapter, 0 = off). Default none. */
  loras?: readonly LoraEntry[];
}

/** A model served to API clients. */
export interface CompletionBackend {
  /** The id clients name the model by (`GET /v1/models`, the `model` field). */
  readonly id: string;
  /**
   * Other names requests may give in `model` (llama-server's `--alias` names, listed as
   * `aliases` in `GET /v1/models`). Default none.
   */
  readonly aliases?: readonly string[];
  /** The loaded model's facts (chat template, n_ctx_train, nVocab). */
  readonly info: ModelInfo;
  /** Tokens one request can hold (prompt plus completion). */
  readonly nCtx: number;
  /** The served LoRA adapters (`/lora-adapters`); none when absent. */
  readonly loras?: ServedLoras;
  /**
   * Whether the model takes images (an mmproj is loaded). False answers image parts
   * with 400 before anything runs; absent leaves it to the engine.
   */
  readonly vision?: boolean;
  /**
   * Starts a chat completion. Metrics carry `cachedTokens` (prompt tokens reused from
   * a slot's KV cache). Throws ContextOverflowError (in `result`) when the prompt does
   * not fit, QueueFullError (synchronously) when too many requests wait.
   */
  chat(messages: readonly ChatMessage[], options: ChatOptions & BackendCallOptions): Generation;
  /** Starts a completion of a raw prompt (text, or token ids). */
  generate(
    prompt: string | readonly number[],
    options: GenerateOptions & BackendCallOptions,
  ): Generation;
  /** Tokenizes text (for usage counts and logit_bias validation). */
  tokenize(text: string): Promise<number[]>;
  /** Embeds texts (mean pooling where the model defines none), L2-normalized. */
  embed(texts: readonly string[]): Promise<number[][]>;
  /** Requests waiting for a slot, and slots in use, for /metrics. */
  load(): { queued: number; slotsBusy: number; slotsTotal: number };
  /**
   * Milliseconds the backend's scheduler has gone without a step while requests are
   * in flight (0 when idle), for /health. Absent where there is no scheduler.
   */
  stalledMs?(): number;
}

/** Serves one Context: one request at a time, the others wait in the engine's order. */
export class ContextBackend implements CompletionBackend {
  readonly id: string;
  readonly info: ModelInfo;
  readonly nCtx: number;
  readonly #model: Model;
  readonly #context: Context;
  #running = 0;

  /** Serves `context` of `model` under the id `id`. */
  constructor(id: string, model: Model, context: Context) {
    this.id = id;
    this.info = model.info;
    this.nCtx = context.info.nCtxSeq;
    this.#model = model;
    this.#context = context;
  }

  /** Whether the model has an mmproj loaded. */
  get vision(): boolean {
    return this.#model.mmproj !== undefined;
  }

  chat(messages: readonly ChatMessage[], options: ChatOptions & BackendCallOptions): Generation {
    const { loras, ...rest } = options;
    this.#setLoras(loras);
    return this.#track(this.#context.chat(messages, rest));
  }

  generate(
    prompt: string | readonly number[],
    options: GenerateOptions & BackendCallOptions,
  ): Generation {
    const { loras, ...rest } = options;
    this.#setLoras(loras);
    return this.#track(this.#context.generate(prompt, rest));
  }

  // The Worker runs requests in order: the set applies to the call posted next. A
  // wrong set throws here, synchronously; later it can only fail with a dead engine,
  // which the generation reports.
  #setLoras(loras: readonly LoraEntry[] | undefined): void {
    if (loras?.length) this.#context.setLoras(loras).catch(() => {});
  }

  tokenize(text: string): Promise<number[]> {
    return this.#model.tokenize(text, { addSpecial: false });
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return this.#model.embed(texts, { normalize: true });
  }

  load(): { queued: number; slotsBusy: number; slotsTotal: number } {
    return {
      queued: Math.max(0, this.#running - 1),
      slotsBusy: Math.min(1, this.#running),
      slotsTotal: 1,
    };
  }

  #track(generation: Generation): Generation {
    this.#running++;
    generation.result.finally(() => this.#running--).catch(() => {});
    return generation;
  }
}
