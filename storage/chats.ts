/**
 * Chats: create, read, list, update, soft delete, restore and purge.
 *
 * @module
 */
import type { StoreContext } from "./_context.ts";
import { DEFAULT_OVERFLOW, DEFAULT_TITLE } from "./chat_defaults.ts";
import { parseJson, type Row, toJson } from "./_sql.ts";
import {
  checkKeys,
  checkNCtx,
  checkObject,
  checkOneOf,
  checkSampling,
  checkString,
  checkStringOrNull,
  OVERFLOWS,
} from "./_validate.ts";
import { NotFoundError } from "./errors.ts";
import { transaction } from "./transaction.ts";
import type { Chat } from "./types.ts";

/** The fields a new chat may set; the rest get defaults. */
export interface NewChat {
  /** Display title. @default {"New chat"} */
  title?: string;
  /** Model path; null = the settings' default model. @default {null} */
  model?: string | null;
  /** System prompt. @default {""} */
  system_prompt?: string;
  /** Sampling overrides. @default {{}} */
  sampling?: Chat["sampling"];
  /** Context size in tokens; null = the settings' default. @default {null} */
  n_ctx?: number | null;
  /** Overflow policy. @default {"error"} */
  overflow?: Chat["overflow"];
}

/**
 * A change to a chat. `sampling` replaces the overrides as a whole (send `{}` to drop
 * them all). `active_leaf_id` must name a message of this chat, or be null.
 */
export type ChatPatch = Partial<Pick<Chat, keyof NewChat | "active_leaf_id">>;

/** Paging for {@link ChatStore.list}. */
export interface ListChatsOptions {
  /** Chats to return at most. @default {Infinity} */
  limit?: number;
  /** Chats to skip first. @default {0} */
  offset?: number;
}

export { DEFAULT_OVERFLOW, DEFAULT_TITLE };

const NEW_CHAT_KEYS = ["title", "model", "system_prompt", "sampling", "n_ctx", "overflow"];
const PATCH_KEYS = [...NEW_CHAT_KEYS, "active_leaf_id"];

/** The chat columns, in the order of {@link Chat}. */
export const CHAT_COLUMNS =
  "id, title, created_at, updated_at, model, system_prompt, sampling, n_ctx, overflow, " +
  "active_leaf_id";

/** Turns a row of {@link CHAT_COLUMNS} into a {@link Chat}. */
export function rowToChat(row: Row): Chat {
  return {
    id: row.id as string,
    title: row.title as string,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    model: row.model as string | null,
    system_prompt: row.system_prompt as string,
    sampling: parseJson(row.sampling) ?? {},
    n_ctx: row.n_ctx === null ? null : Number(row.n_ctx),
    overflow: row.overflow as Chat["overflow"],
    active_leaf_id: row.active_leaf_id as string | null,
  };
}

/** Validates the fields of a new chat or a patch; unknown keys are a `TypeError`. */
function checkChatFields(value: unknown, keys: readonly string[]): ChatPatch {
  const fields = checkObject(value, "chat");
  checkKeys(fields, "", keys);
  const out: ChatPatch = {};
  if (fields.title !== undefined) out.title = checkString(fields.title, "title");
  if (fields.model !== undefined) out.model = checkStringOrNull(fields.model, "model");
  if (fields.system_prompt !== undefined) {
    out.system_prompt = checkString(fields.system_prompt, "system_prompt");
  }
  if (fields.sampling !== undefined) out.sampling = checkSampling(fields.sampling, "sampling");
  if (fields.n_ctx !== undefined) out.n_ctx = checkNCtx(fields.n_ctx, "n_ctx");
  if (fields.overflow !== undefined) {
    out.overflow = checkOneOf(fields.overflow, "overflow", OVERFLOWS);
  }
  if (fields.active_leaf_id !== undefined) {
    out.active_leaf_id = checkStringOrNull(fields.active_leaf_id, "active_leaf_id");
  }
  return out;
}

/**
 * The chats of one database. Soft-deleted chats are invisible to every method but
 * {@link ChatStore.restore} and {@link ChatStore.purgeDeleted}. Get it from
 * `Storage.chats`.
 */
export class ChatStore {
  readonly #ctx: StoreContext;

  /** @internal Use `Storage.chats`. */
  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  /**
   * Creates a chat.
   *
   * @param init Fields to set; missing ones get their defaults.
   * @returns The new chat.
   * @throws {TypeError} On an unknown field or a wrong type.
   * @throws {RangeError} On a value out of range (sampling, n_ctx).
   */
  create(init: NewChat = {}): Chat {
    const fields = checkChatFields(init, NEW_CHAT_KEYS);
    const now = this.#ctx.now();
    return this.insert({ ...fields, created_at: now, updated_at: now });
  }

  /**
   * Inserts a validated chat; import uses it to keep the file's creation time.
   *
   * @internal
   */
  insert(fields: NewChat & { created_at: number; updated_at: number }): Chat {
    const id = this.#ctx.newId();
    this.#ctx.sql.get(
      `INSERT INTO chats (id, title, created_at, updated_at, model, system_prompt, sampling,
         n_ctx, overflow) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      fields.title ?? DEFAULT_TITLE,
      fields.created_at,
      fields.updated_at,
      fields.model ?? null,
      fields.system_prompt ?? "",
      JSON.stringify(fields.sampling ?? {}),
      fields.n_ctx ?? null,
      fields.overflow ?? DEFAULT_OVERFLOW,
    );
    return this.require(id);
  }

  /**
   * Reads a chat.
   *
   * @param id The chat id.
   * @returns The chat, or null if there is none or it is soft-deleted.
   */
  get(id: string): Chat | null {
    const row = this.#ctx.sql.get(
      `SELECT ${CHAT_COLUMNS} FROM chats WHERE id = ? AND deleted_at IS NULL`,
    ).get(id);
    return row ? rowToChat(row) : null;
  }

  /**
   * Reads a chat that must exist.
   *
   * @param id The chat id.
   * @returns The chat.
   * @throws {NotFoundError} If there is none or it is soft-deleted.
   */
  require(id: string): Chat {
    const chat = this.get(id);
    if (!chat) throw new NotFoundError("chat", id);
    return chat;
  }

  /**
   * Lists chats, newest first (by `updated_at`), soft-deleted ones excluded.
   *
   * @param options Paging.
   * @returns The chats.
   */
  list(options: ListChatsOptions = {}): Chat[] {
    const limit = options.limit ?? -1; // SQLite: a negative LIMIT means none
    const rows = this.#ctx.sql.get(
      `SELECT ${CHAT_COLUMNS} FROM chats WHERE deleted_at IS NULL
       ORDER BY updated_at DESC, seq DESC LIMIT ? OFFSET ?`,
    ).all(Number.isFinite(limit) ? limit : -1, options.offset ?? 0);
    return rows.map(rowToChat);
  }

  /**
   * Changes a chat. Any change bumps `updated_at` except one that only moves
   * `active_leaf_id` (switching branches is viewing, not editing, and must not reorder
   * the chat list).
   *
   * @param id The chat id.
   * @param patch The fields to change.
   * @returns The updated chat.
   * @throws {NotFoundError} If the chat does not exist or is soft-deleted, or
   * `active_leaf_id` names no message of this chat.
   * @throws {TypeError} On an unknown field or a wrong type.
   * @throws {RangeError} On a value out of range.
   */
  update(id: string, patch: ChatPatch): Chat {
    const fields = checkChatFields(patch, PATCH_KEYS);
    return transaction(this.#ctx.db, () => {
      this.require(id);
      const leaf = fields.active_leaf_id;
      if (leaf) {
        const found = this.#ctx.sql.get("SELECT 1 FROM messages WHERE id = ? AND chat_id = ?")
          .get(leaf, id);
        if (!found) throw new NotFoundError("message", leaf);
      }
      const entries = Object.entries(fields).map(([key, value]) =>
        [key, key === "sampling" ? toJson(value) : value] as const
      );
      if (entries.some(([key]) => key !== "active_leaf_id")) {
        entries.push(["updated_at", this.#ctx.now()]);
      }
      if (entries.length > 0) {
        // Column names come from the validated key list, never from the caller.
        const set = entries.map(([key]) => `${key} = ?`).join(", ");
        this.#ctx.sql.get(`UPDATE chats SET ${set} WHERE id = ?`)
          .run(...entries.map(([, value]) => value as string | number | null), id);
      }
      return this.require(id);
    });
  }

  /**
   * Marks a chat as changed now (a message was added or finished).
   *
   * @internal
   */
  touch(id: string): void {
    this.#ctx.sql.get("UPDATE chats SET updated_at = ? WHERE id = ?").run(this.#ctx.now(), id);
  }

  /**
   * Hides a chat from lists, reads and search until {@link ChatStore.restore} or
   * {@link ChatStore.purgeDeleted}.
   *
   * @param id The chat id.
   * @returns True if a visible chat was hidden; false if there is none or it already was.
   */
  softDelete(id: string): boolean {
    return this.#ctx.sql.get(
      "UPDATE chats SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
    ).run(this.#ctx.now(), id).changes > 0;
  }

  /**
   * Brings back a soft-deleted chat.
   *
   * @param id The chat id.
   * @returns True if a hidden chat was restored; false if there is none or it is visible.
   */
  restore(id: string): boolean {
    return this.#ctx.sql.get(
      "UPDATE chats SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL",
    ).run(id).changes > 0;
  }

  /**
   * Deletes soft-deleted chats and their messages for good.
   *
   * @param deletedBefore Only chats deleted at or before this time (ms since the epoch).
   * @default {Infinity} every soft-deleted chat
   * @returns How many chats were deleted.
   */
  purgeDeleted(deletedBefore: number = Infinity): number {
    // One statement: the messages go by ON DELETE CASCADE in the same transaction.
    return Number(
      this.#ctx.sql.get("DELETE FROM chats WHERE deleted_at IS NOT NULL AND deleted_at <= ?")
        .run(Number.isFinite(deletedBefore) ? deletedBefore : Number.MAX_SAFE_INTEGER).changes,
    );
  }
}
