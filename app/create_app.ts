/**
 * The application core, built once: the database, the event hub, the model host, replies,
 * the model library and downloads, remote memory fit. No HTTP: the desktop UI server, the
 * OpenAI server, the command line and the terminal UI each call {@link createApp} (or take
 * the {@link App} it returns) and stay thin.
 *
 * Dependencies come in through {@link AppOptions}: the data folder, the engine's options
 * (or a factory for another engine), the hub and library roots, and where log lines go.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { DATABASE_FILE, openDatabase, type Storage } from "../storage/mod.ts";
import { DownloadManager, type DownloadStatus, type HubOptions } from "../hub/mod.ts";
import { ModelLibrary, pairedMmproj, type Root } from "../library/mod.ts";
import { DisposedError } from "../engine/errors.ts";
import type { Engine, EngineOptions } from "../engine/engine.ts";
import { LOAD_VERDICTS_FILE, LoadVerdicts } from "../engine/load_verdicts.ts";
import { EventHub } from "./events.ts";
import { ModelHost } from "./model_host.ts";
import { markCrashed } from "./model_loads.ts";
import { RemoteFit } from "./remote_fit.ts";
import { DownloadSaver, restoreDownloads } from "./saved_downloads.ts";
import { ReplyRunner } from "./replies.ts";
import { MessageTrash } from "./message_trash.ts";
import { TokenRate } from "./resources.ts";
import { DeviceMemoryMonitor } from "./device_memory.ts";
import { ProviderRegistry, type ProviderRegistryOptions } from "./providers/registry.ts";
import type { Backend } from "./providers/backend.ts";
import { LocalBackend } from "./providers/local_backend.ts";
import { WorkspaceFiles, type WorkspaceFilesOptions } from "./workspace/files.ts";
import { backendGenerator, servingGenerator, SheetService } from "./sheets/mod.ts";
import { HubToken } from "./hub_token.ts";

/** The Hugging Face endpoint, token and cache folder the app downloads with. */
export interface AppHub {
  /** Base URL, e.g. "https://huggingface.co". */
  endpoint: string;
  /** Access token for gated and private repositories, if any. */
  token: string | undefined;
  /** The Hugging Face cache folder downloads go into. */
  cacheDir: string;
}

/** What {@link createApp} builds the app from. */
export interface AppOptions {
  /** Folder of the database and the load verdicts. */
  dataDir: string;
  /** The database file; default `hearth.db` in {@link AppOptions.dataDir}. */
  databasePath?: string;
  /** The bundled model: the default for chats and settings that name none. */
  bundledModel: string;
  /** Hugging Face endpoint, token and cache. */
  hub: AppHub;
  /** Folders the library indexes besides the settings' model folders and the bundled model's. */
  libraryRoots: Root[];
  /** Engine settings (libllama folder, variant, log level). */
  engine?: EngineOptions;
  /** Starts the engine; default `Engine.start(engine)`. Tests may pass another. */
  startEngine?: (options: EngineOptions) => Promise<Engine>;
  /** Load the settings' default model right away, in the background. Default true. */
  loadDefaultModel?: boolean;
  /** Where problems that have no caller go, one line each. Default: stderr. */
  log?: (line: string) => void;
  /**
   * Remote providers: the config folder of `providers.json` and the key file, and the
   * environment the keys' variables are read from. Default: `dataDir` and no variables.
   */
  providers?: Partial<ProviderRegistryOptions>;
  /** The workspace file layer's limits (open files, write-behind threshold). Default its defaults. */
  workspaceFiles?: Omit<WorkspaceFilesOptions, "log">;
}

/** The application core: every service, and the one way to stop them. */
export interface App {
  /** Chats, messages, settings, saved downloads (SQLite). */
  readonly storage: Storage;
  /** What the front ends follow: model, loading, library, downloads, chats. */
  readonly events: EventHub;
  /** The loaded model and its serving context. */
  readonly host: ModelHost;
  /** Assistant replies that stream, save as they grow and survive crashes. */
  readonly replies: ReplyRunner;
  /** What "Delete message" removed, for Undo. */
  readonly trash: MessageTrash;
  /** Generated tokens per second, for the resource panel. */
  readonly rate: TokenRate;
  /** The ggml devices' memory, for the resource panel. */
  readonly deviceMemory: DeviceMemoryMonitor;
  /** The model files on this machine, indexed in place. */
  readonly library: ModelLibrary;
  /** Downloads from the hub into its cache. */
  readonly downloads: DownloadManager;
  /** How hub calls reach the hub (its token is read per request). */
  readonly hub: HubOptions;
  /** The Hugging Face token: Settings' one, else `HF_TOKEN`. */
  readonly hubToken: HubToken;
  /** Memory fit of hub files before download. */
  readonly remoteFit: RemoteFit;
  /** Remote OpenAI-compatible providers, their keys and backends. */
  readonly providers: ProviderRegistry;
  /**
   * The backend a model string runs on: `NAME:MODEL` of a configured provider is that
   * provider's RemoteBackend and MODEL; anything else is a model file on the local engine.
   */
  backend(model: string): { backend: Backend; model: string };
  /** The workspace folders and handle-based file I/O in them (the UI's only way to files). */
  readonly workspace: WorkspaceFiles;
  /** The bundled model's path. */
  readonly bundledModel: string;
  /** Sheets: tables, AI columns and their generation jobs (app/sheets/). */
  readonly sheets: SheetService;
  /** Stops replies and downloads, unloads the model, closes the library and the database. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the application core: opens the database (purging chats deleted in an earlier
 * run), restores unfinished downloads as paused, starts scanning the library and, unless
 * told not to, loading the default model in the background.
 *
 * @throws {DatabaseVersionError} when the database was written by a newer Hearth.
 */
export async function createApp(options: AppOptions): Promise<App> {
  const log = options.log ?? ((line) => console.error(line));
  const storage = openDatabase(options.databasePath ?? join(options.dataDir, DATABASE_FILE));
  // Deleted chats can be restored until the app exits; then they are gone.
  storage.chats.purgeDeleted();
  const events = new EventHub();
  const rate = new TokenRate();
  const library = openLibrary(storage, events, options, log);
  const host = new ModelHost(events, options.engine, {
    verdicts: new LoadVerdicts(join(options.dataDir, LOAD_VERDICTS_FILE)),
    startEngine: options.startEngine,
    slots: () => storage.settings.get().n_parallel,
    loadOptions: (path) => storage.modelOptions.get(path),
    // Whoever asked for the load (the UI, a reply, the default model at start), a file
    // that crashed llama.cpp shows as broken in the model list.
    onCrash: (path, error) => void markCrashed(library, path, error),
    // A vision model's mmproj in its folder or repo loads with it (images in chats).
    mmprojFor: (path) => {
      const model = library.get(path);
      return model ? pairedMmproj(model, library.list({ kind: "mmproj" }))?.path ?? null : null;
    },
  });
  const providers = new ProviderRegistry({
    configDir: options.dataDir,
    env: () => undefined,
    ...options.providers,
  });
  const local = new LocalBackend(host, () => storage.settings.get().n_ctx);
  const replies = new ReplyRunner(storage, host, rate, () => options.bundledModel, providers);
  const hubToken = new HubToken(options.dataDir, options.hub.token);
  // One options object whose token is read per request: a token saved in Settings applies
  // to the next search and download.
  const hub = hubToken.options(options.hub.endpoint);
  const downloads = openDownloads(options.hub, hub, events, library, storage, log);
  // Downloads an earlier run left unfinished come back paused, with their bytes so far.
  await restoreDownloads(storage.downloads, downloads);
  if (options.loadDefaultModel ?? true) {
    const settings = storage.settings.get();
    // A failure also reaches the UI: the host keeps it as `load_error`.
    const model = settings.default_model ?? options.bundledModel;
    const nCtx = storage.modelOptions.get(model).n_ctx ?? settings.n_ctx;
    host.load(model, nCtx).catch((error) => {
      // The app closed before the load finished: nothing went wrong.
      if (!(error instanceof DisposedError) && error?.name !== "AbortError") {
        log(`hearth: ${error.message}`);
      }
    });
  }
  const workspace = new WorkspaceFiles(storage.workspaceFolders, {
    ...options.workspaceFiles,
    log,
  });
  const sheets = new SheetService(storage, {
    generatorFor: async (column) => {
      const model = column.ai?.model ?? null;
      const remote = model ? providers.resolve(model) : null;
      if (remote) {
        // The provider's own concurrency setting caps the job's rows in flight.
        const { concurrency } = providers.get(remote.provider);
        return backendGenerator(providers.backend(remote.provider), remote.model, concurrency);
      }
      const settings = storage.settings.get();
      const path = model ?? host.loaded?.path ?? settings.default_model ?? options.bundledModel;
      if (!host.serves(path, settings.n_ctx)) await host.load(path, settings.n_ctx);
      // Asked at each cell: a model switch mid-job replaces the serving context.
      return servingGenerator(() => host.serving(), path);
    },
    onProgress: (progress) => events.publish({ event: "sheets", data: progress }),
    onError: (job, error) => log(`hearth: sheet job ${job.id}: ${(error as Error).message}`),
  }, { onProgress: (progress) => events.publish({ event: "sheet_import", data: progress }) });
  // Jobs the last run left running (closed, crashed or killed) go on.
  sheets.resume();
  let closing: Promise<void> | undefined;
  return {
    storage,
    events,
    host,
    replies,
    trash: new MessageTrash(),
    rate,
    // Reading starts the engine if nothing has yet: the panel shows the devices it will use.
    deviceMemory: new DeviceMemoryMonitor(async () => (await host.engine()).devices()),
    library,
    downloads,
    hub,
    hubToken,
    remoteFit: new RemoteFit(hub, () => host.engine()),
    providers,
    backend: (model) => {
      const remote = providers.resolve(model);
      return remote
        ? { backend: providers.backend(remote.provider), model: remote.model }
        : { backend: local, model };
    },
    workspace,
    bundledModel: options.bundledModel,
    sheets,
    close: () =>
      closing ??= (async () => {
        replies.stopAll();
        // Running jobs stay "running" in the database and resume at the next start.
        await sheets.close();
        events.close();
        // Running downloads pause and save their rows before the database closes.
        const downloadsClosed = downloads.close();
        host.close();
        rate.close();
        await library.close();
        await downloadsClosed;
        // Open files write out their buffers.
        await workspace.closeAll();
        storage.close();
      })(),
  };
}

/** The library over the bundled model's folder and the roots, scanned and watched. */
function openLibrary(
  storage: Storage,
  events: EventHub,
  options: AppOptions,
  log: (line: string) => void,
): ModelLibrary {
  const ids = (models: { id: string }[]) => models.map((m) => m.id);
  const library = new ModelLibrary(storage, [
    { kind: "folder", path: dirname(options.bundledModel) },
    ...options.libraryRoots,
  ], {
    onChange: (changes) =>
      events.publish({
        event: "library",
        data: {
          added: ids(changes.added),
          updated: ids(changes.updated),
          removed: ids(changes.removed),
        },
      }),
    onError: (error) => log(`hearth: model library: ${(error as Error).message}`),
  });
  library.scan().then(() => library.watch()).catch((error) => {
    // The app closed while the first scan ran: nothing went wrong.
    if (!(error instanceof DisposedError)) log(`hearth: model library: ${error.message}`);
  });
  return library;
}

/**
 * Downloads into the Hugging Face cache, each unfinished one saved in the database;
 * progress events go out at most 4 times a second per download.
 */
function openDownloads(
  hub: AppHub,
  hubOptions: HubOptions,
  events: EventHub,
  library: ModelLibrary,
  storage: Storage,
  log: (line: string) => void,
): DownloadManager {
  const lastSent = new Map<string, number>();
  const saver = new DownloadSaver(storage.downloads);
  return new DownloadManager({
    cacheDir: hub.cacheDir,
    hub: hubOptions,
    concurrency: 2,
    onEvent: (event) => {
      const { type, download } = event;
      try {
        saver.record(event);
      } catch (error) {
        log(`hearth: cannot save download ${download.id}: ${(error as Error).message}`);
      }
      const now = performance.now();
      if (type === "progress" && now - (lastSent.get(download.id) ?? 0) < 250) return;
      lastSent.set(download.id, now);
      // A snapshot: the status object keeps changing after the event is published.
      events.publish({ event: "downloads", data: snapshot(download) });
      // The watcher would notice too; a scan makes the new file show at once.
      if (download.state === "done") library.scan().catch(() => {});
    },
  });
}

function snapshot(download: DownloadStatus): DownloadStatus {
  return { ...download, progress: download.progress && { ...download.progress } };
}
