/**
 * Opens libmtmd from the folder libllama came from, on first use of an mmproj only: a
 * process that never sees an image never needs it. libmtmd is linked against that
 * folder's libllama and ggml (native/build_mtmd.sh), by SONAME with RUNPATH $ORIGIN, so
 * the dynamic loader reuses the copies already open: one libllama, one ggml.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LibraryLoadError, MtmdMissingError } from "./errors.ts";
import { MTMD_HELPER_SYMBOLS, MTMD_SYMBOLS, type MtmdLib } from "./mtmd_symbols.ts";
import type { NativeLibraries } from "./library.ts";
import type { LogCapture } from "./log_capture.ts";

/** The file name libmtmd has on this OS. */
export function mtmdFileName(os: typeof Deno.build.os = Deno.build.os): string {
  return os === "darwin" ? "libmtmd.dylib" : os === "windows" ? "mtmd.dll" : "libmtmd.so";
}

/** Whether the libllama folder `dir` holds a libmtmd. */
export function hasMtmd(dir: string): boolean {
  return existsSync(join(dir, mtmdFileName()));
}

/** libmtmd opened beside a {@link NativeLibraries}; closed once, before them. */
export class MtmdLibrary {
  readonly symbols: MtmdLib;
  /** Where libmtmd's log goes (the libllama log capture). */
  readonly log: LogCapture;
  readonly #lib: Deno.DynamicLibrary<typeof MTMD_SYMBOLS & typeof MTMD_HELPER_SYMBOLS>;
  #closed = false;

  /**
   * Opens libmtmd from `libs.dir` and sends its log to `libs.log`.
   *
   * @throws {MtmdMissingError} when the folder has no libmtmd (with how to build it).
   * @throws {LibraryLoadError} when it is there but does not open (e.g. built against
   *   another libllama).
   */
  constructor(libs: NativeLibraries) {
    const path = join(libs.dir, mtmdFileName());
    if (!existsSync(path)) throw new MtmdMissingError(libs.dir);
    try {
      this.#lib = Deno.dlopen(path, { ...MTMD_SYMBOLS, ...MTMD_HELPER_SYMBOLS });
    } catch (error) {
      throw new LibraryLoadError(
        `Cannot open "${path}": ${(error as Error).message}; rebuild it with ` +
          `\`native/build.sh mtmd --force --lib-dir ${libs.dir}\``,
        { cause: error },
      );
    }
    this.symbols = this.#lib.symbols;
    this.log = libs.log;
    // Without these mtmd prints to stderr, and a failed call could not say why.
    this.symbols.mtmd_log_set(libs.log.callback.pointer, null);
    this.symbols.mtmd_helper_log_set(libs.log.callback.pointer, null);
  }

  /** Restores mtmd's stderr logger and closes the library. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.symbols.mtmd_log_set(null, null);
    this.symbols.mtmd_helper_log_set(null, null);
    this.#lib.close();
  }
}
