/**
 * Hearth's storage: one SQLite file (node:sqlite) holding chats as message trees,
 * settings, model folders, the model library's index and a full-text index of every
 * message. It imports nothing else of Hearth's; the server maps it onto the UI's API
 * (docs/ui-api.md), whose shapes it stores as they are.
 *
 * The file lives in {@link dataDir}; {@link openDatabase} opens it, migrates it and
 * returns a {@link Storage} with one store per table: `chats`, `messages`, `settings`,
 * `modelFolders`, `models`, `downloads`, plus `edits` (edit in place, continue, remove and
 * restore, fork), search, export and import.
 *
 * @example
 * ```ts
 * import { openDatabase } from "./mod.ts";
 *
 * using storage = openDatabase(":memory:");
 * const chat = storage.chats.create({ title: "Greetings" });
 * const hi = storage.messages.add(chat.id, { parent_id: null, role: "user", content: "Hi" });
 * const reply = storage.messages.add(chat.id, {
 *   parent_id: hi.id,
 *   role: "assistant",
 *   state: "streaming",
 * });
 * storage.messages.append(reply.id, "Hello");
 * storage.messages.append(reply.id, " there");
 * storage.messages.finish(reply.id, { state: "complete", finish_reason: "stop" });
 * console.assert(storage.search("hello")[0].snippet === "<mark>Hello</mark> there");
 * ```
 *
 * @module
 */
export { openDatabase, Storage } from "./db.ts";
export type { OpenDatabaseOptions } from "./db.ts";
export { DATABASE_FILE, dataDir } from "./data_dir.ts";
export { ChatStore, DEFAULT_OVERFLOW, DEFAULT_TITLE } from "./chats.ts";
export type { ChatPatch, ListChatsOptions, NewChat } from "./chats.ts";
export { MessageStore } from "./messages.ts";
export type { AddMessageOptions, FinishedMessage, NewMessage } from "./messages.ts";
export { MessageEdits } from "./message_edits.ts";
export type { RemovedSubtree } from "./message_edits.ts";
export { IMAGE_MIME_TYPES, MAX_IMAGES_PER_MESSAGE, MessageImageStore } from "./message_images.ts";
export type { MessageImage } from "./message_images.ts";
export { DEFAULT_SETTINGS, SettingsStore } from "./settings.ts";
export type { OpenAiServerPatch, SettingsPatch } from "./settings.ts";
export { ModelFolderStore } from "./model_folders.ts";
export { WorkspaceFolderStore } from "./workspace_folders.ts";
export { CACHE_TYPES, checkModelLoadOptions, ModelOptionsStore } from "./model_options.ts";
export { ModelStore } from "./models.ts";
export type { ModelKind, ModelRecord, ModelRootKind } from "./models.ts";
export { DownloadStore } from "./downloads.ts";
export { BenchRunStore, checkBenchRun } from "./bench_runs.ts";
export type {
  BenchParams,
  BenchRun,
  BenchTestResult,
  ListBenchRunsOptions,
  NewBenchRun,
} from "./bench_runs.ts";
export { GenerationHistory, HISTORY_KINDS } from "./history.ts";
export type {
  HistoryEntry,
  HistoryFilter,
  HistoryKind,
  HistoryMetrics,
  HistoryPage,
} from "./history.ts";
export { MAX_SHEET_PARALLEL, SHEET_CELL_STATES, SheetStore } from "./sheets.ts";
export type {
  QueueMode,
  Sheet,
  SheetAiSpec,
  SheetCell,
  SheetCellState,
  SheetColumn,
  SheetColumnType,
  SheetJob,
  SheetJobState,
  SheetRow,
  SheetValue,
} from "./sheets.ts";
export type { NewSavedDownload, SavedDownload, SavedDownloadState } from "./downloads.ts";
export { escapeHtml, ftsQuery } from "./search.ts";
export type { SearchOptions, SearchResult } from "./search.ts";
export { EXPORT_FORMATS, JSONL_VERSION } from "./export.ts";
export type { ExportFormat } from "./export.ts";
export type { ImportFormat } from "./import.ts";
export { transaction } from "./transaction.ts";
export { MIGRATIONS } from "./migrations.ts";
export type { Migration } from "./migrations.ts";
export {
  ChatImportError,
  DatabaseVersionError,
  MessageStateError,
  NotFoundError,
} from "./errors.ts";
export type {
  Chat,
  FinishReason,
  Message,
  MessageBackend,
  MessageState,
  Metrics,
  ModelFolder,
  ModelLoadOptions,
  OpenAiServerSettings,
  Overflow,
  Role,
  Sampling,
  Settings,
  Theme,
  WindowGeometry,
  WorkspaceFolder,
} from "./types.ts";
