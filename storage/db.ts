/**
 * Opening the database: {@link openDatabase} sets up the connection, refuses files from
 * a newer Hearth, migrates older ones and returns a {@link Storage}.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { StoreContext } from "./_context.ts";
import { Statements } from "./_sql.ts";
import { ChatStore } from "./chats.ts";
import { DatabaseVersionError } from "./errors.ts";
import { exportBranch, type ExportFormat, exportJsonl } from "./export.ts";
import { type ImportFormat, parseImport } from "./import.ts";
import { MessageStore } from "./messages.ts";
import { MessageEdits } from "./message_edits.ts";
import { MessageImageStore } from "./message_images.ts";
import { migrate, MIGRATIONS, schemaVersion } from "./migrations.ts";
import { ModelFolderStore } from "./model_folders.ts";
import { WorkspaceFolderStore } from "./workspace_folders.ts";
import { ModelOptionsStore } from "./model_options.ts";
import { ModelStore } from "./models.ts";
import { DownloadStore } from "./downloads.ts";
import { searchChats, type SearchOptions, type SearchResult } from "./search.ts";
import { SettingsStore } from "./settings.ts";
import { SheetStore } from "./sheets.ts";
import { BenchRunStore } from "./bench_runs.ts";
import { GenerationHistory } from "./history.ts";
import { transaction } from "./transaction.ts";
import type { Chat } from "./types.ts";

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Mark messages left "streaming" by a process that died as "incomplete" right after
   * opening (see {@link Storage.recoveredOnOpen}). Turn it off when another live process
   * may be streaming into the same file. @default {true}
   */
  recoverInterrupted?: boolean;
  /** How long to wait for another connection's write lock, in milliseconds. @default {5000} */
  busyTimeoutMs?: number;
  /** The clock, ms since the epoch; tests pass a fake. @default {Date.now} */
  now?: () => number;
  /** Makes ids for new chats and messages; tests pass a fake. @default {crypto.randomUUID} */
  randomId?: () => string;
}

/**
 * One open Hearth database: chats, their message trees, settings, model folders and the
 * model index. Get it from {@link openDatabase}; close it with `close()` or `using`. Every
 * method is synchronous (node:sqlite) and every multi-row change runs in one transaction.
 */
export class Storage {
  /** The database file. */
  readonly path: string;
  /** Chats. */
  readonly chats: ChatStore;
  /** Message trees and streaming replies. */
  readonly messages: MessageStore;
  /** Edits of finished messages: text in place, continue, remove and restore, fork. */
  readonly edits: MessageEdits;
  /** Images attached to messages. */
  readonly images: MessageImageStore;
  /** App-wide settings. */
  readonly settings: SettingsStore;
  /** Folders scanned for GGUF files. */
  readonly modelFolders: ModelFolderStore;
  /** Folders the user chose whose files the UI reaches through the app. */
  readonly workspaceFolders: WorkspaceFolderStore;
  /** The model library's index of GGUF files found on disk. */
  readonly models: ModelStore;
  /** Load options saved per model file. */
  readonly modelOptions: ModelOptionsStore;
  /** Hugging Face downloads not finished yet, restored after a restart. */
  readonly downloads: DownloadStore;
  /** Sheets: rows, data and AI columns, cells and generation jobs. */
  readonly sheets: SheetStore;
  /** `deno task bench` runs: model, parameters, results. */
  readonly benchRuns: BenchRunStore;
  /** Every reply and sheet job with its model, settings and metrics (a view, read-only). */
  readonly history: GenerationHistory;
  /** How many "streaming" messages opening marked "incomplete" (0 if that was off). */
  readonly recoveredOnOpen: number;
  readonly #ctx: StoreContext;

  /** @internal Use {@link openDatabase}. */
  constructor(db: DatabaseSync, path: string, options: OpenDatabaseOptions = {}) {
    this.path = path;
    this.#ctx = {
      db,
      sql: new Statements(db),
      now: options.now ?? Date.now,
      newId: options.randomId ?? (() => crypto.randomUUID()),
    };
    this.chats = new ChatStore(this.#ctx);
    this.messages = new MessageStore(this.#ctx, this.chats);
    this.images = new MessageImageStore(this.#ctx);
    this.edits = new MessageEdits(this.#ctx, this.chats, this.messages, this.images);
    this.modelFolders = new ModelFolderStore(this.#ctx);
    this.workspaceFolders = new WorkspaceFolderStore(this.#ctx);
    this.models = new ModelStore(this.#ctx);
    this.modelOptions = new ModelOptionsStore(this.#ctx);
    this.downloads = new DownloadStore(this.#ctx);
    this.settings = new SettingsStore(this.#ctx, this.modelFolders);
    this.sheets = new SheetStore(this.#ctx);
    this.benchRuns = new BenchRunStore(this.#ctx);
    this.history = new GenerationHistory(this.#ctx);
    this.recoveredOnOpen = options.recoverInterrupted === false ? 0 : this.recoverInterrupted();
  }

  /** True once {@link Storage.close} ran. */
  get closed(): boolean {
    return !this.#ctx.db.isOpen;
  }

  /**
   * Runs `fn` in one transaction (a savepoint when nested): all its writes commit
   * together or not at all.
   *
   * @param fn Synchronous work using this storage.
   * @returns What `fn` returns.
   * @throws {TypeError} If `fn` returns a promise.
   * @throws Whatever `fn` throws, after rolling back.
   *
   * @example A user message and the streaming reply to it, together
   * ```ts ignore
   * const { user, assistant } = storage.transaction(() => {
   *   const user = storage.messages.add(chatId, { parent_id, role: "user", content });
   *   const assistant = storage.messages.add(chatId, {
   *     parent_id: user.id, role: "assistant", state: "streaming", model,
   *   });
   *   return { user, assistant };
   * });
   * ```
   */
  transaction<T>(fn: () => T): T {
    return transaction(this.#ctx.db, fn);
  }

  /**
   * Full-text search over every message and chat title; see `ftsQuery` for how user
   * text becomes a query (it never throws on FTS syntax).
   *
   * @param query What the user typed.
   * @param options The result limit.
   * @returns Matching chats, newest first, each with an HTML-safe `snippet`.
   */
  search(query: string, options?: SearchOptions): SearchResult[] {
    return searchChats(this.#ctx, query, options);
  }

  /**
   * Exports a chat: JSONL holds its whole message tree (every branch), Markdown and OpenAI
   * messages its active branch. Markdown and OpenAI messages carry the system prompt
   * the chat's replies were generated with: its own, else the settings' default (as
   * app/replies.ts falls back); JSONL keeps the chat as stored, so an import falls
   * back the same way.
   *
   * @param chatId The chat.
   * @param format "md", "jsonl" or "openai" (see export.ts for the formats).
   * @returns The file's text.
   * @throws {NotFoundError} If the chat does not exist or is soft-deleted.
   * @throws {TypeError} On an unknown format.
   */
  exportChat(chatId: string, format: ExportFormat): string {
    const chat = this.chats.require(chatId);
    if (format === "jsonl") return exportJsonl(chat, this.messages.list(chatId));
    const branch = this.messages.activeBranch(chatId);
    if (chat.system_prompt) return exportBranch(chat, branch, format);
    const { system_prompt } = this.settings.get();
    return exportBranch({ ...chat, system_prompt }, branch, format);
  }

  /**
   * Imports a chat as a new chat (fresh ids). The whole file is validated first, then
   * the chat and all its messages are written in one transaction: an invalid file
   * changes nothing.
   *
   * @param text The file's text.
   * @param format "jsonl" (our format), "openai" (`{"messages": [...]}`), or "auto"
   *   (default): told from the content.
   * @returns The new chat.
   * @throws {ChatImportError} If the file is invalid, naming the line or index and field.
   * @throws {TypeError} On an unknown format.
   */
  importChat(text: string, format: ImportFormat | "auto" = "auto"): Chat {
    const parsed = parseImport(text, format);
    return this.transaction(() => {
      const now = this.#ctx.now();
      const chat = this.chats.insert({
        ...parsed.chat,
        created_at: parsed.chat.created_at ?? now,
        updated_at: now,
      });
      const ids: string[] = [];
      for (const { parent, fields, created_at } of parsed.messages) {
        const parentId = parent === null ? null : ids[parent];
        const message = this.messages.insert(
          chat.id,
          { ...fields, parent_id: parentId },
          created_at ?? now,
          false,
        );
        ids.push(message.id);
      }
      const leaf = parsed.activeLeaf === null ? null : ids[parsed.activeLeaf];
      return this.chats.update(chat.id, { active_leaf_id: leaf });
    });
  }

  /**
   * Marks every "streaming" message "incomplete" (its process died mid-reply).
   * {@link openDatabase} calls it unless told not to.
   *
   * @returns How many messages were marked.
   */
  recoverInterrupted(): number {
    return this.messages.recoverInterrupted();
  }

  /** Closes the database; later calls do nothing. Using a store afterwards throws. */
  close(): void {
    if (this.#ctx.db.isOpen) this.#ctx.db.close();
  }

  /** Closes the database (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Opens (or creates) a Hearth database and brings its schema up to date.
 *
 * The connection uses WAL with `synchronous=NORMAL`: a commit is in the WAL file once
 * the call returns, so it survives the process crashing or being killed (what the
 * tests check); a power loss or OS crash may lose the last transactions, never corrupt
 * the file. FULL would fsync every commit, too slow for a streaming reply saved every
 * few hundred ms. Foreign keys are on; a busy timeout waits for other connections.
 *
 * @param path The database file, e.g. `join(dataDir(env, home), DATABASE_FILE)`; its
 * folder is created (mode 0700) if missing. ":memory:" opens a private in-memory one.
 * @param options Recovery, timeouts, and fakes for tests.
 * @returns The open storage.
 * @throws {DatabaseVersionError} If a newer Hearth wrote the file; it is left unchanged.
 * @throws {Error} If the file is not a SQLite database or cannot be opened.
 *
 * @example
 * ```ts ignore
 * using storage = openDatabase(join(dataDir((name) => Deno.env.get(name), home), DATABASE_FILE));
 * const chat = storage.chats.create({ title: "Hello" });
 * storage.messages.add(chat.id, { parent_id: null, role: "user", content: "Hi" });
 * ```
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Storage {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    throw new Error(`Cannot open database "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    // Connection settings first: they change nothing in the file.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.exec("PRAGMA foreign_keys = ON");
    const version = readVersion(db, path);
    if (version > MIGRATIONS.length) {
      throw new DatabaseVersionError(path, version, MIGRATIONS.length);
    }
    // Only now write: switching to WAL rewrites the file header.
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    migrate(db);
    return new Storage(db, path, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Reads the schema version, the first read of the file: a non-database fails here. */
function readVersion(db: DatabaseSync, path: string): number {
  try {
    return schemaVersion(db);
  } catch (error) {
    throw new Error(`Cannot open database "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}
