/**
 * The OpenAI API's backend over a scheduler-backed {@link ServingContext}: requests
 * share the model through continuous batching over its slots.
 *
 * @module
 */
import type { ChatMessage } from "../../engine/chat_template.ts";
import type { ChatOptions, GenerateOptions } from "../../engine/generate_options.ts";
import type { Generation } from "../../engine/generation.ts";
import type { ServingContext } from "../../engine/serving.ts";
import type { ModelInfo } from "../../engine/types.ts";
import type { BackendCallOptions, CompletionBackend } from "./backend.ts";
import { ServedLoras } from "./loras.ts";

/** Serves a model's slots to API clients. */
export class ServingBackend implements CompletionBackend {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly info: ModelInfo;
  readonly nCtx: number;
  readonly loras: ServedLoras;
  readonly #serving: ServingContext;

  /**
   * Serves `serving` under the model id `id`, with its LoRA adapters (default none)
   * and other names requests may use (`aliases`, default none).
   */
  constructor(
    id: string,
    serving: ServingContext,
    loras: ServedLoras = new ServedLoras(),
    aliases: readonly string[] = [],
  ) {
    this.id = id;
    this.aliases = aliases;
    this.loras = loras;
    this.info = serving.model.info;
    this.nCtx = serving.context.info.nCtxSeq;
    this.#serving = serving;
  }

  /** Whether the model has an mmproj loaded. */
  get vision(): boolean {
    return this.#serving.model.mmproj !== undefined;
  }

  chat(messages: readonly ChatMessage[], options: ChatOptions & BackendCallOptions): Generation {
    return this.#serving.chat(messages, options);
  }

  generate(
    prompt: string | readonly number[],
    options: GenerateOptions & BackendCallOptions,
  ): Generation {
    return this.#serving.generate(prompt, options);
  }

  tokenize(text: string): Promise<number[]> {
    return this.#serving.model.tokenize(text, { addSpecial: false });
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    return this.#serving.model.embed(texts, { normalize: true });
  }

  load(): { queued: number; slotsBusy: number; slotsTotal: number } {
    return this.#serving.load();
  }

  stalledMs(): number {
    return this.#serving.stalledMs();
  }
}
