/**
 * A scripted stand-in for {@link Api} for store tests: records calls, answers with the
 * shapes of docs/ui-api.md, and lets the test drive message streams by hand.
 *
 * @module
 */
import type { Api, MessageStreamHandlers } from "../api.ts";
import type { Chat, ContextRequest, ContextUsage, Message } from "../../api/types.ts";

/** A chat as the server would create it. */
export function fakeChat(id: string, extra: Partial<Chat> = {}): Chat {
  return {
    id,
    title: "",
    created_at: 1,
    updated_at: 1,
    model: null,
    system_prompt: "",
    sampling: {},
    n_ctx: null,
    overflow: "truncate-oldest",
    active_leaf_id: null,
    ...extra,
  };
}

/** A message as the server would store it. */
export function fakeMessage(
  id: string,
  parent: string | null,
  extra: Partial<Message> = {},
): Message {
  return {
    id,
    chat_id: "c1",
    parent_id: parent,
    role: "user",
    content: id,
    model: null,
    sampling: null,
    metrics: null,
    created_at: Number(id.replace(/\D/g, "")) || 0,
    state: "complete",
    finish_reason: null,
    ...extra,
  };
}

/**
 * The fake: `calls` lists "METHOD args" lines; `streams` holds open stream handlers by id;
 * `measures` lists the bodies of `measureContext`, answered by `context.answer` (settable).
 */
export function fakeApi(chats: Chat[] = [], messages: Message[] = []) {
  const calls: string[] = [];
  const measures: ContextRequest[] = [];
  const context = {
    answer: (_body: ContextRequest): ContextUsage => ({
      prompt_tokens: null,
      min_prompt_tokens: null,
      n_ctx: null,
      overflow: "truncate-oldest",
    }),
  };
  const streams = new Map<string, MessageStreamHandlers>();
  let next = 100;
  const api = {
    listChats: (q = "") => (calls.push(`listChats ${q}`), Promise.resolve({ chats })),
    createChat: (body: Partial<Chat>) => {
      calls.push(`createChat ${JSON.stringify(body)}`);
      return Promise.resolve(fakeChat("c1", body));
    },
    getChat: (id: string) => {
      calls.push(`getChat ${id}`);
      return Promise.resolve({ chat: chats.find((c) => c.id === id) ?? fakeChat(id), messages });
    },
    patchChat: (id: string, patch: Partial<Chat>) => {
      calls.push(`patchChat ${id} ${JSON.stringify(patch)}`);
      return Promise.resolve(fakeChat(id, patch));
    },
    deleteChat: (id: string) => (calls.push(`deleteChat ${id}`), Promise.resolve()),
    restoreChat: (id: string) => (calls.push(`restoreChat ${id}`), Promise.resolve()),
    imageUrl: (messageId: string, n: number) => `/api/messages/${messageId}/images/${n}`,
    sendMessage: (chatId: string, content: string, parentId: string | null) => {
      calls.push(`sendMessage ${chatId} ${parentId}`);
      const user = fakeMessage(`u${next++}`, parentId, { chat_id: chatId, content });
      const assistant = fakeMessage(`a${next++}`, user.id, {
        chat_id: chatId,
        role: "assistant",
        content: "",
        state: "streaming",
      });
      return Promise.resolve({ user, assistant });
    },
    regenerate: (id: string) => {
      calls.push(`regenerate ${id}`);
      const old = messages.find((m) => m.id === id);
      const assistant = fakeMessage(`a${next++}`, old?.parent_id ?? null, {
        role: "assistant",
        state: "streaming",
      });
      return Promise.resolve({ assistant });
    },
    stop: (id: string) => (calls.push(`stop ${id}`), Promise.resolve()),
    editMessage: (id: string, content: string) => {
      calls.push(`editMessage ${id} ${content}`);
      const old = messages.find((m) => m.id === id);
      return Promise.resolve({ ...(old ?? fakeMessage(id, null)), content });
    },
    deleteMessage: (id: string) => {
      calls.push(`deleteMessage ${id}`);
      const old = messages.find((m) => m.id === id);
      const chat = chats.find((c) => c.id === (old?.chat_id ?? "c1")) ?? fakeChat("c1");
      return Promise.resolve({
        undo_id: `undo-${id}`,
        deleted: 2,
        chat: { ...chat, active_leaf_id: old?.parent_id ?? null },
      });
    },
    restoreMessages: (undoId: string) => {
      calls.push(`restoreMessages ${undoId}`);
      return Promise.resolve(chats[0] ?? fakeChat("c1"));
    },
    continueReply: (id: string) => {
      calls.push(`continueReply ${id}`);
      const old = messages.find((m) => m.id === id) ?? fakeMessage(id, null);
      return Promise.resolve({ assistant: { ...old, state: "streaming" as const } });
    },
    forkChat: (id: string) => {
      calls.push(`forkChat ${id}`);
      return Promise.resolve(fakeChat("f1", { title: "Plans (fork)" }));
    },
    streamMessage: (id: string, on: MessageStreamHandlers) => {
      calls.push(`stream ${id}`);
      streams.set(id, on);
      return () => streams.delete(id);
    },
    modelOptions: (path: string) => Promise.resolve({ path, options: {} }),
    modelDevices: () => Promise.resolve({ devices: [] }),
    setModelOptions: (path: string, options: unknown) => {
      calls.push(`setModelOptions ${path} ${JSON.stringify(options)}`);
      return Promise.resolve({ path, options });
    },
    measureContext: (body: ContextRequest) => {
      measures.push(body);
      return Promise.resolve(context.answer(body));
    },
  };
  return { api: api as unknown as Api, calls, streams, measures, context };
}
