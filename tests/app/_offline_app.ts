/**
 * A real app core on a temp data folder, offline: no model loaded at start, no library
 * roots, a hub endpoint nothing listens on, no log. The tests of the front ends that drive
 * the app core in-process (TUI store and screen, local backend) start from it.
 *
 * @module
 */
import { type App, createApp } from "../../app/create_app.ts";
import { BUNDLED_MODEL } from "../../config/config.ts";

/** An offline app and its data folder; `close()` closes the app and deletes the folder. */
export interface OfflineApp {
  app: App;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts an offline app whose bundled model is `bundledModel` (default: the app's own). */
export async function offlineApp(bundledModel: string = BUNDLED_MODEL): Promise<OfflineApp> {
  const dataDir = await Deno.makeTempDir();
  const app = await createApp({
    dataDir,
    bundledModel,
    // Port 9 (discard): a hub request fails at once instead of reaching the internet.
    hub: { endpoint: "http://127.0.0.1:9", token: undefined, cacheDir: dataDir },
    libraryRoots: [],
    loadDefaultModel: false,
    log: () => {},
  });
  return {
    app,
    dataDir,
    close: async () => {
      await app.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}
