/**
 * The open chat's message operations besides sending (LM Studio's and Jan's): edit a message's
 * text in place, delete a message and its replies with Undo, continue a reply, fork the branch
 * into a new chat. Part of the conversation store, which passes in what they change.
 *
 * @module
 */
import type { Signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Chat, Message } from "../../api/types.ts";
import type { ConversationDeps } from "./conversation.ts";

/** What the actions use of the conversation store. */
export type MessageActionsContext = {
  chat: Signal<Chat | null>;
  messages: Signal<ReadonlyMap<string, Message>>;
  /** Adds or replaces messages. */
  put(...list: Message[]): void;
  /** Shows reply `assistant` and follows its stream. */
  follow(assistant: Message): void;
  /** Opens chat `id` (again, if it is open: after a restore). */
  reload(id: string): Promise<void>;
  deps: ConversationDeps;
};

/** The message actions of the conversation store; each shows its own errors. */
export function messageActions(api: Api, ctx: MessageActionsContext) {
  const { toasts } = ctx.deps;
  /** Replaces the text of `message` in place: nothing is resent or regenerated. */
  const editInPlace = async (message: Message, content: string): Promise<boolean> => {
    if (!content.trim() || content === message.content) return false;
    ctx.put({ ...message, content });
    try {
      ctx.put(await api.editMessage(message.id, content));
      return true;
    } catch (error) {
      if (ctx.messages.value.has(message.id)) ctx.put(message);
      toasts.error(error);
      return false;
    }
  };
  /** Restores what a deletion removed (the toast's Undo). */
  const undoDelete = async (undoId: string) => {
    try {
      const chat = await api.restoreMessages(undoId);
      if (ctx.chat.value?.id === chat.id) await ctx.reload(chat.id);
    } catch (error) {
      toasts.error(error);
    }
  };
  /** Deletes `message` and every reply under it; the toast offers Undo. */
  const remove = async (message: Message) => {
    let answer;
    try {
      answer = await api.deleteMessage(message.id);
    } catch (error) {
      return toasts.error(error);
    }
    if (ctx.chat.value?.id === answer.chat.id) {
      const gone = subtree(ctx.messages.value, message.id);
      ctx.messages.value = new Map([...ctx.messages.value].filter(([id]) => !gone.has(id)));
      ctx.chat.value = answer.chat;
    }
    const { undo_id: undoId, deleted } = answer;
    toasts.show({
      text: deleted > 1 ? `Deleted ${deleted} messages` : "Deleted the message",
      kind: "info",
      action: { label: "Undo", run: () => void undoDelete(undoId) },
    });
  };
  /** Generates more of reply `message`, appending to it. */
  const continueReply = async (message: Message) => {
    try {
      const { assistant } = await api.continueReply(message.id);
      ctx.put(assistant);
      ctx.follow(assistant);
    } catch (error) {
      toasts.error(error);
    }
  };
  /** Copies the branch up to `message` into a new chat and opens it. */
  const fork = async (message: Message) => {
    try {
      const chat = await api.forkChat(message.id);
      ctx.deps.chats().upsert(chat);
      await ctx.reload(chat.id);
      toasts.show({ text: `Forked into “${chat.title}”`, kind: "info" });
    } catch (error) {
      toasts.error(error);
    }
  };
  return { editInPlace, remove, undoDelete, continueReply, fork };
}

/** The ids of message `id` and every message under it. */
function subtree(messages: ReadonlyMap<string, Message>, id: string): Set<string> {
  const gone = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of messages.values()) {
      if (m.parent_id !== null && gone.has(m.parent_id) && !gone.has(m.id)) {
        gone.add(m.id);
        grew = true;
      }
    }
  }
  return gone;
}
