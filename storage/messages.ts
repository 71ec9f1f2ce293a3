/**
 * The message tree of each chat: add, read, walk (path to the root, siblings, newest
 * leaf), delete a subtree, and the streaming writes of a reply as it grows.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import {
  checkFinished,
  checkNewMessage,
  MESSAGE_COLUMNS,
  rowToMessage,
} from "./_message_fields.ts";
import { toJson } from "./_sql.ts";
import { checkString } from "./_validate.ts";
import type { ChatStore } from "./chats.ts";
import { MessageStateError, NotFoundError } from "./errors.ts";
import { transaction } from "./transaction.ts";
import type { FinishReason, Message, MessageState, Metrics } from "./types.ts";

/** A message to add; `parent_id` and `role` are required, the rest have defaults. */
export interface NewMessage {
  /** The message it follows, in the same chat; null = a first message. */
  parent_id: string | null;
  /** Who wrote it. */
  role: Message["role"];
  /** Its text. @default {""} */
  content?: string;
  /** Model path (assistant). @default {null} */
  model?: string | null;
  /** Sampling used (assistant). @default {null} */
  sampling?: Message["sampling"];
  /** Generation metrics. @default {null} */
  metrics?: Metrics | null;
  /** Life-cycle state; "streaming" for a reply about to be generated. @default {"complete"} */
  state?: MessageState;
  /** Why the reply ended. @default {null} */
  finish_reason?: FinishReason | null;
  /** Messages dropped by overflow "truncate-oldest". @default {undefined} none */
  dropped_messages?: number;
  /** Where the reply is generated (assistant). @default {undefined} none */
  backend?: Message["backend"];
  /** The remote provider's name (backend "remote"). @default {undefined} none */
  provider?: string;
}

/** How a streaming reply ended; see {@link MessageStore.finish}. */
export interface FinishedMessage {
  /** The final state: "complete", "incomplete" (stopped) or "error". */
  state: Exclude<MessageState, "streaming">;
  /** Why it ended. @default {null} */
  finish_reason?: FinishReason | null;
  /** Generation metrics. @default {null} */
  metrics?: Metrics | null;
  /** The final text, if the caller buffered writes; omitted = keep what was stored. */
  content?: string;
  /** Messages dropped by overflow "truncate-oldest". */
  dropped_messages?: number;
  /** Why the reply failed (state "error"), in the UI's words. @default {undefined} none */
  error?: string;
}

/** Options of {@link MessageStore.add}. */
export interface AddMessageOptions {
  /** Make the new message the chat's active leaf (the shown branch). @default {true} */
  activate?: boolean;
}

// Far above any real conversation; it only stops a corrupt (cyclic) tree from looping.
const MAX_DEPTH = 1_000_000;

/**
 * The messages of one database, as a tree per chat: each message has a parent (null for
 * a first message); editing or regenerating adds a sibling; a chat shows the path from
 * its `active_leaf_id` to the root. Get it from `Storage.messages`.
 */
export class MessageStore {
  readonly #ctx: StoreContext;
  readonly #chats: ChatStore;

  /** @internal Use `Storage.messages`. */
  constructor(ctx: StoreContext, chats: ChatStore) {
    this.#ctx = ctx;
    this.#chats = chats;
  }

  /**
   * Adds a message under `parent_id` and, by default, makes it the chat's active leaf;
   * bumps the chat's `updated_at`. One transaction.
   *
   * @param chatId The chat, which must exist and not be soft-deleted.
   * @param message The message.
   * @param options Whether to activate it.
   * @returns The stored message.
   * @throws {NotFoundError} If the chat or the parent (in this chat) does not exist.
   * @throws {TypeError} On an unknown field or a wrong type.
   * @throws {RangeError} On a value out of range.
   */
  add(chatId: string, message: NewMessage, options: AddMessageOptions = {}): Message {
    const fields = checkNewMessage(message);
    return transaction(this.#ctx.db, () => {
      this.#chats.require(chatId);
      return this.insert(chatId, fields, this.#ctx.now(), options.activate ?? true);
    });
  }

  /**
   * Inserts a validated message; import uses it to keep the file's times.
   *
   * @internal
   */
  insert(chatId: string, fields: NewMessage, createdAt: number, activate: boolean): Message {
    const parentId = fields.parent_id;
    if (parentId !== null && this.get(parentId)?.chat_id !== chatId) {
      throw new NotFoundError("message", parentId);
    }
    const id = this.#ctx.newId();
    this.#ctx.sql.get(
      `INSERT INTO messages (id, chat_id, parent_id, role, content, model, sampling, metrics,
         created_at, state, finish_reason, dropped_messages, backend, provider)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      chatId,
      parentId,
      fields.role,
      fields.content ?? "",
      fields.model ?? null,
      toJson(fields.sampling),
      toJson(fields.metrics),
      createdAt,
      fields.state ?? "complete",
      fields.finish_reason ?? null,
      fields.dropped_messages ?? null,
      fields.backend ?? null,
      fields.provider ?? null,
    );
    const activeLeaf = activate ? ", active_leaf_id = ?" : "";
    this.#ctx.sql.get(`UPDATE chats SET updated_at = ?${activeLeaf} WHERE id = ?`)
      .run(...(activate ? [this.#ctx.now(), id, chatId] : [this.#ctx.now(), chatId]));
    return this.require(id);
  }

  /**
   * Reads a message.
   *
   * @param id The message id.
   * @returns The message, or null if there is none.
   */
  get(id: string): Message | null {
    const row = this.#ctx.sql.get(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`).get(id);
    return row ? rowToMessage(row) : null;
  }

  /**
   * Reads a message that must exist.
   *
   * @param id The message id.
   * @returns The message.
   * @throws {NotFoundError} If there is none.
   */
  require(id: string): Message {
    const message = this.get(id);
    if (!message) throw new NotFoundError("message", id);
    return message;
  }

  /**
   * Lists every node of a chat's tree, oldest first (parents before their children).
   *
   * @param chatId The chat id.
   * @returns The messages; empty for an unknown chat.
   */
  list(chatId: string): Message[] {
    return this.#ctx.sql.get(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE chat_id = ? ORDER BY created_at, seq`,
    ).all(chatId).map(rowToMessage);
  }

  /**
   * The path from the root to `leafId`: the branch that ends there, in reading order.
   *
   * @param leafId The last message of the branch.
   * @returns The messages, root first; empty if `leafId` names no message.
   */
  path(leafId: string): Message[] {
    return this.#ctx.sql.get(
      `WITH RECURSIVE up(id, depth) AS (
         SELECT ?, 0
         UNION ALL
         SELECT m.parent_id, up.depth + 1 FROM messages m JOIN up ON m.id = up.id
         WHERE m.parent_id IS NOT NULL AND up.depth < ${MAX_DEPTH}
       )
       SELECT ${MESSAGE_COLUMNS} FROM messages JOIN up USING (id) ORDER BY up.depth DESC`,
    ).all(leafId).map(rowToMessage);
  }

  /**
   * The shown branch of a chat: the path to its `active_leaf_id`.
   *
   * @param chatId The chat id.
   * @returns The messages, root first; empty if the chat has none.
   * @throws {NotFoundError} If the chat does not exist or is soft-deleted.
   */
  activeBranch(chatId: string): Message[] {
    const leaf = this.#chats.require(chatId).active_leaf_id;
    return leaf === null ? [] : this.path(leaf);
  }

  /**
   * The versions of a message: every message of its chat with the same parent, itself
   * included, oldest first (the order of the UI's "< 2/3 >" arrows).
   *
   * @param id The message id.
   * @returns The siblings; empty if `id` names no message.
   */
  siblings(id: string): Message[] {
    return this.#ctx.sql.get(
      `SELECT ${MESSAGE_COLUMNS.split(", ").map((column) => `s.${column}`).join(", ")}
       FROM messages m JOIN messages s ON s.chat_id = m.chat_id AND s.parent_id IS m.parent_id
       WHERE m.id = ? ORDER BY s.created_at, s.seq`,
    ).all(id).map(rowToMessage);
  }

  /**
   * The newest leaf under a message: follows the newest child down to the end. Switching
   * to a sibling shows this leaf's branch.
   *
   * @param id The message to start from.
   * @returns The leaf's id (`id` itself when it has no children).
   * @throws {NotFoundError} If `id` names no message.
   */
  newestLeaf(id: string): string {
    this.require(id);
    const child = this.#ctx.sql.get(
      "SELECT id FROM messages WHERE parent_id = ? ORDER BY created_at DESC, seq DESC LIMIT 1",
    );
    let leaf = id;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const next = child.get(leaf)?.id as string | undefined;
      if (next === undefined) break;
      leaf = next;
    }
    return leaf;
  }

  /**
   * Deletes a message and all its descendants. If the chat's active leaf was among
   * them, the deleted message's parent becomes the active leaf. One transaction.
   *
   * @param id The message id.
   * @returns How many messages were deleted.
   * @throws {NotFoundError} If `id` names no message.
   */
  delete(id: string): number {
    return transaction(this.#ctx.db, () => {
      const message = this.require(id);
      const chat = this.#ctx.sql.get("SELECT active_leaf_id FROM chats WHERE id = ?")
        .get(message.chat_id);
      const leaf = chat?.active_leaf_id as string | null;
      if (leaf !== null && this.path(leaf).some((m) => m.id === id)) {
        this.#ctx.sql.get("UPDATE chats SET active_leaf_id = ? WHERE id = ?")
          .run(message.parent_id, message.chat_id);
      }
      this.#chats.touch(message.chat_id);
      // One statement for the whole subtree: parent_id has no ON DELETE CASCADE (see
      // migrations.ts), and the foreign key check runs when the statement ends.
      return Number(
        this.#ctx.sql.get(
          `WITH RECURSIVE sub(id) AS (
             SELECT ? UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id
           )
           DELETE FROM messages WHERE id IN (SELECT id FROM sub)`,
        ).run(id).changes,
      );
    });
  }

  /**
   * Appends text to a streaming reply. One small autocommitted UPDATE, cheap enough to
   * call every 100-250 ms while generating: what was committed survives a crash.
   *
   * @param id The message id.
   * @param text The text generated since the last write.
   * @throws {NotFoundError} If `id` names no message.
   * @throws {MessageStateError} If the message is not "streaming".
   * @throws {TypeError} If `text` is not a string.
   */
  append(id: string, text: string): void {
    checkString(text, "text");
    const { changes } = this.#ctx.sql.get(
      "UPDATE messages SET content = content || ? WHERE id = ? AND state = 'streaming'",
    ).run(text, id);
    if (changes === 0) this.#notStreaming("append to", id);
  }

  /**
   * Replaces the text of a streaming reply (the whole text so far). Like
   * {@link MessageStore.append}, for callers that keep the full text.
   *
   * @param id The message id.
   * @param content The whole text so far.
   * @throws {NotFoundError} If `id` names no message.
   * @throws {MessageStateError} If the message is not "streaming".
   * @throws {TypeError} If `content` is not a string.
   */
  updateContent(id: string, content: string): void {
    checkString(content, "content");
    const { changes } = this.#ctx.sql.get(
      "UPDATE messages SET content = ? WHERE id = ? AND state = 'streaming'",
    ).run(content, id);
    if (changes === 0) this.#notStreaming("update", id);
  }

  /**
   * Ends a streaming reply: sets its final state, finish reason, metrics and (if given)
   * final text, and bumps the chat's `updated_at`. One transaction.
   *
   * @param id The message id.
   * @param result How it ended.
   * @returns The finished message.
   * @throws {NotFoundError} If `id` names no message.
   * @throws {MessageStateError} If the message is not "streaming" (it already finished,
   * or was recovered as "incomplete" after a crash).
   * @throws {TypeError} On an unknown field or a wrong type.
   */
  finish(id: string, result: FinishedMessage): Message {
    const { state, finish_reason, metrics, content, dropped_messages, error } = checkFinished(
      result,
    );
    return transaction(this.#ctx.db, () => {
      const { changes } = this.#ctx.sql.get(
        `UPDATE messages SET state = ?, finish_reason = ?, metrics = ?,
           content = coalesce(?, content), dropped_messages = coalesce(?, dropped_messages),
           error = ?
         WHERE id = ? AND state = 'streaming'`,
      ).run(
        state,
        finish_reason ?? null,
        toJson(metrics),
        content ?? null,
        dropped_messages ?? null,
        error ?? null,
        id,
      );
      if (changes === 0) this.#notStreaming("finish", id);
      const message = this.require(id);
      this.#chats.touch(message.chat_id);
      return message;
    });
  }

  /**
   * Marks every "streaming" message "incomplete": the process that was writing it died.
   * Only call it when no other process is streaming into this database.
   *
   * @returns How many messages were marked.
   */
  recoverInterrupted(): number {
    return Number(
      this.#ctx.sql.get("UPDATE messages SET state = 'incomplete' WHERE state = 'streaming'")
        .run().changes,
    );
  }

  #notStreaming(action: string, id: string): never {
    throw new MessageStateError(action, id, this.require(id).state);
  }
}
