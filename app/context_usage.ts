/**
 * How much of the context a chat's next prompt takes, counted with the loaded model's own
 * chat template and tokenizer: the context bar and the composer's count and warning show it.
 *
 * @module
 */
import type { ChatMessage } from "../engine/chat_template.ts";
import type { Model } from "../engine/model.ts";
import { DisposedError } from "../engine/errors.ts";
import type { Message, Overflow, Storage } from "../storage/mod.ts";
import { DEFAULT_OVERFLOW } from "../storage/mod.ts";
import type { ModelHost } from "./model_host.ts";
import type { ProviderRegistry } from "./providers/registry.ts";

/** What to measure (docs/ui-api.md `POST /api/context`). */
export interface ContextUsageRequest {
  /** The chat; null or absent for a chat not created yet (only `draft` and `systemPrompt`). */
  chatId?: string | null;
  /** The last message of the branch counted; default the chat's active leaf. */
  leafId?: string | null;
  /** A message being typed, counted as the next user message. Default none. */
  draft?: string;
  /** The system prompt of a chat not created yet. Default the settings' system prompt. */
  systemPrompt?: string;
  /** The overflow policy of a chat not created yet. Default {@link DEFAULT_OVERFLOW}. */
  overflow?: Overflow;
}

/** The answer (docs/ui-api.md `ContextUsage`); token counts are null when no local model is loaded. */
export interface ContextUsage {
  /** Tokens of the next prompt: system prompt, branch, draft and the reply's opening. */
  prompt_tokens: number | null;
  /**
   * Tokens of the system prompt and the last turn alone (the draft, else the branch's last
   * user message and what follows it): what "drop the oldest turns" can never drop.
   */
  min_prompt_tokens: number | null;
  /** Tokens one reply's slot holds (the loaded model's n_ctx per slot). */
  n_ctx: number | null;
  /** The chat's overflow policy: with "truncate-oldest" only `min_prompt_tokens` must fit. */
  overflow: Overflow;
}

/**
 * Measures the next prompt of a chat (or of a draft chat) with the loaded local model.
 *
 * @throws {NotFoundError} when `chatId` or `leafId` names nothing.
 * @throws {EngineError} when the model's template does not render.
 */
export async function measureContext(
  deps: { storage: Storage; host: ModelHost; providers?: ProviderRegistry },
  request: ContextUsageRequest,
): Promise<ContextUsage> {
  const { storage, host } = deps;
  const chat = request.chatId ? storage.chats.require(request.chatId) : null;
  const settings = storage.settings.get();
  const overflow = chat?.overflow ?? request.overflow ?? DEFAULT_OVERFLOW;
  const model = host.model;
  const nCtx = host.loaded?.n_ctx ?? null;
  // A chat on a remote provider is not measured with the local model's tokenizer.
  const remote = chat?.model ? deps.providers?.resolve(chat.model) : null;
  if (!model || nCtx === null || remote) {
    return { prompt_tokens: null, min_prompt_tokens: null, n_ctx: null, overflow };
  }
  const system = chat ? chat.system_prompt || settings.system_prompt : request.systemPrompt ??
    settings.system_prompt;
  const leaf = request.leafId !== undefined ? request.leafId : chat?.active_leaf_id ?? null;
  const branch: Message[] = chat && leaf ? storage.messages.path(leaf) : [];
  const head: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
  const turns: ChatMessage[] = branch.map((m) => ({ role: m.role, content: m.content }));
  const draft = request.draft?.trim() ? request.draft : null;
  if (draft) turns.push({ role: "user", content: draft });
  const lastUser = turns.findLastIndex((m) => m.role === "user");
  const all = [...head, ...turns];
  const last = [...head, ...turns.slice(Math.max(0, lastUser))];
  try {
    const prompt = await countPrompt(model, all);
    const min = last.length === all.length ? prompt : await countPrompt(model, last);
    return { prompt_tokens: prompt, min_prompt_tokens: min, n_ctx: nCtx, overflow };
  } catch (error) {
    // The model was unloaded while counting (a reload for new settings): nothing to count
    // against, as when no model is loaded; the bar asks again once the next one is in.
    if (error instanceof DisposedError) {
      return { prompt_tokens: null, min_prompt_tokens: null, n_ctx: null, overflow };
    }
    throw error;
  }
}

/** Tokens of `messages` rendered as the engine renders a chat prompt (BOS counted once). */
async function countPrompt(model: Model, messages: ChatMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const text = await model.applyChatTemplate(messages, { addGenerationPrompt: true });
  const tokens = await model.tokenize(text, { addSpecial: false, parseSpecial: true });
  const bos = model.info.bos;
  return tokens.length + (bos >= 0 && tokens[0] !== bos ? 1 : 0);
}
