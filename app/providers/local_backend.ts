/**
 * This machine's engine as a {@link Backend}: the model host's chat context, loading the
 * asked-for model file first when another (or none) is loaded. Its text never leaves the
 * machine (`kind` "local").
 *
 * @module
 */
import { jsonSchemaToGrammar } from "../../engine/json_schema_grammar.ts";
import type { ModelHost } from "../model_host.ts";
import {
  type Backend,
  type Completion,
  completionOf,
  type CompletionRequest,
  type CompletionResult,
} from "./backend.ts";

/** The local engine behind the Backend interface. */
export class LocalBackend implements Backend {
  /** Always "local". */
  readonly kind = "local" as const;
  /** Always null: no provider. */
  readonly provider = null;
  readonly #host: ModelHost;
  readonly #nCtx: () => number;

  /**
   * @param host The model host whose chat context completions run on.
   * @param nCtx The context size, in tokens, a model is loaded with when it must be.
   */
  constructor(host: ModelHost, nCtx: () => number) {
    this.#host = host;
    this.#nCtx = nCtx;
  }

  /** The loaded model's path, if any: the local engine serves one model at a time. */
  models(): Promise<string[]> {
    const loaded = this.#host.loaded;
    return Promise.resolve(loaded ? [loaded.path] : []);
  }

  /**
   * Completes on the model file `request.model`, loading it first if needed.
   *
   * @throws what loading or generating throws (ModelNotFoundError, ContextOverflowError, ...).
   */
  complete(request: CompletionRequest): Completion {
    return completionOf(() => this.#run(request));
  }

  async *#run(request: CompletionRequest): AsyncGenerator<{ text: string }, CompletionResult> {
    const nCtx = this.#nCtx();
    if (!this.#host.serves(request.model, nCtx)) await this.#host.load(request.model, nCtx);
    const s = request.sampling ?? {};
    const generation = this.#host.serving().chat(request.messages, {
      ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
      ...(s.topP === undefined ? {} : { topP: s.topP }),
      ...(s.maxTokens === undefined ? {} : { maxTokens: s.maxTokens }),
      ...(s.seed === undefined ? {} : { seed: s.seed }),
      ...(s.stop === undefined ? {} : { stop: s.stop }),
      ...(request.responseFormat
        ? { grammar: jsonSchemaToGrammar(request.responseFormat.json_schema.schema) }
        : {}),
      signal: request.signal,
      loras: this.#host.activeLoras,
    });
    for await (const piece of generation) {
      if (piece.text) yield { text: piece.text };
    }
    const { text, finishReason, metrics: m } = await generation.result;
    return {
      text,
      finishReason,
      metrics: {
        promptTokens: m.promptTokens,
        cachedTokens: m.cachedTokens,
        completionTokens: m.generatedTokens,
        ttftMs: m.ttftMs,
        genTokPerSec: m.genTokPerSec,
      },
      retries: 0,
    };
  }
}
