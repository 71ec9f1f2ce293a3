/**
 * Generates assistant replies in the background: renders the chat's active branch
 * through the loaded model, streams pieces to whoever watches (SSE), saves the reply
 * as it grows (so a crash keeps it, marked incomplete on the next start), and stores
 * the finish reason and metrics at the end.
 *
 * @module
 */
import type { ChatMessage } from "../engine/chat_template.ts";
import type { GenerateOptions } from "../engine/generate_options.ts";
import type { GenerationResult } from "../engine/types.ts";
import type { Chat, Message, Sampling, Settings, Storage } from "../storage/mod.ts";
import { conflict } from "./http_error.ts";
import type { ModelHost } from "./model_host.ts";
import type { TokenRate } from "./resources.ts";

/** How often a growing reply is written to the database, in milliseconds. */
export const SAVE_INTERVAL_MS = 200;

/** What a watcher of a reply receives. */
export type ReplyEvent =
  | { type: "delta"; text: string }
  | { type: "done"; message: Message }
  | { type: "error"; message: string; errorType: string };

interface Job {
  chatId: string;
  content: string;
  abort: AbortController;
  watchers: Set<(event: ReplyEvent) => void>;
}

/** Maps the wire's sampling spelling to the engine's options. */
export function engineSampling(sampling: Required<Sampling>): GenerateOptions {
  return {
    temperature: sampling.temperature,
    topP: sampling.top_p,
    topK: sampling.top_k,
    minP: sampling.min_p,
    repeatPenalty: sampling.repeat_penalty,
    maxTokens: sampling.max_tokens,
    ...(sampling.seed === -1 ? {} : { seed: sampling.seed }),
  };
}

/** Runs replies, one job per assistant message. */
export class ReplyRunner {
  readonly #storage: Storage;
  readonly #host: ModelHost;
  readonly #rate: TokenRate;
  readonly #defaultModel: () => string;
  readonly #jobs = new Map<string, Job>();

  /** `defaultModel` gives the model path for chats and settings that name none. */
  constructor(storage: Storage, host: ModelHost, rate: TokenRate, defaultModel: () => string) {
    this.#storage = storage;
    this.#host = host;
    this.#rate = rate;
    this.#defaultModel = defaultModel;
  }

  /** Whether a reply of `chatId` is being generated. */
  busy(chatId: string): boolean {
    return [...this.#jobs.values()].some((job) => job.chatId === chatId);
  }

  /** Starts generating the streaming assistant message `message`. */
  start(message: Message): void {
    if (this.#jobs.has(message.id)) throw conflict("This reply is already being generated");
    const job: Job = {
      chatId: message.chat_id,
      content: message.content,
      abort: new AbortController(),
      watchers: new Set(),
    };
    this.#jobs.set(message.id, job);
    this.#run(message, job).finally(() => this.#jobs.delete(message.id));
  }

  /** Stops a running reply; false when it is not running. */
  stop(messageId: string): boolean {
    const job = this.#jobs.get(messageId);
    job?.abort.abort();
    return job !== undefined;
  }

  /** Stops every reply (app shutdown). */
  stopAll(): void {
    for (const job of this.#jobs.values()) job.abort.abort();
  }

  /**
   * Follows a running reply: returns the text so far and a function that stops
   * watching, or null when the reply is not running.
   */
  watch(
    messageId: string,
    watcher: (event: ReplyEvent) => void,
  ): { content: string; unwatch: () => void } | null {
    const job = this.#jobs.get(messageId);
    if (!job) return null;
    job.watchers.add(watcher);
    return { content: job.content, unwatch: () => job.watchers.delete(watcher) };
  }

  async #run(message: Message, job: Job): Promise<void> {
    const messages = this.#storage.messages;
    const emit = (event: ReplyEvent) => {
      for (const watcher of job.watchers) watcher(event);
    };
    let lastSave = performance.now();
    try {
      const chat = this.#storage.chats.require(message.chat_id);
      const settings = this.#storage.settings.get();
      const sampling = { ...settings.sampling, ...chat.sampling };
      await this.#ensureModel(chat, settings);
      const generation = this.#host.context().chat(this.#prompt(chat, message), {
        ...engineSampling(sampling),
        overflow: chat.overflow,
        signal: job.abort.signal,
      });
      for await (const piece of generation) {
        this.#rate.add(1);
        if (!piece.text) continue;
        job.content += piece.text;
        emit({ type: "delta", text: piece.text });
        if (performance.now() - lastSave >= SAVE_INTERVAL_MS) {
          messages.updateContent(message.id, job.content);
          lastSave = performance.now();
        }
      }
      const result = await generation.result;
      emit({ type: "done", message: messages.finish(message.id, finished(job.content, result)) });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      const type = error instanceof RangeError && error.name === "ContextOverflowError"
        ? "exceed_context_size"
        : "server_error";
      try {
        messages.finish(message.id, { state: "error", content: job.content });
      } catch {
        // The message is gone (chat deleted meanwhile): nothing to keep.
      }
      emit({ type: "error", message: text, errorType: type });
    }
  }

  /** Loads the chat's model and context size when the loaded ones differ. */
  async #ensureModel(chat: Chat, settings: Settings): Promise<void> {
    const path = chat.model ?? settings.default_model ?? this.#defaultModel();
    const nCtx = chat.n_ctx ?? settings.n_ctx;
    if (!this.#host.serves(path, nCtx)) await this.#host.load(path, nCtx);
  }

  #prompt(chat: Chat, reply: Message): ChatMessage[] {
    const branch = reply.parent_id ? this.#storage.messages.path(reply.parent_id) : [];
    const system: ChatMessage[] = chat.system_prompt
      ? [{ role: "system", content: chat.system_prompt }]
      : [];
    return [...system, ...branch.map((m) => ({ role: m.role, content: m.content }))];
  }
}

function finished(content: string, result: GenerationResult) {
  const m = result.metrics;
  return {
    state: result.finishReason === "abort" ? "incomplete" as const : "complete" as const,
    finish_reason: result.finishReason,
    content,
    dropped_messages: result.droppedMessages,
    metrics: {
      prompt_tokens: m.promptTokens,
      cached_tokens: m.cachedTokens,
      completion_tokens: m.generatedTokens,
      ttft_ms: m.ttftMs,
      prompt_tok_per_sec: m.promptTokPerSec,
      gen_tok_per_sec: m.genTokPerSec,
    },
  };
}
