/**
 * The one error the FFI layer throws of its own; engine/errors.ts re-exports it, so
 * callers catch it from the engine as before while ffi/ imports nothing above it.
 *
 * @module
 */

/**
 * Thrown when libllama or its ggml libraries cannot be found, fetched or opened.
 *
 * @example
 * ```ts
 * import { rejects } from "node:assert/strict";
 * import { Engine, LibraryLoadError } from "@hearth/hearth";
 *
 * await rejects(Engine.start({ libDir: "no/such/folder" }), LibraryLoadError);
 * ```
 */
export class LibraryLoadError extends Error {
  /**
   * Creates the error.
   *
   * @param message What could not be found or opened, and what to do.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LibraryLoadError";
  }
}

/**
 * Thrown when an mmproj is used but libmtmd (llama.cpp's multimodal library, which the
 * prebuilt packages lack) is not next to libllama; the message says how to build it.
 */
export class MtmdMissingError extends LibraryLoadError {
  /** The folder that holds libllama and lacks libmtmd. */
  readonly dir: string;

  /** Creates the error for the libllama folder `dir`. */
  constructor(dir: string, options?: ErrorOptions) {
    super(
      `Cannot use an mmproj (image input): libmtmd is not in "${dir}". Build it once from ` +
        `the pinned llama.cpp source with \`native/build.sh mtmd --lib-dir ${dir}\` ` +
        `(about 15 minutes on 2 cores; needs cmake and a C++ compiler)`,
      options,
    );
    this.name = "MtmdMissingError";
    this.dir = dir;
  }
}
