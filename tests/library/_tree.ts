/**
 * Test helpers: a temporary file tree, a library over it with a spied checker, and a
 * deadline poll for the watcher tests.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { checkGgufFile } from "../../engine/gguf_check.ts";
import { ModelLibrary } from "../../library/mod.ts";
import type { LibraryChanges, ModelLibraryOptions, Root } from "../../library/mod.ts";
import { TempDatabase } from "../../storage/_testing.ts";
import type { Storage } from "../../storage/mod.ts";

/** A temporary folder, removed on dispose. */
export class TempTree {
  /** The folder. */
  readonly dir: string = Deno.makeTempDirSync({ prefix: "hearth-library-" });

  /** An absolute path inside the tree. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Writes a file (creating folders); returns its path. */
  write(rel: string, data: string | Uint8Array): string {
    const path = this.path(rel);
    Deno.mkdirSync(dirname(path), { recursive: true });
    if (typeof data === "string") Deno.writeTextFileSync(path, data);
    else Deno.writeFileSync(path, data);
    return path;
  }

  /** Copies a file into the tree; returns its path. */
  copy(from: string, rel: string): string {
    return this.write(rel, Deno.readFileSync(from));
  }

  /** Makes a symlink at `rel` pointing to `target` (as given: relative or absolute). */
  link(rel: string, target: string): string {
    const path = this.path(rel);
    Deno.mkdirSync(dirname(path), { recursive: true });
    Deno.symlinkSync(target, path);
    return path;
  }

  [Symbol.dispose](): void {
    Deno.removeSync(this.dir, { recursive: true });
  }
}

/** A library over a fresh database, counting every header it reads. */
export class TestLibrary {
  readonly #db = new TempDatabase();
  /** The storage the library indexes into. */
  readonly storage: Storage;
  /** The library. */
  readonly library: ModelLibrary;
  /** Paths passed to the checker, in order. */
  readonly reads: string[] = [];
  /** Every change event, in order. */
  readonly events: LibraryChanges[] = [];

  constructor(roots: Root[], options: ModelLibraryOptions = {}) {
    this.storage = this.#db.open();
    this.library = new ModelLibrary(this.storage, roots, {
      checkGguf: (path) => {
        this.reads.push(path);
        return checkGgufFile(path);
      },
      onChange: (changes) => this.events.push(changes),
      ...options,
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.library.close();
    this.#db[Symbol.dispose]();
  }
}

/**
 * Polls `condition` every `intervalMs` until it holds, failing after `timeoutMs`.
 *
 * @returns What `condition` returned last (truthy).
 */
export async function waitFor<T>(
  condition: () => T,
  what: string,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The sha256 of bytes, lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
