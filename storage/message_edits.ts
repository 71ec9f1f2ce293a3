/**
 * Changes to finished messages, as chat apps offer them: edit a message's text in place,
 * reopen a reply to continue it, remove a subtree and put it back (Undo), fork a branch
 * into a new chat. Streaming writes stay in messages.ts.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { MESSAGE_COLUMNS, rowToMessage } from "./_message_fields.ts";

/** One `?` per column of {@link MESSAGE_COLUMNS}, so a new column cannot be missed here. */
const PLACEHOLDERS = MESSAGE_COLUMNS.split(",").map(() => "?").join(", ");
import { toJson } from "./_sql.ts";
import { checkString } from "./_validate.ts";
import type { ChatStore } from "./chats.ts";
import { MessageStateError, NotFoundError } from "./errors.ts";
import type { MessageStore } from "./messages.ts";
import type { MessageImage, MessageImageStore } from "./message_images.ts";
import { transaction } from "./transaction.ts";
import type { Chat, Message } from "./types.ts";

/** What {@link MessageEdits.remove} took out: enough to put it back as it was. */
export interface RemovedSubtree {
  /** The chat it was in. */
  chat_id: string;
  /** The removed messages, parents before children, every field as stored. */
  messages: Message[];
  /** The chat's active leaf before the removal (it may have been inside the subtree). */
  active_leaf_id: string | null;
  /** The attached images of the removed messages that had any, by message id. */
  images: Record<string, MessageImage[]>;
}

/** The edits of one database; get it from `Storage.edits`. */
export class MessageEdits {
  readonly #ctx: StoreContext;
  readonly #chats: ChatStore;
  readonly #messages: MessageStore;
  readonly #images: MessageImageStore;

  /** @internal Use `Storage.edits`. */
  constructor(
    ctx: StoreContext,
    chats: ChatStore,
    messages: MessageStore,
    images: MessageImageStore,
  ) {
    this.#ctx = ctx;
    this.#chats = chats;
    this.#messages = messages;
    this.#images = images;
  }

  /**
   * Replaces the text of a finished message (any role) in place: no new branch, the
   * reply's model, metrics and state stay. Bumps the chat's `updated_at`.
   *
   * @param id The message id.
   * @param content The new text.
   * @returns The changed message.
   * @throws {NotFoundError} If `id` names no message.
   * @throws {MessageStateError} If it is still streaming (its reply would overwrite the edit).
   * @throws {TypeError} If `content` is not a string.
   */
  setContent(id: string, content: string): Message {
    checkString(content, "content");
    return transaction(this.#ctx.db, () => {
      const { changes } = this.#ctx.sql.get(
        "UPDATE messages SET content = ? WHERE id = ? AND state != 'streaming'",
      ).run(content, id);
      const message = this.#messages.require(id);
      if (changes === 0) throw new MessageStateError("edit", id, message.state, "finished");
      this.#chats.touch(message.chat_id);
      return message;
    });
  }

  /**
   * Makes a finished assistant reply "streaming" again, keeping its text, so generation
   * can append to it ("Continue"); its finish reason is cleared. The caller then runs the
   * reply and ends it with `MessageStore.finish`.
   *
   * @param id The message id.
   * @returns The reopened message.
   * @throws {NotFoundError} If `id` names no message.
   * @throws {TypeError} If it is not an assistant message.
   * @throws {MessageStateError} If it is already streaming.
   */
  reopen(id: string): Message {
    return transaction(this.#ctx.db, () => {
      const message = this.#messages.require(id);
      if (message.role !== "assistant") {
        throw new TypeError("Only an assistant reply can be continued");
      }
      const { changes } = this.#ctx.sql.get(
        `UPDATE messages SET state = 'streaming', finish_reason = NULL
         WHERE id = ? AND state != 'streaming'`,
      ).run(id);
      if (changes === 0) throw new MessageStateError("continue", id, message.state, "finished");
      return this.#messages.require(id);
    });
  }

  /**
   * Removes a message and all its descendants (as `MessageStore.delete`) and returns
   * them, so {@link MessageEdits.restore} can put them back. One transaction.
   *
   * @param id The message id.
   * @returns What was removed.
   * @throws {NotFoundError} If `id` names no message.
   */
  remove(id: string): RemovedSubtree {
    return transaction(this.#ctx.db, () => {
      const root = this.#messages.require(id);
      const activeLeaf = this.#ctx.sql.get("SELECT active_leaf_id FROM chats WHERE id = ?")
        .get(root.chat_id)?.active_leaf_id as string | null;
      const messages = this.#ctx.sql.get(
        `WITH RECURSIVE sub(id, depth) AS (
           SELECT ?, 0 UNION ALL
           SELECT m.id, sub.depth + 1 FROM messages m JOIN sub ON m.parent_id = sub.id
         )
         SELECT ${MESSAGE_COLUMNS} FROM messages JOIN sub USING (id)
         ORDER BY sub.depth, created_at, seq`,
      ).all(id).map(rowToMessage);
      // Deleting the messages deletes their images (ON DELETE CASCADE): keep them for Undo.
      const images: Record<string, MessageImage[]> = {};
      for (const m of messages) {
        const list = this.#images.list(m.id);
        if (list.length > 0) images[m.id] = list;
      }
      this.#messages.delete(id);
      return { chat_id: root.chat_id, messages, active_leaf_id: activeLeaf, images };
    });
  }

  /**
   * Puts a removed subtree back with its ids, times and fields, and the chat's active
   * leaf as it was. One transaction: all of it comes back or none.
   *
   * @param removed What {@link MessageEdits.remove} returned.
   * @returns The chat.
   * @throws {NotFoundError} If the chat is gone or soft-deleted, or the subtree's parent
   *   is gone (deleted since).
   * @throws {TypeError} If a message with one of the ids exists again (restored twice).
   */
  restore(removed: RemovedSubtree): Chat {
    return transaction(this.#ctx.db, () => {
      this.#chats.require(removed.chat_id);
      const insert = this.#ctx.sql.get(
        `INSERT INTO messages (${MESSAGE_COLUMNS}) VALUES (${PLACEHOLDERS})`,
      );
      for (const m of removed.messages) {
        if (m.parent_id !== null && this.#messages.get(m.parent_id)?.chat_id !== m.chat_id) {
          throw new NotFoundError("message", m.parent_id);
        }
        if (this.#messages.get(m.id)) throw new TypeError(`Message "${m.id}" exists already`);
        insert.run(
          m.id,
          m.chat_id,
          m.parent_id,
          m.role,
          m.content,
          m.model,
          toJson(m.sampling),
          toJson(m.metrics),
          m.created_at,
          m.state,
          m.finish_reason,
          m.dropped_messages ?? null,
          m.backend ?? null,
          m.provider ?? null,
          m.error ?? null,
        );
      }
      for (const [id, images] of Object.entries(removed.images)) this.#images.set(id, images);
      this.#ctx.sql.get("UPDATE chats SET active_leaf_id = ?, updated_at = ? WHERE id = ?")
        .run(removed.active_leaf_id, this.#ctx.now(), removed.chat_id);
      return this.#chats.require(removed.chat_id);
    });
  }

  /**
   * Copies the branch that ends at `id` (root to `id`) into a new chat with the source
   * chat's settings, new ids and the original times; the copy of `id` is its active leaf.
   * A message still streaming is copied as "incomplete". One transaction.
   *
   * @param id The last message to copy.
   * @param title The new chat's title.
   * @returns The new chat.
   * @throws {NotFoundError} If `id` names no message or its chat is soft-deleted.
   * @throws {TypeError} If `title` is not a string.
   */
  fork(id: string, title: string): Chat {
    checkString(title, "title");
    return transaction(this.#ctx.db, () => {
      const source = this.#chats.require(this.#messages.require(id).chat_id);
      const now = this.#ctx.now();
      const chat = this.#chats.insert({
        title,
        model: source.model,
        system_prompt: source.system_prompt,
        sampling: source.sampling,
        n_ctx: source.n_ctx,
        overflow: source.overflow,
        created_at: now,
        updated_at: now,
      });
      let parentId: string | null = null;
      for (const m of this.#messages.path(id)) {
        const { id: _id, chat_id: _chat, created_at, ...fields } = m;
        const state = fields.state === "streaming" ? "incomplete" : fields.state;
        parentId = this.#messages.insert(
          chat.id,
          { ...fields, state, parent_id: parentId },
          created_at,
          true,
        ).id;
      }
      return this.#chats.require(chat.id);
    });
  }
}
