/**
 * The open chat: its settings, its message tree, the branch shown, and the actions that add to
 * it (send, edit and resend, regenerate, stop, switch branch; the others are in
 * message_actions.ts: edit in place, delete with Undo, continue, fork). A chat that does not exist yet
 * (after "New chat") is a draft: it is created on the first message, as in ChatGPT, so empty
 * chats never pile up in the list.
 *
 * @module
 */
import { computed, createModel, signal } from "@preact/signals";
import type { Api, ApiError, NewImage } from "../api.ts";
import { activePath, deepestLeaf, indexChildren } from "../lib/tree.ts";
import type { Chat, ChatPatch, Message } from "../../api/types.ts";
import type { ChatListStore } from "./chat_list.ts";
import type { GenerationStore } from "./generation.ts";
import { messageActions } from "./message_actions.ts";
import type { Toasts } from "./toasts.ts";

/** What the conversation needs from its sibling stores. */
export type ConversationDeps = {
  chats: () => ChatListStore;
  generation: () => GenerationStore;
  toasts: Toasts;
};

/** Longest automatic title, in characters, taken from the first message. */
const TITLE_CHARS = 48;

/** The conversation store. */
export const ConversationModel = createModel((api: Api, deps: ConversationDeps) => {
  const chat = signal<Chat | null>(null);
  /** Settings chosen before the first message, applied when the chat is created. */
  const draft = signal<ChatPatch>({});
  const messages = signal<ReadonlyMap<string, Message>>(new Map());
  const opening = signal(false);
  /** A message to scroll to and highlight once (a search hit); the view clears it. */
  const highlighted = signal<string | null>(null);
  const children = computed(() => indexChildren(messages.value.values()));
  /** The branch shown, root first. */
  const path = computed(() =>
    activePath(messages.value, children.value, chat.value?.active_leaf_id ?? null)
  );
  const streamingIds = computed(() =>
    [...messages.value.values()].filter((m) => m.state === "streaming").map((m) => m.id)
  );
  const busy = computed(() => streamingIds.value.length > 0);
  /** The newest reply on the branch that has metrics: its tokens fill the context bar. */
  const lastMetrics = computed(() =>
    path.value.findLast((m) => m.role === "assistant" && m.metrics)?.metrics ?? null
  );

  const put = (...list: Message[]) => {
    const next = new Map(messages.value);
    for (const m of list) next.set(m.id, m);
    messages.value = next;
  };
  const setLeaf = (leafId: string) => {
    const current = chat.value;
    if (!current || current.active_leaf_id === leafId) return;
    chat.value = { ...current, active_leaf_id: leafId };
    // Persisted so the chat reopens on this branch; the local value already shows it.
    api.patchChat(current.id, { active_leaf_id: leafId }).catch(deps.toasts.error);
  };
  const follow = (assistant: Message) => {
    setLeaf(assistant.id);
    deps.generation().attach(assistant.id);
  };
  const reset = (next: Chat | null, list: Message[]) => {
    deps.generation().detachAll();
    chat.value = next;
    messages.value = new Map(list.map((m) => [m.id, m]));
    for (const m of list) if (m.state === "streaming") deps.generation().attach(m.id);
  };

  /** Loads chat `id` and shows it, even if it is the open one (after a restore). */
  const reload = async (id: string) => {
    opening.value = true;
    try {
      const loaded = await api.getChat(id);
      reset(loaded.chat, loaded.messages);
    } catch (error) {
      deps.toasts.error(error);
    } finally {
      opening.value = false;
    }
  };
  const open = async (id: string) => {
    if (chat.value?.id !== id) await reload(id);
  };
  const startNew = () => {
    reset(null, []);
    draft.value = {};
  };
  const ensureChat = async (firstMessage: string): Promise<Chat> => {
    if (chat.value) return chat.value;
    const { overflow, active_leaf_id: _, ...settings } = draft.value;
    const title = firstMessage.trim().split("\n")[0].slice(0, TITLE_CHARS);
    let created = await api.createChat({ title, ...settings });
    // The create route takes no overflow policy: it is a separate PATCH.
    if (overflow) created = await api.patchChat(created.id, { overflow });
    chat.value = created;
    deps.chats().upsert(created);
    return created;
  };
  /**
   * Sends `content` after `parentId` (default: the end of the branch shown). Resolves false
   * when it failed (the error is shown), so the composer can give the text back.
   */
  const send = async (
    content: string,
    parentId?: string | null,
    images: readonly NewImage[] = [],
  ): Promise<boolean> => {
    if (!content.trim()) return false;
    try {
      const target = await ensureChat(content);
      const parent = parentId === undefined ? path.value.at(-1)?.id ?? null : parentId;
      const { user, assistant } = await api.sendMessage(target.id, content, parent, images);
      put(user, assistant);
      follow(assistant);
      return true;
    } catch (error) {
      deps.toasts.error(error);
      return false;
    }
  };
  /** Edits a user message by sending a sibling; the old branch stays reachable. */
  const editAndResend = (message: Message, content: string) => send(content, message.parent_id);
  const regenerate = async (messageId: string) => {
    try {
      const { assistant } = await api.regenerate(messageId);
      put(assistant);
      follow(assistant);
    } catch (error) {
      deps.toasts.error(error);
    }
  };
  const stop = async () => {
    for (const id of streamingIds.value) await api.stop(id).catch(deps.toasts.error);
  };
  /** Shows the sibling `step` places from `message` (and that sibling's newest descendants). */
  const switchBranch = (message: Message, step: number) => {
    const siblings = children.value.get(message.parent_id) ?? [];
    const target = siblings[siblings.findIndex((m) => m.id === message.id) + step];
    if (target) setLeaf(deepestLeaf(children.value, target.id));
  };
  // Saves can finish out of order; only the newest one's answer replaces the shown chat, so an
  // older answer never undoes a newer change on screen.
  let patchesSent = 0;
  const patch = async (change: ChatPatch) => {
    const current = chat.value;
    if (!current) return void (draft.value = { ...draft.value, ...change });
    chat.value = { ...current, ...change };
    const sent = ++patchesSent;
    try {
      const saved = await api.patchChat(current.id, change);
      if (chat.value?.id === saved.id && sent === patchesSent) chat.value = saved;
      deps.chats().upsert(saved);
    } catch (error) {
      if (chat.value?.id === current.id) chat.value = current;
      deps.toasts.error(error);
    }
  };
  const finished = (message: Message) => {
    if (message.chat_id === chat.value?.id) put(message);
  };
  const failed = (messageId: string, error: ApiError, text: string) => {
    const message = messages.value.get(messageId);
    if (message) {
      // The reason stays on the message after the toast is gone (the server stores it too).
      put({ ...message, content: text || message.content, state: "error", error: error.message });
    }
    deps.toasts.error(error);
  };
  /**
   * Shows the branch that contains `messageId` (its newest descendants below it) and marks it
   * to be scrolled to and highlighted: opening a search hit that is on another branch.
   */
  const reveal = (messageId: string) => {
    if (!messages.value.has(messageId)) return;
    setLeaf(deepestLeaf(children.value, messageId));
    highlighted.value = messageId;
  };
  /** Closes the chat if it was deleted. */
  const removed = (id: string) => {
    if (chat.value?.id === id) startNew();
  };
  /** Shows a change made elsewhere (a rename in the sidebar) if it is the open chat. */
  const changed = (saved: Chat) => {
    if (chat.value?.id === saved.id) chat.value = { ...chat.value, title: saved.title };
  };
  const actions = messageActions(api, { chat, messages, put, follow, reload, deps });
  return {
    chat,
    draft,
    messages,
    opening,
    highlighted,
    children,
    path,
    streamingIds,
    busy,
    lastMetrics,
    open,
    startNew,
    send,
    /** The URL of image `n` of message `messageId`. */
    imageUrl: (messageId: string, n: number) => api.imageUrl(messageId, n),
    editAndResend,
    regenerate,
    stop,
    switchBranch,
    reveal,
    patch,
    finished,
    failed,
    removed,
    changed,
    ...actions,
  };
});

/** An instance of {@link ConversationModel}. */
export type ConversationStore = InstanceType<typeof ConversationModel>;
