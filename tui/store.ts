/**
 * The terminal UI's state and actions over the app core: the chat list, the open chat's
 * active branch, the reply that streams, the loaded model and a notification line. Views
 * read {@link TuiStore.state} (a new object on every change, for React's
 * `useSyncExternalStore`) and call the actions; nothing here draws.
 *
 * Every write goes through the app's services (storage, `sendMessage`/`regenerate`,
 * `replies.watch`, `host.load`), so the desktop app sees the same chats.
 *
 * @module
 */
import type { App } from "../app/create_app.ts";
import { regenerate, sendMessage } from "../app/chat_turns.ts";
import type { LoadedModel, Loading } from "../app/loaded_model.ts";
import type { Chat, ExportFormat, Message, Sampling } from "../storage/mod.ts";

/** How often a streaming reply is redrawn at most, in milliseconds (one 60 Hz frame). */
export const STREAM_FRAME_MS = 16;

/** The notification line: what happened last, and whether it went wrong. */
export interface Notice {
  kind: "info" | "error";
  text: string;
}

/** A snapshot of everything the views show. */
export interface TuiState {
  /** Chats, newest first; filtered by {@link TuiState.query} when it is set. */
  chats: Chat[];
  /** The sessions pane's search text; "" = every chat. */
  query: string;
  /** The open chat, or null before the first message of a new session. */
  chat: Chat | null;
  /** The open chat's active branch, root first. */
  branch: Message[];
  /** The reply being generated in the open chat: its message id and text so far. */
  streaming: { id: string; text: string } | null;
  /** The loaded model, or null. */
  loaded: LoadedModel | null;
  /** A load in progress, or null. */
  loading: Loading | null;
  /** The notification line, or null. */
  notice: Notice | null;
}

/** Holds the UI state and runs the user's actions on the app core. */
export class TuiStore {
  readonly #app: App;
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: () => void;
  /** The model new chats use (`-m`); undefined = the settings' default. */
  readonly #model: string | undefined;
  #unwatch: (() => void) | undefined;
  #state: TuiState;

  /** Follows `app`'s events; `model` (a path) is used by chats this UI creates. */
  constructor(app: App, model?: string) {
    this.#app = app;
    this.#model = model;
    this.#state = {
      chats: app.storage.chats.list(),
      query: "",
      chat: null,
      branch: [],
      streaming: null,
      loaded: app.host.loaded,
      loading: app.host.loading,
      notice: null,
    };
    this.#unsubscribe = app.events.subscribe((event) => {
      if (event.event === "model" || event.event === "loading" || event.event === "load_error") {
        this.#onModel(event.event, event.data);
      } else if (event.event === "chats") this.refreshChats();
      else if (event.event === "downloads") this.#onDownload(event.data);
    });
  }

  /** The current snapshot; replaced, never mutated, on every change. */
  get state(): TuiState {
    return this.#state;
  }

  /** Adds a change listener; returns the function that removes it. */
  subscribe = (listener: () => void): () => void => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Stops following the app (the app itself stays open). */
  close(): void {
    this.#unsubscribe();
    this.#unwatch?.();
  }

  #set(patch: Partial<TuiState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }

  /** Shows `text` on the notification line. */
  notify(text: string, kind: Notice["kind"] = "info"): void {
    this.#set({ notice: { kind, text } });
  }

  /** Runs `action`, showing what it throws on the notification line instead. */
  #try<T>(action: () => T): T | undefined {
    try {
      return action();
    } catch (error) {
      this.notify(error instanceof Error ? error.message : String(error), "error");
      return undefined;
    }
  }

  /** Re-reads the chat list (and the open chat, which may have changed elsewhere). */
  refreshChats(): void {
    const { storage } = this.#app;
    const query = this.#state.query.trim();
    const chats = query ? storage.search(query) : storage.chats.list();
    const open = this.#state.chat && storage.chats.get(this.#state.chat.id);
    if (this.#state.chat && !open) return this.#set({ chats, chat: null, branch: [] });
    this.#set({ chats, ...(open && !this.#state.streaming ? this.#read(open.id) : {}) });
  }

  /** Filters the chat list by full-text search; "" lists every chat. */
  search(query: string): void {
    this.#state = { ...this.#state, query };
    this.refreshChats();
  }

  #read(chatId: string): Pick<TuiState, "chat" | "branch"> {
    const { storage } = this.#app;
    return { chat: storage.chats.require(chatId), branch: storage.messages.activeBranch(chatId) };
  }

  /** Opens chat `id`, following its reply if one is streaming. */
  open(id: string): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    const read = this.#try(() => this.#read(id));
    if (!read) return;
    this.#set({ ...read, streaming: null });
    const last = read.branch.at(-1);
    if (last?.state === "streaming") this.#follow(last.id);
  }

  /** Starts a new, empty session; the chat is created with its first message. */
  newChat(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#set({ chat: null, branch: [], streaming: null });
  }

  /** Renames chat `id` (default: the open one). */
  rename(title: string, id = this.#state.chat?.id): void {
    if (!id || !title.trim()) return;
    this.#try(() => this.#app.storage.chats.update(id, { title: title.trim() }));
    this.#changed(id);
  }

  /** Deletes chat `id` (soft: the desktop app can still restore it until it exits). */
  delete(id: string): void {
    this.#try(() => this.#app.storage.chats.softDelete(id));
    if (this.#state.chat?.id === id) this.newChat();
    this.#changed(id);
    this.notify("Chat deleted");
  }

  /** Sets the open chat's system prompt ("" = the settings' default). */
  setSystemPrompt(text: string): void {
    const chat = this.#requireChat();
    this.#try(() => this.#app.storage.chats.update(chat.id, { system_prompt: text }));
    this.#changed(chat.id);
  }

  /** Merges `sampling` into the open chat's sampling overrides. */
  setSampling(sampling: Sampling): void {
    const chat = this.#requireChat();
    this.#try(() =>
      this.#app.storage.chats.update(chat.id, { sampling: { ...chat.sampling, ...sampling } })
    );
    this.#changed(chat.id);
  }

  #requireChat(): Chat {
    if (this.#state.chat) return this.#state.chat;
    const chat = this.#app.storage.chats.create(this.#model ? { model: this.#model } : {});
    this.#set({ chat });
    return chat;
  }

  #changed(id: string): void {
    this.#app.events.publish({ event: "chats", data: { id } });
  }

  /**
   * Sends `text` as a user message after the branch's last message, or, with `editOf`, as
   * a new version of that user message (a sibling branch); the reply streams.
   */
  send(text: string, editOf?: string): void {
    if (!text.trim()) return;
    const chat = this.#requireChat();
    const parent = editOf
      ? this.#app.storage.messages.get(editOf)?.parent_id ?? null
      : this.#state.branch.at(-1)?.id ?? null;
    const turn = this.#try(() => sendMessage(this.#app, chat.id, text, parent));
    if (!turn) return;
    this.#set({ ...this.#read(chat.id), notice: null });
    this.#follow(turn.assistant.id);
  }

  /** Generates a new version of the branch's last reply. */
  regenerate(): void {
    const last = this.#state.branch.findLast((m) => m.role === "assistant");
    if (!last || this.#state.streaming) return;
    const reply = this.#try(() => regenerate(this.#app, last.id));
    if (!reply) return;
    this.#set(this.#read(reply.chat_id));
    this.#follow(reply.id);
  }

  /** Stops the streaming reply; false when none streams. */
  stop(): boolean {
    const id = this.#state.streaming?.id;
    return id !== undefined && this.#app.replies.stop(id);
  }

  /**
   * Shows the previous (`-1`) or next (`1`) version of branch message `id`, with its
   * newest descendants.
   */
  switchBranch(id: string, step: -1 | 1): void {
    const { messages, chats } = this.#app.storage;
    const siblings = messages.siblings(id);
    const at = siblings.findIndex((m) => m.id === id);
    const next = siblings[at + step];
    if (!next || !this.#state.chat || this.#state.streaming) return;
    const chatId = this.#state.chat.id;
    this.#try(() => chats.update(chatId, { active_leaf_id: messages.newestLeaf(next.id) }));
    this.#set(this.#read(chatId));
  }

  /** Versions of message `id`: its 1-based position and how many there are. */
  versions(id: string): { index: number; count: number } {
    const siblings = this.#app.storage.messages.siblings(id);
    return { index: siblings.findIndex((m) => m.id === id) + 1, count: siblings.length };
  }

  /** Writes the open chat's active branch to `path` as Markdown or JSONL. */
  async export(format: ExportFormat, path: string): Promise<void> {
    const chat = this.#state.chat;
    if (!chat) return this.notify("Nothing to export: the chat is empty", "error");
    try {
      await Deno.writeTextFile(path, this.#app.storage.exportChat(chat.id, format));
      this.notify(`Exported to ${path}`);
    } catch (error) {
      this.notify(`Cannot export the chat to ${path}: ${(error as Error).message}`, "error");
    }
  }

  /** Loads model `path` (unloading the current one); the open chat switches to it. */
  load(path: string): void {
    const settings = this.#app.storage.settings.get();
    const chat = this.#state.chat;
    if (chat) this.#try(() => this.#app.storage.chats.update(chat.id, { model: path }));
    this.#app.host.load(path, chat?.n_ctx ?? settings.n_ctx).catch(() => {
      // The host publishes a load_error event: the notification line shows it.
    });
  }

  #follow(messageId: string): void {
    let text = "";
    // Pieces arrive faster than a terminal shows them: the screen takes them at most once
    // a frame, so a fast model does not spend its time redrawing.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      if (this.#state.streaming?.id === messageId) {
        this.#set({ streaming: { id: messageId, text } });
      }
    };
    const watching = this.#app.replies.watch(messageId, (event) => {
      if (event.type === "delta") {
        text += event.text;
        timer ??= setTimeout(flush, STREAM_FRAME_MS);
        return;
      }
      clearTimeout(timer);
      this.#unwatch = undefined;
      const chatId = this.#state.chat?.id;
      this.#set({ streaming: null, ...(chatId ? this.#read(chatId) : {}) });
      if (event.type === "error") this.notify(event.message, "error");
      this.refreshChats();
    });
    if (!watching) return this.#set({ streaming: null });
    text = watching.content;
    this.#unwatch = () => {
      clearTimeout(timer);
      watching.unwatch();
    };
    this.#set({ streaming: { id: messageId, text } });
  }

  #onModel(event: string, data: unknown): void {
    const { host } = this.#app;
    const patch: Partial<TuiState> = { loaded: host.loaded, loading: host.loading };
    if (event === "load_error") {
      const error = data as { path?: string; message?: string } | null;
      if (error?.message) patch.notice = { kind: "error", text: error.message };
    } else if (event === "loading" && host.loading) {
      const percent = Math.round(host.loading.progress * 100);
      patch.notice = { kind: "info", text: `Loading ${basename(host.loading.path)} ${percent}%` };
    } else if (event === "model" && host.loaded) {
      patch.notice = { kind: "info", text: `Loaded ${basename(host.loaded.path)}` };
    }
    this.#set(patch);
  }

  #onDownload(data: unknown): void {
    const d = data as {
      id: string;
      state: string;
      progress?: { downloadedBytes: number; totalBytes: number };
    };
    const p = d.progress;
    const percent = p && p.totalBytes
      ? ` ${Math.round(100 * p.downloadedBytes / p.totalBytes)}%`
      : "";
    this.notify(`Download ${d.id}: ${d.state}${percent}`);
  }
}

/** The file name of a path. */
export function basename(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
