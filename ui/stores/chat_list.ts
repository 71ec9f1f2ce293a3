/**
 * The sidebar's chats: the list (newest first), full-text search, rename, and delete with undo.
 *
 * @module
 */
import { createModel, signal } from "@preact/signals";
import type { Api } from "../api.ts";
import type { Chat, ChatSummary, ExportFormat, ImportFormat } from "../../api/types.ts";
import type { Toasts } from "./toasts.ts";

/** Wait after the last keystroke before searching, in milliseconds. */
const SEARCH_DEBOUNCE_MS = 200;

/**
 * The chat list store; `onRemoved` runs after a chat is deleted (to close it if open),
 * `onRenamed` after a rename is saved (so the open chat's header shows the new title).
 */
export const ChatListModel = createModel(
  (
    api: Api,
    toasts: Toasts,
    onRemoved: (id: string) => void,
    onRenamed: (chat: Chat) => void = () => {},
  ) => {
    const chats = signal<readonly ChatSummary[]>([]);
    const query = signal("");
    /** Search hits with snippets; null when the search box is empty. */
    const results = signal<readonly ChatSummary[] | null>(null);
    let searchTimer: ReturnType<typeof setTimeout> | undefined;

    const refresh = async () => {
      try {
        chats.value = (await api.listChats()).chats;
      } catch (error) {
        toasts.error(error);
      }
    };
    const runSearch = async (q: string) => {
      try {
        const found = (await api.listChats(q)).chats;
        // A slower, older search must not overwrite a newer one's results.
        if (query.value.trim() === q) results.value = found;
      } catch (error) {
        toasts.error(error);
      }
    };
    const search = (text: string) => {
      query.value = text;
      clearTimeout(searchTimer);
      const q = text.trim();
      if (!q) results.value = null;
      else searchTimer = setTimeout(() => runSearch(q), SEARCH_DEBOUNCE_MS);
    };
    /** Puts a created or changed chat in place, keeping newest first. */
    const upsert = (chat: Chat) => {
      const rest = chats.value.filter((c) => c.id !== chat.id);
      chats.value = [chat, ...rest].sort((a, b) => b.updated_at - a.updated_at);
    };
    const rename = async (id: string, title: string) => {
      const old = chats.value.find((c) => c.id === id);
      if (!old || !title.trim() || title === old.title) return;
      chats.value = chats.value.map((c) => (c.id === id ? { ...c, title } : c));
      try {
        const saved = await api.patchChat(id, { title: title.trim() });
        upsert(saved);
        onRenamed(saved);
      } catch (error) {
        chats.value = chats.value.map((c) => (c.id === id ? old : c));
        toasts.error(error);
      }
    };
    const restore = async (id: string) => {
      try {
        await api.restoreChat(id);
        await refresh();
      } catch (error) {
        toasts.error(error);
      }
    };
    const remove = async (id: string) => {
      const chat = chats.value.find((c) => c.id === id);
      try {
        await api.deleteChat(id);
      } catch (error) {
        return toasts.error(error);
      }
      chats.value = chats.value.filter((c) => c.id !== id);
      if (results.value) results.value = results.value.filter((c) => c.id !== id);
      onRemoved(id);
      const text = `Deleted “${chat?.title || "Untitled"}”`;
      toasts.show({ text, kind: "info", action: { label: "Undo", run: () => restore(id) } });
    };
    /** The download URL of a chat's active branch (a plain link: the server names the file). */
    const exportUrl = (id: string, format: ExportFormat): string => api.exportUrl(id, format);
    /** Imports a chat file, then hands the new chat to `open`. */
    const importFile = async (
      format: ImportFormat | undefined,
      text: string,
      open: (id: string) => void,
    ) => {
      try {
        const chat = await api.importChat(format, text);
        upsert(chat);
        open(chat.id);
        toasts.show({ text: `Imported “${chat.title || "Untitled"}”`, kind: "info" });
      } catch (error) {
        toasts.error(error);
      }
    };
    return {
      chats,
      query,
      results,
      refresh,
      search,
      upsert,
      rename,
      remove,
      restore,
      exportUrl,
      importFile,
    };
  },
);

/** An instance of {@link ChatListModel}. */
export type ChatListStore = InstanceType<typeof ChatListModel>;
