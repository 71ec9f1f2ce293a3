/**
 * A llama.cpp context on a loaded model: its KV cache, sequences and the generation
 * calls that run on them.
 *
 * @module
 */
import type { ChatMessage } from "./chat_template.ts";
import { validateMessages } from "./chat_template.ts";
import type { Engine } from "./engine.ts";
import { DisposedError } from "./errors.ts";
import { Generation } from "./generation.ts";
import { type LoraEntry, type LoraOwner, resolveLoras } from "./lora.ts";
import { resolveGenerateOptions } from "./generate_options.ts";
import type { ChatOptions, GenerateOptions } from "./generate_options.ts";
import type { OverflowPolicy, PromptInput } from "./protocol.ts";
import type { DraftOwner, ResolvedDraft } from "./speculative.ts";
import type { ContextInfo, GenerationResult, ModelInfo } from "./types.ts";

/** The owner a context reports to (its Model), kept abstract to avoid a cycle. */
export interface ContextOwner extends LoraOwner {
  /** The model's facts. */
  readonly info: ModelInfo;
  /** Whether the model was disposed. */
  readonly disposed: boolean;
  /** @internal */
  _forget(context: Context): void;
}

/**
 * A context: `info.nCtx` tokens of KV cache shared by `info.nSeqMax` sequences.
 * Each sequence remembers the tokens in its cache, so a call whose prompt extends
 * the previous one (the next chat turn) decodes only the new tokens. Calls on one
 * context run one after another. Made by `model.createContext()`.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * using ctx = await model.createContext({ nCtx: 256 });
 * const first = await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 4 }).text();
 * const next = await ctx.generate("Once upon a time" + first, { maxTokens: 4 }).result;
 * // Only the last prompt token is decoded again.
 * strictEqual(next.metrics.cachedTokens, next.metrics.promptTokens - 1);
 * ```
 */
export class Context {
  /** Sizes as llama.cpp made them (n_ctx is rounded up to a multiple of 256). */
  readonly info: ContextInfo;
  /** The model this context runs. */
  readonly model: ContextOwner;
  readonly #engine: Engine;
  readonly #id: number;
  readonly #slot: number;
  readonly #draft: (ResolvedDraft & { model: DraftOwner }) | undefined;
  #running = new Set<number>();
  #disposed = false;

  /** @internal Made by Model.createContext. */
  constructor(
    engine: Engine,
    model: ContextOwner,
    id: number,
    slot: number,
    info: ContextInfo,
    draft?: ResolvedDraft & { model: DraftOwner },
  ) {
    this.#engine = engine;
    this.model = model;
    this.#id = id;
    this.#slot = slot;
    this.info = info;
    this.#draft = draft;
  }

  /**
   * The draft model and its limits when this context decodes speculatively
   * (`createContext({ draft })`); undefined without one, or once the draft model was
   * disposed (drafting then stops; the context goes on alone).
   */
  get draft(): { model: DraftOwner; nMax: number; nMin: number; pMin: number } | undefined {
    const draft = this.#draft;
    if (!draft || draft.model.disposed) return undefined;
    return { model: draft.model, nMax: draft.nMax, nMin: draft.nMin, pMin: draft.pMin };
  }

  /** Whether the context was disposed, directly or with its model or engine. */
  get disposed(): boolean {
    return this.#disposed || this.model.disposed || this.#engine.disposed;
  }

  #check(): void {
    if (this.disposed) throw new DisposedError("Context");
  }

  /** @internal The Worker's id of this context. @throws {DisposedError} after dispose. */
  get _id(): number {
    this.#check();
    return this.#id;
  }

  /**
   * Generates a continuation of `prompt` (text, tokenized with BOS when the model adds
   * one and with special tokens parsed; or token ids).
   *
   * @throws {DisposedError} after dispose.
   * @throws {RangeError} or {TypeError} for an invalid option, before anything runs.
   * @throws {ContextOverflowError} (from the iterator and `result`) when the prompt
   *   does not fit one sequence.
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * const result = await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).result;
   * strictEqual(result.finishReason, "length"); // stopped by maxTokens
   * ```
   */
  generate(prompt: string | readonly number[], options: GenerateOptions = {}): Generation {
    this.#check();
    let input: PromptInput;
    const { images } = options;
    if (
      images !== undefined &&
      (!Array.isArray(images) || !images.every((image) => image instanceof Uint8Array))
    ) {
      throw new TypeError("images must be an array of Uint8Array (encoded image files)");
    }
    if (typeof prompt === "string") {
      input = { text: prompt, addSpecial: options.addSpecial ?? true };
      if (images?.length) input.images = [...images];
    } else if (images?.length) {
      throw new TypeError("images go with a text prompt, not with token ids");
    } else if (Array.isArray(prompt)) {
      input = { tokens: checkTokens(prompt, this.model.info.nVocab) };
    } else throw new TypeError("prompt must be a string or an array of token ids");
    return this.#run(input, options);
  }

  /**
   * Answers a conversation: renders `messages` with the model's chat template (its
   * GGUF `tokenizer.chat_template`, else ChatML) and generates the assistant's turn.
   * With `overflow: "truncate-oldest"` the oldest turns (a user message and the
   * replies after it) are dropped until the prompt fits, never the system messages or
   * the last turn; `result.truncation` says which messages went (`droppedMessages`
   * counts them).
   *
   * @throws {TypeError} or {RangeError} for malformed messages or options.
   * @throws {ContextOverflowError} when the prompt does not fit and nothing may be dropped.
   * @example
   * ```ts
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * const messages = [
   *   { role: "user", content: "Once upon a time ".repeat(60) },
   *   { role: "assistant", content: "The end." },
   *   { role: "user", content: "Tell me a story." },
   * ] as const;
   * const result = await ctx.chat(messages, { overflow: "truncate-oldest", maxTokens: 8 }).result;
   * console.log(result.truncation?.messageIndices, result.text); // [0, 1]: the first turn went
   * ```
   */
  chat(messages: readonly ChatMessage[], options: ChatOptions = {}): Generation {
    this.#check();
    const overflow: OverflowPolicy = options.overflow ?? "error";
    if (overflow !== "error" && overflow !== "truncate-oldest") {
      throw new RangeError(`overflow must be "error" or "truncate-oldest", got "${overflow}"`);
    }
    const { overflow: _, templateVars, chatTemplate, ...rest } = options;
    if (chatTemplate !== undefined && typeof chatTemplate !== "string") {
      throw new TypeError("chatTemplate must be a string");
    }
    return this.#run(
      { messages: validateMessages(messages), overflow, templateVars, chatTemplate },
      rest,
    );
  }

  #run(prompt: PromptInput, options: GenerateOptions): Generation {
    const resolved = resolveGenerateOptions(options, this.model.info.nVocab, this.info.nSeqMax);
    const serial = this.#engine._serial();
    const { signal } = options;
    const onAbort = () => this.#engine._abort(this.#slot, serial);
    if (signal?.aborted) onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    this.#running.add(serial);
    return new Generation((push) =>
      (this.#engine._call("generate", {
        ctxId: this.#id,
        seqId: resolved.seqId,
        prompt,
        sampling: resolved.sampler ? { samplerId: resolved.sampler._id } : resolved.sampling,
        maxTokens: resolved.maxTokens,
        stop: resolved.stop,
        special: resolved.special,
        serial,
      }, { pieces: push }) as Promise<GenerationResult>).finally(() => {
        signal?.removeEventListener("abort", onAbort);
        this.#running.delete(serial);
      })
    );
  }

  /**
   * Applies LoRA adapters to this context, replacing the set before: every sequence and
   * every later call uses them, until the next `setLoras`. Scale 0 turns an adapter
   * off; llama.cpp multiplies each scale by the adapter's alpha / rank
   * (`adapter.effectiveScale`). `[]` removes them all. A changed set empties the KV
   * cache (its contents were computed with the old weights); setting the same set again
   * keeps it. Runs after the calls made before it.
   *
   * @throws {TypeError} for an adapter of another model; {RangeError} for a scale that
   *   is not finite; {DisposedError} for a disposed adapter or context. These throw
   *   synchronously, before anything is posted to the engine.
   * @example
   * ```ts
   * import { notStrictEqual, strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * using lora = await model.loadLora("models/stories260K-lora-random.gguf");
   * const story = () => ctx.generate("Once upon a time", { temperature: 0, maxTokens: 32 }).text();
   * const base = await story();
   * await ctx.setLoras([{ adapter: lora, scale: 1 }]);
   * notStrictEqual(await story(), base);
   * await ctx.setLoras([{ adapter: lora, scale: 0 }]); // off
   * strictEqual(await story(), base);
   * ```
   */
  setLoras(loras: readonly LoraEntry[]): Promise<void> {
    // Checked before the call is posted, so a wrong set throws here, synchronously.
    this.#check();
    const entries = resolveLoras(loras, this.model);
    return this.#engine._call("setLoras", { ctxId: this.#id, loras: entries }).then(() => {});
  }

  /**
   * The tokens sequence `seqId` holds in the KV cache, in order.
   *
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 4 }).result;
   * const prompt = await model.tokenize("Once upon a time");
   * deepStrictEqual((await ctx.sequenceTokens()).slice(0, prompt.length), prompt);
   * ```
   */
  async sequenceTokens(seqId = 0): Promise<number[]> {
    this.#check();
    return await this.#engine._call("sequenceTokens", { ctxId: this.#id, seqId }) as number[];
  }

  /**
   * Forgets what sequence `seqId` holds, so the next call decodes its prompt whole.
   *
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 4 }).result;
   * await ctx.clearSequence();
   * deepStrictEqual(await ctx.sequenceTokens(), []);
   * ```
   */
  async clearSequence(seqId = 0): Promise<void> {
    this.#check();
    await this.#engine._call("clearSequence", { ctxId: this.#id, seqId });
  }

  /** @internal Runs llama-bench's pp/tg test; returns nanoseconds per repetition. */
  async _bench(
    args: { nPrompt: number; nGen: number; repetitions: number; warmup: boolean },
  ): Promise<number[]> {
    this.#check();
    const result = await this.#engine._call("bench", { ctxId: this.#id, ...args });
    return (result as { samplesNs: number[] }).samplesNs;
  }

  /**
   * Stops a running generation (it ends with finish_reason "abort") and frees the
   * context in the Worker. Idempotent.
   *
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * const ctx = await model.createContext({ nCtx: 256 });
   * const generation = ctx.generate("Once upon a time", { maxTokens: -1 });
   * ctx.dispose();
   * strictEqual((await generation.result).finishReason, "abort");
   * ```
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const serial of this.#running) this.#engine._abort(this.#slot, serial);
    this.#engine._send("freeContext", { ctxId: this.#id });
    this.#engine._releaseSlot(this.#slot);
    this.model._forget(this);
  }

  /** Same as {@link dispose}; for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Same as {@link dispose}. */
  close(): void {
    this.dispose();
  }
}

function checkTokens(tokens: readonly number[], nVocab: number): number[] {
  tokens.forEach((token, i) => {
    if (!Number.isInteger(token) || token < 0 || token >= nVocab) {
      throw new RangeError(`tokens[${i}] must be a token id in [0, ${nVocab}), got ${token}`);
    }
  });
  return [...tokens];
}
