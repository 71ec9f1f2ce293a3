/**
 * A chat's turns: sending a user message with its streaming reply, regenerating a reply,
 * continuing a reply where it ended.
 * The storage writes happen in one transaction; the reply then runs in the background
 * (app/replies.ts), and front ends follow it with `ReplyRunner.watch`.
 *
 * @module
 */
import { DEFAULT_TITLE, type Message, type MessageImage, type Storage } from "../storage/mod.ts";
import type { EventHub } from "./events.ts";
import { CannotContinueError, ReplyBusyError } from "./errors.ts";
import type { ReplyRunner } from "./replies.ts";

/** Longest chat title taken from a first message, in characters. */
export const TITLE_LENGTH = 60;

/** What {@link sendMessage} and {@link regenerate} use. */
export interface ChatTurnDeps {
  storage: Storage;
  replies: ReplyRunner;
  events: EventHub;
}

/**
 * Adds a user message under `parentId` (null = a new root) and its assistant reply, which
 * starts streaming; a chat still titled "New chat" is named after the message.
 *
 * @throws {NotFoundError} when the chat does not exist.
 * @param images Images sent with the message (PNG, JPEG, GIF, BMP), stored with it and
 *   given to a model with an mmproj; default none.
 * @throws {TypeError} when `content` is empty, or for an image of another type.
 * @throws {ReplyBusyError} while another reply of the chat is being generated.
 */
export function sendMessage(
  deps: ChatTurnDeps,
  chatId: string,
  content: string,
  parentId: string | null,
  images: readonly MessageImage[] = [],
): { user: Message; assistant: Message } {
  const { storage, replies } = deps;
  const chat = storage.chats.require(chatId);
  if (content.trim() === "") throw new TypeError("content must be a non-empty string");
  if (replies.busy(chat.id)) throw new ReplyBusyError(chat.id);
  const turn = storage.transaction(() => {
    const user = storage.messages.add(chat.id, { parent_id: parentId, role: "user", content });
    if (images.length > 0) storage.images.set(user.id, images);
    const assistant = storage.messages.add(chat.id, {
      parent_id: user.id,
      role: "assistant",
      state: "streaming",
      ...replies.replySettings(chat),
    });
    if (chat.title === DEFAULT_TITLE) {
      const title = content.trim().replace(/\s+/g, " ");
      storage.chats.update(chat.id, {
        title: title.length > TITLE_LENGTH ? `${title.slice(0, TITLE_LENGTH - 1)}…` : title,
      });
    }
    return { user, assistant };
  });
  replies.start(turn.assistant);
  deps.events.publish({ event: "chats", data: { id: chat.id } });
  // As a chat's message list says it (server/routes/chats.ts).
  return images.length > 0 ? { ...turn, user: { ...turn.user, images: images.length } } : turn;
}

/**
 * Adds a new reply beside assistant message `messageId` (a new branch), which starts
 * streaming with the chat's current model and sampling.
 *
 * @throws {NotFoundError} when the message does not exist.
 * @throws {TypeError} when it is not an assistant message.
 * @throws {ReplyBusyError} while another reply of the chat is being generated.
 */
export function regenerate(deps: ChatTurnDeps, messageId: string): Message {
  const { storage, replies } = deps;
  const old = storage.messages.require(messageId);
  if (old.role !== "assistant") {
    throw new TypeError("Only an assistant message can be regenerated");
  }
  if (replies.busy(old.chat_id)) throw new ReplyBusyError(old.chat_id);
  const assistant = storage.messages.add(old.chat_id, {
    parent_id: old.parent_id,
    role: "assistant",
    state: "streaming",
    ...replies.replySettings(storage.chats.require(old.chat_id)),
  });
  replies.start(assistant);
  return assistant;
}

/**
 * Generates more of assistant message `messageId`, appending to its text ("Continue"): the
 * reply streams again (follow it like a new one) with the model and sampling stored on it.
 * Its metrics become those of the continuation.
 *
 * @throws {NotFoundError} when the message does not exist.
 * @throws {TypeError} when it is not an assistant message.
 * @throws {ReplyBusyError} while a reply of the chat is being generated.
 * @throws {CannotContinueError} for a remote provider's reply (providers take no partial
 *   assistant turn to go on from).
 */
export function continueReply(deps: ChatTurnDeps, messageId: string): Message {
  const { storage, replies } = deps;
  const old = storage.messages.require(messageId);
  if (old.role !== "assistant") throw new TypeError("Only an assistant reply can be continued");
  if (replies.busy(old.chat_id)) throw new ReplyBusyError(old.chat_id);
  if (old.backend === "remote") {
    throw new CannotContinueError(old.id, "it came from a remote provider; regenerate it instead");
  }
  const reply = storage.edits.reopen(old.id);
  replies.start(reply, { continuation: true });
  return reply;
}
