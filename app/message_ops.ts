/**
 * Operations on a chat's messages besides sending: edit a message's text in place (no
 * new branch, nothing regenerated), delete a message with its replies (undoable), and
 * fork the branch up to a message into a new chat. Front ends call these; the storage
 * writes are storage/message_edits.ts.
 *
 * @module
 */
import type { Chat, Message, Storage } from "../storage/mod.ts";
import { ReplyBusyError, UndoExpiredError } from "./errors.ts";
import type { EventHub } from "./events.ts";
import type { MessageTrash } from "./message_trash.ts";
import type { ReplyRunner } from "./replies.ts";

/** What the message operations use. */
export interface MessageOpsDeps {
  storage: Storage;
  replies: ReplyRunner;
  events: EventHub;
  trash: MessageTrash;
}

/** What {@link deleteMessage} answers. */
export interface DeletedMessages {
  /** Give it to {@link restoreMessages} to undo the deletion. */
  undo_id: string;
  /** How many messages went: the message and every reply under it. */
  deleted: number;
  /** The chat after the deletion (its active leaf may have moved to the parent). */
  chat: Chat;
}

/** Suffix of a forked chat's title. */
export const FORK_SUFFIX = " (fork)";

const changed = (deps: { events: EventHub }, id: string) =>
  deps.events.publish({ event: "chats", data: { id } });

/**
 * Replaces a finished message's text in place: a user message is not resent, a reply is
 * not regenerated; the branch stays as it is.
 *
 * @throws {NotFoundError} when the message does not exist.
 * @throws {TypeError} when `content` is not a non-empty string.
 * @throws {MessageStateError} while the message is still streaming.
 */
export function editMessage(deps: MessageOpsDeps, id: string, content: string): Message {
  if (typeof content !== "string" || content.trim() === "") {
    throw new TypeError("content must be a non-empty string");
  }
  const message = deps.storage.edits.setContent(id, content);
  changed(deps, message.chat_id);
  return message;
}

/**
 * Deletes a message and every reply under it; the chat shows the parent's branch if the
 * shown one went. {@link restoreMessages} undoes it while the app runs (up to
 * `UNDO_MS`).
 *
 * @throws {NotFoundError} when the message does not exist.
 * @throws {ReplyBusyError} while a reply of the chat is being generated (stop it first).
 */
export function deleteMessage(deps: MessageOpsDeps, id: string): DeletedMessages {
  const { storage, replies } = deps;
  const message = storage.messages.require(id);
  if (replies.busy(message.chat_id)) {
    throw new ReplyBusyError(message.chat_id, "Stop the reply before deleting messages");
  }
  const removed = storage.edits.remove(id);
  changed(deps, message.chat_id);
  return {
    undo_id: deps.trash.put(removed),
    deleted: removed.messages.length,
    chat: storage.chats.require(message.chat_id),
  };
}

/**
 * Puts back what {@link deleteMessage} deleted, with the same ids, and the branch that
 * was shown.
 *
 * @returns The chat.
 * @throws {UndoExpiredError} when `undoId` was undone already, expired or is unknown.
 * @throws {NotFoundError} when the chat or the deleted message's parent is gone since.
 */
export function restoreMessages(deps: MessageOpsDeps, undoId: string): Chat {
  const removed = deps.trash.take(undoId);
  if (!removed) throw new UndoExpiredError(undoId);
  const chat = deps.storage.edits.restore(removed);
  changed(deps, chat.id);
  return chat;
}

/**
 * Copies the branch from the first message to `id` into a new chat with the same
 * settings, titled after the source chat with {@link FORK_SUFFIX}.
 *
 * @returns The new chat; its active leaf is the copy of `id`.
 * @throws {NotFoundError} when the message or its chat does not exist.
 */
export function forkChat(deps: MessageOpsDeps, id: string): Chat {
  const { storage } = deps;
  const source = storage.chats.require(storage.messages.require(id).chat_id);
  const chat = storage.edits.fork(id, `${source.title}${FORK_SUFFIX}`);
  changed(deps, chat.id);
  return chat;
}
