/**
 * `hearth` with no subcommand (`deno task start`): the desktop app. Opens the
 * database, serves the UI on 127.0.0.1 behind a launch secret, opens a native window
 * on it (or the default browser, or nothing with --headless), and loads the default
 * model in the background, so the window shows before any model is ready. Closing the
 * window stops generation, closes the database and exits 0.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { Config } from "../config.ts";
import { BUNDLED_MODEL, type HubEnv, hubEnv, libraryRoots } from "../config.ts";
import { DATABASE_FILE, openDatabase, type Storage } from "../storage/mod.ts";
import { newSecret } from "../server/auth.ts";
import { startServer } from "../server/app.ts";
import { EventHub } from "../server/events.ts";
import { ModelHost } from "../server/model_host.ts";
import { AppOpenAiServer, openAiServerConfig } from "../server/app_openai_server.ts";
import { RemoteFit } from "../server/remote_fit.ts";
import { downloadJson } from "../server/routes/hub.ts";
import { DownloadSaver, restoreDownloads } from "../server/saved_downloads.ts";
import { DownloadManager } from "../hub/mod.ts";
import { ModelLibrary, type Root } from "../library/mod.ts";
import { DisposedError } from "../engine/errors.ts";
import { ReplyRunner } from "../server/replies.ts";
import { TokenRate } from "../server/resources.ts";
import { buildUi, DEFAULT_OUT_DIR, uiIsStale } from "../ui/build.ts";
import { webviewAvailable, WebviewWindow } from "../ffi/webview_window.ts";
import { writeAllSync } from "./errors.ts";
import { openBrowser } from "./open_browser.ts";
import {
  claimInstance,
  describeRunning,
  type InstanceControl,
  type InstanceSurface,
} from "../app/single_instance.ts";

const say = (text: string) => writeAllSync(Deno.stderr, `${text}\n`);

/** Options of {@link startApp}. */
export interface StartAppOptions {
  /** Folder of the database. */
  dataDir: string;
  /** UI server port on 127.0.0.1; 0 = a free one. */
  port?: number;
  /** Engine settings. */
  engine?: { libDir?: string; variant?: Config["variant"]; logLevel?: Config["logLevel"] };
  /** Load the default model right away (in the background). Default true. */
  loadDefaultModel?: boolean;
  /** Hugging Face endpoint, token and cache. Default: the real hub and cache from the environment. */
  hub?: HubEnv;
  /**
   * Folders the library indexes besides the configured model folders and the bundled
   * model's. Default: the Hugging Face cache, LM Studio's and llama.cpp's folders.
   */
  libraryRoots?: Root[];
  /** Answers later starts on the same data folder (`POST /api/instance/activate`). */
  instance?: InstanceControl;
}

/** A running app: its server and parts, and the one way to stop them. */
export interface RunningApp {
  readonly launchUrl: string;
  readonly origin: string;
  readonly secret: string;
  readonly storage: Storage;
  readonly host: ModelHost;
  /** Stops generation, unloads the model, closes the server and the database. */
  close(): Promise<void>;
}

/**
 * Opens the database, builds the UI if its sources changed, serves it and starts
 * loading the default model: everything of the app but the window.
 */
export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  if (await uiIsStale(DEFAULT_OUT_DIR)) await buildUi({ outDir: DEFAULT_OUT_DIR, minify: true });
  const storage = openDatabase(join(options.dataDir, DATABASE_FILE));
  // Deleted chats can be restored until the app exits; then they are gone.
  storage.chats.purgeDeleted();
  const events = new EventHub();
  const rate = new TokenRate();
  const host = new ModelHost(events, options.engine);
  const openAiServer = new AppOpenAiServer({
    model: () => host.model,
    events,
    config: () => openAiServerConfig(storage.settings),
  });
  void openAiServer.apply(); // enabled: "starts when a model is loaded" until one is
  const replies = new ReplyRunner(storage, host, rate, () => BUNDLED_MODEL);
  const secret = newSecret();
  const hubEnvironment = options.hub ?? hubEnv();
  const hub = { endpoint: hubEnvironment.endpoint, token: hubEnvironment.token };
  const library = openLibrary(storage, events, options.libraryRoots ?? libraryRoots());
  const downloads = openDownloads(hubEnvironment, events, library, storage);
  // Downloads an earlier run left unfinished come back paused, with their bytes so far.
  await restoreDownloads(storage.downloads, downloads);
  const server = startServer({
    storage,
    host,
    replies,
    events,
    rate,
    library,
    downloads,
    hub,
    remoteFit: new RemoteFit(hub, () => host.engine()),
    openAiServer,
    secret,
    uiDir: DEFAULT_OUT_DIR,
    bundledModel: BUNDLED_MODEL,
    instance: options.instance,
  }, options.port ?? 0);
  if (options.loadDefaultModel ?? true) {
    const settings = storage.settings.get();
    // A failure also reaches the UI: the host keeps it as `load_error` in GET /api/state.
    host.load(settings.default_model ?? BUNDLED_MODEL, settings.n_ctx).catch((error) => {
      // The app closed before the load finished: nothing went wrong.
      if (!(error instanceof DisposedError) && error?.name !== "AbortError") {
        say(`hearth: ${error.message}`);
      }
    });
  }
  let closing: Promise<void> | undefined;
  return {
    launchUrl: server.launchUrl,
    origin: server.origin,
    secret,
    storage,
    host,
    close: () =>
      closing ??= (async () => {
        replies.stopAll();
        events.close();
        // Running downloads pause and save their rows before the database closes.
        const downloadsClosed = downloads.close();
        // Before the model goes, so API clients see their streams end, not a dead context.
        await openAiServer.close();
        host.close();
        rate.close();
        await server.shutdown();
        await library.close();
        await downloadsClosed;
        storage.close();
      })(),
  };
}

/** The library over the bundled model's folder and `roots`, scanned and watched. */
function openLibrary(storage: Storage, events: EventHub, roots: Root[]): ModelLibrary {
  const ids = (models: { id: string }[]) => models.map((m) => m.id);
  const library = new ModelLibrary(storage, [
    { kind: "folder", path: dirname(BUNDLED_MODEL) },
    ...roots,
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
    onError: (error) => say(`hearth: model library: ${(error as Error).message}`),
  });
  library.scan().then(() => library.watch()).catch((error) => {
    // The app closed while the first scan ran: nothing went wrong.
    if (!(error instanceof DisposedError)) say(`hearth: model library: ${error.message}`);
  });
  return library;
}

/**
 * Downloads into the Hugging Face cache, each unfinished one saved in the database;
 * progress reaches the UI at most 4 times a second.
 */
function openDownloads(
  hub: HubEnv,
  events: EventHub,
  library: ModelLibrary,
  storage: Storage,
): DownloadManager {
  const lastSent = new Map<string, number>();
  const saver = new DownloadSaver(storage.downloads);
  return new DownloadManager({
    cacheDir: hub.cacheDir,
    hub: { endpoint: hub.endpoint, token: hub.token },
    concurrency: 2,
    onEvent: (event) => {
      const { type, download } = event;
      try {
        saver.record(event);
      } catch (error) {
        say(`hearth: cannot save download ${download.id}: ${(error as Error).message}`);
      }
      const now = performance.now();
      if (type === "progress" && now - (lastSent.get(download.id) ?? 0) < 250) return;
      lastSent.set(download.id, now);
      events.publish({ event: "downloads", data: downloadJson(download) });
      // The watcher would notice too; a scan makes the new file show at once.
      if (download.state === "done") library.scan().catch(() => {});
    },
  });
}

/** Runs the desktop app until its window closes (or SIGINT/SIGTERM); returns the exit status. */
export async function appCommand(config: Config): Promise<number> {
  // One app per data folder: a second start shows the first and exits 0.
  const claim = await claimInstance(config.dataDir, { show: !config.headless });
  if ("running" in claim) {
    say(describeRunning(claim.running));
    return 0;
  }
  using lock = claim.lock;
  let window: WebviewWindow | undefined;
  const app = await startApp({
    dataDir: config.dataDir,
    port: config.port,
    engine: { libDir: config.libDir, variant: config.variant, logLevel: config.logLevel },
    instance: {
      token: lock.token,
      activate: (show) => {
        const surface: InstanceSurface = config.headless ? "none" : window ? "window" : "browser";
        say(`hearth: another start asked ${show ? "to show Hearth" : "for its URL"} (${surface})`);
        if (show && surface === "window") window!.present();
        if (show && surface === "browser") {
          openBrowser(app.launchUrl).catch((error) =>
            say(`hearth: cannot open a browser: ${error.message}`)
          );
        }
        return { pid: Deno.pid, url: app.launchUrl, surface, shown: show && surface !== "none" };
      },
    },
  });
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  try {
    window = openSurface(config, app.launchUrl, app.storage.settings.get().window);
    if (window) {
      window.onGeometry = (geometry) => app.storage.settings.patch({ window: geometry });
      window.closed.then(() => stopped.resolve());
    }
    // Only now: a start that comes earlier waits, rather than hear of no window yet.
    await lock.publish(Number(new URL(app.origin).port));
    await stopped.promise;
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    if (Deno.build.os !== "windows") Deno.removeSignalListener("SIGTERM", onSignal);
    if (window) app.storage.settings.patch({ window: window.geometry() });
    window?.close();
    await app.close();
  }
}

/** Opens the native window, or says why not and opens the browser; undefined = no window. */
function openSurface(
  config: Config,
  url: string,
  geometry: { x: number; y: number; width: number; height: number } | undefined,
): WebviewWindow | undefined {
  if (config.headless) {
    say(`Hearth is serving on ${url}`);
    return undefined;
  }
  const available = config.browser ? { ok: false, reason: "--browser given" } : webviewAvailable();
  if (available.ok) {
    return WebviewWindow.open({
      title: "Hearth",
      url,
      width: geometry?.width ?? 1100,
      height: geometry?.height ?? 760,
      x: geometry?.x,
      y: geometry?.y,
      minWidth: 800,
      minHeight: 600,
    });
  }
  say(`No native window (${available.reason}): opening ${url} in the default browser`);
  openBrowser(url).catch((error) => say(`hearth: cannot open a browser: ${error.message}`));
  return undefined;
}
