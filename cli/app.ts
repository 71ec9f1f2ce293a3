/**
 * `hearth` with no subcommand (`deno task start`): the desktop app. Opens the
 * database, serves the UI on 127.0.0.1 behind a launch secret, opens a native window
 * on it (or the default browser, or nothing with --headless), and loads the default
 * model in the background, so the window shows before any model is ready. Closing the
 * window stops generation, closes the database and exits 0.
 *
 * @module
 */
import type { Config } from "../config/config.ts";
import {
  BUNDLED_MODEL,
  type HubEnv,
  hubEnv,
  libraryRoots,
  providersEnv,
} from "../config/config.ts";
import type { Storage } from "../storage/mod.ts";
import type { Root } from "../library/mod.ts";
import { type App, type AppOptions as CreateAppOptions, createApp } from "../app/create_app.ts";
import type { ModelHost } from "../app/model_host.ts";
import { newSecret } from "../server/auth.ts";
import { startServer } from "../server/app.ts";
import type { HttpTimeouts } from "../server/serve_with_deadlines.ts";
import type { FolderChooser } from "../server/deps.ts";
import { AppOpenAiServer, openAiServerConfig } from "../server/app_openai_server.ts";
import { buildUi, DEFAULT_OUT_DIR, uiIsStale } from "../ui/build.ts";
import { webviewAvailable, WebviewWindow } from "../desktop/window.ts";
import { openBrowser } from "../desktop/open_browser.ts";
import { writeAllSync } from "./errors.ts";
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
  engine?: {
    libDir?: string;
    variant?: Config["variant"];
    logLevel?: Config["logLevel"];
    rpc?: string;
  };
  /** Load the default model right away (in the background). Default true. */
  loadDefaultModel?: boolean;
  /** Hugging Face endpoint, token and cache. Default: the real hub and cache from the environment. */
  hub?: HubEnv;
  /**
   * Folders the library indexes besides the configured model folders and the bundled
   * model's. Default: the Hugging Face cache, LM Studio's and llama.cpp's folders.
   */
  libraryRoots?: Root[];
  /** Deadlines of the UI server's connections. Default 10 s for a head, 60 s idle. */
  http?: HttpTimeouts;
  /** Answers later starts on the same data folder (`POST /api/instance/activate`). */
  instance?: InstanceControl;
  /**
   * Remote providers: their config folder (default `dataDir`, so tests stay in their temp
   * folder), the environment their key variables come from (default none), timeouts.
   */
  providers?: CreateAppOptions["providers"];
  /** The workspace file layer's limits. Default its defaults. */
  workspaceFiles?: CreateAppOptions["workspaceFiles"];
  /** The native folder dialog for workspace folders (the window's). Default none. */
  chooseFolder?: FolderChooser;
}

/** A running app: its core, its server, and the one way to stop them. */
export interface RunningApp {
  readonly launchUrl: string;
  readonly origin: string;
  readonly secret: string;
  /** The application core the server fronts. */
  readonly app: App;
  readonly storage: Storage;
  readonly host: ModelHost;
  /** Stops generation, unloads the model, closes the servers and the database. */
  close(): Promise<void>;
}

/**
 * Builds the UI if its sources changed, creates the application core and serves the UI
 * over it, with the app's OpenAI server beside: everything of the desktop app but the window.
 */
export async function startApp(options: StartAppOptions): Promise<RunningApp> {
  if (await uiIsStale(DEFAULT_OUT_DIR)) await buildUi({ outDir: DEFAULT_OUT_DIR, minify: true });
  const app = await createApp({
    dataDir: options.dataDir,
    bundledModel: BUNDLED_MODEL,
    hub: options.hub ?? hubEnv(),
    libraryRoots: options.libraryRoots ?? libraryRoots(),
    engine: options.engine,
    loadDefaultModel: options.loadDefaultModel,
    log: say,
    providers: options.providers,
    workspaceFiles: options.workspaceFiles,
  });
  const openAiServer = new AppOpenAiServer({
    serving: () => app.host.loaded ? app.host.serving() : null,
    events: app.events,
    config: () => openAiServerConfig(app.storage.settings),
    providers: app.providers,
  });
  void openAiServer.apply(); // enabled: "starts when a model is loaded" until one is
  const secret = newSecret();
  const server = startServer(
    {
      ...app,
      openAiServer,
      secret,
      uiDir: DEFAULT_OUT_DIR,
      openPath: openBrowser,
      instance: options.instance,
      chooseFolder: options.chooseFolder,
    },
    options.port ?? 0,
    options.http,
  );
  let closing: Promise<void> | undefined;
  return {
    launchUrl: server.launchUrl,
    origin: server.origin,
    secret,
    app,
    storage: app.storage,
    host: app.host,
    close: () =>
      closing ??= (async () => {
        // Open streams end first, so the server's graceful shutdown does not wait on
        // them; API clients see their streams end before the model goes.
        app.replies.stopAll();
        app.events.close();
        await openAiServer.close();
        await server.shutdown();
        await app.close();
      })(),
  };
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
    engine: {
      libDir: config.libDir,
      variant: config.variant,
      logLevel: config.logLevel,
      rpc: config.rpc,
    },
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
    providers: providersEnv(),
    // Workspace folders come from the window's folder dialog while it is open.
    chooseFolder: {
      available: () => window?.isOpen ?? false,
      choose: () => window?.chooseFolder() ?? Promise.resolve(null),
    },
  });
  const stopped = Promise.withResolvers<void>();
  const onSignal = () => stopped.resolve();
  Deno.addSignalListener("SIGINT", onSignal);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", onSignal);
  try {
    const { window: geometry, theme } = app.storage.settings.get();
    window = openSurface(config, app.launchUrl, geometry, theme === "dark");
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
  dark: boolean,
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
      // ui/styles/base.css's --bg, shown until the UI paints ("system" reads as light:
      // the OS preference is not known here)
      background: dark ? "#1d1c1b" : "#ffffff",
    });
  }
  say(`No native window (${available.reason}): opening ${url} in the default browser`);
  openBrowser(url).catch((error) => say(`hearth: cannot open a browser: ${error.message}`));
  return undefined;
}
