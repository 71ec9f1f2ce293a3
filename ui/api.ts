/**
 * The UI's only door to the server (docs/ui-api.md): JSON over `fetch` and SSE over
 * `EventSource`. Same-origin requests carry the `hearth_secret` cookie the server set when the
 * window opened `/?secret=...`, so nothing here handles the secret.
 *
 * @module
 */
import type {
  AppState,
  Chat,
  ChatPatch,
  ChatSummary,
  ContextRequest,
  ContextUsage,
  DeletedMessages,
  DeviceChoice,
  Download,
  ExportFormat,
  HubFileMetadata,
  HubRepo,
  HubSearchPage,
  HubSort,
  HubTokenSource,
  ImportFormat,
  LibraryChange,
  LibraryEntry,
  LoadedModel,
  LoadError,
  Loading,
  MemoryFit,
  Message,
  ModelLoadOptions,
  NewChat,
  OpenAiServerStatus,
  Preset,
  PresetId,
  Provider,
  ProviderPatch,
  ProviderTest,
  Resources,
  Settings,
  SettingsPatch,
  VerifyResult,
} from "../api/types.ts";
import type { SheetImportJson, SheetProgressJson } from "../api/sheets.ts";

/** A non-2xx answer: `status` plus the server's `{error: {message, type}}`. */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The contract's error type (`invalid_request`, `conflict`, ...). */
  readonly type: string;
  /** Extra fields of the error object (`n_prompt_tokens`, `n_ctx` for `exceed_context_size`). */
  readonly details: Record<string, unknown>;

  /** Builds the error from an answer's status and parsed body. */
  constructor(
    status: number,
    type: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.type = type;
    this.details = details;
  }
}

/** Callbacks of a message stream; `done` and `error` end it. */
export type MessageStreamHandlers = {
  /**
   * Everything generated so far (first event, and again after a reconnect), and whether
   * the reply waits for a slot (every slot busy with other replies).
   */
  snapshot(content: string, waiting: boolean, tokens: number): void;
  /** The reply waits for a slot. */
  waiting?(): void;
  /** The reply got a slot after waiting. */
  started?(): void;
  /** The next piece of text and the tokens generated with it (0 when unknown: a provider). */
  delta(text: string, tokens: number): void;
  /** The final message, with metrics. */
  done(message: Message): void;
  /** The generation failed. */
  error(error: ApiError): void;
};

/** Callbacks of the app event stream. */
export type AppEventHandlers = {
  /**
   * The stream is open, so the server sends this page every change from now on (or it failed
   * to open: waiting longer would not help). Called at most once.
   */
  ready?(): void;
  model(loaded: LoadedModel | null): void;
  /** Load progress; null when no load runs (it succeeded, failed or was cancelled). */
  loading(loading: Loading | null): void;
  /** A model load failed. */
  load_error(error: LoadError): void;
  chats(change: { id: string }): void;
  /** Library files appeared, changed or vanished (ids). */
  library(change: LibraryChange): void;
  /** A download progressed or changed state. */
  downloads(download: Download): void;
  /** The app's OpenAI server started, stopped or failed. */
  openai_server(status: OpenAiServerStatus): void;
  /** A sheet job progressed, paused, finished or failed (api/sheets.ts). */
  sheets?(progress: SheetProgressJson): void;
  /** A sheet import started, progressed or ended (api/sheets.ts). */
  sheet_import?(progress: SheetImportJson): void;
};

/** Closes a stream; calling it twice is harmless. */
export type Close = () => void;

/** The client: one method per route. */
export type Api = ReturnType<typeof createApi>;

/** An image sent with a message: its type and its bytes as base64. */
export interface NewImage {
  /** "image/png", "image/jpeg", "image/gif" or "image/bmp". */
  mime_type: string;
  data_base64: string;
}

/**
 * Creates the client.
 *
 * @param base URL prefix of the server, "" for the page's own origin
 * @returns methods that resolve with the contract's shapes and reject with {@link ApiError}
 */
export function createApi(base = "") {
  const json = <T>(method: string, path: string, body?: unknown) =>
    request<T>(base, method, path, body === undefined ? undefined : JSON.stringify(body));
  const id = encodeURIComponent;
  return {
    state: () => json<AppState>("GET", "/api/state"),
    listChats: (q = "") =>
      json<{ chats: ChatSummary[] }>("GET", `/api/chats${q ? `?q=${id(q)}` : ""}`),
    createChat: (body: NewChat) => json<Chat>("POST", "/api/chats", body),
    getChat: (chatId: string) =>
      json<{ chat: Chat; messages: Message[] }>("GET", `/api/chats/${id(chatId)}`),
    patchChat: (chatId: string, patch: ChatPatch) =>
      json<Chat>("PATCH", `/api/chats/${id(chatId)}`, patch),
    deleteChat: (chatId: string) => json<void>("DELETE", `/api/chats/${id(chatId)}`),
    restoreChat: (chatId: string) => json<unknown>("POST", `/api/chats/${id(chatId)}/restore`),
    /**
     * `images` go with the message (the model needs an mmproj); `attachments` are workspace
     * text files put into it (docs/ui-api.md).
     */
    sendMessage: (
      chatId: string,
      content: string,
      parentId: string | null,
      images: readonly NewImage[] = [],
      attachments?: { workspace: string; path: string }[],
    ) =>
      json<{ user: Message; assistant: Message }>("POST", `/api/chats/${id(chatId)}/messages`, {
        content,
        parent_id: parentId,
        ...(attachments?.length ? { attachments } : {}),
        ...(images.length ? { images } : {}),
      }),
    /** The URL of image `n` (0-based) a message carries. */
    imageUrl: (messageId: string, n: number) => `${base}/api/messages/${id(messageId)}/images/${n}`,
    regenerate: (messageId: string) =>
      json<{ assistant: Message }>("POST", `/api/messages/${id(messageId)}/regenerate`),
    stop: (messageId: string) => json<void>("POST", `/api/messages/${id(messageId)}/stop`),
    /** Replaces a message's text in place (no resend, no regeneration). */
    editMessage: (messageId: string, content: string) =>
      json<Message>("PATCH", `/api/messages/${id(messageId)}`, { content }),
    /** Deletes a message and its replies; `undo_id` restores them. */
    deleteMessage: (messageId: string) =>
      json<DeletedMessages>("DELETE", `/api/messages/${id(messageId)}`),
    restoreMessages: (undoId: string) =>
      json<Chat>("POST", "/api/messages/restore", { undo_id: undoId }),
    /** Generates more of a reply, appending to it; follow it with `streamMessage`. */
    continueReply: (messageId: string) =>
      json<{ assistant: Message }>("POST", `/api/messages/${id(messageId)}/continue`),
    /** Copies the branch up to a message into a new chat. */
    forkChat: (messageId: string) => json<Chat>("POST", `/api/messages/${id(messageId)}/fork`),
    streamMessage: (messageId: string, on: MessageStreamHandlers): Close =>
      streamMessage(`${base}/api/messages/${id(messageId)}/stream`, on),
    exportUrl: (chatId: string, format: ExportFormat) =>
      `${base}/api/chats/${id(chatId)}/export?format=${format}`,
    /** Imports a chat file; without a format the server tells it from the content. */
    /** Tokens of a chat's next prompt with the loaded model (context bar, composer). */
    measureContext: (body: ContextRequest) => json<ContextUsage>("POST", "/api/context", body),
    importChat: (format: ImportFormat | undefined, text: string) =>
      request<Chat>(base, "POST", `/api/import${format ? `?format=${format}` : ""}`, text),
    listModels: () => json<{ models: LibraryEntry[] }>("GET", "/api/models"),
    modelFit: (modelId: string, nCtx: number) =>
      json<MemoryFit>("GET", `/api/models/${id(modelId)}/fit?n_ctx=${nCtx}`),
    verifyModel: (modelId: string) =>
      json<VerifyResult>("POST", `/api/models/${id(modelId)}/verify`),
    deleteModel: (modelId: string) => json<void>("DELETE", `/api/models/${id(modelId)}`),
    revealModel: (modelId: string) => json<void>("POST", `/api/models/${id(modelId)}/reveal`),
    hubSearch: (q: string, sort: HubSort, cursor?: string | null) =>
      json<HubSearchPage>(
        "GET",
        `/api/hub/search?${new URLSearchParams({ q, sort, ...(cursor ? { cursor } : {}) })}`,
      ),
    hubRepo: (repo: string) => json<HubRepo>("GET", `/api/hub/repos/${repoPath(repo)}`),
    hubFileMetadata: (repo: string, file: string) =>
      json<HubFileMetadata>("GET", `/api/hub/repos/${repoPath(repo)}/metadata?file=${id(file)}`),
    hubFit: (repo: string, file: string, nCtx: number) =>
      json<MemoryFit>(
        "GET",
        `/api/hub/repos/${repoPath(repo)}/fit?file=${id(file)}&n_ctx=${nCtx}`,
      ),
    /** Where the Hugging Face token in use comes from; the token itself is never sent back. */
    hubToken: () => json<{ source: HubTokenSource }>("GET", "/api/hub-token"),
    /** Saves the Hugging Face token (null removes it). */
    setHubToken: (token: string | null) =>
      json<{ source: HubTokenSource }>("PUT", "/api/hub-token", { token }),
    /** The load options saved for a model file. */
    modelOptions: (path: string) =>
      json<{ path: string; options: ModelLoadOptions }>(
        "GET",
        `/api/model-options?path=${id(path)}`,
      ),
    /** The device kinds (prebuilt variants) the load option `variant` offers on this machine. */
    modelDevices: () => json<{ devices: DeviceChoice[] }>("GET", "/api/model-options/devices"),
    /** Replaces the load options of a model file (null fields: the default). */
    setModelOptions: (path: string, options: ModelLoadOptions) =>
      json<{ path: string; options: ModelLoadOptions }>("PUT", "/api/model-options", {
        path,
        options,
      }),
    listDownloads: () => json<{ downloads: Download[] }>("GET", "/api/downloads"),
    startDownload: (repo: string, file: string) =>
      json<Download>("POST", "/api/downloads", { repo, file }),
    pauseDownload: (downloadId: string) =>
      json<Download>("POST", `/api/downloads/${id(downloadId)}/pause`),
    resumeDownload: (downloadId: string) =>
      json<Download>("POST", `/api/downloads/${id(downloadId)}/resume`),
    cancelDownload: (downloadId: string) =>
      json<void>("DELETE", `/api/downloads/${id(downloadId)}`),
    loadModel: (path: string, nCtx?: number) =>
      json<unknown>("POST", "/api/models/load", nCtx ? { path, n_ctx: nCtx } : { path }),
    unloadModel: () => json<void>("POST", "/api/models/unload"),
    addLora: (path: string, scale = 1) =>
      json<LoadedModel>("POST", "/api/models/loras", { path, scale }),
    setLoraScale: (loraId: number, scale: number) =>
      json<LoadedModel>("PATCH", `/api/models/loras/${loraId}`, { scale }),
    removeLora: (loraId: number) => json<LoadedModel>("DELETE", `/api/models/loras/${loraId}`),
    getSettings: () => json<Settings>("GET", "/api/settings"),
    patchSettings: (patch: SettingsPatch) => json<Settings>("PATCH", "/api/settings", patch),
    openAiServer: () => json<OpenAiServerStatus>("GET", "/api/openai-server"),
    resources: () => json<Resources>("GET", "/api/resources"),
    listProviders: () =>
      json<{ providers: Provider[]; presets: Record<PresetId, Preset> }>("GET", "/api/providers"),
    addProvider: (fields: ProviderPatch) => json<Provider>("POST", "/api/providers", fields),
    patchProvider: (name: string, fields: ProviderPatch) =>
      json<Provider>("PATCH", `/api/providers/${id(name)}`, fields),
    removeProvider: (name: string) => json<void>("DELETE", `/api/providers/${id(name)}`),
    testProvider: (name: string) => json<ProviderTest>("POST", `/api/providers/${id(name)}/test`),
    providerModels: (name: string) =>
      json<{ models: string[] }>("GET", `/api/providers/${id(name)}/models`),
    events: (on: AppEventHandlers): Close => appEvents(`${base}/api/events`, on),
  };
}

/** "org/name" as two escaped path segments (the slash between them stays a slash). */
function repoPath(repo: string): string {
  return repo.split("/").map(encodeURIComponent).join("/");
}

async function request<T>(base: string, method: string, path: string, body?: string): Promise<T> {
  const headers: HeadersInit = body === undefined ? {} : { "content-type": "application/json" };
  let response: Response;
  try {
    response = await fetch(base + path, { method, body, headers, credentials: "same-origin" });
  } catch (cause) {
    throw new ApiError(0, "network", `Cannot reach the Hearth server: ${String(cause)}`);
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The {@link ApiError} of a non-2xx answer, from its status and body text. */
export function errorOf(status: number, text: string): ApiError {
  try {
    const { error } = JSON.parse(text) as { error: Record<string, unknown> };
    const { message, type, ...details } = error;
    return new ApiError(status, String(type), String(message), details);
  } catch {
    return new ApiError(status, "server_error", text.trim() || `HTTP ${status}`);
  }
}

function streamMessage(url: string, on: MessageStreamHandlers): Close {
  const source = new EventSource(url);
  const close = () => source.close();
  const data = (event: Event) => JSON.parse((event as MessageEvent).data);
  source.addEventListener("snapshot", (e) => {
    const { content, waiting, tokens } = data(e);
    on.snapshot(content, waiting === true, typeof tokens === "number" ? tokens : 0);
  });
  source.addEventListener("waiting", () => on.waiting?.());
  source.addEventListener("started", () => on.started?.());
  source.addEventListener("delta", (e) => {
    const { text, tokens } = data(e);
    on.delta(text, typeof tokens === "number" ? tokens : 0);
  });
  source.addEventListener("done", (e) => {
    close();
    on.done(data(e).message);
  });
  // The server's `event: error` and a lost connection share the name "error"; only the first
  // carries data. A lost connection is left to EventSource, which reconnects and gets a fresh
  // snapshot.
  source.addEventListener("error", (e) => {
    if (!(e instanceof MessageEvent) || !e.data) {
      // CLOSED means EventSource gave up (a non-SSE answer such as a 404): report it.
      if (source.readyState === EventSource.CLOSED) {
        on.error(new ApiError(0, "network", "The reply stream was lost"));
      }
      return;
    }
    close();
    const { message, type } = data(e);
    on.error(new ApiError(500, type ?? "server_error", message ?? "Generation failed"));
  });
  return close;
}

function appEvents(url: string, on: AppEventHandlers): Close {
  const source = new EventSource(url);
  const data = (event: Event) => JSON.parse((event as MessageEvent).data);
  // The server subscribes before it answers, so "open" means no later change is missed.
  let ready = false;
  const onReady = () => {
    if (!ready) (ready = true, on.ready?.());
  };
  source.addEventListener("open", onReady);
  source.addEventListener("error", onReady);
  source.addEventListener("model", (e) => on.model(data(e)));
  source.addEventListener("loading", (e) => on.loading(data(e)));
  source.addEventListener("load_error", (e) => on.load_error(data(e)));
  source.addEventListener("chats", (e) => on.chats(data(e)));
  source.addEventListener("library", (e) => on.library(data(e)));
  source.addEventListener("downloads", (e) => on.downloads(data(e)));
  source.addEventListener("openai_server", (e) => on.openai_server(data(e)));
  source.addEventListener("sheets", (e) => on.sheets?.(data(e)));
  source.addEventListener("sheet_import", (e) => on.sheet_import?.(data(e)));
  return () => source.close();
}
