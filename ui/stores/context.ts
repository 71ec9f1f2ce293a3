/**
 * How full the open chat's context is, live: the server counts the branch's next prompt with
 * the loaded model's template and tokenizer (so an imported chat, which has no metrics, is
 * counted too), and while a reply streams its generated tokens are added as they arrive.
 * The composer's text is measured as well (debounced), for its token count and the warning
 * before sending a message that cannot fit.
 *
 * @module
 */
import { computed, createModel, effect, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { ContextUsage } from "../../api/types.ts";
import type { ConversationStore } from "./conversation.ts";
import type { GenerationStore } from "./generation.ts";
import type { ModelsStore } from "./models.ts";

/** Pause in typing before the composer's text is measured, in milliseconds. */
export const DRAFT_MEASURE_MS = 300;

/** What the context store follows. */
export type ContextDeps = {
  conversation: ConversationStore;
  generation: GenerationStore;
  models: ModelsStore;
};

/** A warning about the message being typed: it cannot fit, or older turns will be dropped. */
export type DraftNotice = { level: "error" | "info"; text: string };

/** The context store. */
export const ContextModel = createModel((api: Api, deps: ContextDeps) => {
  const { conversation, generation, models } = deps;
  /** The branch's next prompt as last measured (without the draft). */
  const measured = signal<ContextUsage | null>(null);
  /** The composer's text. */
  const draft = signal("");
  /** The next prompt with the draft as its last user message. */
  const draftUsage = signal<ContextUsage | null>(null);

  /** What is measured; a change of any part measures again. */
  const target = computed(() => {
    const chat = conversation.chat.value;
    const leaf = conversation.path.value.at(-1) ?? null;
    // A streaming reply is counted as its prompt plus the tokens streamed so far.
    const streaming = leaf?.state === "streaming" ? leaf : null;
    const loaded = models.loaded.value;
    const settings = chat ?? conversation.draft.value;
    return {
      chatId: chat?.id ?? null,
      leafId: streaming ? streaming.parent_id : leaf?.id ?? null,
      streamingId: streaming?.id ?? null,
      key: JSON.stringify([
        chat?.id,
        streaming ? streaming.parent_id : leaf?.id,
        leaf?.state,
        settings.system_prompt,
        settings.overflow,
        chat?.model,
        loaded?.path,
        loaded?.n_ctx,
      ]),
    };
  });
  const draftRequest = (text: string) => {
    const t = target.peek();
    const chat = conversation.chat.peek();
    const settings = conversation.draft.peek();
    return {
      chat_id: t.chatId,
      ...(t.chatId ? { leaf_id: t.streamingId ?? t.leafId } : {}),
      draft: text,
      ...(chat ? {} : {
        ...(settings.system_prompt ? { system_prompt: settings.system_prompt } : {}),
        ...(settings.overflow ? { overflow: settings.overflow } : {}),
      }),
    };
  };

  // Answers can come back out of order: only the newest request's answer is kept.
  let measures = 0;
  let draftMeasures = 0;
  const measure = async () => {
    const t = target.peek();
    const sent = ++measures;
    if (!models.loaded.peek()) return void (measured.value = null);
    try {
      const usage = await api.measureContext({ chat_id: t.chatId, leaf_id: t.leafId });
      if (sent === measures) measured.value = usage;
    } catch {
      // A chat deleted meanwhile, or no model: the bar shows nothing rather than a toast.
      if (sent === measures) measured.value = null;
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const measureDraft = async () => {
    const text = draft.peek();
    const sent = ++draftMeasures;
    if (!text.trim() || !models.loaded.peek()) return void (draftUsage.value = null);
    try {
      const usage = await api.measureContext(draftRequest(text));
      if (sent === draftMeasures) draftUsage.value = usage;
    } catch {
      if (sent === draftMeasures) draftUsage.value = null;
    }
  };
  const scheduleDraft = () => {
    clearTimeout(timer);
    timer = setTimeout(measureDraft, DRAFT_MEASURE_MS);
  };
  const stops = [
    effect(() => {
      target.value.key; // subscribes: a new branch, leaf, model or system prompt
      measure();
      if (draft.peek().trim()) scheduleDraft();
    }),
  ];

  /** Tokens in the context now: the measured prompt plus a streaming reply's tokens so far. */
  const used = computed(() => {
    const usage = measured.value;
    if (usage?.prompt_tokens == null) return null;
    const streamingId = target.value.streamingId;
    const streamed = streamingId ? generation.tokens.value.get(streamingId)?.value ?? 0 : 0;
    return usage.prompt_tokens + streamed;
  });
  /** n_ctx of one reply's slot, when a local model is loaded. */
  const nCtx = computed(() => measured.value?.n_ctx ?? models.loaded.value?.n_ctx ?? null);
  /** Tokens the typed message adds (with its turn's markup); null before it is measured. */
  const draftTokens = computed(() => {
    const withDraft = draftUsage.value?.prompt_tokens;
    const base = measured.value?.prompt_tokens;
    if (withDraft == null || base == null || !draft.value.trim()) return null;
    return Math.max(0, withDraft - base);
  });
  /** Whether the typed message can be sent, in the UI's words. */
  const notice = computed((): DraftNotice | null => {
    const usage = draftUsage.value;
    if (!usage || usage.prompt_tokens == null || usage.n_ctx == null || !draft.value.trim()) {
      return null;
    }
    const n = usage.n_ctx;
    if (usage.overflow === "truncate-oldest") {
      if (usage.min_prompt_tokens! >= n) {
        return {
          level: "error",
          text: `This message does not fit: with the system prompt it needs ` +
            `${usage.min_prompt_tokens} tokens and the context holds ${n}. Shorten it or raise ` +
            `the context length in Chat settings.`,
        };
      }
      if (usage.prompt_tokens >= n) {
        return {
          level: "info",
          text: "The oldest messages will be left out of the context to make room for this one.",
        };
      }
      return null;
    }
    if (usage.prompt_tokens < n) return null;
    return {
      level: "error",
      text: `This message does not fit: the chat would need ${usage.prompt_tokens} tokens and ` +
        `the context holds ${n}. Shorten it, raise the context length, or choose "Drop the ` +
        `oldest messages" under "When full" in Chat settings.`,
    };
  });

  /** The composer's text changed: measure it after a pause in typing. */
  const setDraft = (text: string) => {
    draft.value = text;
    if (!text.trim()) {
      clearTimeout(timer);
      draftMeasures++;
      draftUsage.value = null;
      return;
    }
    scheduleDraft();
  };
  /** Stops following (tests). */
  const dispose = () => {
    clearTimeout(timer);
    for (const stop of stops) stop();
  };
  return { measured, used, nCtx, draft, draftUsage, draftTokens, notice, setDraft, dispose };
});

/** An instance of {@link ContextModel}. */
export type ContextStore = InstanceType<typeof ContextModel>;
