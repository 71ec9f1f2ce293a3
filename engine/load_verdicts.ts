/**
 * What the child-process loads of engine/load_probe.ts found, per file: "loads" or
 * "crashes", kept while the file's path, size and mtime stay the same, so only the
 * first load of a file pays for the probe.
 *
 * @module
 */
import { dirname } from "node:path";

/** The verdicts file's name in the app's data dir (`$HEARTH_HOME`). */
export const LOAD_VERDICTS_FILE = "load-verdicts.json";

/** A file as it was probed: its path, size in bytes and mtime in ms since the epoch. */
export interface FileStamp {
  /** The file's path as the caller gave it. */
  path: string;
  /** Its size in bytes. */
  sizeBytes: number;
  /** Its last modification, ms since the epoch. */
  mtimeMs: number;
}

/** What a probe found. */
export type LoadVerdict =
  | { ok: true }
  | {
    ok: false;
    /** The crash as a sentence (ModelCrashError's reason). */
    reason: string;
    /** The signal that killed the child, e.g. "SIGABRT"; null when it exited. */
    signal: string | null;
    /** The child's exit code when no signal ended it. */
    exitCode: number | null;
    /** llama.cpp's last log lines before the crash. */
    lastLogLines: string[];
  };

type Entry = FileStamp & { verdict: LoadVerdict };

/**
 * Verdicts by (path, size, mtime), in memory and, when given a file, in a JSON file
 * (read on first use, rewritten on every change) so later processes skip the probe.
 *
 * @example
 * ```ts
 * import { LoadVerdicts } from "./load_verdicts.ts";
 *
 * const verdicts = new LoadVerdicts();
 * const stamp = await LoadVerdicts.stamp("models/stories260K.gguf");
 * await verdicts.set(stamp, { ok: true });
 * console.log(await verdicts.get(stamp)); // { ok: true }
 * ```
 */
export class LoadVerdicts {
  readonly #file: string | undefined;
  #entries: Map<string, Entry> | undefined;

  /**
   * Creates an empty cache; a file, if given, is read at first use.
   *
   * @param file A JSON file to keep the verdicts in across processes; default: memory
   *   only. A missing or unreadable file starts empty.
   */
  constructor(file?: string) {
    this.#file = file;
  }

  /**
   * The stamp of `path` now.
   *
   * @throws {Deno.errors.NotFound} when the file is gone.
   */
  static async stamp(path: string): Promise<FileStamp> {
    const stat = await Deno.stat(path);
    return { path, sizeBytes: stat.size, mtimeMs: stat.mtime?.getTime() ?? 0 };
  }

  /** The verdict on the file as stamped, or undefined when it changed or was never probed. */
  async get(stamp: FileStamp): Promise<LoadVerdict | undefined> {
    const entry = (await this.#load()).get(stamp.path);
    if (entry?.sizeBytes !== stamp.sizeBytes || entry.mtimeMs !== stamp.mtimeMs) return undefined;
    return entry.verdict;
  }

  /** Records the verdict on the file as stamped (replacing an older one for its path). */
  async set(stamp: FileStamp, verdict: LoadVerdict): Promise<void> {
    const entries = await this.#load();
    entries.set(stamp.path, { ...stamp, verdict });
    if (this.#file === undefined) return;
    try {
      await Deno.mkdir(dirname(this.#file), { recursive: true });
      const temp = `${this.#file}.${Deno.pid}.tmp`;
      await Deno.writeTextFile(temp, JSON.stringify([...entries.values()]));
      await Deno.rename(temp, this.#file);
    } catch {
      // A cache: an unwritable file only means the next process probes again.
    }
  }

  async #load(): Promise<Map<string, Entry>> {
    if (this.#entries) return this.#entries;
    let list: Entry[] = [];
    if (this.#file !== undefined) {
      try {
        const parsed = JSON.parse(await Deno.readTextFile(this.#file));
        if (Array.isArray(parsed)) list = parsed;
      } catch {
        // Absent or corrupt: start empty.
      }
    }
    this.#entries ??= new Map(list.map((entry) => [entry.path, entry]));
    return this.#entries;
  }
}
