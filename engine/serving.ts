/**
 * A context that serves many requests at once: its sequences are the slots of a
 * continuous-batching scheduler (engine/scheduler.ts) running in the engine Worker.
 * Made by {@link createServingContext}; used by the OpenAI-compatible server.
 *
 * @module
 */
import type { ChatMessage } from "./chat_template.ts";
import { validateMessages } from "./chat_template.ts";
import type { Context } from "./context.ts";
import type { ContextOptions } from "./context_options.ts";
import { DisposedError, QueueFullError } from "./errors.ts";
import type { ChatOptions, GenerateOptions } from "./generate_options.ts";
import { resolveGenerateOptions } from "./generate_options.ts";
import { Generation } from "./generation.ts";
import { HeartbeatReader } from "./heartbeat.ts";
import type { Model } from "./model.ts";
import { type LoraEntry, resolveLoras } from "./lora.ts";
import type { PromptInput } from "./protocol.ts";
import type { GenerationResult } from "./types.ts";

/** Per-request options of a serving context: a call's options plus its adapters. */
export interface ServeCallOptions {
  /**
   * LoRA adapters (loaded on the served model) to run this request with; scale 0 = off.
   * Requests with different sets never share a decode: they take turns, first come
   * first served. Default none.
   */
  loras?: readonly LoraEntry[];
}

/** Options of {@link createServingContext}. */
export interface ServingOptions {
  /** Slots: requests decoded together; integer in [1, 256], at most `nBatch`. Default 4. */
  nParallel?: number;
  /**
   * Tokens each slot holds (prompt plus completion): the KV cache holds `nParallel`
   * times this. Default min(4096, n_ctx_train). Give this or `nCtx`, not both.
   */
  nCtxPerSlot?: number;
  /**
   * Tokens of KV cache in all, as llama-server's `-c`: each slot gets `nCtx / nParallel`
   * (padded to 256), or all of it, shared, with `kvUnified`. Give this or `nCtxPerSlot`.
   */
  nCtx?: number;
  /** One KV pool all slots share (llama-server's `--kv-unified`). Default false. */
  kvUnified?: boolean;
  /** Most tokens per compute step (physical batch). Default min(512, nBatch). */
  nUbatch?: number;
  /** Flash attention. Default "auto". */
  flashAttn?: ContextOptions["flashAttn"];
  /** K cache type. Default "f16". */
  typeK?: ContextOptions["typeK"];
  /** V cache type. Default "f16". */
  typeV?: ContextOptions["typeV"];
  /**
   * Most tokens per decode step (all slots together); at least `nParallel`, since each
   * step holds one token of every generating slot. Default 2048.
   */
  nBatch?: number;
  /** CPU threads. Default: logical CPUs. */
  nThreads?: number;
  /** Requests that may wait for a slot; more are refused with QueueFullError. Default 64. */
  queueLimit?: number;
  /**
   * Whether a request admitted to a slot copies the longest prompt prefix that any
   * other sequence holds in the KV cache (`llama_memory_seq_cp`) instead of decoding it
   * again, and requests admitted together that share a prefix decode it once (see
   * engine/scheduler.ts). Outputs are the same either way; off only to measure or
   * compare. Default true.
   */
  prefixSharing?: boolean;
  /**
   * Speculative decoding with a draft model in every slot (llama-server's `-md`); see
   * `ContextOptions.draft`. Results then carry draftTokens, draftAcceptedTokens and
   * draftAcceptanceRate. Default none.
   */
  draft?: ContextOptions["draft"];
}

/** Events of one served request, besides its pieces. */
export interface ServeListeners {
  /**
   * Called once when the request gets a slot (at once when one is free); until then it
   * waits in the queue. Errors thrown by it are ignored.
   */
  onStart?: () => void;
}

/**
 * Creates a serving context on `model`: one llama_context with `nParallel`
 * sequences, each `nCtxPerSlot` tokens, or `nCtx` tokens in all as llama-server's
 * `-c` (shared by all with `kvUnified`).
 *
 * @throws {RangeError} for invalid options, such as `nParallel` above `nBatch`;
 *   {@link EngineError} when llama.cpp cannot make the context.
 * @example
 * ```ts
 * import { createServingContext, loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
 * const prompts = ["Once upon a time", "Lily went"];
 * const generations = prompts.map((prompt) => serving.generate(prompt, { maxTokens: 8 }));
 * console.log(await Promise.all(generations.map((g) => g.text()))); // decoded together
 * ```
 */
export async function createServingContext(
  model: Model,
  options: ServingOptions = {},
): Promise<ServingContext> {
  const { nParallel = 4, nBatch = 2048, nThreads, queueLimit = 64 } = options;
  if (options.nCtx !== undefined && options.nCtxPerSlot !== undefined) {
    throw new TypeError("Give nCtx (all slots) or nCtxPerSlot, not both");
  }
  const nCtx = options.nCtx ??
    (options.nCtxPerSlot ?? Math.min(4096, model.info.nCtxTrain || 4096)) * nParallel;
  if (!Number.isInteger(queueLimit) || queueLimit < 0) {
    throw new RangeError(`queueLimit must be an integer >= 0, got ${queueLimit}`);
  }
  if (!Number.isInteger(nParallel) || nParallel < 1 || nParallel > 256) {
    throw new RangeError(`nParallel must be an integer in [1, 256], got ${nParallel}`);
  }
  if (nParallel > nBatch) {
    throw new RangeError(
      `nParallel (${nParallel}) must be at most nBatch (${nBatch}): each decode step holds ` +
        `one token of every generating slot; raise nBatch or lower nParallel`,
    );
  }
  const context = await model.createContext({
    nCtx,
    nSeqMax: nParallel,
    kvUnified: options.kvUnified ?? false,
    nBatch,
    nUbatch: options.nUbatch ?? Math.min(512, nBatch),
    nThreads,
    flashAttn: options.flashAttn,
    typeK: options.typeK,
    typeV: options.typeV,
    ...(options.draft ? { draft: options.draft } : {}),
  });
  const heartbeat = new HeartbeatReader();
  try {
    await model.engine._call("serveOpen", {
      ctxId: context._id,
      queueLimit,
      heartbeat: heartbeat.buffer,
      heartbeatBase: heartbeat.base,
      prefixSharing: options.prefixSharing ?? true,
    });
  } catch (error) {
    context.dispose();
    throw error;
  }
  return new ServingContext(model, context, queueLimit, heartbeat);
}

/**
 * Many requests at once on one model; see {@link createServingContext}. Requests
 * beyond the slots wait in a queue of `queueLimit`; more are refused.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { createServingContext, loadModel, QueueFullError } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * const options = { nParallel: 1, nCtxPerSlot: 256, queueLimit: 1 };
 * using serving = await createServingContext(model, options);
 * const first = serving.generate("Once upon a time", { maxTokens: 16 });
 * for await (const _ of first) break; // its first piece: it holds the slot
 * const second = serving.generate("Lily went", { maxTokens: 4 }); // waits for the slot
 * throws(() => serving.generate("Tom", { maxTokens: 4 }), QueueFullError);
 * await Promise.all([first.result, second.result]);
 * ```
 */
export class ServingContext {
  /** The model served. */
  readonly model: Model;
  /** The underlying context (`info.nSeqMax` slots of `info.nCtxSeq` tokens). */
  readonly context: Context;
  readonly #queueLimit: number;
  readonly #heartbeat: HeartbeatReader;
  #inFlight = 0;
  #nextKey = 1;

  /** @internal Made by createServingContext. */
  constructor(model: Model, context: Context, queueLimit: number, heartbeat: HeartbeatReader) {
    this.model = model;
    this.context = context;
    this.#queueLimit = queueLimit;
    this.#heartbeat = heartbeat;
  }

  /**
   * Requests waiting for a slot, and slots in use.
   *
   * @example
   * ```ts
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
   * const generation = serving.generate("Once upon a time", { maxTokens: 4 });
   * console.log(serving.load()); // { queued: 0, slotsBusy: 1, slotsTotal: 2 }
   * await generation.result;
   * ```
   */
  load(): { queued: number; slotsBusy: number; slotsTotal: number } {
    const slots = this.context.info.nSeqMax;
    return {
      queued: Math.max(0, this.#inFlight - slots),
      slotsBusy: Math.min(this.#inFlight, slots),
      slotsTotal: slots,
    };
  }

  /**
   * How long the scheduler has gone without a decode step while requests wait or run,
   * in milliseconds: 0 when none are in flight or while a step runs (a long prompt
   * chunk is slow, not stalled). A loop that stopped stepping with work to do, or an
   * engine Worker held up by something else, makes it grow. Read from memory the
   * Worker writes at every step: cheap, and it needs no answer from the Worker.
   *
   * @example
   * ```ts
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
   * console.log(serving.stalledMs()); // 0: nothing to do
   * ```
   */
  stalledMs(): number {
    return this.#heartbeat.stalledMs(this.#inFlight);
  }

  /**
   * A chat completion (the model's chat template, as `Context.chat`).
   *
   * @throws {QueueFullError} when `queueLimit` requests already wait.
   * @example
   * ```ts
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
   * const messages = [{ role: "user", content: "Tell me a story." }] as const;
   * console.log(await serving.chat(messages, { temperature: 0, maxTokens: 8 }).text());
   * ```
   */
  chat(
    messages: readonly ChatMessage[],
    options: ChatOptions & ServeCallOptions & ServeListeners = {},
  ): Generation {
    const { overflow = "error", templateVars, chatTemplate, ...rest } = options;
    return this.#submit(
      { messages: validateMessages(messages), overflow, templateVars, chatTemplate },
      rest,
    );
  }

  /**
   * A completion of text (BOS added as the model wants, special tokens parsed) or of
   * token ids.
   *
   * @throws {QueueFullError} when `queueLimit` requests already wait.
   * @example
   * ```ts
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
   * const result = await serving.generate("Once upon a time", { maxTokens: 8 }).result;
   * console.log(result.finishReason, result.text); // "length" and 8 tokens of story
   * ```
   */
  generate(
    prompt: string | readonly number[],
    options: GenerateOptions & ServeCallOptions & ServeListeners = {},
  ): Generation {
    const input: PromptInput = typeof prompt === "string"
      ? { text: prompt, addSpecial: options.addSpecial ?? true }
      : { tokens: [...prompt] };
    const { images } = options;
    if (images?.length) {
      if (!("text" in input)) throw new TypeError("images go with a text prompt, not token ids");
      if (!images.every((image) => image instanceof Uint8Array)) {
        throw new TypeError("images must be an array of Uint8Array (encoded image files)");
      }
      input.images = [...images];
    }
    return this.#submit(input, options);
  }

  /**
   * Whether a request submitted now would wait for a slot: every slot is taken.
   *
   * @example
   * ```ts
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using serving = await createServingContext(model, { nParallel: 1, nCtxPerSlot: 256 });
   * const generation = serving.generate("Once upon a time", { maxTokens: 4 });
   * console.log(serving.full); // true: the next request waits for the slot
   * await generation.result;
   * ```
   */
  get full(): boolean {
    return this.#inFlight >= this.context.info.nSeqMax;
  }

  #submit(
    prompt: PromptInput,
    callOptions: GenerateOptions & ServeCallOptions & ServeListeners,
  ): Generation {
    if (this.context.disposed) throw new DisposedError("Context");
    const { loras = [], onStart, ...generateOptions } = callOptions;
    const loraIds = resolveLoras(loras, this.model);
    if (generateOptions.sampler) {
      throw new TypeError("A serving context takes sampling options, not a sampler");
    }
    const resolved = resolveGenerateOptions(generateOptions, this.model.info.nVocab, 1);
    const waiting = this.#inFlight - this.context.info.nSeqMax;
    if (waiting >= this.#queueLimit) throw new QueueFullError(waiting, 1);
    const key = this.#nextKey++;
    const ctxId = this.context._id;
    const engine = this.model.engine;
    const { signal } = generateOptions;
    const onAbort = () => engine._send("serveCancel", { ctxId, key });
    if (signal?.aborted) queueMicrotask(onAbort);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (this.#inFlight++ === 0) this.#heartbeat.markBusy();
    return new Generation((push) =>
      (engine._call("serveSubmit", {
        ctxId,
        key,
        prompt,
        sampling: resolved.sampling,
        maxTokens: resolved.maxTokens,
        stop: resolved.stop,
        special: resolved.special,
        loras: loraIds,
      }, { pieces: push, started: onStart && (() => ignoreErrors(onStart)) }) as Promise<
        GenerationResult
      >).finally(() => {
        this.#inFlight--;
        signal?.removeEventListener("abort", onAbort);
      })
    );
  }

  /**
   * Stops every request and frees the context. Idempotent.
   *
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { createServingContext, loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * const serving = await createServingContext(model, { nParallel: 2, nCtxPerSlot: 256 });
   * serving.dispose();
   * strictEqual(serving.context.disposed, true);
   * ```
   */
  dispose(): void {
    this.context.dispose();
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function ignoreErrors(callback: () => void): void {
  try {
    callback();
  } catch {
    // A listener's failure is its own; the request goes on.
  }
}
