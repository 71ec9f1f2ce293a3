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
import { LLAMA_DEFAULT_SEED } from "../engine/sampling.ts";
import type { GenerationResult } from "../engine/types.ts";
import { ContextOverflowError } from "../engine/errors.ts";
import {
  type Chat,
  DEFAULT_OVERFLOW,
  type Message,
  type Overflow,
  type Sampling,
  type Settings,
  type Storage,
} from "../storage/mod.ts";
import { ReplyBusyError } from "./errors.ts";
import { continuationPrompt } from "./continuation_prompt.ts";
import type { ModelHost } from "./model_host.ts";
import { ProviderError } from "./providers/errors.ts";
import { runRemoteReply } from "./providers/remote_reply.ts";
import type { ProviderRegistry } from "./providers/registry.ts";
import type { TokenRate } from "./resources.ts";

/** How often a growing reply is written to the database, in milliseconds. */
export const SAVE_INTERVAL_MS = 200;

/**
 * What a watcher of a reply receives. `waiting`: every slot is busy with other replies
 * (or OpenAI server requests), so this one waits for a slot; `started`: it got one.
 */
export type ReplyEvent =
  | { type: "waiting" }
  | { type: "started" }
  /** `tokens`: tokens generated with this text (a local model's; absent for a provider's). */
  | { type: "delta"; text: string; tokens?: number }
  | { type: "done"; message: Message }
  | { type: "error"; message: string; errorType: string };

interface Job {
  chatId: string;
  /** Appends to the reply's stored text ("Continue") instead of answering anew. */
  continuation: boolean;
  content: string;
  /** Tokens generated so far (local models; 0 for a provider's reply). */
  tokens: number;
  /** Waiting for a slot. */
  waiting: boolean;
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

/** What a reply is generated with; stored on its message (`model`, `sampling`, provenance). */
export interface ReplySettings {
  /** Path of the model file, or the remote provider's model id. */
  model: string;
  /** "remote" when a provider generates it (the chat's model is `provider:model`). */
  backend: "local" | "remote";
  /** The provider's name, for backend "remote". */
  provider?: string;
  /** Every sampling field; `seed` is concrete (never -1), so the reply can be reproduced. */
  sampling: Required<Sampling>;
}

/** Runs replies, one job per assistant message. */
export class ReplyRunner {
  readonly #storage: Storage;
  readonly #host: ModelHost;
  readonly #rate: TokenRate;
  readonly #defaultModel: () => string;
  readonly #providers: ProviderRegistry | undefined;
  readonly #jobs = new Map<string, Job>();

  /**
   * `defaultModel` gives the model path for chats and settings that name none; a chat
   * model `provider:model` of one of `providers` runs on that provider.
   */
  constructor(
    storage: Storage,
    host: ModelHost,
    rate: TokenRate,
    defaultModel: () => string,
    providers?: ProviderRegistry,
  ) {
    this.#storage = storage;
    this.#host = host;
    this.#rate = rate;
    this.#defaultModel = defaultModel;
    this.#providers = providers;
  }

  /**
   * What a new reply in `chat` is generated with: the chat's model and sampling where it
   * sets them, else the settings' defaults; a random seed (-1) is drawn now. Store it on the
   * reply's message: {@link start} generates with what is stored.
   */
  replySettings(chat: Chat): ReplySettings {
    const settings = this.#storage.settings.get();
    const sampling = { ...settings.sampling, ...chat.sampling };
    if (sampling.seed === -1) sampling.seed = randomSeed();
    const model = this.#modelPath(chat, settings);
    const remote = this.#providers?.resolve(model);
    return remote
      ? { model: remote.model, backend: "remote", provider: remote.provider, sampling }
      : { model, backend: "local", sampling };
  }

  /** How many replies are being generated now, in every chat (the queue depth). */
  get running(): number {
    return this.#jobs.size;
  }

  /** Whether a reply of `chatId` is being generated. */
  busy(chatId: string): boolean {
    return [...this.#jobs.values()].some((job) => job.chatId === chatId);
  }

  /**
   * Starts generating the streaming assistant message `message`, with its stored `model` and
   * `sampling` (from {@link replySettings}); missing ones come from the chat and settings.
   * With `continuation` the reply goes on from its stored text (local models only): the
   * prompt ends inside the reply's turn (app/continuation_prompt.ts).
   */
  start(message: Message, options: { continuation?: boolean } = {}): void {
    if (this.#jobs.has(message.id)) {
      throw new ReplyBusyError(message.id, "This reply is already being generated");
    }
    const job: Job = {
      chatId: message.chat_id,
      continuation: options.continuation ?? false,
      content: message.content,
      tokens: 0,
      waiting: false,
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
   * Follows a running reply: returns the text so far, the tokens generated so far, whether
   * it waits for a slot, and a function that stops watching; null when the reply is not
   * running.
   */
  watch(
    messageId: string,
    watcher: (event: ReplyEvent) => void,
  ): { content: string; tokens: number; waiting: boolean; unwatch: () => void } | null {
    const job = this.#jobs.get(messageId);
    if (!job) return null;
    job.watchers.add(watcher);
    return {
      content: job.content,
      tokens: job.tokens,
      waiting: job.waiting,
      unwatch: () => job.watchers.delete(watcher),
    };
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
      const sampling = { ...settings.sampling, ...chat.sampling, ...message.sampling };
      const prompt = this.#prompt(chat.system_prompt || settings.system_prompt, message);
      if (message.backend === "remote") {
        if (!this.#providers) {
          throw new TypeError("Cannot generate on a provider: none are configured");
        }
        await runRemoteReply(this.#storage, this.#providers, message, job, prompt, sampling, emit);
        return;
      }
      const path = message.model ?? this.#modelPath(chat, settings);
      // The chat's own n_ctx, else the model's saved one, else the settings' default.
      const nCtx = chat.n_ctx ?? this.#storage.modelOptions.get(path).n_ctx ?? settings.n_ctx;
      if (!this.#host.serves(path, nCtx)) await this.#host.load(path, nCtx);
      const serving = this.#host.serving();
      // Every slot taken: say so until the scheduler admits this reply.
      if (serving.full) {
        job.waiting = true;
        emit({ type: "waiting" });
      }
      const callOptions = {
        ...engineSampling(sampling),
        signal: job.abort.signal,
        loras: this.#host.activeLoras,
        onStart: () => {
          if (!job.waiting) return;
          job.waiting = false;
          emit({ type: "started" });
        },
      };
      // A continuation is a text prompt: "drop the oldest turns" does not apply to it.
      const generation = job.continuation
        ? serving.generate(
          await continuationPrompt(serving.model, prompt, job.content),
          callOptions,
        )
        : serving.chat(prompt, { ...callOptions, overflow: chat.overflow });
      let unsent = 0; // tokens whose pieces had no text yet (a split UTF-8 character)
      for await (const piece of generation) {
        this.#rate.add(1);
        job.tokens++;
        unsent++;
        if (!piece.text) continue;
        job.content += piece.text;
        emit({ type: "delta", text: piece.text, tokens: unsent });
        unsent = 0;
        if (performance.now() - lastSave >= SAVE_INTERVAL_MS) {
          messages.updateContent(message.id, job.content);
          lastSave = performance.now();
        }
      }
      const result = await generation.result;
      this.#rate.addReply(result.metrics.ttftMs, result.metrics.genTokPerSec);
      emit({
        type: "done",
        message: messages.finish(message.id, finished(job.content, result, nCtx)),
      });
    } catch (error) {
      const overflow = error instanceof ContextOverflowError;
      const text = overflow
        ? overflowMessage(error, this.#overflowOf(message.chat_id))
        : error instanceof Error
        ? error.message
        : String(error);
      const type = overflow
        ? "exceed_context_size"
        : error instanceof ProviderError
        ? "upstream_error"
        : "server_error";
      // A provider that failed mid-reply (a dropped stream) leaves a partial reply.
      const state = error instanceof ProviderError && job.content ? "incomplete" : "error";
      try {
        messages.finish(message.id, {
          state,
          content: job.content,
          ...(state === "error" ? { error: text } : {}),
        });
      } catch {
        // The message is gone (chat deleted meanwhile): nothing to keep.
      }
      emit({ type: "error", message: text, errorType: type });
    }
  }

  /** The chat's overflow policy; the default when the chat is gone. */
  #overflowOf(chatId: string): Overflow {
    return this.#storage.chats.get(chatId)?.overflow ?? DEFAULT_OVERFLOW;
  }

  /** The chat's model, else the settings' default model, else the bundled one. */
  #modelPath(chat: Chat, settings: Settings): string {
    return chat.model ?? settings.default_model ?? this.#defaultModel();
  }

  /** The branch that `reply` answers, after `systemPrompt` ("" = none). */
  #prompt(systemPrompt: string, reply: Message): ChatMessage[] {
    const branch = reply.parent_id ? this.#storage.messages.path(reply.parent_id) : [];
    const system: ChatMessage[] = systemPrompt ? [{ role: "system", content: systemPrompt }] : [];
    const images = this.#storage.images.counts(branch.map((m) => m.id));
    return [
      ...system,
      ...branch.map((m): ChatMessage => {
        const turn: ChatMessage = { role: m.role, content: m.content };
        // Only user messages carry images; they go to the model's mmproj.
        if (images.has(m.id)) turn.images = this.#storage.images.list(m.id).map((i) => i.data);
        return turn;
      }),
    ];
  }
}

/**
 * A context overflow in the UI's words (the engine's message names its options). With
 * "drop the oldest messages" chosen, only the system prompt and the last message were left
 * and still did not fit, so the message never suggests choosing it.
 *
 * @param error the engine's error, with the counts
 * @param overflow the chat's policy
 * @returns the message stored with the failed reply and sent to the UI
 */
export function overflowMessage(error: ContextOverflowError, overflow: Overflow): string {
  const counts = `${error.nPromptTokens} tokens, and the context holds ${error.nCtx}`;
  if (overflow === "truncate-oldest") {
    return `The system prompt and the last message need ${counts}. Shorten them or raise ` +
      `the context length in Chat settings.`;
  }
  return `This chat needs ${counts}. Raise the context length, shorten the messages, or ` +
    `choose "Drop the oldest messages" under "When full" in Chat settings.`;
}

/** A uint32 seed other than `LLAMA_DEFAULT_SEED` (which means "draw one"). */
function randomSeed(): number {
  const seed = new Uint32Array(1);
  do crypto.getRandomValues(seed); while (seed[0] === LLAMA_DEFAULT_SEED);
  return seed[0];
}

/** The finished reply's fields; `nCtx` is the context size it ran with, in tokens. */
function finished(content: string, result: GenerationResult, nCtx: number) {
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
      // Kept only when a draft model ran (speculative decoding), in llama-server's names.
      duration_ms: m.ttftMs + m.genMs,
      n_ctx: nCtx,
      ...(m.draftTokens === undefined
        ? {}
        : { draft_n: m.draftTokens, draft_n_accepted: m.draftAcceptedTokens ?? 0 }),
    },
  };
}
