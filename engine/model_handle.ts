/**
 * The {@link Model} class, a model loaded in the engine Worker, and what hangs off it:
 * contexts, samplers, LoRA adapters, the mmproj, tokenizer, chat template and
 * embeddings. `loadModel` (model.ts) makes it.
 *
 * @module
 */
import { Context } from "./context.ts";
import { type ContextOptions, resolveContextOptions } from "./context_options.ts";
import { resolveDraft } from "./speculative.ts";
import type { Engine } from "./engine.ts";
import { DisposedError } from "./errors.ts";
import type { LoraAdapter } from "./lora.ts";
import type { Mmproj } from "./mmproj.ts";
import { ModelAdapters } from "./model_adapters.ts";
import { type ChatMessage, validateMessages } from "./chat_template.ts";
import { Sampler } from "./sampler.ts";
import { type ResolvedSampling, resolveSampling, type SamplingOptions } from "./sampling.ts";
import type { ContextInfo, DetokenizeOptions, ModelInfo, TokenizeOptions } from "./types.ts";

/**
 * Frees a model whose owner dropped it without `dispose()`: a safety net only, as
 * garbage collection may come late or never. Its contexts and samplers go with it in
 * the Worker.
 */
const leaked = new FinalizationRegistry<{ engine: Engine; modelId: number; ownsEngine: boolean }>(
  ({ engine, modelId, ownsEngine }) => {
    engine._send("freeModel", { modelId });
    if (ownsEngine) engine.dispose();
  },
);

/**
 * A loaded model. Disposing it disposes its contexts and samplers (and the engine
 * it owns, when `loadModel` started one). Made by {@link loadModel}.
 *
 * @example
 * ```ts
 * import { loadModel } from "@hearth/hearth";
 *
 * using model = await loadModel("models/stories260K.gguf");
 * console.log(model.info.architecture, model.info.nCtxTrain); // llama 2048
 * using ctx = await model.createContext({ nCtx: 256 });
 * console.log(await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).text());
 * ```
 */
export class Model {
  /** Facts about the model, read after the load. */
  readonly info: ModelInfo;
  /** The engine the model lives in. */
  readonly engine: Engine;
  readonly #id: number;
  readonly #ownsEngine: boolean;
  readonly #contexts = new Set<Context>();
  readonly #samplers = new Set<Sampler>();
  readonly #adapters: ModelAdapters;
  #disposed = false;

  /** @internal Made by loadModel. */
  constructor(engine: Engine, id: number, info: ModelInfo, ownsEngine: boolean) {
    this.engine = engine;
    this.#id = id;
    this.info = info;
    this.#ownsEngine = ownsEngine;
    this.#adapters = new ModelAdapters(engine, this, () => this.#check());
    leaked.register(this, { engine, modelId: id, ownsEngine }, this);
  }

  /** Whether the model (or its engine) was disposed. */
  get disposed(): boolean {
    return this.#disposed || this.engine.disposed;
  }

  #check(): void {
    if (this.disposed) throw new DisposedError("Model");
  }

  /** @internal The Worker's id of this model. @throws {DisposedError} after dispose. */
  get _modelId(): number {
    this.#check();
    return this.#id;
  }

  /**
   * Creates a context; see {@link ContextOptions} for sizes and defaults. Read
   * `context.info` for the sizes llama.cpp actually made.
   *
   * @throws {RangeError} for invalid options, naming the option.
   * @throws {EngineError} with llama.cpp's reason when it cannot make the context
   *   (e.g. out of memory), or for a vocabOnly model.
   * @throws {DraftModelError} when `draft.model`'s vocabulary does not match this
   *   model's (llama.cpp's check: type, BOS/EOS, size within 128, token texts).
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 300 });
   * strictEqual(ctx.info.nCtx, 512); // rounded up to a multiple of 256
   * ```
   */
  async createContext(options: ContextOptions = {}): Promise<Context> {
    this.#check();
    const { draft: draftOptions, ...rest } = options;
    const resolved = resolveContextOptions(rest, this.info);
    const draft = draftOptions === undefined ? undefined : resolveDraft(draftOptions, this.engine);
    const slot = this.engine._takeSlot();
    try {
      const { ctxId, info } = await this.engine._call("createContext", {
        modelId: this.#id,
        abortSlot: slot,
        ...resolved,
        ...(draft ? { draft } : {}),
      }) as { ctxId: number; info: ContextInfo };
      const context = new Context(
        this.engine,
        this,
        ctxId,
        slot,
        info,
        draft && draftOptions ? { ...draft, model: draftOptions.model } : undefined,
      );
      this.#contexts.add(context);
      return context;
    } catch (error) {
      this.engine._releaseSlot(slot);
      throw error;
    }
  }

  /**
   * Creates a sampler chain to reuse across `generate`/`chat` calls. The chain is kept;
   * its state (penalty window, grammar position, random generator reseeded with the
   * seed) resets at the start of each call, as llama-server does per request.
   *
   * @throws {RangeError} or {TypeError} for invalid options.
   * @throws {EngineError} when the grammar does not parse, with llama.cpp's reason.
   * @example
   * ```ts
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * using yesNo = await model.createSampler({ grammar: 'root ::= "yes" | "no"' });
   * const answer = await ctx.generate("Is it raining?", { sampler: yesNo, maxTokens: 4 }).text();
   * console.log(answer); // "yes" or "no"
   * ```
   */
  async createSampler(options: SamplingOptions = {}, nCtx = this.info.nCtxTrain): Promise<Sampler> {
    this.#check();
    const sampling: ResolvedSampling = resolveSampling(options, this.info.nVocab);
    const id = await this.engine._call("createSampler", {
      modelId: this.#id,
      sampling,
      nCtx,
    }) as number;
    const sampler = new Sampler(this.engine, id, sampling);
    this.#samplers.add(sampler);
    return sampler;
  }

  /**
   * Loads a LoRA adapter onto this model; apply it with `context.setLoras()` or per
   * request on a serving context. The file is checked first (GGUF, `general.type`
   * "adapter", this model's architecture, tensors this model has, in fitting shapes);
   * llama.cpp never sees a file that fails. The model owns the adapter: disposing the
   * model frees it.
   *
   * @param path A LoRA adapter GGUF (as `convert_lora_to_gguf.py` makes).
   * @throws {ModelNotFoundError} when `path` is not a file.
   * @throws {LoraAdapterError} when the file is not an adapter for this model, or
   *   llama.cpp refuses it (with its reason).
   * @example
   * ```ts
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * using ctx = await model.createContext({ nCtx: 256 });
   * using lora = await model.loadLora("models/stories260K-lora-random.gguf");
   * await ctx.setLoras([{ adapter: lora, scale: 1 }]);
   * console.log(await ctx.generate("Once upon a time", { temperature: 0, maxTokens: 8 }).text());
   * ```
   */
  async loadLora(path: string): Promise<LoraAdapter> {
    return await this.#adapters.loadLora(path);
  }

  /**
   * Loads an mmproj (the vision projector GGUF that comes with a vision model, often
   * `mmproj-*.gguf` in the same folder) so that prompts can carry images: `images` on
   * chat messages and text prompts. Needs libmtmd next to libllama (`native/build.sh
   * mtmd`). The model owns it; one at a time.
   *
   * @param path The mmproj GGUF.
   * @param options `nThreads`: encoder threads (default: the CPU count, at most 8).
   * @throws {ModelNotFoundError} when `path` is not a file.
   * @throws {MmprojError} when it is not an mmproj for this model (libmtmd's reason).
   * @throws {MtmdMissingError} when libmtmd is not built; the message says how.
   * @throws {EngineError} when the model has an mmproj already.
   */
  async loadMmproj(path: string, options: { nThreads?: number } = {}): Promise<Mmproj> {
    return await this.#adapters.loadMmproj(path, options);
  }

  /** The mmproj loaded on this model and not disposed, if any. */
  get mmproj(): Mmproj | undefined {
    return this.#adapters.mmproj;
  }

  /** @internal The Worker's id of this model. */
  get _id(): number {
    return this.#id;
  }

  /** @internal An mmproj reports its own dispose. */
  _forgetMmproj(mmproj: Mmproj): void {
    this.#adapters.forgetMmproj(mmproj);
  }

  /** The adapters loaded on this model and not disposed. */
  get loras(): readonly LoraAdapter[] {
    return this.#adapters.loras;
  }

  /** @internal An adapter reports its own dispose. */
  _forgetLora(adapter: LoraAdapter): void {
    this.#adapters.forgetLora(adapter);
  }

  /**
   * Tokenizes text; returns token ids.
   *
   * @throws {TypeError} when `text` is not a string.
   * @example
   * ```ts
   * import { deepStrictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf", { vocabOnly: true });
   * deepStrictEqual(await model.tokenize("Once upon a time"), [1, 403, 407, 261, 378]); // BOS 1
   * deepStrictEqual(await model.tokenize("Once", { addSpecial: false }), [403]);
   * ```
   */
  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    this.#check();
    if (typeof text !== "string") throw new TypeError("text must be a string");
    const { addSpecial = true, parseSpecial = false } = options;
    return await this.engine._call("tokenize", {
      modelId: this.#id,
      text,
      addSpecial,
      parseSpecial,
    }) as number[];
  }

  /**
   * Turns token ids into text; bytes split across tokens decode correctly.
   *
   * @throws {RangeError} for an id outside [0, nVocab), before any FFI call.
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf", { vocabOnly: true });
   * strictEqual(await model.detokenize([1, 403, 407, 261, 378]), " Once upon a time");
   * ```
   */
  async detokenize(tokens: readonly number[], options: DetokenizeOptions = {}): Promise<string> {
    this.#check();
    tokens.forEach((token, i) => {
      if (!Number.isInteger(token) || token < 0 || token >= this.info.nVocab) {
        throw new RangeError(
          `tokens[${i}] must be a token id in [0, ${this.info.nVocab}), got ${token}`,
        );
      }
    });
    const { removeSpecial = false, unparseSpecial = false } = options;
    return await this.engine._call("detokenize", {
      modelId: this.#id,
      tokens: [...tokens],
      removeSpecial,
      unparseSpecial,
    }) as string;
  }

  /**
   * Renders messages with the model's chat template (ChatML when it has none).
   *
   * @throws {TypeError} or {RangeError} for malformed messages.
   * @throws {EngineError} when the template does not render.
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf", { vocabOnly: true });
   * const prompt = await model.applyChatTemplate([{ role: "user", content: "Hi" }]);
   * strictEqual(prompt, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
   * ```
   */
  async applyChatTemplate(
    messages: readonly ChatMessage[],
    options: {
      addGenerationPrompt?: boolean;
      templateVars?: Record<string, unknown>;
      /** A Jinja template to use instead of the model's own. */
      chatTemplate?: string;
    } = {},
  ): Promise<string> {
    this.#check();
    return await this.engine._call("applyTemplate", {
      modelId: this.#id,
      messages: validateMessages(messages),
      addGenerationPrompt: options.addGenerationPrompt ?? true,
      templateVars: options.templateVars,
      chatTemplate: options.chatTemplate,
    }) as string;
  }

  /**
   * Embeds texts with the model's pooling (mean pooling where it defines none):
   * one vector of `info.nEmbd` numbers per text, L2-normalized when `normalize`.
   *
   * @throws {ContextOverflowError} for a text longer than the model's context.
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * using model = await loadModel("models/stories260K.gguf");
   * const [a, b] = await model.embed(["Once upon a time", "The cat sat down"]);
   * strictEqual(a.length, model.info.nEmbd); // 64
   * console.log(a.reduce((sum, x, i) => sum + x * b[i], 0)); // cosine similarity
   * ```
   */
  async embed(
    texts: readonly string[],
    options: { normalize?: boolean } = {},
  ): Promise<number[][]> {
    this.#check();
    if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
      throw new TypeError("texts must be an array of strings");
    }
    return await this.engine._call("embed", {
      modelId: this.#id,
      texts: [...texts],
      normalize: options.normalize ?? true,
      nThreads: navigator.hardwareConcurrency,
    }) as number[][];
  }

  /** @internal A context reports its own dispose. */
  _forget(context: Context): void {
    this.#contexts.delete(context);
  }

  /**
   * Disposes every context and sampler, then frees the model. Idempotent.
   *
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { loadModel } from "@hearth/hearth";
   *
   * const model = await loadModel("models/stories260K.gguf");
   * const ctx = await model.createContext({ nCtx: 256 });
   * model.dispose();
   * strictEqual(ctx.disposed, true);
   * ```
   */
  dispose(): void {
    if (this.#disposed) return;
    for (const context of [...this.#contexts]) context.dispose();
    for (const sampler of this.#samplers) sampler._markDisposed();
    this.#disposed = true;
    // The Worker frees them with the model (after its contexts).
    this.#adapters.dispose();
    leaked.unregister(this);
    this.engine._send("freeModel", { modelId: this.#id });
    if (this.#ownsEngine) this.engine.dispose();
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
