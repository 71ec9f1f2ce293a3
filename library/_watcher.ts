/**
 * File watching for the library: one recursive `Deno.watchFs` per root, reporting that
 * something relevant changed (the library then rescans, debounced).
 *
 * @module
 */
import { basename } from "node:path";
import { isPartialName } from "./_walk.ts";

interface Watch {
  watcher: Deno.FsWatcher;
  done: Promise<void>;
}

/** Watches a set of folders; `sync` changes the set. */
export class RootWatcher {
  readonly #onChange: () => void;
  readonly #watches = new Map<string, Watch>();
  #closed = false;

  /** `onChange` runs on every relevant event, and when a watch ends by itself. */
  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Starts watching new paths and stops watching those no longer listed. */
  sync(paths: readonly string[]): void {
    if (this.#closed) return;
    const wanted = new Set(paths);
    for (const [path, watch] of this.#watches) {
      if (!wanted.has(path)) {
        this.#watches.delete(path);
        watch.watcher.close();
      }
    }
    for (const path of wanted) if (!this.#watches.has(path)) this.#start(path);
  }

  /** Stops every watch and waits for their loops to end. */
  async close(): Promise<void> {
    this.#closed = true;
    const watches = [...this.#watches.values()];
    this.#watches.clear();
    for (const { watcher } of watches) watcher.close();
    await Promise.all(watches.map((watch) => watch.done));
  }

  #start(path: string): void {
    let watcher: Deno.FsWatcher;
    try {
      // Recursive on Linux (inotify per folder, new folders included), macOS and Windows.
      watcher = Deno.watchFs(path, { recursive: true });
    } catch {
      return; // gone since it was listed: the next scan notices
    }
    const watch: Watch = { watcher, done: this.#loop(path, watcher) };
    this.#watches.set(path, watch);
  }

  async #loop(path: string, watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const event of watcher) if (relevant(event)) this.#onChange();
    } catch {
      // The folder was removed or became unreadable: the watch is over.
    }
    if (this.#watches.get(path)?.watcher === watcher) {
      // Ended by itself, not by sync() or close(): let a rescan decide what is there now.
      this.#watches.delete(path);
      this.#onChange();
    }
  }
}

/**
 * Reads never matter; neither do partial downloads being written nor huggingface_hub's
 * lock files. Everything else may add, change or remove a model (a folder rename too).
 */
function relevant(event: Deno.FsEvent): boolean {
  if (event.kind === "access") return false;
  return event.paths.some((path) => {
    const name = basename(path);
    return !isPartialName(name) && !name.endsWith(".lock") && !path.includes("/.locks/");
  });
}
