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
