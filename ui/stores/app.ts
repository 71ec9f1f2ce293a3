/**
 * Builds every UI store once, wired to each other, and starts them: the first load and the
 * `/api/events` stream. `main.tsx` calls this at the root; tests build fresh ones.
 *
 * @module
 */
import { computed } from "@preact/signals";
import type { Api, Close } from "../api.ts";
import { ChatListModel, type ChatListStore } from "./chat_list.ts";
import { ConversationModel, type ConversationStore } from "./conversation.ts";
import { ContextModel, type ContextStore } from "./context.ts";
import { DownloadsModel, type DownloadsStore } from "./downloads.ts";
import { GenerationModel, type GenerationStore } from "./generation.ts";
import { HubBrowserModel, type HubStore } from "./hub.ts";
import { LibraryModel, type LibraryStore } from "./library.ts";
import { ModelsModel, type ModelsStore } from "./models.ts";
import { OpenAiServerModel, type OpenAiServerStore } from "./openai_server.ts";
import { ResourcesModel, type ResourcesStore } from "./resources.ts";
import { SettingsModel, type SettingsStore } from "./settings.ts";
import { type Toasts, ToastsModel } from "./toasts.ts";
import { ViewModel, type ViewStore } from "./view.ts";
import { ProvidersModel, type ProvidersStore } from "./providers.ts";
import { HubTokenModel, type HubTokenStore } from "./hub_token.ts";
import { ModelOptionsModel, type ModelOptionsStore } from "./model_options.ts";
import { HistoryModel, type HistoryStore } from "./history.ts";
import { createHistoryApi, type HistoryApi } from "../history_api.ts";
import { SheetsModel, type SheetsStore } from "./sheets.ts";
import { SheetImportsModel, type SheetImportsStore } from "./sheet_imports.ts";
import { createSheetsApi, type SheetsApi } from "../sheets_api.ts";
import { createWorkspaceApi, type WorkspaceApi } from "../workspace_api.ts";

/** All stores of the app. */
export type Stores = {
  toasts: Toasts;
  view: ViewStore;
  settings: SettingsStore;
  models: ModelsStore;
  library: LibraryStore;
  hub: HubStore;
  downloads: DownloadsStore;
  chats: ChatListStore;
  conversation: ConversationStore;
  generation: GenerationStore;
  /** How full the open chat's context is, live. */
  context: ContextStore;
  resources: ResourcesStore;
  openAiServer: OpenAiServerStore;
  providers: ProvidersStore;
  /** Where the Hugging Face token comes from (write-only). */
  hubToken: HubTokenStore;
  /** The loaded model's load options, saved with its file. */
  modelOptions: ModelOptionsStore;
  /** The generation history and saved bench runs (the History dialog). */
  history: HistoryStore;
  /** The Sheets workbench. */
  sheets: SheetsStore;
  /** Sheet imports in flight: progress and Cancel in the sheet list. */
  sheetImports: SheetImportsStore;
  /** The workspace file layer's client (open and save dialogs). */
  files: WorkspaceApi;
};

/**
 * Creates the stores; nothing is fetched until {@link startStores}.
 *
 * @param api the HTTP client every store talks through
 * @param historyApi the history's client (`/api/history`, `/api/bench-runs`); the page's own
 *   origin by default
 * @param sheetsApi the sheets routes' client (default: the page's own server)
 * @param files the workspace file layer's client (default: the page's own server)
 * @returns the stores
 */
export function createStores(
  api: Api,
  historyApi: HistoryApi = createHistoryApi(),
  sheetsApi: SheetsApi = createSheetsApi(),
  files: WorkspaceApi = createWorkspaceApi(),
): Stores {
  const toasts = new ToastsModel();
  const view = new ViewModel();
  // Conversation, chat list and generation call each other; the getters break the cycle.
  const conversation: ConversationStore = new ConversationModel(api, {
    chats: () => chats,
    generation: () => generation,
    toasts,
  });
  const chats = new ChatListModel(
    api,
    toasts,
    (id) => conversation.removed(id),
    (chat) => conversation.changed(chat),
  );
  const generation = new GenerationModel(api, {
    finished: (message) => conversation.finished(message),
    failed: (id, error, text) => conversation.failed(id, error, text),
  });
  const watched = computed(() => view.panel.value === "resources");
  const settings = new SettingsModel(api, toasts);
  const models = new ModelsModel(api, toasts, settings);
  const sheets = new SheetsModel(sheetsApi, toasts);
  return {
    toasts,
    view,
    settings,
    models,
    library: new LibraryModel(api, toasts, models, settings),
    hub: new HubBrowserModel(api, settings),
    // The server's watcher adds a finished file to the library too; refreshing at once means
    // the Local tab never waits for it.
    downloads: new DownloadsModel(api, toasts, () => void models.refresh()),
    chats,
    conversation,
    generation,
    context: new ContextModel(api, { conversation, generation, models }),
    resources: new ResourcesModel(api, watched),
    openAiServer: new OpenAiServerModel(api, toasts, settings),
    providers: new ProvidersModel(api, toasts),
    hubToken: new HubTokenModel(api, toasts),
    modelOptions: new ModelOptionsModel(api, toasts, models),
    history: new HistoryModel(historyApi, toasts),
    sheets,
    sheetImports: new SheetImportsModel(sheetsApi, toasts, sheets),
    files,
  };
}

/**
 * Loads the first screen (state, chats, models, downloads) and follows `/api/events`.
 *
 * @param stores from {@link createStores}
 * @param api the same client
 * @returns a function that closes the event stream
 */
export async function startStores(stores: Stores, api: Api): Promise<Close> {
  // Events that come while the first screen loads wait for it, then apply in order: that
  // screen's state can be older than they are (the default model finished loading while it
  // was on its way), and applied after them it would undo them (the header would show no
  // model until a reload). Replayed after it, events only repeat what it already shows.
  let held: (() => void)[] | null = [];
  const later = (apply: () => void) => held ? void held.push(apply) : apply();
  const ready = Promise.withResolvers<void>();
  const close = api.events({
    ready: () => ready.resolve(),
    model: (loaded) => later(() => stores.models.onModel(loaded)),
    loading: (loading) => later(() => stores.models.onLoading(loading)),
    load_error: (error) => later(() => stores.models.onLoadError(error)),
    // Any chat change (title set by the server, a reply finished elsewhere) refreshes the list.
    chats: () => later(() => void stores.chats.refresh()),
    library: (change) => later(() => stores.library.onLibrary(change)),
    downloads: (download) => later(() => stores.downloads.onDownload(download)),
    openai_server: (status) => later(() => stores.openAiServer.onStatus(status)),
    sheets: (progress) => later(() => stores.sheets.onProgress(progress)),
    sheet_import: (progress) => later(() => stores.sheetImports.onEvent(progress)),
  });
  // Read once the server follows the stream: a change after the read then comes as an event.
  await ready.promise;
  try {
    const [state] = await Promise.all([
      api.state(),
      stores.chats.refresh(),
      stores.models.refresh(),
      stores.downloads.refresh(),
    ]);
    stores.settings.set(state.settings);
    stores.models.applyState(state);
  } catch (error) {
    stores.toasts.error(error);
  }
  for (const apply of held) apply();
  held = null;
  return close;
}
